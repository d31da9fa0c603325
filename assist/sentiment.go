// Package assist holds the models that turn a conversation into help for
// the agent: sentiment and emotion scoring, reply ranking over the knowledge
// base, recommendations and alerts. Everything here is deterministic given
// its inputs and knows nothing of the bus or the terminal.
package assist

import "math"

// Emotion gauge names, in display order: what a contact-center agent must
// notice. Anxiety is worry about money, fraud or safety (not the polite
// "I'm afraid"); sadness covers disappointment; satisfaction covers thanks,
// relief and approval.
const (
	EmotionAnger        = "anger"
	EmotionFrustration  = "frustration"
	EmotionSadness      = "sadness"
	EmotionAnxiety      = "anxiety"
	EmotionConfusion    = "confusion"
	EmotionSatisfaction = "satisfaction"
	EmotionNeutral      = "neutral"
)

// Emotions lists the gauges in display order.
var Emotions = []string{
	EmotionAnger, EmotionFrustration, EmotionSadness, EmotionAnxiety,
	EmotionConfusion, EmotionSatisfaction, EmotionNeutral,
}

// Score is the sentiment of one utterance.
type Score struct {
	// Polarity is in −1 (very negative) .. 1 (very positive).
	Polarity float64
	// Confidence in 0..1 that the sign of Polarity (or neutrality) is right.
	Confidence float64
	// Emotions maps every gauge in Emotions to a weight; the weights sum to 1.
	Emotions map[string]float64
	// Class is the most likely of Polarities, "" when the analyzer does
	// not say (see PolarityClass).
	Class string
}

// PolarityClass returns the class of s: its Class, or for an analyzer
// that gives none, the sign of its polarity outside the neutral band.
func PolarityClass(s Score) string {
	switch {
	case s.Class != "":
		return s.Class
	case s.Polarity >= NeutralBand:
		return Positive
	case s.Polarity <= -NeutralBand:
		return Negative
	}
	return Neutral
}

// SentimentAnalyzer scores text. Implementations are safe for concurrent use.
type SentimentAnalyzer interface {
	Analyze(text string) Score
	// Name identifies the model in the status line.
	Name() string
}

// NeutralBand is VADER's standard threshold: compound scores within ±0.05
// are neutral.
const NeutralBand = 0.05

func clamp(x, lo, hi float64) float64 {
	return math.Max(lo, math.Min(hi, x))
}
