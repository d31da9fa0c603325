package event

import (
	"cmp"
	"slices"
	"time"
)

// CallRecord is one call folded from its events: what was said, what the
// models made of each customer turn, the agent's verdicts, the alerts and
// how the call ended. Its JSON is one line of 'assist export'; reports
// count its unexported-to-JSON fields too. Unlike CallRow, it keeps the
// whole call, so it is for calls read back from the store, not for the
// live directory.
type CallRecord struct {
	CallID   string     `json:"call_id"`
	Queue    string     `json:"queue"`
	Agent    string     `json:"agent"`
	Customer string     `json:"customer"`
	Channel  Channel    `json:"channel"`
	Title    string     `json:"title,omitempty"`
	Started  time.Time  `json:"started"`
	Ended    *time.Time `json:"ended"`
	// DurationS is the wall-clock time from call.started to call.ended.
	DurationS *float64 `json:"duration_s"`
	EndReason string   `json:"end_reason"`
	// Disposition and Summary are the agent's confirmed wrap-up's when
	// there is one (AgentWrapup), else the engine's from call.ended;
	// WrapupBy says which: agent, timer (the wrap-up timer submitted the
	// agent's form unconfirmed) or engine.
	Disposition string `json:"disposition"`
	Summary     string `json:"summary"`
	WrapupBy    string `json:"wrapup_by,omitempty"`
	// AgentWrapup is the agent's wrap-up event, when one came.
	AgentWrapup *Wrapup `json:"agent_wrapup,omitempty"`
	// Wrapup is the structured summary and Checklist the guided flow's
	// steps as the call ended, when there were.
	Wrapup    *Summary   `json:"wrapup,omitempty"`
	Checklist *FlowState `json:"checklist,omitempty"`
	// Sentiment is the customer's rolling score after their last turn.
	Sentiment         *float64       `json:"sentiment"`
	Alerts            []RecordAlert  `json:"alerts"`
	Turns             []*Turn        `json:"turns"`
	UnmatchedFeedback []TurnFeedback `json:"unmatched_feedback,omitempty"`

	// LastSeq is the sequence number of the last event folded in.
	LastSeq uint64 `json:"-"`
	// Suggested counts the suggestions events that did not abstain, refined
	// ones aside.
	Suggested int `json:"-"`
	// TopIntents holds the title (else the article id) of the top
	// suggestion of each suggestions event that did not abstain.
	TopIntents []string `json:"-"`
	// Verdicts counts the feedback events by verdict.
	Verdicts map[string]int `json:"-"`

	turnByID map[string]*Turn
}

// Who gave a call record its disposition and summary (CallRecord.WrapupBy).
const (
	WrapupByAgent  = "agent"
	WrapupByTimer  = "timer"
	WrapupByEngine = "engine"
)

// RecordAlert is an alert raised during a call.
type RecordAlert struct {
	Type        string `json:"type"`
	Severity    string `json:"severity"`
	Reason      string `json:"reason"`
	UtteranceID string `json:"utterance_id,omitempty"`
}

// Turn is a final utterance with, for a customer turn, what the
// models made of it and what the agent thought of the suggestions.
type Turn struct {
	UtteranceID   string             `json:"utterance_id"`
	Speaker       Speaker            `json:"speaker"`
	Text          string             `json:"text"`
	Start         float64            `json:"start"`
	End           float64            `json:"end"`
	Source        Source             `json:"source"`
	Sentiment     *float64           `json:"sentiment,omitempty"`
	Emotions      map[string]float64 `json:"emotions,omitempty"`
	Suggestions   []Suggestion       `json:"suggestions,omitempty"`
	Abstain       bool               `json:"abstain,omitempty"`
	AbstainReason string             `json:"abstain_reason,omitempty"`
	Feedback      []TurnFeedback     `json:"feedback,omitempty"`
}

// TurnFeedback is an agent's verdict on a suggestion.
type TurnFeedback struct {
	SuggestionID string `json:"suggestion_id"`
	ArticleID    string `json:"article_id,omitempty"`
	Verdict      string `json:"verdict"`
}

// NewCallRecord returns the empty record of a call, ready to fold its
// events into with Apply.
func NewCallRecord(id string) *CallRecord {
	return &CallRecord{
		CallID: id, Alerts: []RecordAlert{}, Turns: []*Turn{},
		turnByID: map[string]*Turn{}, Verdicts: map[string]int{},
	}
}

// Apply folds one event of the call in. A redelivered event (a sequence
// number already folded) changes nothing.
func (c *CallRecord) Apply(e Event) {
	if e.Seq != 0 && e.Seq <= c.LastSeq {
		return
	}
	c.LastSeq = max(c.LastSeq, e.Seq)
	switch p := e.Payload.(type) {
	case CallStarted:
		c.Queue, c.Agent, c.Customer, c.Channel, c.Title = p.Queue, p.Agent, p.Customer, p.Channel, p.Title
		c.Started = e.TS.UTC()
	case Utterance:
		if !p.Final {
			return
		}
		t := &Turn{UtteranceID: p.UtteranceID, Speaker: p.Speaker, Text: p.Text, Start: p.Start, End: p.End, Source: p.Source}
		c.Turns = append(c.Turns, t)
		c.turnByID[p.UtteranceID] = t
	case Sentiment:
		if p.Speaker != SpeakerCustomer {
			return
		}
		rolling := p.Rolling
		c.Sentiment = &rolling
		if t := c.turnByID[p.UtteranceID]; t != nil {
			score := p.Score
			t.Sentiment, t.Emotions = &score, p.Emotions
		}
	case Suggestions:
		// A refined ranking updates the turn, not the counts: the turn
		// was counted with its first suggestions.
		if !p.Abstain && !p.Refined {
			c.Suggested++
			if len(p.Suggestions) > 0 {
				top := p.Suggestions[0]
				if intent := cmp.Or(top.Title, top.ArticleID); intent != "" {
					c.TopIntents = append(c.TopIntents, intent)
				}
			}
		}
		if t := c.turnByID[p.UtteranceID]; t != nil {
			t.Suggestions, t.Abstain, t.AbstainReason = p.Suggestions, p.Abstain, p.Reason
		}
	case Alert:
		c.Alerts = append(c.Alerts, RecordAlert{Type: p.Type, Severity: p.Severity, Reason: p.Reason, UtteranceID: p.UtteranceID})
	case CallEnded:
		ended := e.TS.UTC()
		d := max(0, ended.Sub(c.Started).Seconds())
		c.Ended, c.DurationS = &ended, &d
		c.EndReason = p.Reason
		c.Wrapup, c.Checklist = p.Wrapup, p.Checklist
		if c.AgentWrapup == nil {
			c.Disposition, c.Summary, c.WrapupBy = p.Disposition, p.Summary, WrapupByEngine
		}
	case Wrapup:
		c.AgentWrapup = &p
		c.Disposition, c.Summary, c.WrapupBy = p.Disposition, p.Summary, WrapupByAgent
		if p.TimedOut {
			c.WrapupBy = WrapupByTimer
		}
	case Feedback:
		c.Verdicts[p.Verdict]++
		fb := TurnFeedback{SuggestionID: p.SuggestionID, ArticleID: p.ArticleID, Verdict: p.Verdict}
		if t := c.feedbackTurn(p); t != nil {
			t.Feedback = append(t.Feedback, fb)
		} else {
			c.UnmatchedFeedback = append(c.UnmatchedFeedback, fb)
		}
	}
}

// feedbackTurn finds the turn a verdict is about: the one it names, else
// the latest that showed its suggestion.
func (c *CallRecord) feedbackTurn(fb Feedback) *Turn {
	if t := c.turnByID[fb.UtteranceID]; fb.UtteranceID != "" && t != nil {
		return t
	}
	for i := len(c.Turns) - 1; i >= 0; i-- {
		t := c.Turns[i]
		if slices.ContainsFunc(t.Suggestions, func(s Suggestion) bool { return s.ID == fb.SuggestionID }) {
			return t
		}
	}
	return nil
}
