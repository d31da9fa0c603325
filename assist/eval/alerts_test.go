package eval

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/larkspur-labs/assist/assist"
)

func TestAlertsComparesRaisedWithExpected(t *testing.T) {
	m, err := assist.EmbeddedEmotionModel()
	if err != nil {
		t.Fatal(err)
	}
	turns := func(pairs ...string) []assist.Turn {
		var out []assist.Turn
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, assist.Turn{Speaker: pairs[i], Text: pairs[i+1]})
		}
		return out
	}
	calls := []AlertCall{
		{ID: "sup", Turns: turns("customer", "My card was declined.", "agent", "Let me look.", "customer", "Get me your supervisor.")},
		{ID: "calm", Turns: turns("customer", "What's my balance?", "agent", "It's $40.", "customer", "Thanks, that's all.")},
	}
	expect := map[string]ExpectedAlerts{
		"sup":  {CallID: "sup", Alerts: []ExpectedAlert{{Type: assist.AlertSupervisor, Turn: 2}}},
		"calm": {CallID: "calm", Alerts: []ExpectedAlert{{Type: assist.AlertChurn, Turn: 1}}, Deescalations: []int{2}},
	}
	rep, err := Alerts(m, calls, expect)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Calls != 2 || rep.Expected != 2 || rep.Matched != 1 || rep.Missed != 1 || rep.False != 0 || rep.AfterDeescalation != 0 {
		t.Errorf("report %+v, want 1 matched and 1 missed of 2", rep)
	}
	delete(expect, "calm")
	if _, err := Alerts(m, calls, expect); err == nil {
		t.Error("a call without expectations was replayed")
	}
}

func TestReadExpectedAlerts(t *testing.T) {
	got, err := ReadExpectedAlerts(filepath.Join("contactcenter", "alerts.jsonl"))
	if err != nil || len(got) < 10 {
		t.Fatalf("shipped expectations: %d calls, %v", len(got), err)
	}
	for name, line := range map[string]string{
		"type": `{"call_id":"a","alerts":[{"type":"grumpy","turn":1}]}`,
		"turn": `{"call_id":"a","alerts":[{"type":"churn_risk","turn":0}]}`,
		"id":   `{"alerts":[]}`,
		"dup":  `{"call_id":"a","alerts":[]}` + "\n" + `{"call_id":"a","alerts":[]}`,
	} {
		path := filepath.Join(t.TempDir(), "x.jsonl")
		if err := os.WriteFile(path, []byte(line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadExpectedAlerts(path); err == nil {
			t.Errorf("%s: accepted %s", name, line)
		}
	}
}
