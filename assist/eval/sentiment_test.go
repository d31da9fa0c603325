package eval

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestVaderPolarity(t *testing.T) {
	v := NewVader()
	for _, tc := range []struct {
		text string
		sign int
	}{
		{"Thank you so much, that's wonderful!", 1},
		{"This is ridiculous, I'm furious about these fees.", -1},
		{"The branch is on Main Street.", 0},
		{"I am not happy with this at all.", -1},
	} {
		want := map[int]string{1: assist.Positive, -1: assist.Negative, 0: assist.Neutral}[tc.sign]
		if got := v.Class(tc.text); got != want {
			t.Errorf("%q: %s, want %s", tc.text, got, want)
		}
	}
}

func TestSentimentSets(t *testing.T) {
	dev := datasetstest.Sample(t, "goemotions/dev.tsv")
	set, err := GoEmotionsSentiment(dev, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Texts) != len(set.Gold) || len(set.Texts)+set.Dropped != 181 || set.Dropped == 0 {
		t.Errorf("GoEmotions dev sample: %d kept, %d dropped", len(set.Texts), set.Dropped)
	}
	held, err := GoEmotionsSentiment(datasetstest.Sample(t, "goemotions/train.tsv"), true, 10)
	if err != nil || len(held.Texts)+held.Dropped != 29 {
		t.Errorf("held-out rows of the train sample: %d kept, %d dropped, %v; want 29 rows", len(held.Texts), held.Dropped, err)
	}
	tweets, err := TweetEvalSentiment(datasetstest.Sample(t, "tweeteval/sentiment"), "val", false, 0)
	if err != nil || len(tweets.Texts) != 6 || strings.Join(tweets.Gold, " ") != "negative negative neutral neutral positive positive" {
		t.Errorf("TweetEval sentiment val: %+v, %v", tweets, err)
	}
	if _, err := TweetEvalSentiment(datasetstest.Sample(t, "tweeteval/emotion"), "train", false, 0); err == nil || !strings.Contains(err.Error(), "sentiment task") {
		t.Errorf("the emotion task read as sentiment: %v", err)
	}
	m, err := assist.EmbeddedEmotionModel()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Sentiment(ModelClassifier(m), tweets)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Model != "emotion-svm" || rep.N != 6 || rep.Accuracy < 0.5 || len(rep.F1) != 3 {
		t.Errorf("the model on the TweetEval fixture: %+v", rep)
	}
	if _, err := Sentiment(NewVader(), SentimentSet{}); err == nil {
		t.Error("an empty set was scored")
	}
}

func TestGaugesOnTheDevSample(t *testing.T) {
	set, err := GoEmotionsGauges(datasetstest.Sample(t, "goemotions/dev.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Texts)+set.Dropped != 181 || set.Dropped == 0 || len(set.Texts) < 100 {
		t.Errorf("GoEmotions dev sample: %d kept, %d dropped", len(set.Texts), set.Dropped)
	}
	for _, g := range set.Gold {
		if !slices.Contains(assist.Emotions, g) {
			t.Fatalf("gold class %q is not a gauge", g)
		}
	}
	m, err := assist.EmbeddedEmotionModel()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Gauges(m, set)
	if err != nil {
		t.Fatal(err)
	}
	if rep.N != len(set.Texts) || len(rep.F1) != len(assist.Emotions) || rep.Accuracy < 0.4 || rep.MacroF1 <= 0 {
		t.Errorf("gauges on the dev sample: %+v", rep)
	}
	if got := GaugeClassifier(m).Class("Thank you so much, you saved my day!"); got != assist.EmotionSatisfaction {
		t.Errorf("top gauge of thanks: %s, want joy", got)
	}
}

// fixedProb classifies everything as positive with probability p.
type fixedProb float64

func (fixedProb) Name() string                         { return "fixed" }
func (fixedProb) Class(string) string                  { return assist.Positive }
func (f fixedProb) ClassProb(string) (string, float64) { return assist.Positive, float64(f) }

func TestCalibrationError(t *testing.T) {
	set := SentimentSet{Texts: []string{"a", "b", "c", "d"}, Gold: []string{assist.Positive, assist.Positive, assist.Positive, assist.Negative}}
	for p, want := range map[float64]float64{0.75: 0, 0.95: 0.2, 0.55: 0.2} {
		if got := calibrationError(fixedProb(p), set); math.Abs(got-want) > 1e-9 {
			t.Errorf("p %.2f: ECE %.3f, want %.3f", p, got, want)
		}
	}
	rep, err := Sentiment(fixedProb(0.75), set)
	if err != nil || rep.ECE == nil || *rep.ECE != 0 {
		t.Errorf("report ECE %v, %v", rep.ECE, err)
	}
	if rep, _ := Sentiment(NewVader(), set); rep.ECE != nil {
		t.Error("VADER has no probabilities, yet an ECE")
	}
}
