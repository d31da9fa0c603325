package eval

import (
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/kb"
)

func TestStepTicksVerdicts(t *testing.T) {
	fl := flows.FromArticles([]kb.Article{{
		ID: "fees", Title: "Overdraft fees", Answer: "a", Questions: []string{"overdraft fees"},
		Actions: []string{"Verify the caller's identity", "Refund an eligible fee", "Offer low-balance alerts", "Offer overdraft protection"},
	}})
	call := StepCall{ID: "c1", Turns: []StepTurn{
		{"u1", "customer", "overdraft fees again"},
		{"u2", "agent", "thank you, you're verified"},
		{"u3", "customer", "ok"},
		{"u4", "agent", "I'd suggest a low-balance text alert"},
	}}
	ann := StepAnnotations{Calls: []StepAnnotation{{CallID: "c1", Flows: []string{"fees"}, Steps: map[string]string{
		"verify-the-caller-s-identity": "u2", // ticked at u2: ok
		"refund-an-eligible-fee":       "u3", // never ticked: missed
		"offer-low-balance-alerts":     "",   // ticked, never done: false
		"offer-overdraft-protection":   "",   // neither
	}}}}
	got := map[string]string{}
	rep, err := StepTicks(fl, flows.NewTextMatcher(fl), []StepCall{call}, ann, func(r StepRow) { got[r.Step] = r.Verdict })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"verify-the-caller-s-identity": "ok", "refund-an-eligible-fee": "missed", "offer-low-balance-alerts": "false", "offer-overdraft-protection": ""}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: verdict %q, want %q", k, got[k], v)
		}
	}
	if rep.Done != 2 || rep.Ticks != 2 || rep.Precision != 0.5 || rep.Recall != 0.5 || rep.DelayMedian != 0 || rep.SameTurn != 1 {
		t.Errorf("report %+v", rep)
	}
	// A tick before the step was done is wrong.
	ann.Calls[0].Steps["verify-the-caller-s-identity"] = "u4"
	rep, _ = StepTicks(fl, flows.NewTextMatcher(fl), []StepCall{call}, ann, nil)
	if rep.Early != 1 {
		t.Errorf("early ticks %d, want 1", rep.Early)
	}
	// Annotations naming a call or an utterance that is not there are errors.
	for _, bad := range []StepAnnotation{
		{CallID: "nope", Steps: map[string]string{"x": ""}},
		{CallID: "c1", Steps: map[string]string{"verify-the-caller-s-identity": "u99"}},
	} {
		if _, err := StepTicks(fl, flows.NewTextMatcher(fl), []StepCall{call}, StepAnnotations{Calls: []StepAnnotation{bad}}, nil); err == nil {
			t.Errorf("annotation %+v: no error", bad)
		}
	}
	if _, err := ParseStepAnnotations("bad.json", []byte(`{"calls":[{"call_id":""}]}`)); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("bad annotations: %v", err)
	}
}
