package eval

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestTrainEmotionIsDeterministic(t *testing.T) {
	ge, err := datasets.LoadGoEmotions(datasetstest.Sample(t, "goemotions/train.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	tw, err := loadTweets(datasetstest.Sample(t, "tweeteval"), 0)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's sentiment splits hold 6 and 4 tweets, none in the
	// held-out tenth; its emotion splits 4 and 2.
	if len(tw.polarity) != 10 || len(tw.gauges) != 6 {
		t.Fatalf("tweets: %d polarity, %d gauges", len(tw.polarity), len(tw.gauges))
	}
	var files [2][]byte
	for i := range files {
		m, err := trainEmotion(ge, tw, EmotionTrainOptions{Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := m.Save(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := assist.LoadEmotionModel(dir); err != nil {
			t.Fatal(err)
		}
		files[i], _ = os.ReadFile(filepath.Join(dir, assist.PolarityModelFile))
	}
	if string(files[0]) != string(files[1]) {
		t.Error("two trainings with one seed differ")
	}
	if _, rows, err := TrainEmotion(datasetstest.Sample(t, "goemotions/train.tsv"), EmotionTrainOptions{}); err != nil || rows != 290 {
		t.Errorf("TrainEmotion on the sample: %d rows, %v", rows, err)
	}
	if _, rows, err := TrainEmotion(datasetstest.Sample(t, "goemotions/train.tsv"), EmotionTrainOptions{TweetEval: datasetstest.Sample(t, "tweeteval")}); err != nil || rows != 306 {
		t.Errorf("TrainEmotion on the samples with tweets: %d rows, %v", rows, err)
	}
	if _, _, err := TrainEmotion(datasetstest.Sample(t, "goemotions/train.tsv"), EmotionTrainOptions{TweetEval: t.TempDir()}); err == nil {
		t.Error("a folder without TweetEval trained")
	}
}

func TestGoEmotionsGroupsAndGauges(t *testing.T) {
	groups := newPolarityGroups(map[string][]string{
		assist.Positive: {"joy"}, assist.Negative: {"anger"}, "ambiguous": {"surprise"},
	})
	for _, tc := range []struct {
		labels []string
		class  string
		gauge  string
	}{
		{[]string{"joy"}, assist.Positive, assist.EmotionSatisfaction},
		{[]string{"anger"}, assist.Negative, assist.EmotionAnger},
		{[]string{"neutral"}, assist.Neutral, assist.EmotionNeutral},
		{[]string{"joy", "anger"}, "", ""},
		{[]string{"surprise"}, "", ""},
		{[]string{"joy", "surprise"}, "", assist.EmotionSatisfaction},
	} {
		c, _ := groups.class(tc.labels)
		g, _ := gauge(tc.labels)
		if c != tc.class || g != tc.gauge {
			t.Errorf("%v: class %q gauge %q, want %q %q", tc.labels, c, g, tc.class, tc.gauge)
		}
	}
}
