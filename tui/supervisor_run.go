package tui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
)

// RunSupervisor shows the supervisor view until the user quits or ctx is
// done. Like Run, it builds the program and starts one pump goroutine that
// forwards the events of every call with p.Send. Partial transcripts are
// dropped before they reach the program, except those of the call the
// supervisor has drilled into: at hundreds of calls they would be most of
// the traffic, and the table does not show them. opts.Messages, when set,
// is forwarded by a second goroutine (its messages carry no sequence the
// events' order would need). RunSupervisor returns nil on a normal quit
// and when ctx is done.
func RunSupervisor(parent context.Context, events <-chan event.Event, opts SupervisorOptions) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	sup := NewSupervisor(opts)
	sup.ctx = ctx
	gate := &partialGate{}
	sup.gate = gate
	p := tea.NewProgram(sup, programOptions(ctx, opts.Input, opts.Output, opts.Width, opts.Height)...)

	send := func(msg tea.Msg) {
		if em, ok := msg.(EventMsg); ok && em.Kind == event.KindPartial && !gate.admits(em.CallID) {
			return
		}
		p.Send(msg)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(flushInterval)
		defer t.Stop()
		pump(ctx, events, send, t.C)
	})
	if opts.Messages != nil {
		wg.Go(func() { forward(ctx, opts.Messages, p.Send) })
	}

	_, err := p.Run()
	cancel()
	wg.Wait()
	if err != nil && !(errors.Is(err, tea.ErrProgramKilled) && parent.Err() != nil) {
		return fmt.Errorf("run supervisor view: %w", err)
	}
	return nil
}

// forward sends the messages of in until it closes or ctx is done.
func forward(ctx context.Context, in <-chan tea.Msg, send func(tea.Msg)) {
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-in:
			if !ok {
				return
			}
			send(msg)
		}
	}
}
