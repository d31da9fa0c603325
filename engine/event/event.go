// Package event is the contract between the engine and every consumer: the
// agent and supervisor terminals, headless NDJSON output, the service's
// store and the exports. It holds the event kinds and payloads, their JSON
// codec, the one NDJSON writer, and the folds of a call's event stream (its
// summary row and its record), and beside the calls' events the one
// service-wide reading a service publishes, its voice admission
// (VoiceStatus). It imports the standard library only, so a terminal that
// reads events does not pull in the engine.
//
// Every event carries its call id, a per-call sequence number that strictly
// increases, and a timestamp. On the wire an event is one flat JSON object:
// the header fields kind, call_id, seq and ts, and the payload's own fields
// beside them.
package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Kind names an event type. Its string is the value of the JSON "kind" field.
type Kind string

// The event kinds, in the order a call usually produces them.
const (
	KindCallStarted     Kind = "call.started"
	KindPartial         Kind = "utterance.partial"
	KindFinal           Kind = "utterance.final"
	KindSentiment       Kind = "sentiment"
	KindSuggestions     Kind = "suggestions"
	KindRecommendations Kind = "recommendations"
	KindAlert           Kind = "alert"
	KindCallEnded       Kind = "call.ended"
	KindFeedback        Kind = "feedback"
	KindSummary         Kind = "summary"
	KindTranslation     Kind = "translation"
	KindCoaching        Kind = "coaching"
	KindCallResumed     Kind = "call.resumed"
)

// Speaker says who spoke an utterance.
type Speaker string

// The two parties of a call.
const (
	SpeakerCustomer Speaker = "customer"
	SpeakerAgent    Speaker = "agent"
)

// Channel is how the customer reaches the contact center.
type Channel string

// The channels a call can arrive on.
const (
	ChannelVoice Channel = "voice"
	ChannelChat  Channel = "chat"
)

// Source says where an utterance's text came from.
type Source string

// The utterance sources.
const (
	SourceASR    Source = "asr"
	SourceChat   Source = "chat"
	SourceReplay Source = "replay"
)

// Event is one thing that happened in a call. Payload is one of the payload
// types below and must match Kind (see PayloadFor).
type Event struct {
	Kind    Kind      `json:"kind"`
	CallID  string    `json:"call_id"`
	Seq     uint64    `json:"seq"`
	TS      time.Time `json:"ts"`
	Payload Payload   `json:"-"`
}

// Payload is the kind-specific part of an event.
type Payload interface {
	// EventKind returns the kind of event this payload belongs to.
	EventKind() Kind
}

// CallStarted opens a call.
type CallStarted struct {
	Queue    string  `json:"queue,omitempty"`
	Agent    string  `json:"agent,omitempty"`
	Customer string  `json:"customer,omitempty"`
	Channel  Channel `json:"channel"`
	// Title is a human label for the call, such as the file it was replayed from.
	Title string `json:"title,omitempty"`
}

// Utterance is a partial or final piece of transcript. Start and End are
// offsets in seconds from the start of the call.
type Utterance struct {
	UtteranceID string  `json:"utterance_id"`
	Speaker     Speaker `json:"speaker"`
	Text        string  `json:"text"`
	Start       float64 `json:"start"`
	End         float64 `json:"end"`
	Source      Source  `json:"source"`
	// Final is not on the wire: the kind says it.
	Final bool `json:"-"`
}

// Sentiment scores one utterance and the call so far for one speaker.
type Sentiment struct {
	UtteranceID string  `json:"utterance_id"`
	Speaker     Speaker `json:"speaker"`
	// Score is the utterance's polarity in −1..1.
	Score float64 `json:"score"`
	// Confidence in 0..1 that the polarity is right.
	Confidence float64 `json:"confidence"`
	// Emotions maps an emotion gauge name to its weight in 0..1.
	Emotions map[string]float64 `json:"emotions"`
	// Rolling is the speaker's smoothed score over the call so far, −1..1.
	Rolling float64 `json:"rolling"`
	// Trend is the recent change of Rolling: positive when the speaker is
	// getting happier, negative when getting angrier.
	Trend float64 `json:"trend"`
	// Source is "" for the embedded model's scores, "blend" for a later
	// event of the same utterance whose Score and Emotions average the
	// embedded model's with a model server's (LLMScore).
	Source   string   `json:"source,omitempty"`
	LLMScore *float64 `json:"llm_score,omitempty"`
	// Cues name what a customer turn does: "apology", "thanks" and
	// "acceptance" de-escalate (see Deescalates), "supervisor" and
	// "leave" escalate, "sarcasm" marks praise meant as complaint.
	Cues []string `json:"cues,omitempty"`
}

// Deescalates reports whether the turn calms the call: an apology, thanks
// or acceptance without a request for a supervisor or a threat to leave.
func (s Sentiment) Deescalates() bool {
	calm := false
	for _, c := range s.Cues {
		switch c {
		case "apology", "thanks", "acceptance":
			calm = true
		case "supervisor", "leave":
			return false
		}
	}
	return calm
}

// SentimentBlend is the Source of a sentiment event that blends the
// embedded model's reading with a model server's.
const SentimentBlend = "blend"

// Translation is a customer utterance in the agent's language, from the
// model server, when the two languages differ.
type Translation struct {
	UtteranceID string  `json:"utterance_id"`
	Speaker     Speaker `json:"speaker"`
	// Lang is the BCP-47 tag of the agent's language.
	Lang string `json:"lang"`
	Text string `json:"text"`
}

// Suggestion is one ranked reply the agent could say.
type Suggestion struct {
	ID         string  `json:"id"`
	Text       string  `json:"text"`
	Confidence float64 `json:"confidence"`
	// Source is kb, history or llm.
	Source    string `json:"source"`
	ArticleID string `json:"article_id,omitempty"`
	Title     string `json:"title,omitempty"`
	// ArticleIDs are the articles a generated draft (source llm) was
	// grounded in.
	ArticleIDs []string `json:"article_ids,omitempty"`
	// Steps are the article's actions the text says are done ("I've
	// locked your card") that the agent has not said yet: the text says
	// them as steps to take ("I'll lock your card") until then.
	Steps []string `json:"steps,omitempty"`
	// Partial marks a generated draft still streaming: a later
	// suggestions event for the same utterance carries more of it.
	Partial bool `json:"partial,omitempty"`
}

// Suggestions is the ranked reply list for one customer utterance. When
// nothing fits, Abstain is true, the list is empty and Reason says why.
type Suggestions struct {
	UtteranceID string       `json:"utterance_id"`
	Suggestions []Suggestion `json:"suggestions"`
	Abstain     bool         `json:"abstain,omitempty"`
	Reason      string       `json:"reason,omitempty"`
	// LatencyMS is the time from the final utterance entering the engine to
	// this event, in milliseconds.
	LatencyMS float64 `json:"latency_ms"`
	// Degraded says why the model server is not drafting replies now
	// (failing, or its circuit breaker open); empty when it is, or when
	// none is configured.
	Degraded string `json:"degraded,omitempty"`
	// Refined marks the second stage of a turn's ranking: the first
	// suggestions event of an utterance is the fast ranking, and, when the
	// sentence encoder's refinement changes it noticeably, this one
	// follows with the refined list (and, after it, any draft over it).
	Refined bool `json:"refined,omitempty"`
}

// Recommendation is one thing the agent could do next.
type Recommendation struct {
	// Kind is action, article, offer, escalate or risk.
	Kind      string  `json:"kind"`
	Title     string  `json:"title"`
	Reason    string  `json:"reason,omitempty"`
	Score     float64 `json:"score"`
	ArticleID string  `json:"article_id,omitempty"`
}

// Recommendations is the current list of next actions for the call.
type Recommendations struct {
	UtteranceID     string           `json:"utterance_id"`
	Recommendations []Recommendation `json:"recommendations"`
	// Flow is the guided flow the conversation matches, as a checklist;
	// nil until one matches.
	Flow *FlowState `json:"flow,omitempty"`
}

// FlowState is a guided flow's checklist: the steps the agent must take
// for the matched subflow, those done, and the next one.
type FlowState struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Confidence float64    `json:"confidence"`
	Steps      []FlowStep `json:"steps"`
	// Next is the id of the recommended next step; empty when all are done.
	Next string `json:"next,omitempty"`
	// Earlier are the call's other flows, oldest first: those it was on
	// before this one (a chat that moved from a balance to a transfer),
	// whose ticks stay in the record, and those whose own steps the agent
	// did along the way. Their confidence is 0 and they have no Earlier.
	Earlier []FlowState `json:"earlier,omitempty"`
}

// FlowStep is one step of a checklist.
type FlowStep struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
	// By says what showed a done step done: "action" (the agent's tools),
	// "agent" (the agent's words), "customer" (the customer's answer) or
	// "inferred" (the agent moved on to a later step).
	By string `json:"by,omitempty"`
	// UtteranceID is the utterance that completed a done step, "" for an
	// action reported between utterances.
	UtteranceID string `json:"utterance_id,omitempty"`
}

// Alert warns the agent (and supervisors) of a risk. Its JSON field "alert"
// names the alert type, since "kind" is the event kind.
type Alert struct {
	Type        string `json:"alert"`
	Severity    string `json:"severity"`
	Reason      string `json:"reason"`
	UtteranceID string `json:"utterance_id,omitempty"`
	// Rule is the id of the rule that raised it: a rules file's warning,
	// or one of the engine's own ("builtin.supervisor-words", …); "" in
	// events from before the engine's own had ids.
	Rule string `json:"rule,omitempty"`
}

// Alert severities.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// CallEnded closes a call.
type CallEnded struct {
	Reason      string  `json:"reason"`
	Summary     string  `json:"summary,omitempty"`
	Disposition string  `json:"disposition,omitempty"`
	Utterances  int     `json:"utterances"`
	Duration    float64 `json:"duration"`
	// Wrapup is the structured summary: from the model server when one is
	// configured and answers in time, else extractive.
	Wrapup *Summary `json:"wrapup,omitempty"`
	// Checklist is the matched flow's checklist as the call ended.
	Checklist *FlowState `json:"checklist,omitempty"`
}

// CallResumed marks where a voice call's media stream came back after its
// connection was lost (a network blip between the telephony platform and
// the service): the call goes on, with the same id and sequence, after a
// gap in its audio.
type CallResumed struct {
	// At is where the call resumed, in seconds from its start on the
	// call's audio clock (the gap is counted as silence, up to a minute).
	At float64 `json:"at"`
	// Gap is how long the call was without a stream, in seconds.
	Gap float64 `json:"gap"`
	// Resumes counts the call's resumptions so far, this one included.
	Resumes int `json:"resumes"`
	// Endpoint is the protocol the stream came back on: twilio or
	// audiohook.
	Endpoint string `json:"endpoint,omitempty"`
}

// Summary sums up a call: at its end (in call.ended) and on demand (a
// summary event).
type Summary struct {
	Situation    string   `json:"situation"`
	Action       string   `json:"action"`
	Resolution   string   `json:"resolution"`
	Satisfaction string   `json:"satisfaction"` // satisfied, neutral or dissatisfied
	Reason       string   `json:"reason"`
	Entities     []string `json:"entities"`
	Disposition  string   `json:"disposition"`
	// Source is llm or extractive.
	Source string `json:"source"`
}

// Coaching is a supervisor's note to the agent of a call. It is shown to
// that agent (and to supervisors), and to no one else: it never reaches
// the customer, nor the model server, nor the call's transcript.
type Coaching struct {
	// From names the supervisor who wrote it.
	From string `json:"from"`
	Text string `json:"text"`
}

// MaxCoachingRunes bounds the text of a coaching note.
const MaxCoachingRunes = 500

// MaxReplyBytes bounds the text of an agent's reply to a chat, in bytes:
// what a chat message may hold.
const MaxReplyBytes = 16 << 10

// Feedback records what the agent did with a suggestion.
type Feedback struct {
	SuggestionID string `json:"suggestion_id"`
	ArticleID    string `json:"article_id,omitempty"`
	UtteranceID  string `json:"utterance_id,omitempty"`
	// Verdict is helpful, not_helpful or used.
	Verdict string `json:"verdict"`
}

// Feedback verdicts.
const (
	VerdictHelpful    = "helpful"
	VerdictNotHelpful = "not_helpful"
	VerdictUsed       = "used"
)

// EventKind implements Payload.
func (CallStarted) EventKind() Kind { return KindCallStarted }

// EventKind implements Payload.
func (u Utterance) EventKind() Kind {
	if u.Final {
		return KindFinal
	}
	return KindPartial
}

// EventKind implements Payload.
func (Sentiment) EventKind() Kind { return KindSentiment }

// EventKind implements Payload.
func (Suggestions) EventKind() Kind { return KindSuggestions }

// EventKind implements Payload.
func (Recommendations) EventKind() Kind { return KindRecommendations }

// EventKind implements Payload.
func (Alert) EventKind() Kind { return KindAlert }

// EventKind implements Payload.
func (CallEnded) EventKind() Kind { return KindCallEnded }

// EventKind implements Payload.
func (Feedback) EventKind() Kind { return KindFeedback }

// EventKind implements Payload.
func (Summary) EventKind() Kind { return KindSummary }

// EventKind implements Payload.
func (Translation) EventKind() Kind { return KindTranslation }

// EventKind implements Payload.
func (Coaching) EventKind() Kind { return KindCoaching }

// EventKind implements Payload.
func (CallResumed) EventKind() Kind { return KindCallResumed }

// PayloadFor returns a pointer to a zero payload of the given kind, ready to
// be decoded into, or an error for an unknown kind.
func PayloadFor(k Kind) (Payload, error) {
	switch k {
	case KindCallStarted:
		return &CallStarted{}, nil
	case KindPartial:
		return &Utterance{}, nil
	case KindFinal:
		return &Utterance{Final: true}, nil
	case KindSentiment:
		return &Sentiment{}, nil
	case KindSuggestions:
		return &Suggestions{}, nil
	case KindRecommendations:
		return &Recommendations{}, nil
	case KindAlert:
		return &Alert{}, nil
	case KindCallEnded:
		return &CallEnded{}, nil
	case KindFeedback:
		return &Feedback{}, nil
	case KindSummary:
		return &Summary{}, nil
	case KindTranslation:
		return &Translation{}, nil
	case KindCoaching:
		return &Coaching{}, nil
	case KindCallResumed:
		return &CallResumed{}, nil
	case KindWrapup:
		return &Wrapup{}, nil
	}
	return nil, fmt.Errorf("unknown event kind %q", k)
}

// header is the part of every event that precedes the payload on the wire.
type header struct {
	Kind   Kind      `json:"kind"`
	CallID string    `json:"call_id"`
	Seq    uint64    `json:"seq"`
	TS     time.Time `json:"ts"`
}

// MarshalJSON encodes the event as one flat object: header first, then the
// payload's fields.
func (e Event) MarshalJSON() ([]byte, error) {
	if e.Payload == nil {
		return nil, fmt.Errorf("event %s seq %d: no payload", e.Kind, e.Seq)
	}
	if pk := e.Payload.EventKind(); pk != e.Kind {
		return nil, fmt.Errorf("event kind %s carries a %s payload", e.Kind, pk)
	}
	h, err := json.Marshal(header{e.Kind, e.CallID, e.Seq, e.TS.UTC()})
	if err != nil {
		return nil, err
	}
	p, err := json.Marshal(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("encode %s payload: %w", e.Kind, err)
	}
	if len(p) <= 2 { // "{}"
		return h, nil
	}
	var buf bytes.Buffer
	buf.Grow(len(h) + len(p))
	buf.Write(h[:len(h)-1])
	buf.WriteByte(',')
	buf.Write(p[1:])
	return buf.Bytes(), nil
}

// UnmarshalJSON decodes a flat event object, choosing the payload type from
// its kind.
func (e *Event) UnmarshalJSON(data []byte) error {
	var h header
	if err := json.Unmarshal(data, &h); err != nil {
		return err
	}
	p, err := PayloadFor(h.Kind)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, p); err != nil {
		return fmt.Errorf("decode %s payload: %w", h.Kind, err)
	}
	*e = Event{Kind: h.Kind, CallID: h.CallID, Seq: h.Seq, TS: h.TS, Payload: Deref(p)}
	return nil
}

// Deref returns the value a pointer payload points to, and any other
// payload as it is: events carry values, so a type switch on values sees
// every payload however the event was built.
func Deref(p Payload) Payload {
	switch v := p.(type) {
	case *CallStarted:
		return *v
	case *Utterance:
		return *v
	case *Sentiment:
		return *v
	case *Suggestions:
		return *v
	case *Recommendations:
		return *v
	case *Alert:
		return *v
	case *CallEnded:
		return *v
	case *Feedback:
		return *v
	case *Summary:
		return *v
	case *Translation:
		return *v
	case *Coaching:
		return *v
	case *CallResumed:
		return *v
	case *Wrapup:
		return *v
	}
	return p
}
