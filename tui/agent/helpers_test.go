package agent

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
)

// fakeController records what the view asked of it: a live call's
// controller, with no replay controls.
type fakeController struct {
	mu       sync.Mutex
	feedback []event.Feedback
	callIDs  []string
	fail     bool     // Feedback fails
	requests []string // calls asked for a summary
	err      error    // RequestSummary's answer
}

var _ Controller = (*fakeController)(nil)

func newFakeController() *fakeController { return &fakeController{} }

func (c *fakeController) Feedback(callID string, fb event.Feedback) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.callIDs = append(c.callIDs, callID)
	c.feedback = append(c.feedback, fb)
	if c.fail {
		return errors.New("bus unavailable")
	}
	return nil
}

func (c *fakeController) RequestSummary(callID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests = append(c.requests, callID)
	return c.err
}

// fakeReplay is a replay's controller: a fakeController with replay
// controls, every call third of a playlist of twelve.
type fakeReplay struct {
	*fakeController
	mu        sync.Mutex
	paused    bool
	speed     float64
	nextCalls int
}

var (
	_ Controller     = (*fakeReplay)(nil)
	_ ReplayControls = (*fakeReplay)(nil)
)

func newFakeReplay() *fakeReplay { return &fakeReplay{fakeController: newFakeController(), speed: 1} }

func (c *fakeReplay) TogglePause() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paused = !c.paused
	return c.paused
}

func (c *fakeReplay) SetSpeed(x float64) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.speed = x
	return x
}

func (c *fakeReplay) Speed() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.speed
}

func (c *fakeReplay) NextCall() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextCalls++
}

func (c *fakeReplay) CallPosition(callID string) (int, int, bool) {
	return 3, 12, callID != ""
}

// newTestModel returns a plain-themed model at size w×h with a fixed clock.
func newTestModel(t *testing.T, opts Options, w, h int) Model {
	t.Helper()
	opts.NoColor = true
	opts.Now = func() time.Time { return tuitest.FixedNow }
	m := New(opts)
	return update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
}

// update applies one message and drops the command.
func update(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	m, _ = updateCmd(t, m, msg)
	return m
}

// updateCmd applies one message and returns the command.
func updateCmd(t *testing.T, m Model, msg tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	next, cmd := m.Update(msg)
	nm, ok := next.(Model)
	if !ok {
		t.Fatalf("Update returned %T, want Model", next)
	}
	return nm, cmd
}

// feedMsgs applies messages produced by commands back to the model.
func feedMsgs(t *testing.T, m Model, msgs []tea.Msg) Model {
	t.Helper()
	for _, msg := range msgs {
		m = update(t, m, msg)
	}
	return m
}

// viewLines returns the ANSI-stripped lines of the model's view.
func viewLines(m Model) []string {
	return strings.Split(stripView(m), "\n")
}
