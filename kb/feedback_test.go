package kb

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFeedbackPersistsAndSkipsBadLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feedback.jsonl")
	fb, err := OpenFeedback(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"helpful", "used", "not_helpful"} {
		if err := fb.Record(FeedbackRecord{CallID: "c1", ArticleID: "a", Verdict: v}); err != nil {
			t.Fatal(err)
		}
	}
	if err := fb.Record(FeedbackRecord{ArticleID: "a", Verdict: "meh"}); err == nil {
		t.Error("an unknown verdict was accepted")
	}
	if err := fb.Record(FeedbackRecord{SuggestionID: "reply-1", Verdict: "used"}); err != nil {
		t.Fatal(err)
	}
	want := fb.Factor("a")
	fb.Close()

	// A torn line, as a crash mid-write leaves, and a hand-edited one.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("not json\n{\"article_id\":\"a\",\"verdict\":\"hel")
	f.Close()

	again, err := OpenFeedback(path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := again.Factor("a"); got != want {
		t.Errorf("reloaded factor %v, want %v", got, want)
	}
	if again.Skipped() != 2 {
		t.Errorf("skipped %d lines, want 2", again.Skipped())
	}
}

func TestFeedbackFactorIsBounded(t *testing.T) {
	fb := NewFeedback()
	if fb.Factor("none") != 1 {
		t.Error("an article without verdicts moved")
	}
	for range 1000 {
		fb.Record(FeedbackRecord{ArticleID: "good", Verdict: "used"})
		fb.Record(FeedbackRecord{ArticleID: "bad", Verdict: "not_helpful"})
	}
	if g, b := fb.Factor("good"), fb.Factor("bad"); g > 1.5 || g < 1.49 || b < 0.5 || b > 0.51 {
		t.Errorf("factors good %v, bad %v; want near 1.5 and 0.5", g, b)
	}
}
