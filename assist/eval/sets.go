package eval

import (
	"fmt"

	"github.com/larkspur-labs/assist/assist"
)

// LoadSentiment reads a labelled sentiment test set in format:
// "airline" (the Twitter US Airline Sentiment CSV at path), "goemotions"
// (the GoEmotions TSV at path; with heldOut, only the rows every
// holdOut-th that training left out) or "tweeteval" (the split of the
// TweetEval sentiment folder at path).
func LoadSentiment(format, path, split string, heldOut bool, holdOut int) (SentimentSet, error) {
	switch format {
	case "airline":
		return AirlineSentiment(path)
	case "goemotions":
		return GoEmotionsSentiment(path, heldOut, holdOut)
	case "tweeteval":
		return TweetEvalSentiment(path, split)
	}
	return SentimentSet{}, fmt.Errorf("unknown sentiment format %q (want airline, goemotions or tweeteval)", format)
}

// SentimentClassifier returns the classifier to measure: VADER for the
// baseline "vader", else the emotion model in the folder models, else
// the embedded one.
func SentimentClassifier(baseline, models string) (Classifier, error) {
	if baseline == "vader" {
		return NewVader(), nil
	}
	var (
		m   *assist.EmotionModel
		err error
	)
	if models != "" {
		m, err = assist.LoadEmotionModel(models)
	} else {
		m, err = assist.EmbeddedEmotionModel()
	}
	if err != nil {
		return nil, err
	}
	return ModelClassifier(m), nil
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
