package app

import (
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/engine/transcript"
)

// TestChatScriptsAreChats checks that simulated chat calls play chat
// scripts only: no phone greeting, every script on the chat channel, and
// the files given replacing the bundled ones.
func TestChatScriptsAreChats(t *testing.T) {
	calls, warns, err := LoadChatScripts(nil, transcript.FormatAuto)
	if err != nil || len(warns) > 0 {
		t.Fatalf("bundled chat scripts: %v %v", err, warns)
	}
	if len(calls) < 4 {
		t.Fatalf("%d chat scripts, want at least 4", len(calls))
	}
	ids := map[string]bool{}
	for _, c := range calls {
		if c.Channel != "chat" {
			t.Errorf("%s: channel %q, want chat", c.ID, c.Channel)
		}
		if ids[c.ID] {
			t.Errorf("%s twice", c.ID)
		}
		ids[c.ID] = true
		for _, u := range c.Utterances {
			if text := strings.ToLower(u.Text); strings.Contains(text, "for calling") || strings.Contains(text, "on the line") {
				t.Errorf("%s: a phone call's words in a chat: %q", c.ID, u.Text)
			}
		}
	}
	given, _, err := LoadChatScripts([]string{"../samples/lost-card-happy.jsonl"}, transcript.FormatAuto)
	if err != nil || len(given) != 1 || given[0].Channel != "voice" {
		t.Fatalf("the files given: %d calls, %v", len(given), err)
	}
}
