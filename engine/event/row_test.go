package event

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCallRowRecoversAfterDeescalation(t *testing.T) {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var seq uint64
	ev := func(p Payload) Event {
		seq++
		return Event{Kind: p.EventKind(), CallID: "c1", Seq: seq, TS: ts, Payload: p}
	}
	customer := func(cues ...string) Event {
		return ev(Sentiment{Speaker: SpeakerCustomer, Score: -0.5, Cues: cues})
	}
	var row CallRow
	for _, step := range []struct {
		name      string
		e         Event
		recovered bool
		concern   string
	}{
		{"thanks before any alert", customer("thanks"), false, ""},
		{"alert", ev(Alert{Type: "sentiment_drop", Reason: "customer sentiment fell"}), false, "customer sentiment fell"},
		{"still angry", customer(), false, "customer sentiment fell"},
		{"thanks and a supervisor", customer("thanks", "supervisor"), false, "customer sentiment fell"},
		{"agent thanks", ev(Sentiment{Speaker: SpeakerAgent, Cues: []string{"thanks"}}), false, "customer sentiment fell"},
		{"blend", ev(Sentiment{Speaker: SpeakerCustomer, Source: SentimentBlend, Cues: []string{"apology"}}), false, "customer sentiment fell"},
		{"apology", customer("apology"), true, "recovered · customer sentiment fell"},
		{"new alert reopens", ev(Alert{Type: "churn_risk", Reason: "customer mentioned leaving"}), false, "customer mentioned leaving"},
		{"acceptance", customer("acceptance"), true, "recovered · customer mentioned leaving"},
	} {
		row.Apply(step.e)
		if row.Recovered != step.recovered || row.LastConcern() != step.concern {
			t.Fatalf("%s: recovered %v, concern %q; want %v, %q", step.name, row.Recovered, row.LastConcern(), step.recovered, step.concern)
		}
	}
	open := row
	open.Recovered = false
	if row.Risk(ts) >= open.Risk(ts) {
		t.Errorf("a recovered call's risk %.2f is not below the open one's %.2f", row.Risk(ts), open.Risk(ts))
	}
	if !strings.Contains(string(mustJSON(t, row)), `"recovered":true`) {
		t.Error("recovered is not on the wire")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
