package eval

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/assist"
)

// The contact-center set lives in the repository: the test checks the
// shipped file itself, not a fixture.
const contactTurnsFile = "contactcenter/turns.jsonl"

func TestContactCenterSetIsWellFormed(t *testing.T) {
	all, err := LoadContactTurns(contactTurnsFile, "")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	calls := map[string]string{} // call → split
	for _, tn := range all {
		if ids[tn.ID] {
			t.Errorf("turn %s twice", tn.ID)
		}
		ids[tn.ID] = true
		call := tn.ID[:strings.LastIndex(tn.ID, "/")]
		if s, ok := calls[call]; ok && s != tn.Split && tn.Source != "banking77" {
			t.Errorf("call %s spans both halves", call)
		}
		calls[call] = tn.Split
	}
	for _, split := range ContactSplits {
		half, err := LoadContactTurns(contactTurnsFile, split)
		if err != nil || len(half) < 150 {
			t.Fatalf("%s half: %d turns, %v", split, len(half), err)
		}
		for _, pol := range assist.Polarities {
			if !slices.ContainsFunc(half, func(tn ContactTurn) bool { return tn.Polarity == pol }) {
				t.Errorf("%s half has no %s turn", split, pol)
			}
		}
	}
}

func TestLoadContactTurnsRejectsBadLines(t *testing.T) {
	for name, line := range map[string]string{
		"polarity": `{"id":"a/1","split":"dev","text":"hi","polarity":"angry","gauge":"anger"}`,
		"gauge":    `{"id":"a/1","split":"dev","text":"hi","polarity":"negative","gauge":"fear"}`,
		"split":    `{"id":"a/1","split":"train","text":"hi","polarity":"neutral","gauge":"neutral"}`,
		"text":     `{"id":"a/1","split":"dev","text":"","polarity":"neutral","gauge":"neutral"}`,
		"json":     `{"id":`,
	} {
		path := filepath.Join(t.TempDir(), "turns.jsonl")
		if err := os.WriteFile(path, []byte(line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadContactTurns(path, ""); err == nil || !strings.Contains(err.Error(), ":1:") {
			t.Errorf("%s: err %v, want one naming line 1", name, err)
		}
	}
	if _, err := LoadContactTurns(contactTurnsFile, "train"); err == nil {
		t.Error("split train accepted")
	}
}

func TestContactSentimentReadsInContext(t *testing.T) {
	set, err := ContactSentiment(contactTurnsFile, "dev", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Context) != len(set.Texts) {
		t.Fatalf("%d contexts for %d texts", len(set.Context), len(set.Texts))
	}
	gauges, err := ContactSentiment(contactTurnsFile, "dev", true)
	if err != nil || !slices.Contains(gauges.Gold, assist.EmotionSatisfaction) {
		t.Errorf("gauge labels: %v", err)
	}
}
