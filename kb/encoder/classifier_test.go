package encoder

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/larkspur-labs/assist/kb/encoder/encodertest"
)

// plainSoftmax is fitSoftmax without batches: the scores of each example
// computed from the weights as they are at its turn.
func plainSoftmax(xs [][]float32, ys []int, labels int) []float32 {
	w := make([]float32, labels*(featureDim+1))
	rng := rand.New(rand.NewPCG(1, 1))
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	lr := float32(1)
	p := make([]float64, labels)
	for range sgdEpochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			probs(w, xs[i], p)
			for k := range labels {
				g := float32(p[k])
				if k == ys[i] {
					g--
				}
				if g > -minGradient && g < minGradient {
					continue
				}
				row := w[k*(featureDim+1) : (k+1)*(featureDim+1)]
				for j, v := range xs[i] {
					row[j] -= lr * g * v
				}
				row[featureDim] -= lr * g
			}
		}
		lr *= sgdDecay
	}
	return w
}

func TestFitSoftmaxIsPerExampleSGD(t *testing.T) {
	// 7 labels (not a multiple of the kernels' 4 rows) and 37 examples (not
	// a multiple of the batch), on noisy unit vectors around one centre a
	// label, so that some examples stay wrong for many epochs.
	const labels, n = 7, 37
	rng := rand.New(rand.NewPCG(3, 4))
	centres := make([][]float32, labels)
	for k := range centres {
		centres[k] = make([]float32, featureDim)
		for j := range centres[k] {
			centres[k][j] = float32(rng.NormFloat64())
		}
	}
	xs, ys := make([][]float32, n), make([]int, n)
	for i := range xs {
		ys[i] = i % labels
		x := make([]float32, featureDim)
		var ss float64
		for j := range x {
			x[j] = centres[ys[i]][j] + 3*float32(rng.NormFloat64())
			ss += float64(x[j]) * float64(x[j])
		}
		for j := range x {
			x[j] /= float32(math.Sqrt(ss))
		}
		xs[i] = x
	}
	want := plainSoftmax(xs, ys, labels)
	check := func(name string) {
		got := fitSoftmax(xs, ys, labels)
		var worst float64
		for i := range want {
			worst = math.Max(worst, math.Abs(float64(got[i]-want[i])))
		}
		if worst > 1e-5 {
			t.Errorf("%s: weights differ from one-by-one SGD by up to %g", name, worst)
		}
	}
	check("kernels")
	if hasFMA {
		hasFMA = false
		defer func() { hasFMA = true }()
		check("gonum")
	}
}

func TestFeaturesAreEmbeddingThenUnitState(t *testing.T) {
	m, err := Load(encodertest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"my card has not arrived", "", "\x1b[31m Привет 😀"}
	feats := m.features(texts)
	for i, text := range texts {
		x := feats[i]
		if len(x) != featureDim {
			t.Fatalf("%q: %d features, want %d", text, len(x), featureDim)
		}
		emb := m.Encode(text)
		for j := range emb {
			if math.Abs(float64(x[j]-emb[j])) > 1e-6 {
				t.Fatalf("%q: feature %d is %g, the embedding's %g", text, j, x[j], emb[j])
			}
		}
		var ss float64
		for _, v := range x[Dim:] {
			ss += float64(v) * float64(v)
		}
		want := 1.0
		if text == "" {
			want = 0
		}
		if math.Abs(ss-want) > 1e-4 {
			t.Errorf("%q: the state's norm² is %.5f, want %g", text, ss, want)
		}
	}
	// The state is not the embedding again: the tanh layer lies between.
	var dot float64
	for j := range Dim {
		dot += float64(feats[0][j]) * float64(feats[0][Dim+j])
	}
	if dot > 0.99 {
		t.Errorf("state and embedding have cosine %.3f: the state adds nothing", dot)
	}
}
