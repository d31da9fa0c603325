package intent

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
)

// Example is one labelled utterance.
type Example struct {
	Text  string
	Label string
}

// Prediction is one label with its probability.
type Prediction struct {
	Label string
	Prob  float64
}

// Model is a linear intent classifier over hashed word and character
// n-grams. It is safe for concurrent use once trained or loaded.
type Model struct {
	labels []string
	vocab  map[uint64]int32
	idf    []float32
	// weights is feature-major: the weights of column f for every label are
	// weights[f*len(labels) : (f+1)*len(labels)], so scoring a sparse query
	// reads a few short contiguous runs.
	weights []float32
	bias    []float32
	// temp scales scores before the softmax; Train fits it so that the
	// probabilities are calibrated on held-out examples.
	temp float32

	// negation adds negated-word features (see grams).
	negation bool

	// Fingerprint identifies the data the model was trained on, for callers
	// that cache models; Train leaves it empty and Write stores it.
	Fingerprint string
}

// Options tune training. The zero value takes the defaults.
type Options struct {
	// C is the SVM's cost of a margin violation; higher fits the training
	// data more closely. Default 0.5, the best of 0.1, 0.5 and 2 in
	// cross-validation on BANKING77.
	C float64
	// Epochs bounds the passes of coordinate descent. Default 6: more passes
	// changed BANKING77 accuracy by less than 0.1 point.
	Epochs int
	// Seed makes the example order, and so the model, reproducible.
	Seed uint64
	// MinDF drops features seen in fewer training examples, which shrinks
	// the model; default 1 keeps all.
	MinDF int
	// Negation adds features for the words in a negation's scope ("not
	// happy"); sentiment needs them, intents hardly.
	Negation bool
	// NoCalibration skips fitting the temperature (it stays DefaultTemperature),
	// which halves training time. For experiments only.
	NoCalibration bool
}

func (o Options) withDefaults() Options {
	if o.C <= 0 {
		o.C = 0.5
	}
	if o.MinDF <= 0 {
		o.MinDF = 1
	}
	if o.Epochs <= 0 {
		o.Epochs = 6
	}
	return o
}

// tolerance stops coordinate descent once no dual variable's projected
// gradient exceeds it: LIBLINEAR's default for its dual solvers.
const tolerance = 0.1

// DefaultTemperature is the softmax temperature of a model too small to
// calibrate (fewer than minCalibration held-out examples). It is about the
// temperature calibration finds on BANKING77 and CLINC150.
const DefaultTemperature = 8

// minCalibration is the fewest held-out examples a temperature is fitted to.
const minCalibration = 30

// Labels returns the model's labels in column order.
func (m *Model) Labels() []string { return slices.Clone(m.labels) }

// Temperature returns the factor scores are multiplied by before the softmax.
func (m *Model) Temperature() float64 { return float64(m.temp) }

// Train fits a model to examples: one-vs-rest linear SVMs with squared hinge
// loss, solved by dual coordinate descent (Hsieh et al., ICML 2008, the
// method behind LIBLINEAR), over sublinear tf-idf vectors. Probabilities are
// a softmax of the SVM scores at a temperature fitted on held-out examples,
// so that a prediction made with probability 0.8 is right about 80% of the
// time. Examples with a blank text are skipped; at least two labels must
// remain.
func Train(examples []Example, opts Options) (*Model, error) {
	opts = opts.withDefaults()
	kept := make([]Example, 0, len(examples))
	for _, ex := range examples {
		if strings.TrimSpace(ex.Text) != "" && ex.Label != "" {
			kept = append(kept, ex)
		}
	}
	labels := map[string]bool{}
	for _, ex := range kept {
		labels[ex.Label] = true
	}
	if len(labels) < 2 {
		return nil, fmt.Errorf("train intents: need examples of at least two labels, have %d", len(labels))
	}
	m := fit(kept, opts)
	m.temp = DefaultTemperature
	if !opts.NoCalibration {
		if t, ok := calibrate(kept, opts); ok {
			m.temp = t
		}
	}
	return m, nil
}

// IndexLabels returns the examples' distinct labels in order of first
// appearance and, for each example, its label's index in that list.
func IndexLabels(examples []Example) (labels []string, y []int) {
	index := map[string]int{}
	y = make([]int, len(examples))
	for i, ex := range examples {
		k, ok := index[ex.Label]
		if !ok {
			k = len(labels)
			index[ex.Label] = k
			labels = append(labels, ex.Label)
		}
		y[i] = k
	}
	return labels, y
}

// fit trains the SVMs at temperature 1.
func fit(examples []Example, opts Options) *Model {
	m := &Model{vocab: map[uint64]int32{}, temp: 1, negation: opts.Negation}
	var y []int
	m.labels, y = IndexLabels(examples)

	// Document frequencies decide the vocabulary and its idf.
	df := map[uint64]int{}
	for _, ex := range examples {
		seen := map[uint64]bool{}
		grams(ex.Text, opts.Negation, func(h uint64) {
			if !seen[h] {
				seen[h] = true
				df[h]++
			}
		})
	}
	keys := make([]uint64, 0, len(df))
	for h, n := range df {
		if n >= opts.MinDF {
			keys = append(keys, h)
		}
	}
	slices.Sort(keys)
	m.idf = make([]float32, len(keys))
	n := float64(len(examples))
	for i, h := range keys {
		m.vocab[h] = int32(i)
		m.idf[i] = float32(math.Log((1+n)/(1+float64(df[h]))) + 1)
	}

	xs := make([][]term, len(examples))
	for i, ex := range examples {
		xs[i] = vectorize(ex.Text, m.negation, m.vocab, m.idf)
	}

	nf, nl := len(keys), len(m.labels)
	m.weights = make([]float32, nf*nl)
	m.bias = make([]float32, nl)
	var wg sync.WaitGroup
	work := make(chan int)
	for range workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				w, b := trainBinary(xs, y, c, nf, opts)
				for f, v := range w {
					m.weights[f*nl+c] = float32(v)
				}
				m.bias[c] = float32(b)
			}
		}()
	}
	for c := range nl {
		work <- c
	}
	close(work)
	wg.Wait()
	return m
}

// biasFeature is the value of the constant feature that carries the bias,
// as in LIBLINEAR's -B 1.
const biasFeature = 1

// trainBinary solves the dual of the L2-regularised, squared-hinge SVM that
// separates label c from the rest, and returns its weights and bias.
func trainBinary(xs [][]term, y []int, c, nf int, opts Options) ([]float64, float64) {
	w := make([]float64, nf)
	var b float64
	alpha := make([]float64, len(xs))
	diag := 1 / (2 * opts.C)
	qii := make([]float64, len(xs))
	for i, x := range xs {
		var s float64
		for _, t := range x {
			s += float64(t.val) * float64(t.val)
		}
		qii[i] = s + biasFeature*biasFeature + diag
	}
	// Shrinking, as in LIBLINEAR: an example whose alpha is 0 and whose
	// gradient is beyond the largest violation of the previous pass will
	// almost surely stay at 0, so it leaves the active set. Most examples
	// of a one-vs-rest problem are easy negatives, so this saves most of
	// the work. When the active set converges, every example is checked
	// once more before stopping.
	active := make([]int, len(xs))
	for i := range active {
		active[i] = i
	}
	rng := rand.New(rand.NewPCG(opts.Seed, uint64(c)))
	bound := math.Inf(1)
	for range opts.Epochs {
		rng.Shuffle(len(active), func(i, j int) { active[i], active[j] = active[j], active[i] })
		hiPG, loPG := math.Inf(-1), math.Inf(1)
		kept := active[:0]
		for _, i := range active {
			yi := -1.0
			if y[i] == c {
				yi = 1
			}
			x := xs[i]
			dot := b * biasFeature
			for _, t := range x {
				dot += w[t.col] * float64(t.val)
			}
			g := yi*dot - 1 + diag*alpha[i]
			pg := g
			if alpha[i] == 0 {
				if g > bound {
					continue // shrunk
				}
				pg = math.Min(g, 0)
			}
			kept = append(kept, i)
			hiPG, loPG = math.Max(hiPG, pg), math.Min(loPG, pg)
			if pg == 0 {
				continue
			}
			old := alpha[i]
			alpha[i] = math.Max(old-g/qii[i], 0)
			d := (alpha[i] - old) * yi
			for _, t := range x {
				w[t.col] += d * float64(t.val)
			}
			b += d * biasFeature
		}
		active = kept
		if hiPG-loPG <= tolerance {
			if math.IsInf(bound, 1) {
				break
			}
			// Converged on the active set: check everyone once more.
			active = active[:0]
			for i := range xs {
				active = append(active, i)
			}
			bound = math.Inf(1)
			continue
		}
		bound = math.Inf(1)
		if hiPG > 0 {
			bound = hiPG
		}
	}
	return w, b
}

// scores returns the raw SVM score of every label for text.
func (m *Model) scores(text string) []float64 {
	return m.scoresOf(vectorize(text, m.negation, m.vocab, m.idf))
}

// scoresOf returns the raw SVM score of every label for a vector.
func (m *Model) scoresOf(x []term) []float64 {
	nl := len(m.labels)
	// Summing in float32 halves the time of this, the hot loop of a query;
	// a query has a few hundred terms, far from float32's precision limits.
	acc := make([]float32, nl)
	copy(acc, m.bias)
	for _, t := range x {
		row := m.weights[int(t.col)*nl : int(t.col+1)*nl]
		v := t.val
		for c, w := range row {
			acc[c] += w * v
		}
	}
	out := make([]float64, nl)
	for c, s := range acc {
		out[c] = float64(s)
	}
	return out
}

// Predict returns every label with its probability, most likely first. Text
// with no known feature gets the same low score for every label, so its top
// probability is low too.
func (m *Model) Predict(text string) []Prediction { return m.PredictTop(text, len(m.labels)) }

// PredictTop returns the k most likely labels, most likely first (ties in
// label order). It does not sort the others, which matters with many labels.
func (m *Model) PredictTop(text string, k int) []Prediction {
	return m.top(m.scores(text), k)
}

// PredictEach returns every label of each model with its probability, most
// likely first, for one text. Models with the same feature options share
// the text's hashing, the larger part of a prediction's cost.
func PredictEach(text string, models ...*Model) [][]Prediction {
	out := make([][]Prediction, len(models))
	hashed := map[bool][]uint64{}
	for i, m := range models {
		hs, ok := hashed[m.negation]
		if !ok {
			hs = hashes(text, m.negation)
			hashed[m.negation] = hs
		}
		out[i] = m.top(m.scoresOf(vectorizeHashes(hs, m.vocab, m.idf)), len(m.labels))
	}
	return out
}

// top turns scores into the k most likely labels.
func (m *Model) top(scores []float64, k int) []Prediction {
	probs := softmax(scores, float64(m.temp))
	k = max(0, min(k, len(probs)))
	top := make([]Prediction, 0, k+1)
	for c, p := range probs {
		if len(top) == k && (k == 0 || p <= top[k-1].Prob) {
			continue
		}
		i := len(top)
		for i > 0 && top[i-1].Prob < p {
			i--
		}
		top = slices.Insert(top, i, Prediction{Label: m.labels[c], Prob: p})
		if len(top) > k {
			top = top[:k]
		}
	}
	return top
}

// softmax turns scores into probabilities at temperature t (scores are
// multiplied by t).
func softmax(scores []float64, t float64) []float64 {
	out := make([]float64, len(scores))
	hi := math.Inf(-1)
	for _, s := range scores {
		hi = math.Max(hi, s)
	}
	var sum float64
	for i, s := range scores {
		out[i] = math.Exp((s - hi) * t)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// Rebalance divides every label's probability by its prior raised to alpha,
// renormalised: with alpha 1 a label's probability no longer carries how
// common it was in training, which favours recall on rare labels (and so
// macro-averaged F1) over accuracy. It shifts the label's bias by
// −alpha·ln(prior)/temperature, so it costs nothing per query and is saved
// with the model. Labels without a positive prior are left alone.
func (m *Model) Rebalance(prior map[string]float64, alpha float64) {
	for c, l := range m.labels {
		if p := prior[l]; p > 0 {
			m.bias[c] -= float32(alpha * math.Log(p) / float64(m.temp))
		}
	}
}
