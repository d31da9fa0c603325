package event

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// KindWrapup is the agent's after-call work on a call: the disposition,
// summary, checklist and note the agent confirmed in the wrap-up form (or
// that the wrap-up timer submitted). It comes after call.ended; exports
// and reports prefer it to the engine's wrap-up in call.ended.
const KindWrapup Kind = "wrapup"

// Wrapup is the agent's confirmed wrap-up of a call.
type Wrapup struct {
	// Agent is the agent who sent it, as the service knows the sender.
	Agent       string `json:"agent,omitempty"`
	Disposition string `json:"disposition"`
	Summary     string `json:"summary"`
	// Checklist is the flow's steps as the agent left them.
	Checklist []WrapupStep `json:"checklist,omitempty"`
	Note      string       `json:"note,omitempty"`
	// TimedOut says the wrap-up timer ran out and submitted the form as
	// it stood: the agent did not confirm it.
	TimedOut bool `json:"timed_out,omitempty"`
}

// WrapupStep is one checklist step in a wrap-up.
type WrapupStep struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Status is StepDone, StepNotNeeded or StepOpen.
	Status string `json:"status"`
}

// Wrap-up step statuses: the agent confirms a step done, marks it not
// needed, or leaves it open.
const (
	StepDone      = "done"
	StepNotNeeded = "not_needed"
	StepOpen      = "open"
)

// Bounds on a wrap-up, in characters (steps in number): what the form
// takes and the service accepts.
const (
	MaxDispositionRunes   = 80
	MaxWrapupSummaryRunes = 2000
	MaxWrapupNoteRunes    = 1000
	MaxWrapupSteps        = 32
	maxStepRunes          = 200
)

// EventKind implements Payload.
func (Wrapup) EventKind() Kind { return KindWrapup }

// Check refuses a wrap-up the service should not store: no disposition,
// text over its bound, too many steps or a step of unknown status.
func (w Wrapup) Check() error {
	if strings.TrimSpace(w.Disposition) == "" {
		return fmt.Errorf("wrap-up without a disposition")
	}
	for _, f := range []struct {
		name, text string
		max        int
	}{
		{"disposition", w.Disposition, MaxDispositionRunes},
		{"summary", w.Summary, MaxWrapupSummaryRunes},
		{"note", w.Note, MaxWrapupNoteRunes},
	} {
		if n := utf8.RuneCountInString(f.text); n > f.max {
			return fmt.Errorf("wrap-up %s of %d characters, at most %d", f.name, n, f.max)
		}
	}
	if len(w.Checklist) > MaxWrapupSteps {
		return fmt.Errorf("wrap-up of %d checklist steps, at most %d", len(w.Checklist), MaxWrapupSteps)
	}
	for _, s := range w.Checklist {
		switch s.Status {
		case StepDone, StepNotNeeded, StepOpen:
		default:
			return fmt.Errorf("wrap-up step %q: unknown status %q", s.ID, s.Status)
		}
		if utf8.RuneCountInString(s.ID)+utf8.RuneCountInString(s.Title) > maxStepRunes {
			return fmt.Errorf("wrap-up step %q: longer than %d characters", s.ID, maxStepRunes)
		}
	}
	return nil
}
