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
		t.Run(fmt.Sprintf("%dx%d/help%d", w, h, help), func(t *testing.T) {
			l := computeLayout(w, h, help)
			cells := map[[2]int]string{}
			parts := map[string]rect{
				"header": l.Header, "transcript": l.Transcript, "suggestions": l.Suggestions,
				"gauges": l.Gauges, "recommendations": l.Recommendations, "help": l.Help,
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
		})
	}
}

func TestComputeLayoutModes(t *testing.T) {
	if l := computeLayout(80, 24, 1); !l.Compact {
		t.Error("80x24 should be compact")
	}
	l := computeLayout(160, 48, 1)
	if l.Compact {
		t.Fatal("160x48 should be wide")
	}
	if l.Transcript.X != 0 || l.Suggestions.X != l.Transcript.W {
		t.Errorf("wide mode: transcript should be left of the right column: %+v", l)
	}
	if l.Suggestions.Y >= l.Gauges.Y || l.Gauges.Y >= l.Recommendations.Y {
		t.Errorf("wide mode: right column should stack suggestions, gauges, recommendations: %+v", l)
	}
	if l := computeLayout(80, 24, 1); l.Suggestions.H < 5 || l.Transcript.H < 5 || l.Gauges.H == 0 || l.Recommendations.H == 0 {
		t.Errorf("80x24 should show every pane: %+v", l)
	}
}
