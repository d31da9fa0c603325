package eval

import (
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestLoadSentimentAndClassifier(t *testing.T) {
	set, err := LoadSentiment("tweeteval", datasetstest.Sample(t, "tweeteval/sentiment"), "val", false, 0, false)
	if err != nil || len(set.Texts) != 6 {
		t.Errorf("tweeteval val: %d texts, %v", len(set.Texts), err)
	}
	if _, err := LoadSentiment("imdb", "x", "", false, 0, false); err == nil {
		t.Error("an unknown format loaded")
	}
	for baseline, want := range map[string]string{"vader": "vader", "": "emotion-svm"} {
		if c, err := SentimentClassifier(baseline, ""); err != nil || c.Name() != want {
			t.Errorf("baseline %q: %v, %v; want %s", baseline, c, err, want)
		}
	}
}

func TestASRItemsFromFSDD(t *testing.T) {
	fsdd, err := ASRItems("", datasetstest.Sample(t, "fsdd"))
	if err != nil || len(fsdd) == 0 {
		t.Errorf("fsdd: %d items, %v", len(fsdd), err)
	}
}
