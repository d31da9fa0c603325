package datasetstest

import (
	"os"
	"testing"
)

func TestSampleFindsTheBundledFiles(t *testing.T) {
	for _, rel := range []string{"abcd/guidelines.json", "banking77/train.csv", "speech_jfk/jfk.wav", "sgd/sgd_banks_dialogues.jsonl"} {
		if _, err := os.Stat(Sample(t, rel)); err != nil {
			t.Error(err)
		}
	}
}
