package eval

import (
	"fmt"
	"strings"

	"github.com/larkspur-labs/assist/assist"
)

// SentimentFormats are the formats LoadSentiment reads.
var SentimentFormats = []string{"airline", "goemotions", "tweeteval", "contactcenter"}

// LoadSentiment reads a labelled sentiment test set in format:
// "airline" (the Twitter US Airline Sentiment CSV at path), "goemotions"
// (the GoEmotions TSV at path; with heldOut, only the rows every
// holdOut-th that training left out), "tweeteval" (the split of the
// TweetEval sentiment folder at path, with heldOut the held-out rows) or
// "contactcenter" (the project's hand-labelled set at path, its split
// "dev" or "test", "" for both). With gauges the set's labels are gauges:
// GoEmotions' emotions mapped to them, TweetEval's emotion task (path is
// its folder), or the contact-center set's gauge labels.
func LoadSentiment(format, path, split string, heldOut bool, holdOut int, gauges bool) (SentimentSet, error) {
	if gauges && (heldOut || format == "airline") {
		return SentimentSet{}, fmt.Errorf("gauges: the %s set has no gauge labels", map[bool]string{true: "held-out", false: format}[heldOut])
	}
	switch format {
	case "airline":
		return AirlineSentiment(path)
	case "goemotions":
		if gauges {
			return GoEmotionsGauges(path)
		}
		return GoEmotionsSentiment(path, heldOut, holdOut)
	case "tweeteval":
		if gauges {
			return TweetEvalGauges(path, split)
		}
		return TweetEvalSentiment(path, split, heldOut, holdOut)
	case "contactcenter":
		if heldOut {
			return SentimentSet{}, fmt.Errorf("contactcenter: no held-out rows; pick --split dev or test")
		}
		return ContactSentiment(path, split, gauges)
	}
	return SentimentSet{}, fmt.Errorf("unknown sentiment format %q (want %s)", format, strings.Join(SentimentFormats, ", "))
}

// SentimentClassifier returns the classifier to measure: VADER for the
// baseline "vader", else the emotion model in the folder models, else
// the embedded one.
func SentimentClassifier(baseline, models string) (Classifier, error) {
	if baseline == "vader" {
		return NewVader(), nil
	}
	m, err := EmotionModel(models)
	if err != nil {
		return nil, err
	}
	return ModelClassifier(m), nil
}

// EmotionModel returns the emotion model in the folder models, or the
// embedded one when models is "".
func EmotionModel(models string) (*assist.EmotionModel, error) {
	if models != "" {
		return assist.LoadEmotionModel(models)
	}
	return assist.EmbeddedEmotionModel()
}

// ASRItems lists the files of a speech-recognition evaluation: the
// recordings of the Free Spoken Digit Dataset folder fsdd when given, else
// the manifest's.
func ASRItems(manifest, fsdd string) ([]ASRItem, error) {
	if fsdd != "" {
		return FSDDItems(fsdd)
	}
	return ReadManifest(manifest)
}
