package event

import (
	"math"
	"time"
)

// CallStatus is where a call is in its life.
type CallStatus string

// The call statuses.
const (
	StatusLive  CallStatus = "live"
	StatusEnded CallStatus = "ended"
)

// CallRow is one call's row in the live-call directory: what a
// supervisor's table shows. It is folded from the call's events with Apply,
// the same way by the service (which keeps it in a key-value bucket) and by
// any terminal that watches the events.
type CallRow struct {
	CallID   string     `json:"call_id"`
	Queue    string     `json:"queue,omitempty"`
	Agent    string     `json:"agent,omitempty"`
	Customer string     `json:"customer,omitempty"`
	Channel  Channel    `json:"channel,omitempty"`
	Title    string     `json:"title,omitempty"`
	Started  time.Time  `json:"started"`
	Updated  time.Time  `json:"updated"`
	Status   CallStatus `json:"status"`
	// Sentiment is the customer's rolling score, −1..1, and Trend its
	// recent change.
	Sentiment float64 `json:"sentiment"`
	Trend     float64 `json:"trend"`
	// History holds the customer's rolling score after each of their
	// utterances, the latest last, at most HistoryLen of them: the
	// supervisor's sparkline.
	History   []float64 `json:"history,omitempty"`
	Alerts    int       `json:"alerts"`
	LastAlert string    `json:"last_alert,omitempty"`
	// Recovered says the customer de-escalated (apologised, thanked or
	// accepted, see Sentiment.Deescalates) after LastAlert: the concern is
	// no longer open. A new alert reopens it.
	Recovered  bool `json:"recovered,omitempty"`
	Utterances int  `json:"utterances"`
	// LastSeq is the sequence number of the last event folded in.
	LastSeq uint64 `json:"last_seq"`
	// Worker is the service worker handling the call, when one does.
	Worker string `json:"worker,omitempty"`
}

// HistoryLen is how many sentiment samples a row keeps.
const HistoryLen = 24

// Apply folds one event of the call into the row. Events older than
// the last one folded (a redelivery) change nothing.
func (s *CallRow) Apply(e Event) {
	if e.Seq != 0 && e.Seq <= s.LastSeq {
		return
	}
	s.CallID = e.CallID
	s.LastSeq = e.Seq
	s.Updated = e.TS
	switch p := e.Payload.(type) {
	case CallStarted:
		s.Queue, s.Agent, s.Customer, s.Channel, s.Title = p.Queue, p.Agent, p.Customer, p.Channel, p.Title
		s.Started = e.TS
		s.Status = StatusLive
	case Utterance:
		if e.Kind == KindFinal {
			s.Utterances++
		}
	case Sentiment:
		// A blended reading re-scores an utterance already counted.
		if p.Speaker == SpeakerCustomer && p.Source != SentimentBlend {
			s.Sentiment, s.Trend = p.Rolling, p.Trend
			s.History = append(s.History, p.Rolling)
			if n := len(s.History); n > HistoryLen {
				s.History = append(s.History[:0:0], s.History[n-HistoryLen:]...)
			}
			if s.LastAlert != "" && p.Deescalates() {
				s.Recovered = true
			}
		}
	case Alert:
		s.Alerts++
		s.LastAlert = p.Reason
		s.Recovered = false
	case CallEnded:
		s.Status = StatusEnded
	}
	if s.Status == "" {
		s.Status = StatusLive
	}
}

// Duration is how long the call has lasted at now (until its last event
// once it has ended).
func (s *CallRow) Duration(now time.Time) time.Duration {
	if s.Started.IsZero() {
		return 0
	}
	end := now
	if s.Status == StatusEnded {
		end = s.Updated
	}
	return max(0, end.Sub(s.Started))
}

// Risk orders calls for a supervisor, highest first: alerts weigh most
// (half as much once the customer recovered), then how negative and how
// fast-falling the customer is, then how long the call has run (a long call
// is a risk of its own).
func (s *CallRow) Risk(now time.Time) float64 {
	alerts := float64(s.Alerts)
	if s.Recovered {
		alerts /= 2
	}
	r := alerts + math.Max(0, -s.Sentiment)*2 + math.Max(0, -s.Trend)*2
	r += math.Min(s.Duration(now).Minutes()/30, 1)
	if s.Status == StatusEnded {
		r -= 100
	}
	return r
}

// LastConcern is what a supervisor's "last alert" column shows: the latest
// alert's reason, marked "recovered" when the customer de-escalated since.
func (s *CallRow) LastConcern() string {
	if s.LastAlert != "" && s.Recovered {
		return "recovered · " + s.LastAlert
	}
	return s.LastAlert
}
