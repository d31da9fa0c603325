package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
)

// Run shows the agent view until the user quits or ctx is done. It builds
// the program, starts one goroutine (the pump) that forwards events from
// the channel with p.Send, coalescing partial transcripts, then runs the
// program. When the channel closes the view stays open, showing that the
// replay has finished, until the user quits. Run returns nil on a normal
// quit and when ctx is done.
func Run(parent context.Context, events <-chan event.Event, opts Options) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	p := tea.NewProgram(New(opts), programOptions(ctx, opts.Input, opts.Output, opts.Width, opts.Height)...)

	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(flushInterval)
		defer t.Stop()
		pump(ctx, events, p.Send, t.C)
	}()

	_, err := p.Run()
	cancel()
	<-done
	if err != nil && !(errors.Is(err, tea.ErrProgramKilled) && parent.Err() != nil) {
		return fmt.Errorf("run agent view: %w", err)
	}
	return nil
}

// programOptions are a view's program options: its context, and the
// terminal a test or a recording stands in for.
func programOptions(ctx context.Context, in io.Reader, out io.Writer, width, height int) []tea.ProgramOption {
	popts := []tea.ProgramOption{tea.WithContext(ctx)}
	if in != nil {
		popts = append(popts, tea.WithInput(in))
	}
	if out != nil {
		popts = append(popts, tea.WithOutput(out))
	}
	if width > 0 && height > 0 {
		popts = append(popts, tea.WithWindowSize(width, height))
	}
	return popts
}
