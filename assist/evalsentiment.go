package assist

import (
	"fmt"
	"math"
	"time"

	"github.com/larkspur-labs/assist/internal/stats"
)

// SentimentReport holds the figures of a three-class sentiment evaluation.
type SentimentReport struct {
	Model    string  `json:"model"`
	N        int     `json:"n"`
	Accuracy float64 `json:"accuracy"`
	// MacroF1 is the mean F1 of positive, negative and neutral.
	MacroF1 float64 `json:"macro_f1"`
	// F1 is each class's F1.
	F1 map[string]float64 `json:"f1"`
	// PerUttUS is the median time to classify one utterance, in µs.
	PerUttUS float64 `json:"per_utt_us"`
}

// Classifier says whether a text is positive, negative or neutral.
type Classifier interface {
	Name() string
	Class(text string) string
}

// Class implements Classifier: the most likely polarity.
func (m *EmotionModel) Class(text string) string {
	c, _ := m.Polarity(text)
	return c
}

// Class implements Classifier with VADER's standard thresholds: a compound
// score of 0.05 or more is positive, −0.05 or less negative.
func (v *Vader) Class(text string) string {
	c := v.sia.PolarityScores(text).Compound
	switch {
	case c >= NeutralBand:
		return Positive
	case c <= -NeutralBand:
		return Negative
	}
	return Neutral
}

// EvalSentiment classifies every text and scores the classes against gold,
// one of Polarities for each text.
func EvalSentiment(c Classifier, texts, gold []string) (SentimentReport, error) {
	if len(texts) == 0 || len(texts) != len(gold) {
		return SentimentReport{}, fmt.Errorf("eval sentiment: %d texts, %d labels", len(texts), len(gold))
	}
	// Warm up caches and the allocator before timing.
	for _, t := range texts[:min(100, len(texts))] {
		c.Class(t)
	}
	confusion := map[[2]string]int{}
	lat := make([]float64, len(texts))
	for i, t := range texts {
		start := time.Now()
		p := c.Class(t)
		lat[i] = float64(time.Since(start).Nanoseconds()) / 1e3
		confusion[[2]string{gold[i], p}]++
	}
	rep := SentimentReport{Model: c.Name(), N: len(texts), F1: map[string]float64{}}
	right := 0
	for _, cl := range Polarities {
		tp := confusion[[2]string{cl, cl}]
		right += tp
		var fp, fn int
		for _, other := range Polarities {
			if other != cl {
				fp += confusion[[2]string{other, cl}]
				fn += confusion[[2]string{cl, other}]
			}
		}
		var f1 float64
		if tp > 0 {
			p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
			f1 = 2 * p * r / (p + r)
		}
		rep.F1[cl] = stats.Round(f1, 4)
		rep.MacroF1 += f1 / float64(len(Polarities))
	}
	rep.MacroF1 = stats.Round(rep.MacroF1, 4)
	rep.Accuracy = stats.Round(float64(right)/float64(len(texts)), 4)
	rep.PerUttUS = math.Round(stats.Percentile(lat, 50)*10) / 10
	return rep, nil
}
