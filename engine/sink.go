package engine

import (
	"context"
	"github.com/larkspur-labs/assist/engine/event"
)

// CallSink takes one call's transcript as it is produced. A Session is
// one; so is a call handled by a worker elsewhere on the bus, which is why
// ingest (chat, telephony media streams, speech recognition) writes to a
// CallSink and not to a Session.
type CallSink interface {
	// ID returns the call id.
	ID() string
	// Partial passes on a partial hypothesis of an utterance still being
	// spoken. Partials may be dropped under load; finals never are.
	Partial(u event.Utterance) error
	// Final passes on a final utterance. When it returns nil, the
	// utterance and what the models made of it have been published.
	Final(ctx context.Context, u event.Utterance) error
	// Resumed marks where the call's media stream came back after its
	// connection was lost: a call.resumed event in the call's sequence.
	Resumed(r event.CallResumed) error
	// End ends the call; ending an ended call does nothing.
	End(reason string) error
}

// ID returns the call id.
func (s *Session) ID() string { return s.id }

var _ CallSink = (*Session)(nil)
