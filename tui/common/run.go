// Package common holds what the agent and supervisor programs share: the
// pump that forwards engine events to a program (coalescing partial
// transcripts, keeping each call's order, ending with StreamEndedMsg), the
// Run that starts it, the box every pane is framed in, and the format,
// header-bar and sparkline helpers both draw with.
//
// Each program has exactly one goroutine that sends it messages: the pump
// Run starts. Nothing else calls Program.Send, so a program's messages
// arrive in one order, and Update never races with a sender.
package common

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Terminal is where a program draws. The zero value is the real terminal.
type Terminal struct {
	// Input and Output replace the terminal when set.
	Input  io.Reader
	Output io.Writer
	// Width and Height are the screen size to assume when Output is not a
	// terminal (tests, recordings).
	Width, Height int
}

// Run builds the program of model on term, starts the one pump goroutine
// that forwards src to it with Program.Send, and runs the program until
// the user quits or ctx is done. name says which program failed in the
// error. Run returns nil on a normal quit and when ctx is done.
func Run(parent context.Context, model tea.Model, src Source, term Terminal, name string) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	p := tea.NewProgram(model, programOptions(ctx, term)...)

	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(flushInterval)
		defer t.Stop()
		Pump(ctx, src, p.Send, t.C)
	}()

	_, err := p.Run()
	cancel()
	<-done
	if err != nil && !(errors.Is(err, tea.ErrProgramKilled) && parent.Err() != nil) {
		return fmt.Errorf("run %s: %w", name, err)
	}
	return nil
}

// programOptions are a program's options: its context, and the terminal a
// test or a recording stands in for.
func programOptions(ctx context.Context, term Terminal) []tea.ProgramOption {
	popts := []tea.ProgramOption{tea.WithContext(ctx)}
	if term.Input != nil {
		popts = append(popts, tea.WithInput(term.Input))
	}
	if term.Output != nil {
		popts = append(popts, tea.WithOutput(term.Output))
	}
	if term.Width > 0 && term.Height > 0 {
		popts = append(popts, tea.WithWindowSize(term.Width, term.Height))
	}
	return popts
}
