package app

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/kb/replies"
)

func TestMineReplies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calls.jsonl")
	calls := `{"type":"call","call_id":"one","customer":"Ann Lee","agent":"Sam"}
{"offset":0,"duration":1,"speaker":"customer","text":"What's my balance?"}
{"offset":1,"duration":1,"speaker":"agent","text":"Your balance is $12.50, Ann."}
{not json
{"type":"call","call_id":"two","customer":"Bo Diaz","agent":"Sam"}
{"offset":0,"duration":1,"speaker":"customer","text":"How much do I have?"}
{"offset":1,"duration":1,"speaker":"agent","text":"Your balance is $3,001.00, Bo."}
{"offset":2,"duration":1,"speaker":"agent","text":"Have a great day!"}
`
	if err := os.WriteFile(path, []byte(calls), 0o644); err != nil {
		t.Fatal(err)
	}
	m, warnings, err := MineReplies([]string{path}, transcript.FormatAuto, replies.MineOptions{MinCount: 2})
	if err != nil {
		t.Fatal(err)
	}
	if m.Calls != 2 || m.AgentTurns != 3 || len(warnings) != 1 {
		t.Errorf("%d calls, %d agent turns, warnings %v; want 2, 3 and the malformed line", m.Calls, m.AgentTurns, warnings)
	}
	// The customers' names are the participants': they become {name}.
	if len(m.Replies) != 1 || m.Replies[0].Text != "Your balance is {amount}, {name}." || m.Replies[0].Count != 2 {
		t.Errorf("replies %+v", m.Replies)
	}
	if _, _, err := MineReplies([]string{filepath.Join(t.TempDir(), "missing.jsonl")}, transcript.FormatAuto, replies.MineOptions{}); err == nil {
		t.Error("a missing file mined")
	}
}
