package eval

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jonreiter/govader"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/stats"
)

// SentimentReport holds the figures of a sentiment evaluation: three
// polarity classes, or the seven emotion gauges (Gauges).
type SentimentReport struct {
	Model    string  `json:"model"`
	N        int     `json:"n"`
	Accuracy float64 `json:"accuracy"`
	// MacroF1 is the mean F1 of the classes: positive, negative and
	// neutral, or the gauges.
	MacroF1 float64 `json:"macro_f1"`
	// F1 is each class's F1.
	F1 map[string]float64 `json:"f1"`
	// PerUttUS is the median time to classify one utterance, in µs.
	PerUttUS float64 `json:"per_utt_us"`
	// ECE is the expected calibration error of the probability the
	// classifier gives its class (ten equal-width bins): 0 when a class
	// given with probability 0.8 is right 80% of the time. Absent for
	// classifiers without probabilities.
	ECE *float64 `json:"ece,omitempty"`
}

// ProbClassifier is a Classifier that also gives the probability of its
// class.
type ProbClassifier interface {
	Classifier
	ClassProb(text string) (string, float64)
}

// eceBins is how many equal-width bins the calibration error uses.
const eceBins = 10

// Classifier says whether a text is positive, negative or neutral.
type Classifier interface {
	Name() string
	Class(text string) string
}

// ModelClassifier is the emotion model as a Classifier: its most likely
// polarity.
func ModelClassifier(m *assist.EmotionModel) Classifier { return modelClassifier{m} }

type modelClassifier struct{ m *assist.EmotionModel }

func (c modelClassifier) Name() string { return c.m.Name() }

func (c modelClassifier) Class(text string) string {
	class, _ := c.m.Polarity(text)
	return class
}

// ClassProb implements ProbClassifier.
func (c modelClassifier) ClassProb(text string) (string, float64) { return c.m.Polarity(text) }

// ClassInContext implements ContextClassifier: the class of the turn read
// as a call reads it (assist.ReadInContext).
func (c modelClassifier) ClassInContext(text, agentLast string) string {
	s, _ := assist.ReadInContext(c.m, text, agentLast)
	return assist.PolarityClass(s)
}

// ContextClassifier is a Classifier that can also read a customer turn
// after the agent's last reply, as a call does.
type ContextClassifier interface {
	Classifier
	ClassInContext(text, agentLast string) string
}

// GaugeClassifier is the emotion model's gauges as a Classifier: the gauge
// it gives the highest probability (the first of assist.Emotions on a tie).
func GaugeClassifier(m *assist.EmotionModel) Classifier { return gaugeClassifier{m} }

type gaugeClassifier struct{ m *assist.EmotionModel }

func (c gaugeClassifier) Name() string { return c.m.Name() + " gauges" }

func (c gaugeClassifier) Class(text string) string {
	return topGauge(c.m.Analyze(text).Emotions)
}

// ClassInContext implements ContextClassifier.
func (c gaugeClassifier) ClassInContext(text, agentLast string) string {
	s, _ := assist.ReadInContext(c.m, text, agentLast)
	return topGauge(s.Emotions)
}

func topGauge(emotions map[string]float64) string {
	top := assist.Emotions[0]
	for _, e := range assist.Emotions[1:] {
		if emotions[e] > emotions[top] {
			top = e
		}
	}
	return top
}

// Vader classifies polarity with the VADER lexicon and rules
// (github.com/jonreiter/govader): the peer `assist eval sentiment --baseline
// vader` measures the embedded model against.
type Vader struct {
	sia *govader.SentimentIntensityAnalyzer
}

var _ Classifier = (*Vader)(nil)

// NewVader loads the VADER lexicon.
func NewVader() *Vader {
	return &Vader{sia: govader.NewSentimentIntensityAnalyzer()}
}

// Name implements Classifier.
func (v *Vader) Name() string { return "vader" }

// Class implements Classifier with VADER's standard thresholds: a compound
// score of 0.05 or more is positive, −0.05 or less negative.
func (v *Vader) Class(text string) string {
	c := v.sia.PolarityScores(text).Compound
	switch {
	case c >= assist.NeutralBand:
		return assist.Positive
	case c <= -assist.NeutralBand:
		return assist.Negative
	}
	return assist.Neutral
}

// SentimentSet is a test set of texts and their classes.
type SentimentSet struct {
	Texts []string
	// Gold holds one of assist.Polarities for each text, or, in a set
	// read by GoEmotionsGauges, one of assist.Emotions.
	Gold []string
	// Context, when set, holds for each text the agent's reply before it,
	// and a ContextClassifier reads the text after it.
	Context []string
	// Dropped counts the rows left out because they have no one class
	// (GoEmotions rows in the ambiguous group or spanning groups, or
	// whose emotions map to no gauge or to several).
	Dropped int
}

func (s *SentimentSet) add(text, class string) {
	s.Texts, s.Gold = append(s.Texts, text), append(s.Gold, class)
}

// GoEmotionsSentiment reads a GoEmotions split as a sentiment test set: a
// row counts when all its emotions fall in one group (positive, negative,
// or the label neutral); the others are dropped. With heldOut, only the
// rows TrainEmotion held out of a training file (every holdOut-th) are
// read.
func GoEmotionsSentiment(path string, heldOut bool, holdOut int) (SentimentSet, error) {
	ge, err := datasets.LoadGoEmotions(path)
	if err != nil {
		return SentimentSet{}, err
	}
	groups := newPolarityGroups(ge.Sentiment)
	var set SentimentSet
	for i, r := range ge.Rows {
		if heldOut && !HeldOut(i, holdOut) {
			continue
		}
		c, ok := groups.class(r.Labels)
		if !ok {
			set.Dropped++
			continue
		}
		set.add(r.Text, c)
	}
	return set, nil
}

// GoEmotionsGauges reads a GoEmotions split as a test set of the emotion
// gauges: a row counts when its emotions map to one gauge, as in training
// (anger and disgust to anger, …; see gauges); the others are dropped.
func GoEmotionsGauges(path string) (SentimentSet, error) {
	ge, err := datasets.LoadGoEmotions(path)
	if err != nil {
		return SentimentSet{}, err
	}
	var set SentimentSet
	for _, r := range ge.Rows {
		g, ok := gauge(r.Labels)
		if !ok {
			set.Dropped++
			continue
		}
		set.add(r.Text, g)
	}
	return set, nil
}

// AirlineSentiment reads the Twitter US Airline Sentiment CSV as a
// sentiment test set.
func AirlineSentiment(path string) (SentimentSet, error) {
	rows, err := datasets.Load(path, datasets.ReadAirline)
	if err != nil {
		return SentimentSet{}, err
	}
	var set SentimentSet
	for _, r := range rows {
		set.add(r.Text, r.Label)
	}
	return set, nil
}

// TweetEvalSentiment reads one split ("val", "test" or "train") of
// TweetEval's sentiment task folder, whose labels are negative, neutral
// and positive. With heldOut, only the rows TrainEmotion held out of
// training (every holdOut-th, DefaultHoldOut when below 2) are read.
func TweetEvalSentiment(dir, split string, heldOut bool, holdOut int) (SentimentSet, error) {
	rows, err := datasets.LoadTweetEval(dir, split)
	if err != nil {
		return SentimentSet{}, err
	}
	var set SentimentSet
	for i, r := range rows {
		if !slices.Contains(assist.Polarities, r.Label) {
			return SentimentSet{}, fmt.Errorf("tweeteval %s: label %q is not positive, negative or neutral: want the sentiment task's folder", dir, r.Label)
		}
		if heldOut && !HeldOut(i, holdOut) {
			continue
		}
		set.add(r.Text, r.Label)
	}
	return set, nil
}

// TweetEvalGauges reads one split of TweetEval's emotion task folder as a
// test set of the gauges: anger to anger, joy and optimism to joy, sadness
// to sadness.
func TweetEvalGauges(dir, split string) (SentimentSet, error) {
	rows, err := datasets.LoadTweetEval(dir, split)
	if err != nil {
		return SentimentSet{}, err
	}
	var set SentimentSet
	for _, r := range rows {
		g, ok := tweetGauges[r.Label]
		if !ok {
			return SentimentSet{}, fmt.Errorf("tweeteval %s: label %q is not anger, joy, optimism or sadness: want the emotion task's folder", dir, r.Label)
		}
		set.add(r.Text, g)
	}
	return set, nil
}

// Sentiment classifies every text of set as positive, negative or neutral
// and scores the classes against its gold ones.
func Sentiment(c Classifier, set SentimentSet) (SentimentReport, error) {
	return score(c, set, assist.Polarities)
}

// Gauges scores the emotion model's top gauge for every text of set (read
// by GoEmotionsGauges, TweetEvalGauges or ContactSentiment) against its
// gold gauge. Macro-F1 is over the gauges the set has.
func Gauges(m *assist.EmotionModel, set SentimentSet) (SentimentReport, error) {
	var classes []string
	for _, g := range assist.Emotions {
		if slices.Contains(set.Gold, g) {
			classes = append(classes, g)
		}
	}
	return score(GaugeClassifier(m), set, classes)
}

// score classifies every text of set and scores the classes against its
// gold ones: accuracy, and F1 per class and its mean over classes.
func score(c Classifier, set SentimentSet, classes []string) (SentimentReport, error) {
	texts, gold := set.Texts, set.Gold
	if len(texts) == 0 || len(texts) != len(gold) {
		return SentimentReport{}, fmt.Errorf("eval sentiment: %d texts, %d labels", len(texts), len(gold))
	}
	class := func(i int) string { return c.Class(texts[i]) }
	if cc, ok := c.(ContextClassifier); ok && len(set.Context) == len(texts) {
		class = func(i int) string { return cc.ClassInContext(texts[i], set.Context[i]) }
	}
	// Warm up caches and the allocator before timing.
	for i := range texts[:min(100, len(texts))] {
		class(i)
	}
	confusion := map[[2]string]int{}
	lat := make([]float64, len(texts))
	for i := range texts {
		start := time.Now()
		p := class(i)
		lat[i] = float64(time.Since(start).Nanoseconds()) / 1e3
		confusion[[2]string{gold[i], p}]++
	}
	rep := SentimentReport{Model: c.Name(), N: len(texts), F1: map[string]float64{}}
	right := 0
	for _, cl := range classes {
		tp := confusion[[2]string{cl, cl}]
		right += tp
		var fp, fn int
		for _, other := range classes {
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
		rep.MacroF1 += f1 / float64(len(classes))
	}
	rep.MacroF1 = stats.Round(rep.MacroF1, 4)
	if pc, ok := c.(ProbClassifier); ok {
		ece := stats.Round(calibrationError(pc, set), 4)
		rep.ECE = &ece
	}
	rep.Accuracy = stats.Round(float64(right)/float64(len(texts)), 4)
	rep.PerUttUS = math.Round(stats.Percentile(lat, 50)*10) / 10
	return rep, nil
}

// calibrationError is the expected calibration error of c's class
// probabilities on set: the texts binned by probability, each bin's gap
// between mean probability and accuracy, weighted by its share of texts.
func calibrationError(c ProbClassifier, set SentimentSet) float64 {
	var n, right [eceBins]float64
	var conf [eceBins]float64
	for i, t := range set.Texts {
		class, p := c.ClassProb(t)
		b := min(int(p*eceBins), eceBins-1)
		n[b]++
		conf[b] += p
		if class == set.Gold[i] {
			right[b]++
		}
	}
	var ece float64
	for b := range n {
		if n[b] > 0 {
			ece += math.Abs(conf[b]-right[b]) / float64(len(set.Texts))
		}
	}
	return ece
}
