// Package engine runs call sessions: it takes utterances from replay, chat or
// speech recognition, passes every final customer utterance through the
// analysers in package assist and the knowledge base in package kb, and
// publishes what they find as events (package event) on the bus.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/guide"
	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/stats"
)

// Engine runs call sessions and publishes their events on the bus.
type Engine struct {
	bus      *Bus
	asst     *assist.Assistant
	now      func() time.Time
	log      *slog.Logger
	onEvent  func(event.Event)
	metrics  *Metrics
	redact   func(string) string
	calls    *redact.Calls
	guidance *guide.Config

	draftBudget, summaryBudget time.Duration

	feedback *nats.Subscription

	mu       sync.Mutex
	sessions map[string]*Session
}

// Options tunes an Engine. The zero value is usable.
type Options struct {
	// Now is the clock for event timestamps and latency; time.Now by default.
	Now func() time.Time
	// Logger receives model errors and dropped input; discarded by default.
	Logger *slog.Logger
	// OnEvent, when set, sees every event once it is published, in each
	// call's order (it runs under the call's lock: keep it short).
	OnEvent func(event.Event)
	// Metrics, when set, counts calls, utterances, latency and model errors.
	Metrics *Metrics
	// Redact, when set, is applied to utterance text before it is
	// published and stored (the models still read it whole, in this
	// process).
	Redact func(string) string
	// Calls, when set, is given every final turn of every call, and each
	// call's end, so that a customer's answer to the agent's question for a
	// date of birth, a card or an account number is redacted although the
	// cue was in the question: from what Redact publishes, and from what
	// the model-server clients that redact with the same Calls send.
	Calls *redact.Calls
	// DraftBudget and SummaryBudget bound the model server's drafts and
	// summaries; DefaultDraftBudget and DefaultSummaryBudget when zero.
	DraftBudget, SummaryBudget time.Duration
	// Guidance, when set, adds guided flows, offers and warnings.
	Guidance *guide.Config
}

// New returns an engine that analyses with a and publishes on bus. It
// listens on the bus for agents' feedback on suggestions.
func New(bus *Bus, a *assist.Assistant, opts Options) (*Engine, error) {
	e := &Engine{
		bus: bus, asst: a, now: opts.Now, log: opts.Logger, onEvent: opts.OnEvent, metrics: opts.Metrics,
		redact: opts.Redact, calls: opts.Calls, draftBudget: opts.DraftBudget, summaryBudget: opts.SummaryBudget, guidance: opts.Guidance,
		sessions: map[string]*Session{},
	}
	if e.draftBudget <= 0 {
		e.draftBudget = DefaultDraftBudget
	}
	if e.summaryBudget <= 0 {
		e.summaryBudget = DefaultSummaryBudget
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var err error
	e.feedback, err = bus.handleFeedback(e.onFeedback, func(err error) { e.log.Warn("bad feedback", "err", err) })
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Close stops listening for feedback. Open sessions are left as they are.
func (e *Engine) Close() error {
	return e.feedback.Unsubscribe()
}

// ErrCallExists is returned when a call id is already live.
var ErrCallExists = errors.New("call already in progress")

// ErrNoCall is returned for input to a call that is not live.
var ErrNoCall = errors.New("no such live call")

// ErrCallEnded is returned for input to a call that has ended.
var ErrCallEnded = errors.New("call has ended")

// StartCall opens a session and publishes call.started.
func (e *Engine) StartCall(id string, info event.CallStarted) (*Session, error) {
	s, err := e.open(id, info, 0)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	err = s.settle(s.publish(s.info))
	s.mu.Unlock()
	if err != nil {
		e.forget(id)
		return nil, err
	}
	e.metrics.CallStarted(s.info.Channel)
	return s, nil
}

// ResumeCall opens a session for a call whose events up to sequence number
// lastSeq were published by a session that is gone (a worker that died):
// its next event gets lastSeq+1. The models' view of the call (rolling
// sentiment, context) starts afresh. Nothing is published.
func (e *Engine) ResumeCall(id string, info event.CallStarted, lastSeq uint64) (*Session, error) {
	s, err := e.open(id, info, lastSeq)
	if err != nil {
		return nil, err
	}
	e.metrics.CallStarted(s.info.Channel)
	return s, nil
}

func (e *Engine) open(id string, info event.CallStarted, seq uint64) (*Session, error) {
	if id == "" {
		return nil, errors.New("start call: empty call id")
	}
	if info.Channel == "" {
		info.Channel = event.ChannelVoice
	}
	s := &Session{e: e, id: id, info: info, seq: seq, call: e.asst.NewCall(), started: e.now()}
	e.mu.Lock()
	if _, ok := e.sessions[id]; ok {
		e.mu.Unlock()
		return nil, fmt.Errorf("start call %s: %w", id, ErrCallExists)
	}
	e.sessions[id] = s
	e.mu.Unlock()
	// The profile lookup may take a profile service's time: only for a call
	// that is really starting, and holding up this call alone.
	s.mu.Lock()
	s.guide = e.startGuidance(id, info)
	if s.guide != nil {
		s.call.StepsDone = s.guide.StepsDone // replies say a step done once the checklist has it
	}
	s.mu.Unlock()
	return s, nil
}

// Session returns a live call's session.
func (e *Engine) Session(id string) (*Session, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.sessions[id]
	return s, ok
}

func (e *Engine) forget(id string) {
	e.mu.Lock()
	delete(e.sessions, id)
	e.mu.Unlock()
	e.calls.End(id)
}

func (e *Engine) onFeedback(req FeedbackRequest) {
	s, ok := e.Session(req.CallID)
	if !ok {
		e.log.Warn("feedback for unknown or ended call", "call_id", req.CallID)
		return
	}
	if err := s.Feedback(req.Feedback); err != nil {
		e.log.Warn("record feedback", "call_id", req.CallID, "err", err)
	}
}

// Session is one call in progress. Its methods are safe for concurrent use;
// they run one at a time, so the call's events keep a strict order and the
// sequence numbers increase by one per event.
type Session struct {
	e       *Engine
	id      string
	info    event.CallStarted
	started time.Time

	mu       sync.Mutex
	seq      uint64
	unstored []func() error // acknowledgements still awaited
	draft    draftState
	guide    *guide.Call
	// lastRecs are the last recommendations published with guidance,
	// republished when the checklist changes.
	lastRecs event.Recommendations
	// extras is the context of the model server's emotion readings and
	// translations, cancelled when the call ends.
	extras     context.Context
	stopExtras context.CancelFunc
	call       *assist.Call
	// waitModels holds each turn's model work's results for WaitModels
	// (a replay that waits for the models); jobs is that work.
	waitModels bool
	jobs       []*modelJob
	ended      bool
	utterances int
	lastEnd    float64
}

// publish stamps a payload with the next sequence number and publishes it.
// The caller holds s.mu.
func (s *Session) publish(p event.Payload) error {
	s.seq++
	ev := event.Event{Kind: p.EventKind(), CallID: s.id, Seq: s.seq, TS: s.e.now(), Payload: p}
	wait, err := s.e.bus.publishAsync(EventSubject(s.info.Queue, s.info.Agent, s.id, ev.Kind), ev)
	if err != nil {
		// The number was not used: the next event takes it, so a
		// consumer sees no gap for an event that never existed.
		s.seq--
		return err
	}
	s.unstored = append(s.unstored, wait)
	if s.e.onEvent != nil {
		s.e.onEvent(ev)
	}
	return nil
}

// settle waits until every event published so far is stored, and returns
// err or, if nil, the first storing error. Each input method settles
// before it returns, so that its success means its events are kept.
func (s *Session) settle(err error) error {
	for _, wait := range s.unstored {
		if werr := wait(); werr != nil && err == nil {
			err = werr
		}
	}
	s.unstored = s.unstored[:0]
	return err
}

// Partial publishes a partial hypothesis of an utterance still being spoken.
func (s *Session) Partial(u event.Utterance) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return fmt.Errorf("partial for call %s: %w", s.id, ErrCallEnded)
	}
	u.Final = false
	u.Start, u.End = stats.Round(u.Start, 3), stats.Round(u.End, 3)
	if s.e.redact != nil {
		u.Text = s.e.redact(s.e.calls.Partial(s.id, string(u.Speaker), u.Text))
	}
	return s.settle(s.publish(u))
}

// redacted is the final utterance as it is published: its text, with the
// answers to the agent's question already redacted (answered), redacted
// when the engine redacts what it stores.
func (s *Session) redacted(u event.Utterance, answered string) event.Utterance {
	if s.e.redact != nil {
		u.Text = s.e.redact(answered)
	}
	return u
}

// Final publishes a final utterance and what the models make of it: a
// sentiment event for every speaker and, for the customer, alerts, ranked
// suggestions and recommendations. Model failures degrade the output (an
// abstaining suggestions event) and are logged; only a bus failure is
// returned.
func (s *Session) Final(ctx context.Context, u event.Utterance) error {
	entered := s.e.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settle(s.final(ctx, u, entered))
}

func (s *Session) final(ctx context.Context, u event.Utterance, entered time.Time) error {
	if s.ended {
		return fmt.Errorf("utterance for call %s: %w", s.id, ErrCallEnded)
	}
	u.Final = true
	u.Start, u.End = stats.Round(u.Start, 3), stats.Round(u.End, 3)
	s.utterances++
	if u.UtteranceID == "" {
		u.UtteranceID = fmt.Sprintf("u%d", s.utterances)
	}
	s.lastEnd = max(s.lastEnd, u.End)
	s.cancelDraft()
	// Noted before any model sees the turn: a draft, a translation or an
	// embedding of it goes out redacted with its question in mind.
	answered := s.e.calls.Turn(s.id, string(u.Speaker), u.Text)
	if err := s.publish(s.redacted(u, answered)); err != nil {
		return err
	}
	s.e.metrics.Utterance(u.Speaker, u.Source)
	an := s.call.Sentiment(string(u.Speaker), u.Text)
	sent := sentimentPayload(u, an)
	if err := s.publish(sent); err != nil {
		return err
	}
	if u.Speaker != event.SpeakerCustomer {
		return s.agentGuidance(u, an.Score)
	}
	s.startExtras(u, sent)
	if err := s.call.Assist(ctx, &an); err != nil {
		s.e.log.Warn("assist", "call_id", s.id, "utterance_id", u.UtteranceID, "err", err)
		s.e.metrics.ModelError("assist")
	}
	for _, a := range an.Alerts {
		if err := s.publish(event.Alert{Type: a.Type, Severity: a.Severity, Reason: a.Reason, UtteranceID: u.UtteranceID, Rule: a.Rule}); err != nil {
			return err
		}
	}
	sug := suggestionsPayload(u.UtteranceID, an.Ranked)
	if s.e.asst.Drafter != nil {
		sug.Degraded = s.e.degraded()
	}
	latency := s.e.now().Sub(entered)
	sug.LatencyMS = float64(latency.Microseconds()) / 1000
	if err := s.publish(sug); err != nil {
		return err
	}
	s.e.metrics.SuggestionsLatency(latency)
	s.startTurnWork(sug, &an, entered)
	extra, err := s.customerGuidance(u, &an)
	if err != nil {
		return err
	}
	recs := recommendationsPayload(u.UtteranceID, an.Recommendations)
	recs.Recommendations = append(extra, recs.Recommendations...)
	return s.publishRecommendations(recs)
}

// Feedback records an agent's verdict on a suggestion as a feedback event.
func (s *Session) Feedback(fb event.Feedback) error {
	switch fb.Verdict {
	case event.VerdictHelpful, event.VerdictNotHelpful, event.VerdictUsed:
	default:
		return fmt.Errorf("feedback for call %s: unknown verdict %q", s.id, fb.Verdict)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return fmt.Errorf("feedback for call %s: %w", s.id, ErrCallEnded)
	}
	// Later calls rank with what agents thought of this suggestion. It is
	// stored before the event goes out, so whoever sees the event can rely
	// on it; a failure to store still lets the event out.
	learnErr := s.e.asst.Learn(s.id, fb.SuggestionID, fb.ArticleID, fb.Verdict)
	if err := s.settle(s.publish(fb)); err != nil {
		return err
	}
	return learnErr
}

// Coach publishes a supervisor's coaching note to the call's agent. It is
// an event of the call and nothing more: the note is not part of the
// transcript, so it never reaches the model server's prompts, the ranking
// or the customer.
func (s *Session) Coach(from, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return fmt.Errorf("coaching note for call %s: empty text", s.id)
	}
	if n := utf8.RuneCountInString(text); n > event.MaxCoachingRunes {
		return fmt.Errorf("coaching note for call %s: %d characters, at most %d", s.id, n, event.MaxCoachingRunes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return fmt.Errorf("coaching note for call %s: %w", s.id, ErrCallEnded)
	}
	return s.settle(s.publish(event.Coaching{From: from, Text: text}))
}

// Resumed publishes call.resumed: the call's media stream came back after
// a gap.
func (s *Session) Resumed(r event.CallResumed) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return fmt.Errorf("resume call %s: %w", s.id, ErrCallEnded)
	}
	r.At, r.Gap = stats.Round(r.At, 3), stats.Round(r.Gap, 3)
	s.lastEnd = max(s.lastEnd, r.At)
	return s.settle(s.publish(r))
}

// End publishes call.ended with the call's wrap-up and closes the session.
// Ending an ended call does nothing.
func (s *Session) End(reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return nil
	}
	s.ended = true
	s.cancelDraft()
	if s.stopExtras != nil {
		s.stopExtras()
	}
	defer s.e.forget(s.id)
	s.e.metrics.CallEnded(s.info.Channel)
	checklist, err := s.finishGuidance()
	if err != nil {
		return s.settle(err)
	}
	summary, disposition := s.call.Wrapup()
	if checklist != nil {
		// The matched flow names the call's outcome better than a topic.
		disposition = checklist.ID
	}
	wrapup := s.summary(context.Background())
	return s.settle(s.publish(event.CallEnded{
		Reason: reason, Summary: summary, Disposition: disposition,
		Utterances: s.utterances, Duration: s.lastEnd, Wrapup: &wrapup, Checklist: checklist,
	}))
}

func sentimentPayload(u event.Utterance, an assist.Analysis) event.Sentiment {
	return event.Sentiment{
		UtteranceID: u.UtteranceID,
		Speaker:     u.Speaker,
		Score:       stats.Round(an.Score.Polarity, 3),
		Confidence:  stats.Round(an.Score.Confidence, 3),
		Emotions:    roundMap(an.Score.Emotions),
		Rolling:     stats.Round(an.Rolling, 3),
		Trend:       stats.Round(an.Trend, 3),
		Cues:        an.Cues.Names(),
	}
}

func suggestionsPayload(utteranceID string, r *assist.Ranked) event.Suggestions {
	out := event.Suggestions{UtteranceID: utteranceID, Suggestions: []event.Suggestion{}}
	if r == nil {
		out.Abstain, out.Reason = true, "no analysis"
		return out
	}
	out.Abstain, out.Reason = r.Abstain, r.Reason
	for _, s := range r.Suggestions {
		out.Suggestions = append(out.Suggestions, event.Suggestion{
			ID: s.ID, Text: s.Text, Confidence: s.Confidence, Source: s.Source,
			ArticleID: s.ArticleID, Title: s.Title, Steps: s.Steps,
		})
	}
	return out
}

func recommendationsPayload(utteranceID string, recs []assist.Recommendation) event.Recommendations {
	out := event.Recommendations{UtteranceID: utteranceID, Recommendations: []event.Recommendation{}}
	for _, r := range recs {
		out.Recommendations = append(out.Recommendations, event.Recommendation{
			Kind: r.Kind, Title: r.Title, Reason: r.Reason, Score: r.Score, ArticleID: r.ArticleID,
		})
	}
	return out
}
