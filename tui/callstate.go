package tui

import (
	"slices"
	"time"

	"github.com/larkspur-labs/assist/engine"
)

// Bounds on what the view keeps.
const (
	maxCalls   = 16   // calls kept in memory; the oldest is forgotten first
	maxLines   = 2000 // transcript utterances kept per call
	maxSeries  = 600  // sentiment samples kept per call for the sparkline
	maxAlerts  = 50   // alerts kept per call
	maxReplies = 9    // suggestions shown (one per number key)
	// maxFlowSteps bounds a checklist's steps: a flow is a handful of
	// steps an agent can follow, and a runaway list must not make every
	// render of the pane walk thousands of rows.
	maxFlowSteps = 32
	// maxHeldTranslations bounds both the translations held for utterances
	// not in the transcript yet and the ids of the lines trimmed last.
	maxHeldTranslations = 32
)

// line is one utterance of the transcript, sanitised.
type line struct {
	id      string
	speaker engine.Speaker
	text    string
	start   float64
	partial bool
	// tr is the line's machine translation into the agent's language;
	// its text is empty when there is none.
	tr translation
	// rev is the call's transcript version when this line last changed; the
	// transcript pane caches a line's wrapped rows under it.
	rev uint64
}

// alertEntry is an alert with the call offset it refers to.
type alertEntry struct {
	engine.Alert
	// at is the start of the utterance the alert cites when that line is
	// in the transcript (cited is then true), so the agent can find what
	// was said by its time; otherwise it is the call offset the alert
	// arrived at, and the pane shows the utterance id instead.
	at    float64
	cited bool
}

// mark is what the agent did with one suggestion.
type mark struct {
	used    bool
	verdict string // helpful, not_helpful or ""
}

// callState is everything the view knows about one call. All text in it has
// been sanitised. Each section has a revision so panes redraw only what
// changed.
type callState struct {
	id        string
	name      string // id, sanitised for display
	info      engine.CallStarted
	started   bool
	startedAt time.Time // view clock when call.started arrived

	applied bool   // an event has been applied, so lastSeq is meaningful
	lastSeq uint64 // seq of the last applied event

	lines    []line
	linesRev uint64
	lastEnd  float64 // latest final utterance end offset, seconds
	spoke    bool    // a final utterance has arrived

	// heldTr are translations that arrived before their utterance's
	// final, oldest first; trimmed are the ids of the lines trimmed away
	// last, whose translations are dropped. Both are bounded.
	heldTr  []heldTranslation
	trimmed []string

	customer, agent       engine.Sentiment
	hasCustomer, hasAgent bool
	series                []float64 // the customer's per-utterance scores
	seriesIDs             []string  // the utterance id of each series sample
	gaugesRev             uint64

	replies    engine.Suggestions
	hasReplies bool
	marks      map[string]mark // by suggestion id
	repliesRev uint64

	recs   []engine.Recommendation
	alerts []alertEntry // newest first
	ended  *engine.CallEnded
	// flow is the guided flow's checklist: the latest one a
	// recommendations event carried, then the final one of call.ended.
	// A recommendations event without a flow leaves it as it is.
	flow    *engine.FlowState
	recsRev uint64

	// summary is the latest summary of the call: asked for (a summary
	// event) or its wrap-up (call.ended), which summaryAtEnd says.
	summary        *engine.Summary
	summaryAtEnd   bool
	summaryPending bool // asked for, not yet arrived
	summaryRev     uint64

	index, total int // position in a replay playlist, when known
}

// newCallState returns the empty state of a call.
func newCallState(id string) *callState {
	return &callState{id: id, name: Sanitize(id), marks: map[string]mark{}}
}

// accept reports whether an event with this seq is newer than every event
// applied so far, and if so records it as applied.
func (c *callState) accept(seq uint64) bool {
	if c.applied && seq <= c.lastSeq {
		return false
	}
	c.applied, c.lastSeq = true, seq
	return true
}

// start records the call's details.
func (c *callState) start(p engine.CallStarted, now time.Time) {
	c.info = engine.CallStarted{
		Queue:    Sanitize(p.Queue),
		Agent:    Sanitize(p.Agent),
		Customer: Sanitize(p.Customer),
		Channel:  engine.Channel(Sanitize(string(p.Channel))),
		Title:    Sanitize(p.Title),
	}
	c.started, c.startedAt = true, now
}

// utterance applies a partial or final utterance. A final replaces the
// line with the same utterance id; a partial replaces that line or the
// speaker's pending partial. A final with a new id drops the speaker's
// pending partial, which it supersedes.
func (c *callState) utterance(u engine.Utterance, final bool) {
	c.linesRev++
	l := line{
		id:      u.UtteranceID,
		speaker: u.Speaker,
		text:    Sanitize(u.Text),
		start:   u.Start,
		partial: !final,
		rev:     c.linesRev,
	}
	if final {
		c.lastEnd = max(c.lastEnd, u.End)
		c.spoke = true
	}
	i := c.findLine(u.UtteranceID)
	if final {
		l.tr = c.translationFor(l, i)
	}
	if i >= 0 {
		c.lines[i] = l
		return
	}
	if i := c.pendingPartial(u.Speaker); i >= 0 {
		if !final {
			c.lines[i] = l
			return
		}
		c.lines = slices.Delete(c.lines, i, i+1)
	}
	c.lines = append(c.lines, l)
	if over := len(c.lines) - maxLines; over > 0 {
		c.noteTrimmed(c.lines[:over])
		c.lines = slices.Delete(c.lines, 0, over)
	}
}

// findLine returns the index of the line with utterance id, or -1.
func (c *callState) findLine(id string) int {
	if id == "" {
		return -1
	}
	for i := len(c.lines) - 1; i >= 0; i-- {
		if c.lines[i].id == id {
			return i
		}
	}
	return -1
}

// pendingPartial returns the index of the speaker's partial line, or -1.
func (c *callState) pendingPartial(s engine.Speaker) int {
	for i := len(c.lines) - 1; i >= 0; i-- {
		if c.lines[i].partial && c.lines[i].speaker == s {
			return i
		}
	}
	return -1
}

// dropPartials removes every partial line, when the call ends.
func (c *callState) dropPartials() {
	n := len(c.lines)
	c.lines = slices.DeleteFunc(c.lines, func(l line) bool { return l.partial })
	if len(c.lines) != n {
		c.linesRev++
	}
}

// sentiment applies a sentiment sample for either speaker. The gauges show
// the latest utterance's scores, blended ones included (the gauges pane
// marks those).
//
// The customer's scores also make the sparkline series, one point per
// utterance: a re-score of an utterance already in the series, such as
// the blended score that follows the embedded one, replaces its point
// instead of adding one, so the series still counts utterances.
//
// The model server answers later than the embedded model, so a blend can
// arrive after the next utterance has been scored. It then only corrects
// its utterance's point: putting it on the gauges would show an older
// utterance's mood as the current one.
func (c *callState) sentiment(s engine.Sentiment) {
	if s.Speaker == engine.SpeakerAgent {
		if isLateBlend(s, c.agent, c.hasAgent) {
			return
		}
		c.gaugesRev++
		c.agent, c.hasAgent = s, true
		return
	}
	late := isLateBlend(s, c.customer, c.hasCustomer)
	switch i := c.seriesIndex(s.UtteranceID); {
	case i >= 0:
		c.series[i] = s.Score
	case late:
		return // its utterance's point is gone: nothing to correct
	default:
		c.series = append(c.series, s.Score)
		c.seriesIDs = append(c.seriesIDs, s.UtteranceID)
		if over := len(c.series) - maxSeries; over > 0 {
			c.series = slices.Delete(c.series, 0, over)
			c.seriesIDs = slices.Delete(c.seriesIDs, 0, over)
		}
	}
	c.gaugesRev++
	if !late {
		c.customer, c.hasCustomer = s, true
	}
}

// isLateBlend reports whether s is a blended re-score of an utterance other
// than the one the speaker's gauge shows now.
func isLateBlend(s, shown engine.Sentiment, hasShown bool) bool {
	return s.Source == engine.SentimentBlend && hasShown && s.UtteranceID != shown.UtteranceID
}

// seriesIndex returns the index of utterance id's point in the series, or
// -1. It searches from the end, where a re-score almost always lands.
func (c *callState) seriesIndex(id string) int {
	if id == "" {
		return -1
	}
	for i := len(c.seriesIDs) - 1; i >= 0; i-- {
		if c.seriesIDs[i] == id {
			return i
		}
	}
	return -1
}

// suggestions replaces the reply list: each event is the whole list for
// its utterance, a streaming draft included. Marks of replies no longer
// listed are forgotten.
//
// Generated drafts go after the knowledge-base and history replies,
// whatever the engine's order. The draft arrives, and grows, after the
// other replies are on screen; listing it last keeps their numbers and
// rows where the agent saw them, so "1 c" never copies a draft that
// slipped in first a moment before. The cap keeps the drafts too.
func (c *callState) suggestions(s engine.Suggestions) {
	c.repliesRev++
	drafts := 0
	for _, r := range s.Suggestions {
		if isDraft(r) {
			drafts++
		}
	}
	drafts = min(drafts, maxReplies)
	list := make([]engine.Suggestion, 0, min(len(s.Suggestions), maxReplies))
	var tail []engine.Suggestion
	for _, r := range s.Suggestions {
		r = sanitizeSuggestion(r)
		switch {
		case isDraft(r) && len(tail) < drafts:
			tail = append(tail, r)
		case !isDraft(r) && len(list) < maxReplies-drafts:
			list = append(list, r)
		}
	}
	s.Suggestions = append(list, tail...)
	s.Reason = Sanitize(s.Reason)
	s.Degraded = Sanitize(s.Degraded)
	c.replies, c.hasReplies = s, true
	marks := map[string]mark{}
	for _, r := range s.Suggestions {
		if mk, ok := c.marks[r.ID]; ok {
			marks[r.ID] = mk
		}
	}
	c.marks = marks
}

// sourceLLM is the source of a reply drafted by a model server.
const sourceLLM = "llm"

// isDraft reports whether a reply was drafted by a model server, not taken
// from the knowledge base or past calls.
func isDraft(s engine.Suggestion) bool { return s.Source == sourceLLM }

// sanitizeSuggestion returns a reply with every text field made safe to
// draw. Model output is as untrusted as the customer's words.
func sanitizeSuggestion(r engine.Suggestion) engine.Suggestion {
	out := engine.Suggestion{
		ID:         r.ID,
		Text:       Sanitize(r.Text),
		Confidence: r.Confidence,
		Source:     Sanitize(r.Source),
		ArticleID:  Sanitize(r.ArticleID),
		Title:      Sanitize(r.Title),
		Partial:    r.Partial,
	}
	for _, a := range r.ArticleIDs {
		if a = Sanitize(a); a != "" {
			out.ArticleIDs = append(out.ArticleIDs, a)
		}
	}
	return out
}

// feedback records what the agent did with a suggestion.
func (c *callState) feedback(fb engine.Feedback) {
	c.repliesRev++
	mk := c.marks[fb.SuggestionID]
	if fb.Verdict == engine.VerdictUsed {
		mk.used = true
	} else {
		mk.verdict = fb.Verdict
	}
	c.marks[fb.SuggestionID] = mk
}

// recommendations replaces the list of next actions, and the checklist
// when the event carries one.
func (c *callState) recommendations(r engine.Recommendations) {
	c.recsRev++
	if r.Flow != nil {
		c.flow = sanitizeFlow(r.Flow)
	}
	c.recs = make([]engine.Recommendation, len(r.Recommendations))
	for i, x := range r.Recommendations {
		c.recs[i] = engine.Recommendation{
			Kind:      Sanitize(x.Kind),
			Title:     Sanitize(x.Title),
			Reason:    Sanitize(x.Reason),
			Score:     x.Score,
			ArticleID: Sanitize(x.ArticleID),
		}
	}
}

// sanitizeFlow returns a copy of a checklist with every text field made
// safe to draw and at most maxFlowSteps steps. Ids are sanitised the same
// way as Next, so Next still names its step.
func sanitizeFlow(f *engine.FlowState) *engine.FlowState {
	out := &engine.FlowState{
		ID:         Sanitize(f.ID),
		Title:      Sanitize(f.Title),
		Confidence: f.Confidence,
		Next:       Sanitize(f.Next),
		Steps:      make([]engine.FlowStep, 0, min(len(f.Steps), maxFlowSteps)),
	}
	for _, st := range f.Steps[:min(len(f.Steps), maxFlowSteps)] {
		out.Steps = append(out.Steps, engine.FlowStep{ID: Sanitize(st.ID), Title: Sanitize(st.Title), Done: st.Done})
	}
	return out
}

// alert adds an alert, newest first, dated by the utterance it cites when
// that utterance is in the transcript.
func (c *callState) alert(a engine.Alert) {
	c.recsRev++
	i := c.findLine(a.UtteranceID) // lines keep the engine's ids as they are
	a = engine.Alert{
		Type:        Sanitize(a.Type),
		Severity:    Sanitize(a.Severity),
		Reason:      Sanitize(a.Reason),
		UtteranceID: Sanitize(a.UtteranceID),
	}
	e := alertEntry{Alert: a, at: c.lastEnd}
	if i >= 0 {
		e.at, e.cited = c.lines[i].start, true
	}
	c.alerts = slices.Insert(c.alerts, 0, e)
	if len(c.alerts) > maxAlerts {
		c.alerts = c.alerts[:maxAlerts]
	}
}

// end records the end of the call, and its wrap-up summary if it has one.
func (c *callState) end(e engine.CallEnded) {
	c.recsRev++
	e.Reason = Sanitize(e.Reason)
	e.Summary = Sanitize(e.Summary)
	e.Disposition = Sanitize(e.Disposition)
	if e.Wrapup != nil {
		c.setSummary(*e.Wrapup, true)
		e.Wrapup = c.summary
	}
	if e.Checklist != nil {
		c.flow = sanitizeFlow(e.Checklist)
		e.Checklist = c.flow
	}
	c.ended = &e
	c.dropPartials()
	c.dropPartialDraft()
}

// dropPartialDraft removes a draft still streaming when the call ends: the
// engine stops drafting then, so it would never be finished, and half a
// reply must not look like one waiting to be copied.
func (c *callState) dropPartialDraft() {
	list := c.replies.Suggestions
	kept := slices.DeleteFunc(slices.Clone(list), func(s engine.Suggestion) bool { return isDraft(s) && s.Partial })
	if len(kept) != len(list) {
		c.replies.Suggestions = kept
		c.repliesRev++
	}
}

// setSummary makes s the call's latest summary. atEnd says it is the
// wrap-up that came with call.ended.
func (c *callState) setSummary(s engine.Summary, atEnd bool) {
	c.summaryRev++
	c.recsRev++ // the recommendations pane lists it
	out := engine.Summary{
		Situation:    Sanitize(s.Situation),
		Action:       Sanitize(s.Action),
		Resolution:   Sanitize(s.Resolution),
		Satisfaction: Sanitize(s.Satisfaction),
		Reason:       Sanitize(s.Reason),
		Disposition:  Sanitize(s.Disposition),
		Source:       Sanitize(s.Source),
	}
	for _, e := range s.Entities {
		if e = Sanitize(e); e != "" {
			out.Entities = append(out.Entities, e)
		}
	}
	c.summary, c.summaryAtEnd, c.summaryPending = &out, atEnd, false
}

// requestSummary notes that a summary was asked for (pending true) or
// that asking failed (false).
func (c *callState) requestSummary(pending bool) {
	if c.summaryPending != pending {
		c.summaryRev++
		c.summaryPending = pending
	}
}
