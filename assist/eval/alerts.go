package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/internal/datasets"
)

// AlertCall is one call to replay through the alert rules: its turns in
// order.
type AlertCall struct {
	ID    string
	Turns []assist.Turn
}

// ExpectedAlerts are the alerts a call should raise, written by hand: each
// with its type and the customer turn (1-based, counting customer turns
// only) that should raise it, and the customer turns that de-escalate
// (apology, thanks, acceptance), where no drop or escalation may fire.
type ExpectedAlerts struct {
	CallID        string          `json:"call_id"`
	Alerts        []ExpectedAlert `json:"alerts"`
	Deescalations []int           `json:"deescalations"`
}

// ExpectedAlert is one alert a call should raise.
type ExpectedAlert struct {
	Type string `json:"type"`
	Turn int    `json:"turn"`
}

// AlertProblem is one difference between the alerts raised and expected.
type AlertProblem struct {
	CallID string `json:"call_id"`
	Turn   int    `json:"turn"`
	Type   string `json:"type"`
	// What is "false" (raised, not expected), "missed" (expected, not
	// raised) or "after de-escalation" (a drop or escalation raised on a
	// de-escalating turn; also counted as false when not expected).
	What string `json:"what"`
	Text string `json:"text,omitempty"`
}

// AlertsReport compares the alerts a replay raised with the expected ones.
type AlertsReport struct {
	Calls    int `json:"calls"`
	Expected int `json:"expected"`
	Raised   int `json:"raised"`
	Matched  int `json:"matched"`
	False    int `json:"false"`
	Missed   int `json:"missed"`
	// AfterDeescalation counts drop and escalation alerts raised on a
	// turn where the customer apologised, thanked or accepted.
	AfterDeescalation int            `json:"after_deescalation"`
	Problems          []AlertProblem `json:"problems,omitempty"`
}

// alertSlack is how many customer turns a raised alert may be off its
// expected turn and still match: escalation is a trend, and where it
// crosses the line is not something a labeller can pin to the turn.
const alertSlack = 1

// ReadExpectedAlerts reads the expected alerts of calls from a JSON-lines
// file, one call a line.
func ReadExpectedAlerts(path string) (map[string]ExpectedAlerts, error) {
	known := []string{assist.AlertSupervisor, assist.AlertChurn, assist.AlertEscalation, assist.AlertDrop}
	calls, err := datasets.LoadJSONL(path, func(line []byte) (ExpectedAlerts, error) {
		var e ExpectedAlerts
		if err := json.Unmarshal(line, &e); err != nil {
			return e, err
		}
		if e.CallID == "" {
			return e, errors.New("no call_id")
		}
		for _, a := range e.Alerts {
			if !slices.Contains(known, a.Type) || a.Turn < 1 {
				return e, fmt.Errorf("alert %+v: want a type among %s and a turn from 1", a, strings.Join(known, ", "))
			}
		}
		return e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("expected alerts: %w", err)
	}
	out := make(map[string]ExpectedAlerts, len(calls))
	for _, e := range calls {
		if _, dup := out[e.CallID]; dup {
			return nil, fmt.Errorf("expected alerts %s: call %s listed twice", path, e.CallID)
		}
		out[e.CallID] = e
	}
	return out, nil
}

// raised is one alert a replay raised.
type raised struct {
	turn int
	typ  string
	text string
}

// Alerts replays every call through a fresh assist.Call (sentiment in
// context and the alert rules, no knowledge base) and compares the alerts
// raised with expect. Every call must have an expectation.
func Alerts(a assist.SentimentAnalyzer, calls []AlertCall, expect map[string]ExpectedAlerts) (AlertsReport, error) {
	var rep AlertsReport
	for _, call := range calls {
		exp, ok := expect[call.ID]
		if !ok {
			return AlertsReport{}, fmt.Errorf("eval alerts: call %s has no expected alerts (add a line with \"alerts\": [] if it should raise none)", call.ID)
		}
		rep.Calls++
		got := replayAlerts(a, call)
		rep.Raised += len(got)
		rep.Expected += len(exp.Alerts)
		used := make([]bool, len(got))
		for _, want := range exp.Alerts {
			hit := -1
			for i, g := range got {
				if !used[i] && g.typ == want.Type && abs(g.turn-want.Turn) <= alertSlack {
					hit = i
					break
				}
			}
			if hit < 0 {
				rep.Missed++
				rep.Problems = append(rep.Problems, AlertProblem{CallID: call.ID, Turn: want.Turn, Type: want.Type, What: "missed"})
				continue
			}
			used[hit] = true
			rep.Matched++
		}
		for i, g := range got {
			calmTurn := slices.Contains(exp.Deescalations, g.turn) && (g.typ == assist.AlertDrop || g.typ == assist.AlertEscalation)
			if calmTurn {
				rep.AfterDeescalation++
				rep.Problems = append(rep.Problems, AlertProblem{CallID: call.ID, Turn: g.turn, Type: g.typ, What: "after de-escalation", Text: g.text})
			}
			if !used[i] {
				rep.False++
				rep.Problems = append(rep.Problems, AlertProblem{CallID: call.ID, Turn: g.turn, Type: g.typ, What: "false", Text: g.text})
			}
		}
	}
	if rep.Calls == 0 {
		return AlertsReport{}, fmt.Errorf("eval alerts: no calls")
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool {
		if rep.Problems[i].CallID != rep.Problems[j].CallID {
			return rep.Problems[i].CallID < rep.Problems[j].CallID
		}
		return rep.Problems[i].Turn < rep.Problems[j].Turn
	})
	return rep, nil
}

// replayAlerts runs one call's turns through the alert rules.
func replayAlerts(a assist.SentimentAnalyzer, call AlertCall) []raised {
	c := (&assist.Assistant{Sentiment: a}).NewCall()
	var out []raised
	turn := 0
	for _, t := range call.Turns {
		an := c.Sentiment(t.Speaker, t.Text)
		if t.Speaker != "customer" {
			continue
		}
		turn++
		c.Watch(&an)
		for _, al := range an.Alerts {
			out = append(out, raised{turn: turn, typ: al.Type, text: t.Text})
		}
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
