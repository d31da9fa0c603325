// Package tui is the agent view: a Bubble Tea program that shows a live
// call as its events arrive from the engine — transcript, ranked reply
// suggestions, the customer's mood, and next best actions with alerts.
//
// The root Model owns the terminal size, the layout, the focus and the
// per-call state; the panes are plain structs it sizes and feeds. Events
// reach the program through one pump goroutine (see Run), which coalesces
// partial transcripts; Update drops any event whose sequence number is not
// newer than the last one applied for its call. Everything the view asks
// of the engine goes through a Controller, from tea.Cmds, never from Update.
package tui

import (
	"io"
	"os"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/theme"
)

// Controller is what the view may ask of the engine. Implementations must
// not block for long; they are called from tea.Cmds.
type Controller interface {
	// TogglePause pauses or resumes the replay and reports whether it is
	// now paused.
	TogglePause() (paused bool)
	// SetSpeed asks for a replay speed factor and returns the speed in
	// force.
	SetSpeed(x float64) float64
	// Speed returns the replay speed factor.
	Speed() float64
	// NextCall skips the rest of the replayed call.
	NextCall()
	// Feedback records what the agent did with a suggestion.
	Feedback(callID string, fb event.Feedback) error
}

// CallPositioner is an optional extension of Controller: a replay that knows
// its playlist says where a call stands in it, for the header's "call i/n".
type CallPositioner interface {
	// CallPosition returns the call's 1-based index and the playlist length,
	// or ok false if the call is not in the playlist.
	CallPosition(callID string) (index, total int, ok bool)
}

// SummaryRequester is an optional extension of Controller: an engine that
// can sum up a call on demand. The summary itself arrives later as a
// summary event of the call, like any other result.
type SummaryRequester interface {
	// RequestSummary asks for a summary of the call so far. It returns
	// once the request is made (or the summary published); an error says
	// no summary will come.
	RequestSummary(callID string) error
}

// Options configure the agent view.
type Options struct {
	ModelStatus string     // shown in the header
	Replay      bool       // replay controls enabled
	Controller  Controller // may be nil in tests
	NoColor     bool       // plain theme (also when NO_COLOR is set in the environment)
	// ReadOnly makes the view watch-only, as in a supervisor's drill-down:
	// the keys that act on the call (copy and rate a reply, replay
	// controls) are disabled, which also hides them from help. Asking for
	// a summary stays allowed: it changes nothing in the call.
	ReadOnly bool

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

// Speed bounds of the replay.
const (
	minSpeed = 0.25
	maxSpeed = 64
)

// tickInterval is the cadence of the clock tick that redraws the elapsed
// time.
const tickInterval = 200 * time.Millisecond

// noteTTL is how long a status note stays in the help bar.
const noteTTL = 3 * time.Second

// focus is the pane keys go to.
type focus int

// The focusable panes, in tab order.
const (
	focusTranscript focus = iota
	focusSuggestions
	focusRecommendations
	focusCount
)

// Model is the root model of the agent view.
type Model struct {
	opts        Options
	modelStatus string // Options.ModelStatus, sanitised
	now         func() time.Time
	styles      *theme.Styles // shared by the panes; replaced, never changed
	baseKeys    KeyMap
	keys        KeyMap // baseKeys with inapplicable bindings disabled
	help        help.Model

	width, height int
	helpWant      int // help rows the layout was computed for
	layout        layout
	focus         focus

	calls   map[string]*callState
	order   []string // call ids, oldest first
	current string   // the displayed call
	shown   shownRevs

	header      headerPane
	transcript  transcriptPane
	suggestions suggestionsPane
	gauges      gaugesPane
	recs        recommendationsPane
	summary     summaryPane // the overlay, drawn only while summaryOpen
	summaryOpen bool

	clock     time.Time // the view's notion of now, set in Update
	tickID    int
	paused    bool
	speed     float64
	finished  bool // the event stream has closed
	note      string
	noteErr   bool
	noteUntil time.Time
}

// Compile-time checks of the interfaces the view implements.
var (
	_ tea.Model   = Model{}
	_ help.KeyMap = KeyMap{}
)

// shownRevs are the section revisions of the displayed call the panes were
// last fed, so unchanged sections are not fed again.
type shownRevs struct {
	callID                                 string
	replies, gauges, recs, summary         uint64
	repliesOK, gaugesOK, recsOK, summaryOK bool
}

// New returns the root model (for tests; Run builds its own).
func New(opts Options) Model {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	st := theme.New(true)
	if opts.NoColor || os.Getenv("NO_COLOR") != "" {
		st = theme.Plain()
	}
	th := &st
	m := Model{
		opts:        opts,
		modelStatus: termtext.Sanitize(opts.ModelStatus),
		now:         now,
		styles:      th,
		baseKeys:    DefaultKeyMap(),
		help:        help.New(),
		calls:       map[string]*callState{},
		header:      headerPane{th: th},
		transcript:  newTranscriptPane(th),
		suggestions: newSuggestionsPane(th),
		gauges:      newGaugesPane(th),
		recs:        newRecommendationsPane(th),
		summary:     newSummaryPane(th),
		clock:       now(),
		speed:       1,
	}
	m.help.Styles = st.Help.Keys
	m.help.FullSeparator = "   "
	m.setFocus(focusTranscript)
	m.syncKeys()
	m.refreshHeader()
	return m
}

// Init starts the clock tick, asks for the terminal background (to pick
// the light or dark palette) and the replay speed.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.tick()}
	if !m.styles.Plain {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if m.opts.Replay && m.opts.Controller != nil {
		cmds = append(cmds, speedCmd(m.opts.Controller))
	}
	return tea.Batch(cmds...)
}

// Update routes a message: size and global keys first, then keys to the
// focused pane, data to the pane that owns it, timers by id.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.relayout()
	case tea.BackgroundColorMsg:
		if !m.styles.Plain {
			m.setStyles(theme.New(msg.IsDark()))
		}
	case tea.KeyPressMsg:
		m, cmd = m.handleKey(msg)
	case EventMsg:
		m.clock = m.now()
		cmd = m.applyEvent(msg.Event)
		m.refresh()
	case StreamEndedMsg:
		m.finished = true
		m.refreshHeader()
	case tickMsg:
		if msg.id != m.tickID {
			return m, nil
		}
		m.clock = m.now()
		if m.note != "" && !m.clock.Before(m.noteUntil) {
			m.note = ""
		}
		m.refreshHeader()
		cmd = m.tick()
	case pausedMsg:
		m.paused = msg.paused
		m.refreshHeader()
	case speedMsg:
		m.speed = msg.speed
		m.refreshHeader()
	case positionMsg:
		if cs := m.calls[msg.callID]; cs != nil {
			cs.index, cs.total = msg.index, msg.total
			m.refreshHeader()
		}
	case feedbackDoneMsg:
		if msg.err != nil {
			m.setNote("Feedback not saved: "+termtext.Sanitize(msg.err.Error()), true)
		}
	case summaryDoneMsg:
		if msg.err != nil {
			if cs := m.calls[msg.callID]; cs != nil {
				cs.requestSummary(false)
				m.refresh()
			}
			m.setNote("No summary: "+termtext.Sanitize(msg.err.Error()), true)
		}
	}
	m.syncKeys()
	if m.help.ShowAll && m.helpRows() != m.helpWant {
		m.relayout() // the bindings shown changed the height of full help
	}
	return m, cmd
}

// tick schedules the next clock tick under the current tick id.
func (m Model) tick() tea.Cmd {
	id := m.tickID
	return tea.Tick(tickInterval, func(time.Time) tea.Msg { return tickMsg{id: id} })
}

// setStyles switches the theme and redraws every pane.
func (m *Model) setStyles(st theme.Styles) {
	th := &st
	m.styles = th
	m.help.Styles = st.Help.Keys
	m.header.SetStyles(th)
	m.transcript.SetStyles(th)
	m.suggestions.SetStyles(th)
	m.gauges.SetStyles(th)
	m.recs.SetStyles(th)
	m.summary.SetStyles(th)
	m.shown = shownRevs{callID: m.shown.callID}
	m.refresh()
}

// setFocus moves the focus and tells every pane whether it has it.
func (m *Model) setFocus(f focus) {
	m.focus = (f%focusCount + focusCount) % focusCount
	m.transcript.SetFocused(m.focus == focusTranscript)
	m.suggestions.SetFocused(m.focus == focusSuggestions)
	m.recs.SetFocused(m.focus == focusRecommendations)
}

// syncKeys enables the bindings that apply now.
func (m *Model) syncKeys() {
	m.keys = m.baseKeys.withState(keyState{
		replay:      m.opts.Replay && !m.opts.ReadOnly,
		suggestions: m.suggestions.Count() > 0 && !m.opts.ReadOnly,
		paused:      m.paused,
		speed:       m.speed,
		scrollable:  m.summaryOpen || m.focus != focusSuggestions || m.suggestions.Count() > 0,
		showAll:     m.help.ShowAll,
		call:        m.calls[m.current] != nil,
		summaryOpen: m.summaryOpen,
	})
}

// setNote shows a short status note in the help bar.
func (m *Model) setNote(s string, isErr bool) {
	m.note, m.noteErr, m.noteUntil = s, isErr, m.clock.Add(noteTTL)
}

// helpRows is the height the help bar needs.
func (m *Model) helpRows() int {
	if !m.help.ShowAll {
		return 1
	}
	return max(lipgloss.Height(m.help.FullHelpView(m.keys.FullHelp())), 1)
}

// relayout recomputes the layout for the current size and help height.
func (m *Model) relayout() {
	m.help.SetWidth(m.width)
	m.helpWant = m.helpRows()
	l := computeLayout(m.width, m.height, m.helpWant)
	m.layout = l
	c := chromeBox
	if l.Compact {
		c = chromeRule
	}
	m.header.SetSize(l.Header.W, l.Header.H)
	m.transcript.setChrome(c)
	m.transcript.SetSize(l.Transcript.W, l.Transcript.H)
	m.suggestions.setChrome(c)
	m.suggestions.SetSize(l.Suggestions.W, l.Suggestions.H)
	m.gauges.setChrome(c)
	m.gauges.SetSize(l.Gauges.W, l.Gauges.H)
	m.recs.setChrome(c)
	m.recs.SetSize(l.Recommendations.W, l.Recommendations.H)
	m.summary.setChrome(c)
	m.summary.SetSize(l.Summary.W, l.Summary.H)
	m.refresh()
}
