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
		cs.start(p, m.clock)
		m.current = cs.id
		if m.replay != nil {
			cmd = positionCmd(m.replay, cs.id)
		}
	case event.Utterance:
		cs.utterance(p, ev.Kind == event.KindFinal)
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

// refreshHeader recomputes what the header shows, elapsed time included.
func (m *Screen) refreshHeader() {
	d := headerData{
		modelStatus: m.modelStatus,
		replay:      m.replay != nil,
		paused:      m.paused,
		speed:       m.speed,
		finished:    m.finished,
		offline:     m.offline,
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

// elapsed is the call's running time: the end of its latest final
// utterance once someone has spoken, otherwise the wall clock since
// call.started, stopped when the call ends.
func (m *Screen) elapsed(cs *callState) time.Duration {
	switch {
	case cs.spoke:
		return time.Duration(cs.lastEnd * float64(time.Second))
	case cs.ended != nil:
		return time.Duration(cs.ended.Duration * float64(time.Second))
	case cs.started:
		return m.clock.Sub(cs.startedAt)
	}
	return 0
}
