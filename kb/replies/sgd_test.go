package replies

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

// TestMineSGDSample mines the bundled sample of the Schema-Guided Dialogue
// banking dialogues: the first 60 of 249, whose virtual agent checks
// balances and makes transfers in many crowd-sourced wordings.
func TestMineSGDSample(t *testing.T) {
	// A quarter of the dialogues: fewer replies recur often enough.
	checkSGDMining(t, datasetstest.Sample(t, "sgd/sgd_banks_dialogues.jsonl"), 522, 25, 100)
}

// checkSGDMining mines the SGD banking dialogues in file, which hold
// agentTurns agent turns, expects minReplies to maxReplies replies with no
// specifics left, and searches them.
func checkSGDMining(t *testing.T, file string, agentTurns, minReplies, maxReplies int) {
	t.Helper()
	dialogues, err := datasets.Load(file, func(name string, r io.Reader) ([]datasets.SGDDialogue, error) {
		return datasets.ReadSGD(name, r, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	// The virtual agent speaks the SYSTEM turns, the customer the USER ones.
	speakers := map[string]string{"USER": SpeakerCustomer, "SYSTEM": SpeakerAgent}
	var convs []Conversation
	turns := 0
	for _, d := range dialogues {
		var conv Conversation
		for _, u := range d.Turns {
			conv.Turns = append(conv.Turns, Turn{Speaker: speakers[u.Speaker], Text: u.Utterance})
			if speakers[u.Speaker] == SpeakerAgent {
				turns++
			}
		}
		convs = append(convs, conv)
	}
	replies := Mine(convs, MineOptions{})
	if len(replies) == 0 {
		t.Fatalf("no reply mined from %d agent turns in %d calls", turns, len(dialogues))
	}
	t.Logf("mined %d replies from %d agent turns in %d calls; top: %dx %q", len(replies), turns, len(dialogues), replies[0].Count, replies[0].Text)
	if turns != agentTurns {
		t.Errorf("%d agent turns, want the data's %d", turns, agentTurns)
	}
	// Most distinct agent turns differ only in amounts and names, or are
	// said once; a fraction of them recur.
	if len(replies) < minReplies || len(replies) > maxReplies {
		t.Errorf("mined %d replies, want %d to %d", len(replies), minReplies, maxReplies)
	}
	for _, r := range replies {
		for _, s := range append([]string{r.Text}, r.Contexts...) {
			if strings.ContainsFunc(s, unicode.IsDigit) || strings.Contains(s, "$") {
				t.Errorf("reply %s keeps a specific: %q", r.ID, s)
			}
		}
		if isOnlyPleasantries(r.Text) || r.Count < DefaultMinCount {
			t.Errorf("reply %+v should have been dropped", r)
		}
	}

	ix, err := NewIndex(replies)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for _, tt := range []struct {
		query string
		want  []string // words the reply must contain, one of the top 3
	}{
		{"what is my checking account balance", []string{"balance", "checking"}},
		{"I want to send money to my mom", []string{"send"}},
	} {
		hits, err := ix.Search(context.Background(), tt.query, 3)
		if err != nil {
			t.Fatal(err)
		}
		found := slices.ContainsFunc(hits, func(h Hit) bool {
			for _, w := range tt.want {
				if !strings.Contains(strings.ToLower(h.Reply.Text), w) {
					return false
				}
			}
			return true
		})
		if !found {
			for _, h := range hits {
				t.Logf("  %.3f %s", h.Score, h.Reply.Text)
			}
			t.Errorf("%q: no reply with %q in the top 3", tt.query, tt.want)
		}
	}
}
