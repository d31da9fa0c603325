package agent

import (
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
)

// applyEvent folds one event into its call's state; Apply refreshes the
// panes after a batch. Stale events (seq not newer than the last applied
// for the call) are dropped. A call.started for a new call makes it the
// displayed call.
func (m *Screen) applyEvent(ev event.Event) tea.Cmd {
	if ev.CallID == "" {
		return nil
	}
	cs := m.call(ev.CallID)
	if !cs.accept(ev.Seq) {
		return nil
	}
	if m.current == "" {
		m.current = cs.id
	}
	var cmd tea.Cmd
	switch p := event.Deref(ev.Payload).(type) {
	case event.CallStarted:
		cs.start(p, m.eventTime(ev))
		m.current = cs.id
		if m.replay != nil {
			cmd = positionCmd(m.replay, cs.id)
		}
	case event.Utterance:
		cs.utterance(p, ev.Kind == event.KindFinal)
		cs.played = max(cs.played, cs.lastEnd) // a replay's clock goes on from the latest final
	case event.Sentiment:
		cs.sentiment(p)
	case event.Suggestions:
		cs.suggestions(p)
	case event.Recommendations:
		cs.recommendations(p)
	case event.Alert:
		cs.alert(p)
	case event.CallEnded:
		cs.end(p)
		cs.endedAt = m.eventTime(ev)
	case event.Feedback:
		cs.feedback(p)
	case event.Summary:
		cs.setSummary(p, false)
	case event.Translation:
		cs.addTranslation(p)
	case event.Coaching:
		cs.coaching(p)
	case event.CallResumed:
		cs.resumed(p)
	}
	return cmd
}

// call returns the state of a call, creating it (and forgetting the oldest
// call other than the displayed one when there are too many).
func (m *Screen) call(id string) *callState {
	if cs, ok := m.calls[id]; ok {
		return cs
	}
	cs := newCallState(id)
	m.calls[id] = cs
	m.order = append(m.order, id)
	if len(m.order) > maxCalls {
		for i, old := range m.order {
			if old != m.current && old != id {
				delete(m.calls, old)
				m.order = slices.Delete(m.order, i, i+1)
				break
			}
		}
	}
	return cs
}

// refresh feeds the panes from the displayed call, skipping sections whose
// revision has not changed.
func (m *Screen) refresh() {
	cs := m.calls[m.current]
	if cs == nil {
		cs = newCallState("")
	}
	if m.shown.callID != cs.id {
		m.shown = shownRevs{callID: cs.id}
		m.summaryOpen, m.alertsOpen = false, false // they were another call's
	}
	m.syncComposer(cs)
	m.transcript.SetLines(cs.id, cs.started, cs.lines, cs.linesRev)
	if !m.shown.repliesOK || m.shown.replies != cs.repliesRev {
		m.suggestions.SetSuggestions(cs.id, cs.replies, cs.hasReplies, cs.marks)
		m.shown.replies, m.shown.repliesOK = cs.repliesRev, true
	}
	if !m.shown.gaugesOK || m.shown.gauges != cs.gaugesRev {
		m.gauges.SetSentiment(cs.customer, cs.hasCustomer, cs.agent, cs.hasAgent, cs.series)
		m.shown.gauges, m.shown.gaugesOK = cs.gaugesRev, true
	}
	if !m.shown.recsOK || m.shown.recs != cs.recsRev {
		m.recs.SetData(cs.id, cs.recs, cs.alerts, cs.ended, cs.flow, cs.summary, cs.coach, m.baseKeys.Summary.Help().Key)
		m.alerts.SetData(cs.id, cs.alerts)
		m.shown.recs, m.shown.recsOK = cs.recsRev, true
	}
	if !m.shown.summaryOK || m.shown.summary != cs.summaryRev {
		m.summary.SetData(cs.id, cs.summary, cs.summaryAtEnd, cs.summaryPending)
		m.shown.summary, m.shown.summaryOK = cs.summaryRev, true
	}
	m.refreshHeader()
}

// syncComposer keeps the reply composer with the displayed call: emptied
// for another call, shown while the call is a live chat the agent may
// answer, closed when it ends; and the layout in step with it.
func (m *Screen) syncComposer(cs *callState) {
	if m.composer.callID != cs.id {
		m.stopComposing()
		m.composer.Reset(cs.id)
	}
	show := m.replier != nil && cs.started && cs.ended == nil && cs.info.Channel == event.ChannelChat
	if !show {
		m.stopComposing()
	}
	if show != m.composerShown {
		m.composerShown = show
		if show && m.opts.TypeLines != "" {
			// Typing lines is the point: the composer has the keys at
			// once. Its cursor's blink starts with the first key.
			m.composing = true
			m.composer.Focus()
		}
		m.relayout() // refreshes again, with the composer in step
	}
}

// refreshHeader recomputes what the header shows, elapsed time included.
func (m *Screen) refreshHeader() {
	d := headerData{
		modelStatus: m.modelStatus,
		replay:      m.replay != nil,
		paused:      m.paused,
		speed:       m.speed,
		finished:    m.finished,
		offline:     m.offline,
		agentState:  m.agentState,
	}
	if m.agentState != "" {
		d.stateFor = max(m.clock.Sub(m.stateSince), 0)
	}
	if m.offline {
		d.offlineFor = m.clock.Sub(m.lostAt)
	}
	if cs := m.calls[m.current]; cs != nil {
		d.callID = cs.name
		d.info, d.started, d.ended = cs.info, cs.started, cs.ended != nil
		d.elapsed = m.elapsed(cs)
		d.index, d.total = cs.index, cs.total
		if cs.hasReplies && cs.replies.LatencyMS > 0 {
			d.latencyMS, d.hasLatency = cs.replies.LatencyMS, true
		}
		if cs.hasReplies {
			d.degraded = cs.replies.Degraded
		}
	}
	m.header.SetData(d)
}

// The header's clock. A live call's clock is the wall clock: it runs
// from the call's start, whether or not anyone speaks, and stops when the
// call ends; it is never behind the end of the latest final utterance,
// since the speech offsets are the call's own clock. A replay has its own
// clock, the recorded offsets scaled by the replay speed: between
// utterances it runs at that speed from the latest final, stands still
// while the replay is paused, and never goes back (a final that lands a
// little before the clock leaves it where it is).

// eventTime is when an event happened, for the clock of a live call: its
// time stamp, so that a view joining a call late (from the service's
// history) times the call from its real start; the view's clock when the
// stamp is missing or ahead of the view's clock (another machine's clock),
// and always in a replay, whose stamps are wall times of the replay.
func (m *Screen) eventTime(ev event.Event) time.Time {
	if m.replay != nil || ev.TS.IsZero() || ev.TS.After(m.clock) {
		return m.clock
	}
	return ev.TS
}

// advance moves the view's clock to now and, in a replay that is playing,
// every started, unended call's played time with it, at the replay speed.
// Called before anything that changes the clock, the speed or the pause.
func (m *Screen) advance(now time.Time) {
	m.clock = now
	if m.replay == nil {
		return
	}
	for _, cs := range m.calls {
		if !cs.started || cs.ended != nil {
			continue
		}
		if !m.paused && now.After(cs.playedAt) {
			cs.played += now.Sub(cs.playedAt).Seconds() * m.speed
		}
		cs.playedAt = now
	}
}

// elapsed is the call's running time on its clock (see above).
func (m *Screen) elapsed(cs *callState) time.Duration {
	if !cs.started && cs.ended == nil {
		return 0
	}
	secs := cs.lastEnd
	if cs.ended != nil {
		secs = max(secs, cs.ended.Duration)
	}
	switch {
	case m.replay != nil:
		secs = max(secs, cs.played)
	case cs.started:
		until := m.clock
		if cs.ended != nil {
			until = cs.endedAt
		}
		secs = max(secs, until.Sub(cs.startedAt).Seconds())
	}
	return time.Duration(secs * float64(time.Second))
}
