// Package agent is the agent view: a Bubble Tea program that shows a live
// call as its events arrive from the engine — transcript, ranked reply
// suggestions, the customer's mood, and next best actions with alerts.
//
// Screen is the view itself: the terminal size, the layout, the focus, the
// per-call state and the panes, which are plain structs it sizes and
// feeds. It is driven through a few methods (Apply events, HandleKey,
// HandleResult, SetSize, Render…), so a program can hold one as a plain
// struct: Model, the agent program's root, does; so does the supervisor's
// drill-down. Events reach a program through one pump goroutine (see
// Run), which coalesces partial transcripts; Apply drops any event whose
// sequence number is not newer than the last one applied for its call.
// Everything the view asks of the engine goes through a Controller, from
// tea.Cmds, never from Update.
package agent

import (
	"io"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

// Options configure the agent view.
type Options struct {
	ModelStatus string // shown in the header
	// Controller is what the view asks of the engine; nil in tests and
	// wherever nothing may be asked. When it also has ReplayControls, the
	// replay keys are enabled.
	Controller Controller
	NoColor    bool // plain theme (also when NO_COLOR is set in the environment)
	// Messages, when set, carries other messages for the view, such as
	// the state of the connection to the service (common.ConnectionMsg,
	// from common.WatchConnection). Run's one pump forwards them as they
	// come, beside the events.
	Messages <-chan tea.Msg
	// ReadOnly makes the view watch-only, as in a supervisor's drill-down:
	// the keys that act on the call (copy and rate a reply, replay
	// controls) are disabled, which also hides them from help. Asking for
	// a summary stays allowed: it changes nothing in the call.
	ReadOnly bool
	// TypeLines, when set, makes the reply composer where the call's lines
	// are typed, as in 'assist try': TypeLines is its placeholder (what to
	// type, and how to say an agent line), it is titled "Say", it opens
	// when the call starts and stays open after each line is sent.
	TypeLines string
	// AgentPrefix, with TypeLines, starts a line the agent says: a
	// suggestion taken into the composer gets it, being the agent's.
	AgentPrefix string
	// WrapupTimer bounds the after-call wrap-up form of an agent's own
	// terminal (see WrapupSender): when it runs out the form is sent as
	// it stands, marked timed out. Zero: no limit.
	WrapupTimer time.Duration

	// Now is the clock; time.Now when nil. Tests pass a fixed clock.
	Now func() time.Time
	// Inline draws in the normal screen buffer instead of the alternate
	// screen.
	Inline bool
	// Input and Output replace the terminal in Run when set.
	Input  io.Reader
	Output io.Writer
	// Width and Height are the screen size to assume in Run when Output is
	// not a terminal (tests, recordings).
	Width, Height int
}

// tickInterval is the cadence of the clock tick that redraws the elapsed
// time.
const tickInterval = 200 * time.Millisecond

// tickMsg is the clock tick; only the tick with the current id counts.
type tickMsg struct{ id int }

// Model is the root model of the agent program: the Screen, and the clock
// tick that keeps its elapsed time and notes current.
type Model struct {
	Screen
	tickID int
}

// Compile-time check of the interface the root model implements.
var _ tea.Model = Model{}

// New returns the root model (for tests; Run builds its own).
func New(opts Options) Model {
	return Model{Screen: NewScreen(opts)}
}

// Init starts the clock tick, asks for the terminal background (to pick
// the light or dark palette) and the replay speed.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.tick(), m.publishState(false)}
	if !m.styles.Plain {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if m.replay != nil {
		cmds = append(cmds, speedCmd(m.replay))
	}
	return tea.Batch(cmds...)
}

// Update routes a message to the screen: size and keys, then data, then
// the answers of its commands; timers by id.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
	case tea.BackgroundColorMsg:
		if !m.styles.Plain {
			m.SetStyles(theme.New(msg.IsDark()))
		}
	case tea.KeyPressMsg:
		cmd = m.HandleKey(msg)
	case tea.PasteMsg:
		cmd, _ = m.Compose(msg)
	case common.EventMsg:
		cmd = m.Apply(msg.Event)
	case common.StreamEndedMsg:
		m.EndStream()
	case common.ConnectionMsg:
		m.SetConnection(msg)
	case ResultMsg:
		cmd = m.HandleResult(msg)
	case tickMsg:
		if msg.id != m.tickID {
			return m, nil
		}
		m.Tick()
		cmd = tea.Batch(m.tick(), m.StateHeartbeat(), m.WrapupTimer())
	default:
		cmd, _ = m.Compose(msg) // the composer's own messages, such as its cursor's
	}
	return m, cmd
}

// tick schedules the next clock tick under the current tick id.
func (m Model) tick() tea.Cmd {
	id := m.tickID
	return tea.Tick(tickInterval, func(time.Time) tea.Msg { return tickMsg{id: id} })
}

// View draws the whole screen.
func (m Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = !m.opts.Inline
	v.WindowTitle = "assist"
	if cs := m.calls[m.current]; cs != nil && cs.info.Title != "" {
		v.WindowTitle = "assist · " + cs.info.Title
	}
	return v
}
