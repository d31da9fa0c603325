package agent

// The view folds each call's events itself rather than from
// event.CallRecord, the fold the exports and reports use, because the two
// keep different things. The record keeps the whole call: every turn, alert
// and verdict, without bound. The view keeps at most maxLines lines,
// maxAlerts alerts and maxSeries samples per call, sanitised for the
// terminal, and what only a display needs: partial lines replaced in
// place, the latest reply list with drafts last and the agent's marks,
// both speakers' latest scores with late model-server blends corrected in
// place, alerts dated by the line they cite, translations, and revisions
// for the panes. What the two share is copying call.started and call.ended
// fields, which is no fold worth sharing; holding a CallRecord per live
// call beside this state would only add memory that grows with the call.

import (
	"slices"
	"strings"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
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
	speaker event.Speaker
	text    string
	start   float64
	partial bool
	// marker says the line is no utterance but a mark in the call (its
	// stream came back after a gap): text says what, speaker is empty.
	marker bool
	// tr is the line's machine translation into the agent's language;
	// its text is empty when there is none.
	tr translation
	// rev is the call's transcript version when this line last changed; the
	// transcript pane caches a line's wrapped rows under it.
	rev uint64
}

// alertEntry is an alert with the call offset it refers to.
type alertEntry struct {
	event.Alert

	// at is the start of the utterance the alert cites when that line is
	// in the transcript (cited is then true), so the agent can find what
	// was said by its time; otherwise it is the call offset the alert
	// arrived at, and the pane shows the utterance id instead.
	at    float64
	cited bool
	// count is how many alerts this entry stands for: identical ones, or
	// the same warning on the same utterance from two sources (the
	// built-in supervisor_request and a rule's supervisor warning);
	// reasons are the earlier ones' reasons, oldest first.
	count   int
	reasons []string
	// said and speaker are the cited utterance's text and speaker, when
	// it is in the transcript.
	said, speaker string
}

// sameAlert reports whether two alerts say the same thing: the same type
// and reason, or the same kind of warning (alertFamily) on the same
// utterance.
func sameAlert(a, b event.Alert) bool {
	if a.Type == b.Type && a.Reason == b.Reason {
		return true
	}
	return a.UtteranceID != "" && a.UtteranceID == b.UtteranceID && alertFamily(a.Type) == alertFamily(b.Type)
}

// alertFamily is an alert type without the built-in alerts' suffixes, so
// that supervisor_request meets a rule's supervisor warning and
// churn_risk a rule's churn warning.
func alertFamily(t string) string {
	return strings.TrimSuffix(strings.TrimSuffix(t, "_request"), "_risk")
}

// severityRank orders severities, critical highest.
func severityRank(s string) int {
	switch s {
	case event.SeverityCritical:
		return 2
	case event.SeverityWarning:
		return 1
	}
	return 0
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
	info      event.CallStarted
	started   bool
	startedAt time.Time // when the call started (see Screen.startTime)
	// endedAt is when call.ended came, on the same clock as startedAt:
	// a live call's clock stops there.
	endedAt time.Time
	// played is how far a replayed call has played, in call seconds,
	// as of playedAt: the view's clock advanced at the replay's speed
	// while it plays (see Screen.advance).
	played   float64
	playedAt time.Time

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

	customer, agent       event.Sentiment
	hasCustomer, hasAgent bool
	series                []float64 // the customer's per-utterance scores
	seriesIDs             []string  // the utterance id of each series sample
	gaugesRev             uint64

	replies    event.Suggestions
	hasReplies bool
	marks      map[string]mark // by suggestion id
	repliesRev uint64

	recs   []event.Recommendation
	alerts []alertEntry // newest first
	ended  *event.CallEnded
	// flow is the guided flow's checklist: the latest one a
	// recommendations event carried, then the final one of call.ended.
	// A recommendations event without a flow leaves it as it is.
	flow *event.FlowState
	// coach is the latest coaching note of a supervisor, sanitised.
	coach   *event.Coaching
	recsRev uint64

	// summary is the latest summary of the call: asked for (a summary
	// event) or its wrap-up (call.ended), which summaryAtEnd says.
	summary        *event.Summary
	summaryAtEnd   bool
	summaryPending bool // asked for, not yet arrived
	summaryRev     uint64

	index, total int // position in a replay playlist, when known
}

// newCallState returns the empty state of a call.
func newCallState(id string) *callState {
	return &callState{id: id, name: termtext.Sanitize(id), marks: map[string]mark{}}
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
func (c *callState) start(p event.CallStarted, now time.Time) {
	c.info = event.CallStarted{
		Queue:    termtext.Sanitize(p.Queue),
		Agent:    termtext.Sanitize(p.Agent),
		Customer: termtext.Sanitize(p.Customer),
		Channel:  event.Channel(termtext.Sanitize(string(p.Channel))),
		Title:    termtext.Sanitize(p.Title),
	}
	c.started, c.startedAt = true, now
	c.played, c.playedAt = 0, now
}

// utterance applies a partial or final utterance. A final replaces the
// line with the same utterance id; a partial replaces that line or the
// speaker's pending partial. A final with a new id drops the speaker's
// pending partial, which it supersedes.
func (c *callState) utterance(u event.Utterance, final bool) {
	c.linesRev++
	l := line{
		id:      u.UtteranceID,
		speaker: u.Speaker,
		text:    termtext.Sanitize(u.Text),
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

// resumed marks where the call's stream came back after its connection
// was lost.
func (c *callState) resumed(r event.CallResumed) {
	c.linesRev++
	c.lines = append(c.lines, line{marker: true, text: resumedText(r), start: r.At, rev: c.linesRev})
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
func (c *callState) pendingPartial(s event.Speaker) int {
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
func (c *callState) sentiment(s event.Sentiment) {
	if s.Speaker == event.SpeakerAgent {
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
func isLateBlend(s, shown event.Sentiment, hasShown bool) bool {
	return s.Source == event.SentimentBlend && hasShown && s.UtteranceID != shown.UtteranceID
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
func (c *callState) suggestions(s event.Suggestions) {
	c.repliesRev++
	drafts := 0
	for _, r := range s.Suggestions {
		if isDraft(r) {
			drafts++
		}
	}
	drafts = min(drafts, maxReplies)
	list := make([]event.Suggestion, 0, min(len(s.Suggestions), maxReplies))
	var tail []event.Suggestion
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
	s.Reason = termtext.Sanitize(s.Reason)
	s.Degraded = termtext.Sanitize(s.Degraded)
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
func isDraft(s event.Suggestion) bool { return s.Source == sourceLLM }

// sanitizeSuggestion returns a reply with every text field made safe to
// draw. Model output is as untrusted as the customer's words.
func sanitizeSuggestion(r event.Suggestion) event.Suggestion {
	out := event.Suggestion{
		ID:         r.ID,
		Text:       termtext.Sanitize(r.Text),
		Confidence: r.Confidence,
		Source:     termtext.Sanitize(r.Source),
		ArticleID:  termtext.Sanitize(r.ArticleID),
		Title:      termtext.Sanitize(r.Title),
		Partial:    r.Partial,
	}
	for _, a := range r.ArticleIDs {
		if a = termtext.Sanitize(a); a != "" {
			out.ArticleIDs = append(out.ArticleIDs, a)
		}
	}
	for _, st := range r.Steps[:min(len(r.Steps), maxReplySteps)] {
		if st = termtext.Sanitize(st); st != "" {
			out.Steps = append(out.Steps, st)
		}
	}
	return out
}

// maxReplySteps bounds the steps shown under a reply: an answer promises a
// few actions at most.
const maxReplySteps = 4

// feedback records what the agent did with a suggestion.
func (c *callState) feedback(fb event.Feedback) {
	c.repliesRev++
	mk := c.marks[fb.SuggestionID]
	if fb.Verdict == event.VerdictUsed {
		mk.used = true
	} else {
		mk.verdict = fb.Verdict
	}
	c.marks[fb.SuggestionID] = mk
}

// recommendations replaces the list of next actions, and the checklist
// when the event carries one.
func (c *callState) recommendations(r event.Recommendations) {
	c.recsRev++
	if r.Flow != nil {
		c.flow = sanitizeFlow(r.Flow)
	}
	c.recs = make([]event.Recommendation, len(r.Recommendations))
	for i, x := range r.Recommendations {
		c.recs[i] = event.Recommendation{
			Kind:      termtext.Sanitize(x.Kind),
			Title:     termtext.Sanitize(x.Title),
			Reason:    termtext.Sanitize(x.Reason),
			Score:     x.Score,
			ArticleID: termtext.Sanitize(x.ArticleID),
		}
	}
}

// sanitizeFlow returns a copy of a checklist with every text field made
// safe to draw and at most maxFlowSteps steps. Ids are sanitised the same
// way as Next, so Next still names its step.
func sanitizeFlow(f *event.FlowState) *event.FlowState {
	out := &event.FlowState{
		ID:         termtext.Sanitize(f.ID),
		Title:      termtext.Sanitize(f.Title),
		Confidence: f.Confidence,
		Next:       termtext.Sanitize(f.Next),
		Steps:      make([]event.FlowStep, 0, min(len(f.Steps), maxFlowSteps)),
	}
	for _, st := range f.Steps[:min(len(f.Steps), maxFlowSteps)] {
		out.Steps = append(out.Steps, event.FlowStep{
			ID: termtext.Sanitize(st.ID), Title: termtext.Sanitize(st.Title), Done: st.Done,
			By: termtext.Sanitize(st.By), UtteranceID: termtext.Sanitize(st.UtteranceID),
		})
	}
	// The call's earlier flows, the latest few, without their own earlier
	// ones (a checklist nests one level).
	for _, e := range f.Earlier[max(len(f.Earlier)-maxEarlierFlows, 0):] {
		e.Earlier = nil
		out.Earlier = append(out.Earlier, *sanitizeFlow(&e))
	}
	return out
}

// maxEarlierFlows bounds the earlier flows a checklist keeps.
const maxEarlierFlows = 4

// alert adds an alert, newest first, dated by the utterance it cites when
// that utterance is in the transcript.
func (c *callState) alert(a event.Alert) {
	c.recsRev++
	i := c.findLine(a.UtteranceID) // lines keep the engine's ids as they are
	a = event.Alert{
		Type:        termtext.Sanitize(a.Type),
		Severity:    termtext.Sanitize(a.Severity),
		Reason:      termtext.Sanitize(a.Reason),
		UtteranceID: termtext.Sanitize(a.UtteranceID),
		Rule:        termtext.Sanitize(a.Rule),
	}
	e := alertEntry{Alert: a, at: c.lastEnd, count: 1}
	if i >= 0 {
		e.at, e.cited = c.lines[i].start, true
		e.said, e.speaker = c.lines[i].text, string(c.lines[i].speaker)
	}
	if j := slices.IndexFunc(c.alerts, func(o alertEntry) bool { return sameAlert(o.Alert, a) }); j >= 0 {
		// The same warning again, or from a second source: one entry with
		// a count, at the top, at the higher severity, every reason kept.
		old := c.alerts[j]
		c.alerts = slices.Delete(c.alerts, j, j+1)
		e.count = old.count + 1
		e.reasons = append(slices.Clone(old.reasons), old.Reason)
		if severityRank(old.Severity) > severityRank(a.Severity) {
			e.Severity = old.Severity
		}
	}
	c.alerts = slices.Insert(c.alerts, 0, e)
	if len(c.alerts) > maxAlerts {
		c.alerts = c.alerts[:maxAlerts]
	}
}

// coaching keeps a supervisor's latest coaching note.
func (c *callState) coaching(n event.Coaching) {
	c.recsRev++
	c.coach = &event.Coaching{From: termtext.Sanitize(n.From), Text: termtext.Sanitize(n.Text)}
}

// end records the end of the call, and its wrap-up summary if it has one.
func (c *callState) end(e event.CallEnded) {
	c.recsRev++
	e.Reason = termtext.Sanitize(e.Reason)
	e.Summary = termtext.Sanitize(e.Summary)
	e.Disposition = termtext.Sanitize(e.Disposition)
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
	kept := slices.DeleteFunc(slices.Clone(list), func(s event.Suggestion) bool { return isDraft(s) && s.Partial })
	if len(kept) != len(list) {
		c.replies.Suggestions = kept
		c.repliesRev++
	}
}

// setSummary makes s the call's latest summary. atEnd says it is the
// wrap-up that came with call.ended.
func (c *callState) setSummary(s event.Summary, atEnd bool) {
	c.summaryRev++
	c.recsRev++ // the recommendations pane lists it
	out := event.Summary{
		Situation:    termtext.Sanitize(s.Situation),
		Action:       termtext.Sanitize(s.Action),
		Resolution:   termtext.Sanitize(s.Resolution),
		Satisfaction: termtext.Sanitize(s.Satisfaction),
		Reason:       termtext.Sanitize(s.Reason),
		Disposition:  termtext.Sanitize(s.Disposition),
		Source:       termtext.Sanitize(s.Source),
	}
	for _, e := range s.Entities {
		if e = termtext.Sanitize(e); e != "" {
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
