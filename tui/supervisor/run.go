package supervisor

import (
	"context"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
)

// Run shows the supervisor view until the user quits or ctx is done. Like
// agent.Run, it builds the program and starts its one pump goroutine,
// which forwards the events of every call, and opts.Messages beside them,
// with p.Send (see common.Run). Partial transcripts are dropped before
// they reach the program, except those of the call the supervisor has
// drilled into: at hundreds of calls they would be most of the traffic,
// and the table does not show them. Run returns nil on a normal quit and
// when ctx is done.
func Run(parent context.Context, events <-chan event.Event, opts Options) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	s := New(opts)
	s.ctx = ctx // history fetches end with the program
	s.gate = &partialGate{}
	src := common.Source{Events: events, Messages: opts.Messages, AdmitPartial: s.gate.admits}
	term := common.Terminal{Input: opts.Input, Output: opts.Output, Width: opts.Width, Height: opts.Height}
	return common.Run(ctx, s, src, term, "supervisor view")
}
