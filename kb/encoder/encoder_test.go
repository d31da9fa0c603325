package encoder

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/kb/encoder/encodertest"
	"github.com/larkspur-labs/assist/kb/intent"
)

type reference struct {
	Text      string    `json:"text"`
	IDs       []int     `json:"ids"`
	Embedding []float64 `json:"embedding"`
}

func TestMatchesTensorFlowJS(t *testing.T) {
	m, err := LoadExact(encodertest.Dir(t))
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

// BenchmarkEncode times a typical customer turn and a long one, with the
// int8 model and the exact one.
func BenchmarkEncode(b *testing.B) {
	for _, load := range []struct {
		name string
		load func(string) (*Model, error)
	}{{"int8", Load}, {"exact", LoadExact}} {
		m, err := load.load(encodertest.Dir(b))
		if err != nil {
			b.Fatal(err)
		}
		for _, text := range []string{
			"I am still waiting on my card, it has been two weeks?",
			strings.Repeat("I made a transfer to my friend last week and it still has not arrived, ", 4),
		} {
			b.Run(fmt.Sprintf("%s/pieces=%d", load.name, len(m.tok.encode(text))), func(b *testing.B) {
				for b.Loop() {
					m.Encode(text)
				}
			})
		}
	}
}

// TestQuantizedNearTensorFlowJS bounds what int8 costs: the quantized
// model's vectors against the published model's on the same sentences.
func TestQuantizedNearTensorFlowJS(t *testing.T) {
	m, err := Load(encodertest.Dir(t))
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
		got := m.Encode(r.Text)
		var dot float64
		for i, v := range got {
			dot += float64(v) * r.Embedding[i]
		}
		t.Logf("%q: cosine %.6f", r.Text, dot)
		if dot < 0.998 {
			t.Errorf("%q: cosine with the reference %.6f, want at least 0.998", r.Text, dot)
		}
	}
}

func TestEmptyAndHostileText(t *testing.T) {
	m, err := Load(encodertest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	if v := m.Encode(""); len(v) != Dim || slices.ContainsFunc(v, func(x float32) bool { return x != 0 }) {
		t.Errorf("empty text: want a zero vector of %d", Dim)
	}
	long := strings.Repeat("card payment declined \x1b[31m Привет 😀 ", 5000)
	v := m.Encode(long)
	var ss float64
	for _, x := range v {
		if math.IsNaN(float64(x)) {
			t.Fatal("NaN in the embedding of a long hostile text")
		}
		ss += float64(x) * float64(x)
	}
	if math.Abs(ss-1) > 1e-3 {
		t.Errorf("long hostile text: norm² %.4f, want 1", ss)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "model.json") {
		t.Errorf("empty folder: %v, want an error naming model.json", err)
	}
}

// TestClassifierKnowsParaphrases trains on a few phrasings per intent and
// asks in words none of them use, which is what the n-gram model misses.
func TestClassifierKnowsParaphrases(t *testing.T) {
	m, err := Load(encodertest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	train := []intent.Example{
		{Text: "my card has not arrived", Label: "card_arrival"},
		{Text: "when will I get my new card", Label: "card_arrival"},
		{Text: "still waiting for the card in the post", Label: "card_arrival"},
		{Text: "I want to close my account", Label: "close_account"},
		{Text: "please delete my account", Label: "close_account"},
		{Text: "how do I cancel my membership with you", Label: "close_account"},
		{Text: "what is the exchange rate for euros", Label: "exchange_rate"},
		{Text: "how much is a dollar in pounds", Label: "exchange_rate"},
		{Text: "currency conversion rates today", Label: "exchange_rate"},
	}
	c, err := TrainClassifier(m, train)
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"the plastic you mailed me never showed up":  "card_arrival",
		"I'd like to stop banking with you for good": "close_account",
		"what would 100 yen be worth in sterling":    "exchange_rate",
	} {
		got := c.Predict(q)
		if got[0].Label != want {
			t.Errorf("%q: %s (%.2f), want %s", q, got[0].Label, got[0].Prob, want)
		}
	}
	if _, err := TrainClassifier(m, nil); err == nil {
		t.Error("training on nothing: want an error")
	}
}

// TestStripsMatchRowMajor pins the FMA kernels to the plain product, for
// every mix of 6-row blocks, 4-row blocks and padding up to 16 rows.
func TestStripsMatchRowMajor(t *testing.T) {
	if !hasFMA {
		t.Skip("no AVX2 and FMA here")
	}
	const in, out = 7, 48
	w := make([]float32, in*out)
	for i := range w {
		w[i] = float32(i%13) - 6
	}
	b := make([]float32, out)
	for i := range b {
		b[i] = float32(i) / 10
	}
	d := newDense(slices.Clone(w), b, in, out, false)
	for n := 1; n <= 16; n++ {
		x := make([]float32, n*in)
		for i := range x {
			x[i] = float32(i%5) - 2
		}
		got := d.apply(new(workspace), x, n)
		for r := range n {
			for c := range out {
				want := b[c]
				for k := range in {
					want += x[r*in+k] * w[k*out+c]
				}
				if got[r*out+c] != want {
					t.Fatalf("%d rows: y[%d][%d] = %v, want %v", n, r, c, got[r*out+c], want)
				}
			}
		}
	}
}

func BenchmarkEncodeTurnAndContext(b *testing.B) {
	m, err := Load(encodertest.Dir(b))
	if err != nil {
		b.Fatal(err)
	}
	texts := []string{"it has been two weeks?", "I ordered a new card. I am still waiting on my card, it has been two weeks?"}
	b.Run("one-by-one", func(b *testing.B) {
		for b.Loop() {
			for _, t := range texts {
				m.Encode(t)
			}
		}
	})
	b.Run("batch", func(b *testing.B) {
		for b.Loop() {
			m.EncodeBatch(texts)
		}
	})
}

// TestBatchMatchesOneByOne checks that texts in a batch, empty ones among
// them, do not see each other.
func TestBatchMatchesOneByOne(t *testing.T) {
	m, err := Load(encodertest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"my card has not arrived", "", "can I top up by bank transfer?", "hi"}
	batch := m.EncodeBatch(texts)
	for i, text := range texts {
		one := m.Encode(text)
		for d := range one {
			if math.Abs(float64(one[d]-batch[i][d])) > 1e-6 {
				t.Fatalf("%q: dimension %d is %v in a batch, %v alone", text, d, batch[i][d], one[d])
			}
		}
	}
}
