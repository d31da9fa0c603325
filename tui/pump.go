package tui

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

// partialSlot is what partials are coalesced by: the latest partial of
// each speaker of each call wins.
type partialSlot struct {
	callID  string
	speaker event.Speaker
}

// pump forwards events to send until events closes or ctx is done.
//
// Partial utterances are held, latest per call and speaker, and sent on
// each tick. Every other event is sent at once, in order; the held partials
// of its call go first (so sequence order is kept and none is dropped as
// stale), except that a final drops the held partial with its utterance id,
// which it replaces. When events closes, the held partials are sent and
// then StreamEndedMsg.
func pump(ctx context.Context, events <-chan event.Event, send func(tea.Msg), tick <-chan time.Time) {
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
			send(EventMsg{ev})
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			flush(true, "")
		case ev, ok := <-events:
			if !ok {
				flush(true, "")
				send(StreamEndedMsg{})
				return
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
			send(EventMsg{ev})
		}
	}
}
