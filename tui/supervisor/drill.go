package supervisor

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/agent"
	"github.com/larkspur-labs/assist/tui/common"
)

// historyMsg carries a drilled-into call's history. gen identifies the
// drill-down that asked, so a late answer for an earlier one is dropped.
type historyMsg struct {
	gen    int
	callID string
	events []event.Event
	err    error
}

// drillDown is a read-only agent view of one call inside the supervisor.
// The supervisor holds the agent view as a plain struct and drives it
// through its methods: it is no tea.Model of its own.
type drillDown struct {
	callID  string
	gen     int
	view    agent.Screen
	loading bool          // the history has been asked for and not arrived
	buffer  []event.Event // live events held while the history loads
	note    string        // history status, sanitised
	noteErr bool
}

// partialGate lets Run drop partial transcripts before they
// reach the program, except those of the drilled-into call. Update sets it
// (an atomic store, which never blocks); the pump goroutine reads it.
type partialGate struct{ callID atomic.Pointer[string] }

// set admits the partials of callID ("" admits none).
func (g *partialGate) set(callID string) {
	if g != nil {
		g.callID.Store(&callID)
	}
}

// admits reports whether a partial of callID should reach the program.
func (g *partialGate) admits(callID string) bool {
	if g == nil {
		return true
	}
	p := g.callID.Load()
	return p != nil && *p == callID
}

// openDrill opens the selected call as a read-only agent view: seeded
// with what the row knows, then its history (fetched by the returned
// command), then its live events.
func (s *Model) openDrill() tea.Cmd {
	r := s.selectedRow()
	if r == nil {
		return nil
	}
	s.drillGen++
	view := agent.NewScreen(agent.Options{ReadOnly: true, ModelStatus: s.opts.ModelStatus, NoColor: s.th.Plain, Now: s.now, Controller: s.opts.Controller})
	if !s.th.Plain {
		view.SetStyles(*s.th)
	}
	view.SetSize(s.width, max(s.height-1, 0))
	if s.conn == connDown {
		view.SetConnection(common.ConnectionMsg{Since: s.connLost})
	}
	d := &drillDown{callID: r.call.CallID, gen: s.drillGen, view: view}
	// A call.started from the row (seq 0, older than any real event) so the
	// view names the call at once; the history's own start follows. The
	// call started by the service's clock, so the elapsed time agrees with
	// the table's.
	d.view.Apply(event.Event{
		Kind: event.KindCallStarted, CallID: r.call.CallID, TS: r.call.Started,
		Payload: event.CallStarted{
			Queue: r.call.Queue, Agent: r.call.Agent, Customer: r.call.Customer,
			Channel: r.call.Channel, Title: r.call.Title,
		},
	})
	d.view.SetStarted(d.callID, r.call.Started)
	var cmd tea.Cmd
	if s.opts.History != nil {
		d.loading = true
		d.note = "loading history…"
		cmd = historyCmd(s.ctx, s.opts.History, d.gen, d.callID)
	} else {
		d.note = "live events only"
	}
	s.drill = d
	s.gate.set(d.callID)
	s.syncKeys()
	s.frameOK = false
	return cmd
}

// closeDrill goes back to the table.
func (s *Model) closeDrill() {
	s.drill = nil
	s.coaching = false
	s.coachInput.Blur()
	s.gate.set("")
	s.rebuild()
}

// feedDrill hands a live event of the drilled-into call to its agent
// view, or holds it while the history loads (the agent view drops events
// older than the newest it has applied, so history must go first).
func (s *Model) feedDrill(ev event.Event) tea.Cmd {
	d := s.drill
	if d.loading {
		if len(d.buffer) < maxDrillBuffer {
			d.buffer = append(d.buffer, ev)
		}
		return nil
	}
	s.frameOK = false
	return d.view.Apply(ev)
}

// applyHistory feeds a drilled-into call's history, then the live events
// held meanwhile, to its agent view, in sequence order and once each.
func (s *Model) applyHistory(msg historyMsg) tea.Cmd {
	d := s.drill
	if d == nil || d.gen != msg.gen || !d.loading {
		return nil
	}
	d.loading = false
	var evs []event.Event
	if msg.err != nil {
		d.note, d.noteErr = "history unavailable: "+termtext.Sanitize(msg.err.Error()), true
	} else {
		for _, ev := range msg.events {
			if ev.CallID == d.callID {
				ev.Payload = event.Deref(ev.Payload)
				evs = append(evs, ev)
			}
		}
		d.note = "history: " + strconv.Itoa(len(evs)) + " events"
	}
	evs = append(evs, d.buffer...)
	d.buffer = nil
	slices.SortStableFunc(evs, func(a, b event.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	evs = slices.CompactFunc(evs, func(a, b event.Event) bool { return a.Seq == b.Seq })
	var started time.Time
	if r := s.rows[d.callID]; r != nil {
		started = r.call.Started
	}
	s.frameOK = false
	cmd := d.view.Apply(evs...)
	d.view.SetStarted(d.callID, started)
	return cmd
}

// historyCmd fetches a call's history. It copies what it needs and never
// touches the model.
func historyCmd(ctx context.Context, fetch func(context.Context, string) ([]event.Event, error), gen int, callID string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, historyTimeout)
		defer cancel()
		evs, err := fetch(ctx, callID)
		return historyMsg{gen: gen, callID: callID, events: evs, err: err}
	}
}
