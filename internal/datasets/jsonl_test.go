package datasets

import (
	"io"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestReadSGD(t *testing.T) {
	dialogues, err := Load(datasetstest.Sample(t, "sgd/sgd_banks_dialogues.jsonl"), func(name string, r io.Reader) ([]SGDDialogue, error) {
		return ReadSGD(name, r, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dialogues) != 60 || dialogues[0].ID != "32_00011" || dialogues[59].Line != 60 {
		t.Fatalf("%d dialogues, first %q", len(dialogues), dialogues[0].ID)
	}
	first := dialogues[0].Turns[0]
	if first != (SGDTurn{Speaker: "USER", Utterance: "What's my balance?", ActiveIntent: "CheckBalance"}) {
		t.Errorf("first turn %+v", first)
	}
	if s := dialogues[0].Turns[1]; s.Speaker != "SYSTEM" || s.ActiveIntent != "" {
		t.Errorf("second turn %+v", s)
	}
}

func TestReadSGDBadLines(t *testing.T) {
	const input = "{\"dialogue_id\": \"1\", \"turns\": []}\n\n{broken\r\n{\"turns\": []}\n"
	if _, err := ReadSGD("s.jsonl", strings.NewReader(input), nil); !strings.HasPrefix(errText(err), "s.jsonl:3: malformed SGD dialogue (") {
		t.Errorf("strict: %v", err)
	}
	var skipped []string
	got, err := ReadSGD("s.jsonl", strings.NewReader(input), func(le *LineError) { skipped = append(skipped, le.Error()) })
	if err != nil || len(got) != 1 || got[0].Line != 1 {
		t.Fatalf("lenient: %v %+v", err, got)
	}
	if len(skipped) != 2 || skipped[1] != "s.jsonl:4: SGD dialogue without dialogue_id" {
		t.Errorf("skipped %q", skipped)
	}
}

func TestReadHVB(t *testing.T) {
	calls, err := Load(datasetstest.Sample(t, "hvb/hvb_sample_conversations.jsonl"), func(name string, r io.Reader) ([]HVBCall, error) {
		return ReadHVB(name, r, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 4 {
		t.Fatalf("%d calls, want 4", len(calls))
	}
	c := calls[0]
	if c.SID != "0002f70f7386445b" || c.AgentName != "Elizabeth" || c.CallerName != "Patricia Brown" || strings.Join(c.Tasks, ",") != "replace card" {
		t.Errorf("first call %+v", c)
	}
	want := HVBSegment{SpeakerRole: "agent", StartMS: 1669, DurationMS: 2670, HumanTranscript: "hello this is harper valley national bank"}
	if c.Segments[0] != want {
		t.Errorf("first segment %+v, want %+v", c.Segments[0], want)
	}
	var skipped []*LineError
	if got, err := ReadHVB("h.jsonl", strings.NewReader("{\"segments\": []}\n[]\n"), func(le *LineError) { skipped = append(skipped, le) }); err != nil || len(got) != 0 || len(skipped) != 2 ||
		skipped[0].Msg != "Harper Valley conversation without sid" || !strings.HasPrefix(skipped[1].Msg, "malformed Harper Valley conversation") {
		t.Errorf("bad lines: %v %v %v", got, err, skipped)
	}
}
