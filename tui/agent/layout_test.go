package agent

import (
	"fmt"
	"testing"
)

func TestComputeLayoutTiles(t *testing.T) {
	for _, size := range [][3]int{
		{80, 24, 1}, {160, 48, 1}, {160, 48, 5}, {120, 30, 1}, {119, 30, 1}, {120, 29, 1}, {100, 30, 5},
		{60, 20, 1}, {40, 12, 5}, {20, 5, 1}, {10, 3, 1}, {1, 1, 1}, {0, 0, 1}, {-3, -1, 1},
	} {
		w, h, help := size[0], size[1], size[2]
		for _, composer := range []bool{false, true} {
			t.Run(fmt.Sprintf("%dx%d/help%d/composer=%v", w, h, help, composer), func(t *testing.T) {
				l := computeLayout(w, h, help, composer)
				cells := map[[2]int]string{}
				parts := map[string]rect{
					"header": l.Header, "transcript": l.Transcript, "suggestions": l.Suggestions,
					"gauges": l.Gauges, "recommendations": l.Recommendations, "help": l.Help,
					"composer": l.Composer,
				}
				for name, r := range parts {
					if r.W < 0 || r.H < 0 {
						t.Fatalf("%s has negative size %+v", name, r)
					}
					for y := r.Y; y < r.Y+r.H; y++ {
						for x := r.X; x < r.X+r.W; x++ {
							if x < 0 || y < 0 || x >= w || y >= h {
								t.Fatalf("%s %+v leaves the %dx%d screen", name, r, w, h)
							}
							if other, ok := cells[[2]int{x, y}]; ok {
								t.Fatalf("%s overlaps %s at %d,%d", name, other, x, y)
							}
							cells[[2]int{x, y}] = name
						}
					}
				}
				if want := max(w, 0) * max(h, 0); len(cells) != want {
					t.Fatalf("layout covers %d cells, want %d", len(cells), want)
				}
				if !composer && !l.Composer.empty() {
					t.Fatalf("a composer nobody asked for: %+v", l.Composer)
				}
			})
		}
	}
}

func TestComputeLayoutModes(t *testing.T) {
	if l := computeLayout(80, 24, 1, false); !l.Compact {
		t.Error("80x24 should be compact")
	}
	l := computeLayout(160, 48, 1, false)
	if l.Compact {
		t.Fatal("160x48 should be wide")
	}
	if l.Transcript.X != 0 || l.Suggestions.X != l.Transcript.W {
		t.Errorf("wide mode: transcript should be left of the right column: %+v", l)
	}
	if l.Suggestions.Y >= l.Gauges.Y || l.Gauges.Y >= l.Recommendations.Y {
		t.Errorf("wide mode: right column should stack suggestions, gauges, recommendations: %+v", l)
	}
	if l := computeLayout(80, 24, 1, false); l.Suggestions.H < 5 || l.Transcript.H < 5 || l.Gauges.H == 0 || l.Recommendations.H == 0 {
		t.Errorf("80x24 should show every pane: %+v", l)
	}
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		l := computeLayout(size[0], size[1], 1, true)
		if l.Composer.H < 3 || l.Composer.Y != l.Transcript.Y+l.Transcript.H || l.Composer.X != 0 {
			t.Errorf("%dx%d: the composer should sit under the transcript: %+v", size[0], size[1], l)
		}
		if l.Transcript.H < 5 || l.Suggestions.H < 5 {
			t.Errorf("%dx%d: the composer leaves too little of the transcript or replies: %+v", size[0], size[1], l)
		}
	}
}
