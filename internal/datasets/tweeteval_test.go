package datasets

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestLoadTweetEval(t *testing.T) {
	sentiment, err := LoadTweetEval(datasetstest.Sample(t, "tweeteval/sentiment"), "val")
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, ex := range sentiment {
		labels = append(labels, ex.Label)
	}
	if strings.Join(labels, " ") != "negative negative neutral neutral positive positive" || !strings.HasPrefix(sentiment[0].Text, "@user three hours on hold") {
		t.Errorf("sentiment val: %+v", sentiment)
	}
	emotion, err := LoadTweetEval(datasetstest.Sample(t, "tweeteval/emotion"), "train")
	if err != nil || len(emotion) != 4 || emotion[0].Label != "anger" || emotion[3].Label != "sadness" {
		t.Errorf("emotion train: %+v, %v", emotion, err)
	}
}

func TestLoadTweetEvalRejectsBrokenFiles(t *testing.T) {
	mapping := "0\tnegative\n1\tneutral\n2\tpositive\n"
	for name, tc := range map[string]struct {
		files map[string]string
		want  string
	}{
		"no mapping":    {map[string]string{"val_text.txt": "a\n", "val_labels.txt": "0\n"}, "read tweeteval: open "},
		"bad mapping":   {map[string]string{TweetEvalMappingFile: "0\tnegative\nneutral\n"}, TweetEvalMappingFile + ":2: want a label id, a tab and its name"},
		"no split":      {map[string]string{TweetEvalMappingFile: mapping}, "read tweeteval: open "},
		"counts differ": {map[string]string{TweetEvalMappingFile: mapping, "val_text.txt": "a\nb\n", "val_labels.txt": "0\n"}, "2 texts in val_text.txt but 1 labels in val_labels.txt"},
		"unknown label": {map[string]string{TweetEvalMappingFile: mapping, "val_text.txt": "a\r\nb\r\n", "val_labels.txt": "0\r\n3\r\n"}, `val_labels.txt:2: label id "3" is not in mapping.txt`},
		"empty":         {map[string]string{TweetEvalMappingFile: mapping, "val_text.txt": "", "val_labels.txt": ""}, "no texts"},
	} {
		dir := writeFiles(t, tc.files)
		got, err := LoadTweetEval(dir, "val")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, %v; want an error with %q", name, got, err, tc.want)
		}
	}
	dir := writeFiles(t, map[string]string{TweetEvalMappingFile: mapping, "test_text.txt": "a \r\nb", "test_labels.txt": "2\n0"})
	got, err := LoadTweetEval(dir, "test")
	if err != nil || len(got) != 2 || got[0] != (Example{"a ", "positive"}) || got[1] != (Example{"b", "negative"}) {
		t.Errorf("CRLF and no final line end: %+v, %v", got, err)
	}
	if _, err := LoadTweetEval(filepath.Join(dir, "missing"), "test"); err == nil {
		t.Error("a missing folder was read")
	}
}
