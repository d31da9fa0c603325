package intent

import (
	"math"
	"runtime"
)

func workers() int { return max(1, runtime.GOMAXPROCS(0)) }

// calibrate fits the softmax temperature that minimises the log loss of
// held-out predictions (temperature scaling, Guo et al., ICML 2017). Every
// other example of each label is held out, a model is trained on the rest,
// and the temperature is found by golden-section search on the held-out
// scores. A model's scores on its own training data are overconfident;
// held-out scores are what a new customer's words look like. The model
// trained on half the data is a little less sure than the full one, so the
// fitted temperature errs on the side of modesty. It reports false when too
// few examples could be held out.
func calibrate(examples []Example, opts Options) (float32, bool) {
	var train, test []Example
	seen := map[string]int{}
	for _, ex := range examples {
		if seen[ex.Label]%2 == 1 {
			test = append(test, ex)
		} else {
			train = append(train, ex)
		}
		seen[ex.Label]++
	}
	labels := map[string]bool{}
	for _, ex := range train {
		labels[ex.Label] = true
	}
	if len(labels) < 2 || len(test) < minCalibration {
		return 0, false
	}
	m := fit(train, opts)
	idx := map[string]int{}
	for c, l := range m.labels {
		idx[l] = c
	}
	type scored struct {
		scores []float64
		label  int
	}
	held := make([]scored, 0, len(test))
	for _, ex := range test {
		held = append(held, scored{scores: m.scores(ex.Text), label: idx[ex.Label]})
	}
	loss := func(t float64) float64 {
		var sum float64
		for _, h := range held {
			p := softmax(h.scores, t)[h.label]
			sum -= math.Log(math.Max(p, 1e-12))
		}
		return sum
	}
	return float32(goldenMin(loss, 0.5, 100)), true
}

// goldenMin returns the x in [lo, hi] minimising the unimodal f.
func goldenMin(f func(float64) float64, lo, hi float64) float64 {
	const phi = 0.6180339887498949
	a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
	fa, fb := f(a), f(b)
	for hi-lo > 1e-3 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - phi*(hi-lo)
			fa = f(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + phi*(hi-lo)
			fb = f(b)
		}
	}
	return (lo + hi) / 2
}
