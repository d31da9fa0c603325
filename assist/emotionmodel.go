package assist

import (
	"bytes"
	"embed"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/larkspur-labs/assist/kb/intent"
)

// EmotionModel is the embedded, trained sentiment and emotion model: two
// linear classifiers over word and character n-grams with negation
// features (package kb/intent), trained on GoEmotions by `assist train
// emotion` (package assist/eval). One tells positive, negative and neutral
// apart; the other spreads an utterance over the seven gauges. Both give
// calibrated probabilities. It is safe for concurrent use.
type EmotionModel struct {
	polarity *intent.Model
	gauges   *intent.Model
	// gaugeOf names the gauge of each of the gauge model's labels: itself,
	// or for a model trained before the gauges were renamed, the new name.
	gaugeOf map[string]string
}

// formerGauges maps the gauges' former names to their names: fear became
// anxiety, joy satisfaction. Model files trained before still load.
var formerGauges = map[string]string{"fear": EmotionAnxiety, "joy": EmotionSatisfaction}

var _ SentimentAnalyzer = (*EmotionModel)(nil)

// Polarity classes of the emotion model.
const (
	Positive = "positive"
	Negative = "negative"
	Neutral  = "neutral"
)

// Polarities lists the polarity classes in report order.
var Polarities = []string{Positive, Negative, Neutral}

// Model file names, in assist/models and in `assist train emotion --out`.
const (
	PolarityModelFile = "polarity.model"
	GaugesModelFile   = "gauges.model"
)

//go:embed models/*.model
var embeddedModels embed.FS

// embeddedEmotion loads the shipped model once.
var embeddedEmotion = sync.OnceValues(func() (*EmotionModel, error) {
	read := func(name string) (*intent.Model, error) {
		data, err := embeddedModels.ReadFile("models/" + name)
		if err != nil {
			return nil, err
		}
		return intent.Read(bytes.NewReader(data))
	}
	pol, err := read(PolarityModelFile)
	if err != nil {
		return nil, fmt.Errorf("embedded emotion model: %w", err)
	}
	gauges, err := read(GaugesModelFile)
	if err != nil {
		return nil, fmt.Errorf("embedded emotion model: %w", err)
	}
	return NewEmotionModel(pol, gauges)
})

// EmbeddedEmotionModel returns the model shipped in the binary.
func EmbeddedEmotionModel() (*EmotionModel, error) { return embeddedEmotion() }

// NewEmotionModel pairs a polarity model (labels positive, negative,
// neutral) with a gauge model (labels among Emotions).
func NewEmotionModel(polarity, gauges *intent.Model) (*EmotionModel, error) {
	if !sameSet(polarity.Labels(), Polarities) {
		return nil, fmt.Errorf("polarity model labels %v, want %v", polarity.Labels(), Polarities)
	}
	gaugeOf := map[string]string{}
	for _, l := range gauges.Labels() {
		g := l
		if n, ok := formerGauges[l]; ok {
			g = n
		}
		if !slices.Contains(Emotions, g) {
			return nil, fmt.Errorf("gauge model label %q is not a gauge", l)
		}
		gaugeOf[l] = g
	}
	return &EmotionModel{polarity: polarity, gauges: gauges, gaugeOf: gaugeOf}, nil
}

// LoadEmotionModel reads the two model files from dir.
func LoadEmotionModel(dir string) (*EmotionModel, error) {
	pol, err := intent.Load(filepath.Join(dir, PolarityModelFile))
	if err != nil {
		return nil, err
	}
	gauges, err := intent.Load(filepath.Join(dir, GaugesModelFile))
	if err != nil {
		return nil, err
	}
	return NewEmotionModel(pol, gauges)
}

// Name implements SentimentAnalyzer.
func (m *EmotionModel) Name() string { return "emotion-svm" }

// Polarity returns the most likely class of text and its probability.
func (m *EmotionModel) Polarity(text string) (class string, prob float64) {
	p := m.polarity.PredictTop(ModelText(text), 1)[0]
	return p.Label, p.Prob
}

// Analyze implements SentimentAnalyzer. Polarity is P(positive) −
// P(negative), so a sure neutral is 0 and an unsure one leans little;
// confidence is the probability of the most likely class. Text with no
// letters or digits (empty, emoji only) is neutral with confidence 0: the
// model has seen nothing of it. The model reads ModelText(text): politeness
// formulas carry no emotion.
func (m *EmotionModel) Analyze(text string) Score {
	if !hasWord(text) {
		return Score{Emotions: onlyNeutral(), Class: Neutral}
	}
	preds := intent.PredictEach(ModelText(text), m.polarity, m.gauges)
	var pos, neg, top float64
	class := preds[0][0].Label
	for _, p := range preds[0] {
		switch p.Label {
		case Positive:
			pos = p.Prob
		case Negative:
			neg = p.Prob
		}
		top = math.Max(top, p.Prob)
	}
	emotions := make(map[string]float64, len(Emotions))
	for _, e := range Emotions {
		emotions[e] = 0
	}
	for _, p := range preds[1] {
		emotions[m.gaugeOf[p.Label]] = p.Prob
	}
	return Score{Polarity: clamp(pos-neg, -1, 1), Confidence: top, Emotions: emotions, Class: class}
}

func hasWord(text string) bool {
	return strings.IndexFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

func onlyNeutral() map[string]float64 {
	out := make(map[string]float64, len(Emotions))
	for _, e := range Emotions {
		out[e] = 0
	}
	out[EmotionNeutral] = 1
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// Save writes the two model files into dir.
func (m *EmotionModel) Save(dir string) error {
	if err := m.polarity.Save(filepath.Join(dir, PolarityModelFile)); err != nil {
		return err
	}
	return m.gauges.Save(filepath.Join(dir, GaugesModelFile))
}
