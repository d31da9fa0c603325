//go:build eval

package eval

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

// TestEmotionModelBeatsVaderOnGoEmotionsDev pins the shipped model's quality
// on a split it was not trained on.
func TestEmotionModelBeatsVaderOnGoEmotionsDev(t *testing.T) {
	set, err := GoEmotionsSentiment(datasetstest.Full(t, "goemotions/dev.tsv"), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	m, err := assist.EmbeddedEmotionModel()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := Sentiment(ModelClassifier(m), set)
	if err != nil {
		t.Fatal(err)
	}
	vader, err := Sentiment(NewVader(), set)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("GoEmotions dev: model macro-F1 %.4f, VADER %.4f", ours.MacroF1, vader.MacroF1)
	if ours.MacroF1 < 0.70 || ours.MacroF1 < vader.MacroF1+0.09 {
		t.Errorf("macro-F1 %.4f (VADER %.4f): want at least 0.70 and 0.09 above VADER", ours.MacroF1, vader.MacroF1)
	}
}

// TestTrainEmotionReproducesTheShippedModel trains on GoEmotions' whole
// train.tsv and TweetEval as the recorded command does (`assist train
// emotion --data …/goemotions --tweeteval …/tweeteval`) and compares the
// files with the ones embedded from assist/models: the shipped model is
// what its recorded training command makes. It takes a few minutes.
func TestTrainEmotionReproducesTheShippedModel(t *testing.T) {
	m, _, err := TrainEmotion(datasetstest.Full(t, "goemotions/train.tsv"),
		EmotionTrainOptions{HoldOut: DefaultHoldOut, TweetEval: datasetstest.Full(t, "tweeteval")})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{assist.PolarityModelFile, assist.GaugesModelFile} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "models", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the trained file (%d bytes) differs from the shipped one (%d bytes)", name, len(got), len(want))
		}
	}
}
