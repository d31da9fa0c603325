package eval

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestFlowsOnTheABCDSample(t *testing.T) {
	all, err := flows.LoadABCD(datasetstest.Sample(t, "abcd"))
	if err != nil {
		t.Fatal(err)
	}
	chats, err := LoadABCDChats(datasetstest.Sample(t, "abcd/abcd_sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(chats) != 3 || chats[0].ID != "3592" || chats[0].Subflow != "return_size" || len(chats[0].Turns) != 29 {
		t.Fatalf("%d chats, first %s %s with %d turns", len(chats), chats[0].ID, chats[0].Subflow, len(chats[0].Turns))
	}
	var results []flows.ChatResult
	rep, err := Flows(context.Background(), all, chats, func(r flows.ChatResult) { results = append(results, r) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.N != 3 || len(results) != 3 || rep.SubflowAccuracy != 1 || rep.FlowAccuracy != 1 || rep.NextActionN != 9 || rep.NeverCorrect != 0 {
		t.Errorf("report %+v", rep)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Flows(ctx, all, chats, nil); err == nil {
		t.Error("a cancelled replay went on")
	}
}

func TestLoadABCDChatsErrors(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]string{
		`[]`: "holds no conversations",
		"[\n{\"convo_id\": 7, \"scenario\": {\"flow\": \"f\"}, \"delexed\": [{\"speaker\": \"agent\", \"text\": \"hi\"}]}]": "chats.json:2: conversation 1 (convo_id 7): no scenario.subflow",
		`[{"convo_id": 1, "scenario": {}`: "chats.json:1: bad JSON",
	} {
		path := filepath.Join(dir, "chats.json")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadABCDChats(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", content, err, want)
		}
	}
}
