package assist

import "fmt"

// Alert types.
const (
	AlertSupervisor = "supervisor_request"
	AlertChurn      = "churn_risk"
	AlertEscalation = "escalation_risk"
	AlertDrop       = "sentiment_drop"
)

// Alert severities.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// The built-in alert rules' ids, in Alert.Rule: what raised an alert, as a
// rules file's warning names its id, so that every alert says its rule.
const (
	RuleSupervisor          = "builtin.supervisor-words"
	RuleChurn               = "builtin.leave-words"
	RuleEscalationRising    = "builtin.negativity-rising"
	RuleEscalationSustained = "builtin.negative-turns"
	RuleDrop                = "builtin.sentiment-drop"
)

// Alert warns the agent of a risk in the call, with the reason in words.
type Alert struct {
	Type     string
	Severity string
	Reason   string
	// Rule is the built-in rule that raised it (RuleSupervisor, …).
	Rule string
}

// Alert thresholds. A customer is at escalation risk when their rolling
// score is below escalationFloor and has fallen over escalationTurns
// customer turns in a row, or escalationTurns turns in a row were negative
// (a customer who starts furious and stays so), and the turn itself is
// below escalationTurn; a
// drop is a customer score falling by more than dropDelta, to below
// dropFloor, right after an agent turn. Neither follows a turn that
// de-escalates (an apology, thanks or acceptance; see Cues): a customer
// who calms down is never the risk.
const (
	escalationFloor = -0.25
	escalationTurns = 3
	dropDelta       = 0.6
	// dropFloor keeps a happy "thanks!" followed by a plain next request
	// from counting as a drop: the new score must be clearly negative too.
	// A closing made of filler words ("No, that will be all") never counts.
	// Both were read off the SGD banking dialogues, where the trained model
	// scores curt but calm turns ("No, not now") down to −0.8.
	dropFloor = -0.5
	// escalationTurn is how negative the turn that raises an escalation
	// must be itself: a neutral question in a tense call is no escalation.
	escalationTurn = -0.2
	// alertCooldown is how many customer turns pass before the same alert
	// type may fire again.
	alertCooldown = 6
)

// watch holds the per-call state the alert rules need.
type watch struct {
	customerTurns int
	lastFired     map[string]int
	falling       int     // consecutive customer turns with a falling rolling score
	negative      int     // consecutive negative customer turns
	lastNegative  int     // the last customer turn that was negative, 0 for none
	lastCustomer  float64 // the previous customer utterance's polarity
	prevRolling   float64
	agentSpoke    bool // an agent turn came after the last customer turn
}

// observeAgent notes an agent turn, for the drop rule.
func (w *watch) observeAgent() { w.agentSpoke = true }

// observeCustomer runs the rules on one customer utterance and returns the
// alerts it raises.
func (w *watch) observeCustomer(text string, s Score, rolling float64, cues Cues) []Alert {
	if w.lastFired == nil {
		w.lastFired = map[string]int{}
	}
	w.customerTurns++
	var out []Alert
	fire := func(a Alert) {
		if last, ok := w.lastFired[a.Type]; ok && w.customerTurns-last < alertCooldown {
			return
		}
		w.lastFired[a.Type] = w.customerTurns
		out = append(out, a)
	}

	if m := cues.Supervisor; m != "" {
		fire(Alert{AlertSupervisor, SeverityWarning, fmt.Sprintf("customer asked for a %q", m), RuleSupervisor})
	}
	if m := cues.Leave; m != "" {
		fire(Alert{AlertChurn, SeverityWarning, fmt.Sprintf("customer mentioned %q", m), RuleChurn})
	}
	calm := cues.Deescalates()

	if w.customerTurns > 1 && rolling < w.prevRolling {
		w.falling++
	} else {
		w.falling = 0
	}
	recentlyUpset := w.lastNegative > 0 && w.customerTurns-w.lastNegative <= trendSpan
	if s.Polarity < escalationTurn && !calm {
		w.negative++
		w.lastNegative = w.customerTurns
	} else {
		w.negative = 0
	}
	switch {
	case calm || s.Polarity >= escalationTurn:
	case w.falling >= escalationTurns-1 && rolling < escalationFloor:
		fire(Alert{AlertEscalation, SeverityCritical, fmt.Sprintf(
			"customer negativity rising for %d turns (rolling %.2f)", w.falling+1, rolling), RuleEscalationRising})
	case w.negative >= escalationTurns && rolling < escalationFloor:
		fire(Alert{AlertEscalation, SeverityCritical, fmt.Sprintf(
			"customer negative for %d turns in a row (rolling %.2f)", w.negative, rolling), RuleEscalationSustained})
	}
	// A drop is a calm customer upset by the agent's reply; one who was
	// negative within the last few turns is back at the complaint, the
	// escalation rule's concern.
	if w.customerTurns > 1 && w.agentSpoke && w.lastCustomer-s.Polarity > dropDelta && s.Polarity < dropFloor &&
		!recentlyUpset && !isFillerOnly(text) && !calm {
		fire(Alert{AlertDrop, SeverityWarning, fmt.Sprintf(
			"customer sentiment fell from %.2f to %.2f after the agent's reply", w.lastCustomer, s.Polarity), RuleDrop})
	}

	w.prevRolling = rolling
	w.lastCustomer = s.Polarity
	w.agentSpoke = false
	return out
}
