package agent

import (
	"context"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
)

// Run shows the agent view until the user quits or ctx is done. It builds
// the program and starts its one pump goroutine, which forwards the events
// with p.Send, coalescing partial transcripts (see common.Run). When the
// channel closes the view stays open, showing that the replay has
// finished, until the user quits. Run returns nil on a normal quit and
// when ctx is done.
func Run(ctx context.Context, events <-chan event.Event, opts Options) error {
	term := common.Terminal{Input: opts.Input, Output: opts.Output, Width: opts.Width, Height: opts.Height}
	return common.Run(ctx, New(opts), common.Source{Events: events, Messages: opts.Messages}, term, "agent view")
}
