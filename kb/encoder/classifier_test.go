package encoder

import (
	"math"
	"math/rand/v2"
	"testing"
)

// plainSoftmax is fitSoftmax without batches: the scores of each example
// computed from the weights as they are at its turn.
func plainSoftmax(xs [][]float32, ys []int, labels int) []float32 {
	w := make([]float32, labels*(Dim+1))
	rng := rand.New(rand.NewPCG(1, 1))
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	lr := float32(1)
	p := make([]float64, labels)
	for range 60 {
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
				row := w[k*(Dim+1) : (k+1)*(Dim+1)]
				for j, v := range xs[i] {
					row[j] -= lr * g * v
				}
				row[Dim] -= lr * g
			}
		}
		lr *= 0.95
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
		centres[k] = make([]float32, Dim)
		for j := range centres[k] {
			centres[k][j] = float32(rng.NormFloat64())
		}
	}
	xs, ys := make([][]float32, n), make([]int, n)
	for i := range xs {
		ys[i] = i % labels
		x := make([]float32, Dim)
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
