package common

import (
	"cmp"
	"context"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
)

// flushInterval is how often coalesced partial transcripts are sent (about
// 15 Hz).
const flushInterval = time.Second / 15

// Source is what the pump forwards to a program.
type Source struct {
	// Events are the engine's events. When the channel closes the program
	// gets StreamEndedMsg.
	Events <-chan event.Event
	// Messages, when set, carries other messages for the program, such as
	// the state of the bus connection. They carry no sequence number and
	// go as they come, interleaved with the events.
	Messages <-chan tea.Msg
	// AdmitPartial, when set, says whether the partial transcripts of a
	// call should reach the program; the others are dropped. Nil admits
	// every call's.
	AdmitPartial func(callID string) bool
}

// partialSlot is what partials are coalesced by: the latest partial of
// each speaker of each call wins.
type partialSlot struct {
	callID  string
	speaker event.Speaker
}

// Pump forwards src to send until both of its channels are done (closed,
// or nil) or ctx is done. It is the one place a program's messages come
// from: Run starts it in the program's one pump goroutine.
//
// Partial utterances are held, latest per call and speaker, and sent on
// each tick. Every other event is sent at once, in order; the held partials
// of its call go first (so sequence order is kept and none is dropped as
// stale), except that a final drops the held partial with its utterance id,
// which it replaces. When the events close, the held partials are sent and
// then StreamEndedMsg; messages keep going until they close too.
func Pump(ctx context.Context, src Source, send func(tea.Msg), tick <-chan time.Time) {
	deliver := func(ev event.Event) {
		if ev.Kind == event.KindPartial && src.AdmitPartial != nil && !src.AdmitPartial(ev.CallID) {
			return
		}
		send(EventMsg{ev})
	}
	held := map[partialSlot]event.Event{}
	flush := func(all bool, callID string) {
		var out []event.Event
		for k, ev := range held {
			if all || k.callID == callID {
				out = append(out, ev)
				delete(held, k)
			}
		}
		slices.SortFunc(out, func(a, b event.Event) int {
			return cmp.Or(cmp.Compare(a.CallID, b.CallID), cmp.Compare(a.Seq, b.Seq))
		})
		for _, ev := range out {
			deliver(ev)
		}
	}
	events, msgs := src.Events, src.Messages
	for events != nil || msgs != nil {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			flush(true, "")
		case msg, ok := <-msgs:
			if !ok {
				msgs = nil
				continue
			}
			send(msg)
		case ev, ok := <-events:
			if !ok {
				flush(true, "")
				send(StreamEndedMsg{})
				events, tick = nil, nil
				continue
			}
			u, isUtterance := event.Deref(ev.Payload).(event.Utterance)
			switch {
			case ev.Kind == event.KindPartial && isUtterance:
				held[partialSlot{ev.CallID, u.Speaker}] = ev
				continue
			case ev.Kind == event.KindFinal && isUtterance:
				for k, p := range held {
					if hu, _ := event.Deref(p.Payload).(event.Utterance); k.callID == ev.CallID && hu.UtteranceID == u.UtteranceID {
						delete(held, k)
					}
				}
			}
			flush(false, ev.CallID)
			deliver(ev)
		}
	}
}
