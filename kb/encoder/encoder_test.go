package encoder

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"
)

// modelDir is where the npm package's dist folder was unpacked.
func modelDir(t *testing.T) string {
	dir := os.Getenv("ASSIST_USE_DIR")
	if dir == "" {
		dir = "/tmp/npmprobe/package/dist"
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skip(err)
	}
	return dir
}

type reference struct {
	Text      string    `json:"text"`
	IDs       []int     `json:"ids"`
	Embedding []float64 `json:"embedding"`
}

func TestMatchesTensorFlowJS(t *testing.T) {
	m, err := Load(modelDir(t))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var refs []reference
	if err := json.Unmarshal(raw, &refs); err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		if ids := m.tok.encode(r.Text); !slices.Equal(ids, r.IDs) {
			t.Errorf("%q: pieces %v, want %v", r.Text, ids, r.IDs)
			continue
		}
		got := m.Encode(r.Text)
		var dot float64
		for i, v := range got {
			dot += float64(v) * r.Embedding[i]
		}
		t.Logf("%q: cosine %.6f", r.Text, dot)
		if math.Abs(dot-1) > 1e-4 {
			t.Errorf("%q: cosine with the reference %.6f, want 1", r.Text, dot)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	dir := os.Getenv("ASSIST_USE_DIR")
	if dir == "" {
		dir = "/tmp/npmprobe/package/dist"
	}
	m, err := Load(dir)
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		m.Encode("I am still waiting on my card, it has been two weeks?")
	}
}
