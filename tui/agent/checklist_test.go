package agent

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
	"github.com/larkspur-labs/assist/tui/theme"
)

// resetFlow is the reset-password checklist with the first done steps
// ticked and next naming the step after them ("" when all are done).
func resetFlow(done int) *event.FlowState {
	steps := []event.FlowStep{
		{ID: "account", Title: "Pull up the account"},
		{ID: "verify", Title: "Verify identity"},
		{ID: "reset", Title: "Send the reset link"},
	}
	for i := range steps[:done] {
		steps[i].Done = true
	}
	f := &event.FlowState{ID: "reset_password", Title: "Reset password", Confidence: 0.87, Steps: steps}
	if done < len(steps) {
		f.Next = steps[done].ID
	}
	return f
}

// flowRecs is a recommendations event carrying a checklist and an offer.
func flowRecs(utt string, f *event.FlowState) event.Recommendations {
	return event.Recommendations{UtteranceID: utt, Flow: f, Recommendations: []event.Recommendation{
		{Kind: "offer", Title: "Two-step login, free", Reason: "locked out twice this year", Score: 0.55},
	}}
}

// flowCall is a reset-password call at w×h whose checklist has one step
// done.
func flowCall(t *testing.T, w, h int) (Model, *tuitest.EventBuilder) {
	t.Helper()
	m := newTestModel(t, Options{ModelStatus: "embedded"}, w, h)
	b := &tuitest.EventBuilder{CallID: "call-reset"}
	cust, agent := event.SpeakerCustomer, event.SpeakerAgent
	m = feedMsgs(t, m, []tea.Msg{
		b.Ev(tuitest.Started("Locked out")),
		b.Ev(tuitest.Final("u1", cust, "I can't log in, I think I need a new password.", 0, 3)),
		b.Ev(tuitest.Final("u2", agent, "Sure, let me pull up your account.", 3.5, 5)),
		b.Ev(flowRecs("u2", resetFlow(1))),
	})
	return m, b
}

func TestFlowArrivesAndTicksWithNextHighlighted(t *testing.T) {
	m := newTestModel(t, Options{}, 160, 48)
	b := &tuitest.EventBuilder{CallID: "c1"}
	m = update(t, m, b.Ev(tuitest.Started("Locked out")))
	m = update(t, m, b.Ev(event.Recommendations{UtteranceID: "u1"}))
	if strings.Contains(stripView(m), "Flow:") {
		t.Fatal("a checklist shows before any flow matched")
	}
	for done := 0; done <= 2; done++ {
		m = update(t, m, b.Ev(flowRecs("u"+strconv.Itoa(done+1), resetFlow(done))))
		view := stripView(m)
		if !strings.Contains(view, "Flow: Reset password  (87%)") {
			t.Fatalf("after %d steps: no flow title:\n%s", done, view)
		}
		want := []string{"  ☐ Pull up the account", "  ☐ Verify identity", "  ☐ Send the reset link"}
		for i := range want {
			if i < done {
				want[i] = "  ☑" + want[i][len("  ☐"):]
			}
		}
		want[done] = "→" + want[done][1:]
		for _, w := range want {
			if !strings.Contains(view, w) {
				t.Errorf("after %d steps: missing %q:\n%s", done, w, view)
			}
		}
		if n := strings.Count(view, "→ ☐"); n != 1 {
			t.Errorf("after %d steps: %d steps highlighted, want 1", done, n)
		}
	}
	// The next step wears the accent style.
	th := theme.New(true)
	m.SetStyles(th)
	if !strings.Contains(m.View().Content, th.Recommendations.FlowNext.Render("→ ☐ Send the reset link")) {
		t.Error("the next step is not in the accent style")
	}
}

func TestFlowStaysUntilChanged(t *testing.T) {
	m, b := flowCall(t, 160, 48)
	m = update(t, m, b.Ev(event.Recommendations{UtteranceID: "u3", Recommendations: []event.Recommendation{
		{Kind: "action", Title: "Check the email address on file", Score: 0.7},
	}}))
	view := stripView(m)
	if !strings.Contains(view, "→ ☐ Verify identity") || !strings.Contains(view, "Check the email address") {
		t.Fatalf("a recommendations event without a flow dropped the checklist:\n%s", view)
	}
}

func TestFlowCompactAt80x24(t *testing.T) {
	m, _ := flowCall(t, 80, 24)
	view := stripView(m)
	if !strings.Contains(view, "Flow: Reset password · 1/3 done · next: Verify identity") {
		t.Fatalf("no compact checklist:\n%s", view)
	}
	if strings.Contains(view, "☐") {
		t.Errorf("the compact form lists steps:\n%s", view)
	}
	checkFits(t, m, 80, 24)
}

func TestFlowAtCallEndShowsMissedSteps(t *testing.T) {
	ended := resetFlow(1)
	ended.Steps[2].Done = true // the link went out, identity was never checked
	ended.Next = ""
	for _, tc := range []struct {
		w, h int
		want string
	}{
		{160, 48, "missed: Verify identity"},
		{80, 24, "Flow: Reset password · 2/3 done · missed: Verify identity"},
	} {
		t.Run(fmt.Sprintf("%dx%d", tc.w, tc.h), func(t *testing.T) {
			m, b := flowCall(t, tc.w, tc.h)
			m = update(t, m, b.Ev(event.CallEnded{Reason: "hangup", Checklist: ended}))
			view := stripView(m)
			if !strings.Contains(view, tc.want) {
				t.Fatalf("missing %q:\n%s", tc.want, view)
			}
			if strings.Contains(view, "→") || strings.Contains(view, "next:") {
				t.Errorf("an ended call still points at a next step:\n%s", view)
			}
			th := theme.New(true)
			m.SetStyles(th)
			if !strings.Contains(m.View().Content, th.Recommendations.FlowMissed.Render("missed: Verify identity")) {
				t.Error("missed steps are not in the warning style")
			}
		})
	}
	m, b := flowCall(t, 160, 48)
	m = update(t, m, b.Ev(event.CallEnded{Reason: "hangup", Checklist: resetFlow(3)}))
	if view := stripView(m); !strings.Contains(view, "all steps done") || strings.Contains(view, "missed:") {
		t.Errorf("a complete checklist does not say so:\n%s", view)
	}
}

func TestOffersShowTheirReason(t *testing.T) {
	for _, size := range [][2]int{{160, 48}, {80, 24}} {
		m := newTestModel(t, Options{}, size[0], size[1])
		b := &tuitest.EventBuilder{CallID: "c1"}
		m = update(t, m, b.Ev(tuitest.Started("Offer")))
		m = update(t, m, b.Ev(event.Recommendations{UtteranceID: "u1", Recommendations: []event.Recommendation{
			{Kind: "offer", Title: "One month of Premium, free", Reason: "customer for 4 years", Score: 0.42},
		}}))
		view := stripView(m)
		if !strings.Contains(view, "OFFER     One month of Premium, free") || !strings.Contains(view, "customer for 4 years") {
			t.Errorf("%dx%d: the offer is not tagged with its reason:\n%s", size[0], size[1], view)
		}
	}
}

func TestAlertCitesItsUtterance(t *testing.T) {
	m := newTestModel(t, Options{}, 160, 48)
	b := &tuitest.EventBuilder{CallID: "c1"}
	m = feedMsgs(t, m, []tea.Msg{
		b.Ev(tuitest.Started("Alerts")),
		b.Ev(tuitest.Final("u1", event.SpeakerCustomer, "I want to cancel.", 62, 65)),
		b.Ev(tuitest.Final("u2", event.SpeakerAgent, "Let me see what I can do.", 70, 75)),
		b.Ev(event.Alert{Type: "churn_risk", Severity: event.SeverityCritical, Reason: "cancel", UtteranceID: "u1"}),
		b.Ev(event.Alert{Type: "pii", Severity: event.SeverityWarning, Reason: "card number", UtteranceID: "u9"}),
	})
	view := stripView(m)
	// The cited line's time, as the transcript shows it; an utterance not
	// in the transcript by its id, beside the time the alert arrived.
	for _, want := range []string{"CRITICAL  01:02  churn risk", "WARNING   01:15  pii · u9"} {
		if !strings.Contains(view, want) {
			t.Errorf("missing %q:\n%s", want, view)
		}
	}
}

func TestHostileFlowTextNeverReachesTheTerminal(t *testing.T) {
	m, b := flowCall(t, 160, 48)
	f := &event.FlowState{ID: hostile, Title: hostile, Confidence: 0.5, Next: hostile, Steps: []event.FlowStep{
		{ID: "a", Title: hostile, Done: true},
		{ID: hostile, Title: "Verify\x1b[2J identity\u202e"},
	}}
	m = update(t, m, b.Ev(flowRecs("u3", f)))
	screens := []string{m.View().Content}
	if !strings.Contains(stripView(m), "→ ☐ Verify identity") {
		t.Errorf("the sanitised next step is not highlighted:\n%s", stripView(m))
	}
	m.SetStyles(theme.New(true))
	screens = append(screens, m.View().Content)
	m = update(t, m, b.Ev(event.CallEnded{Reason: "hangup", Checklist: f}))
	screens = append(screens, m.View().Content)
	m = update(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	screens = append(screens, m.View().Content)
	for i, raw := range screens {
		for _, bad := range []string{"\x1b]0;", "pwned", "\x1b[2J", "\x07", "\u009b", "\x1b]52", "\u202e"} {
			if strings.Contains(raw, bad) {
				t.Errorf("screen %d contains %q", i, bad)
			}
		}
	}
}

func TestFlowViewsFit(t *testing.T) {
	long := resetFlow(1)
	for i := range 40 {
		long.Steps = append(long.Steps, event.FlowStep{ID: "x" + strconv.Itoa(i), Title: strings.Repeat("very long step title ", 6)})
	}
	sizes := [][2]int{{80, 24}, {160, 48}, {120, 30}, {60, 20}, {40, 12}, {20, 5}, {10, 3}, {1, 1}}
	for _, size := range sizes {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			m, b := flowCall(t, w, h)
			checkFits(t, m, w, h)
			m = update(t, m, b.Ev(flowRecs("u3", long)))
			checkFits(t, m, w, h)
			m = update(t, m, b.Ev(event.CallEnded{Reason: "hangup", Checklist: long}))
			checkFits(t, m, w, h)
			m.SetStyles(theme.New(true))
			checkFits(t, m, w, h)
		})
	}
	if n := len(sanitizeFlow(long).Steps); n != maxFlowSteps {
		t.Errorf("kept %d steps, want %d", n, maxFlowSteps)
	}
}

func TestGoldenViewFlow(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m, b := flowCall(t, size[0], size[1])
			m = update(t, m, b.Ev(event.Alert{Type: "repeat_contact", Severity: event.SeverityInfo, Reason: "third call this week", UtteranceID: "u1"}))
			golden.RequireEqual(t, stripView(m))
		})
	}
}

func TestFlowNextStepShownOnce(t *testing.T) {
	for _, size := range [][2]int{{160, 48}, {80, 24}} {
		m, b := flowCall(t, size[0], size[1])
		r := flowRecs("u3", resetFlow(1))
		r.Recommendations = append([]event.Recommendation{
			{Kind: "action", Title: "Verify identity", Reason: "step 2 of 3 of Reset password (1 done)", Score: 0.87},
		}, r.Recommendations...)
		m = update(t, m, b.Ev(r))
		view := stripView(m)
		if n := strings.Count(view, "Verify identity"); n != 1 {
			t.Errorf("%dx%d: the next step shows %d times, want once:\n%s", size[0], size[1], n, view)
		}
		if !strings.Contains(view, "Two-step login") {
			t.Errorf("%dx%d: the offer is gone:\n%s", size[0], size[1], view)
		}
	}
}

func TestIdenticalAlertsMergeWithACount(t *testing.T) {
	m, b := flowCall(t, 160, 48)
	for _, a := range []event.Alert{
		{Type: "supervisor_request", Severity: event.SeverityWarning, Reason: `customer asked for a "supervisor"`, UtteranceID: "u1"},
		{Type: "supervisor", Severity: event.SeverityCritical, Reason: "Customer asked for a supervisor", UtteranceID: "u1"},
		{Type: "silence", Severity: event.SeverityInfo, Reason: "8 s of silence", UtteranceID: "u2"},
	} {
		m = update(t, m, b.Ev(a))
	}
	view := stripView(m)
	if n := strings.Count(view, "supervisor"); n != 2 || !strings.Contains(view, "supervisor ×2") {
		t.Errorf("the two supervisor alerts of u1 do not merge into one entry with a count:\n%s", view)
	}
	if !strings.Contains(view, "2 alerts · 1 critical") {
		t.Errorf("the counter does not count entries, the merged one critical:\n%s", view)
	}
}

func TestAlertsOpenInFull(t *testing.T) {
	long := "Agent has not said the required disclosure (\"this call is recorded\") within 2 turns, which compliance requires on every recorded line"
	for _, size := range [][2]int{{160, 48}, {80, 24}} {
		m, b := flowCall(t, size[0], size[1])
		for _, a := range []event.Alert{
			{Type: "disclosure", Severity: event.SeverityWarning, Reason: long, UtteranceID: "u2", Rule: "recording-disclosure"},
			{Type: "supervisor_request", Severity: event.SeverityCritical, Reason: `customer asked for a "supervisor"`, UtteranceID: "u1"},
			{Type: "supervisor", Severity: event.SeverityWarning, Reason: "Customer asked for a supervisor", UtteranceID: "u1", Rule: "supervisor-request"},
		} {
			m = update(t, m, b.Ev(a))
		}
		m = update(t, m, tuitest.Press("A"))
		// Scroll through the whole overlay, collecting what it shows.
		var seen strings.Builder
		for range 20 {
			seen.WriteString(stripView(m))
			m = update(t, m, tuitest.Press("pgdown"))
		}
		view := strings.Join(strings.Fields(seen.String()), " ")
		for _, want := range []string{
			"compliance requires on every recorded line", // the whole reason, wrapped
			"rule recording-disclosure",
			"rule supervisor-request",
			"customer asked for a \"supervisor\"", // the merged alert's other reason
			"Sure, let me pull up your account.",  // the cited utterance
			"×2",
		} {
			if !strings.Contains(view, want) {
				t.Errorf("%dx%d: the alerts overlay lacks %q:\n%s", size[0], size[1], want, stripView(m))
			}
		}
		m = update(t, m, tuitest.Press("esc"))
		if v := stripView(m); !strings.Contains(v, "Next best action") || !strings.Contains(v, "2 alerts · 1 critical") {
			t.Errorf("%dx%d: esc does not go back to the panes, or the counter is off:\n%s", size[0], size[1], v)
		}
	}
}

func TestChecklistShowsTheEarlierFlows(t *testing.T) {
	m := newTestModel(t, Options{}, 160, 48)
	b := &tuitest.EventBuilder{CallID: "c1"}
	m = update(t, m, b.Ev(tuitest.Started("Balance, then a reset")))
	f := resetFlow(1)
	f.Earlier = []event.FlowState{{ID: "balance", Title: "Check a balance", Steps: []event.FlowStep{
		{ID: "verify", Title: "Verify identity", Done: true}, {ID: "read", Title: "Read the balance", Done: true}, {ID: "pending", Title: "Mention pending"},
	}}}
	m = update(t, m, b.Ev(flowRecs("u3", f)))
	if view := stripView(m); !strings.Contains(view, "Flow: Reset password") || !strings.Contains(view, "earlier: Check a balance 2/3 done") {
		t.Errorf("no line for the earlier flow under the checklist:\n%s", view)
	}
}
