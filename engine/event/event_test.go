package event

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEventJSONIsFlatAndRoundTrips(t *testing.T) {
	ts := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	events := []Event{
		{Kind: KindCallStarted, CallID: "c1", Seq: 1, TS: ts, Payload: CallStarted{Queue: "cards", Agent: "Maya", Customer: "Jo", Channel: ChannelVoice, Title: "t"}},
		{Kind: KindPartial, CallID: "c1", Seq: 2, TS: ts, Payload: Utterance{UtteranceID: "u1", Speaker: SpeakerCustomer, Text: "I lost", Start: 1, End: 2, Source: SourceReplay}},
		{Kind: KindFinal, CallID: "c1", Seq: 3, TS: ts, Payload: Utterance{UtteranceID: "u1", Speaker: SpeakerCustomer, Text: "I lost my card", Start: 1, End: 3, Source: SourceReplay, Final: true}},
		{Kind: KindSentiment, CallID: "c1", Seq: 4, TS: ts, Payload: Sentiment{UtteranceID: "u1", Speaker: SpeakerCustomer, Score: -0.3, Confidence: 0.6, Emotions: map[string]float64{"fear": 0.4, "neutral": 0.6}, Rolling: -0.3, Trend: 0}},
		{Kind: KindSuggestions, CallID: "c1", Seq: 5, TS: ts, Payload: Suggestions{UtteranceID: "u1", Suggestions: []Suggestion{{ID: "kb:a", Text: "x", Confidence: 0.8, Source: "kb", ArticleID: "a"}}, LatencyMS: 0.4}},
		{Kind: KindRecommendations, CallID: "c1", Seq: 6, TS: ts, Payload: Recommendations{UtteranceID: "u1", Recommendations: []Recommendation{{Kind: "action", Title: "Lock the card", Score: 0.8}}}},
		{Kind: KindAlert, CallID: "c1", Seq: 7, TS: ts, Payload: Alert{Type: "supervisor_request", Severity: SeverityWarning, Reason: "asked"}},
		{Kind: KindFeedback, CallID: "c1", Seq: 8, TS: ts, Payload: Feedback{SuggestionID: "kb:a", Verdict: VerdictHelpful}},
		{Kind: KindCoaching, CallID: "c1", Seq: 9, TS: ts, Payload: Coaching{From: "boss", Text: "offer the fee refund"}},
		{Kind: KindCallResumed, CallID: "c1", Seq: 10, TS: ts, Payload: CallResumed{At: 12.5, Gap: 4.25, Resumes: 1, Endpoint: "twilio"}},
		{Kind: KindCallEnded, CallID: "c1", Seq: 11, TS: ts, Payload: CallEnded{Reason: "completed", Utterances: 1, Duration: 3}},
		{Kind: KindWrapup, CallID: "c1", Seq: 12, TS: ts, Payload: Wrapup{Agent: "Maya", Disposition: "lost-card", Summary: "card locked", Checklist: []WrapupStep{{ID: "lock", Title: "Lock the card", Status: StepDone}}, Note: "call back", TimedOut: true}},
	}
	for _, e := range events {
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("%s: marshal: %v", e.Kind, err)
		}
		var flat map[string]any
		if err := json.Unmarshal(data, &flat); err != nil {
			t.Fatalf("%s: not an object: %s", e.Kind, data)
		}
		for _, k := range []string{"kind", "call_id", "seq", "ts"} {
			if _, ok := flat[k]; !ok {
				t.Errorf("%s: missing %q in %s", e.Kind, k, data)
			}
		}
		if flat["kind"] != string(e.Kind) {
			t.Errorf("kind = %v, want %s", flat["kind"], e.Kind)
		}
		if !strings.HasPrefix(string(data), `{"kind":`) {
			t.Errorf("%s: header must come first: %s", e.Kind, data)
		}
		var back Event
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: unmarshal: %v", e.Kind, err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Errorf("%s: round trip\n got %#v\nwant %#v", e.Kind, back, e)
		}
	}
}

func TestEventJSONFieldNames(t *testing.T) {
	e := Event{Kind: KindFinal, CallID: "c", Seq: 1, TS: time.Unix(0, 0), Payload: Utterance{Speaker: SpeakerAgent, Text: "hi", Final: true}}
	data, _ := json.Marshal(e)
	want := `{"kind":"utterance.final","call_id":"c","seq":1,"ts":"1970-01-01T00:00:00Z","utterance_id":"","speaker":"agent","text":"hi","start":0,"end":0,"source":""}`
	if string(data) != want {
		t.Errorf("got  %s\nwant %s", data, want)
	}
}

func TestEventRejectsMismatchAndUnknownKind(t *testing.T) {
	if _, err := json.Marshal(Event{Kind: KindAlert, Payload: Feedback{}}); err == nil {
		t.Error("kind/payload mismatch encoded without error")
	}
	if _, err := json.Marshal(Event{Kind: KindAlert}); err == nil {
		t.Error("event without payload encoded without error")
	}
	var e Event
	if err := json.Unmarshal([]byte(`{"kind":"nope","call_id":"c","seq":1}`), &e); err == nil {
		t.Error("unknown kind decoded without error")
	}
	if err := json.Unmarshal([]byte(`{"kind":"alert","seq":"x"}`), &e); err == nil {
		t.Error("bad seq decoded without error")
	}
}
