package agent

import (
	"os"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

// Speed bounds of the replay.
const (
	minSpeed = 0.25
	maxSpeed = 64
)

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

// Screen is the agent view: its size, layout, focus, key map, the state of
// the calls it knows and the panes that draw the displayed one. It is a
// plain struct, not a tea.Model: the program that holds it calls its
// methods from Update and sends it no messages of its own, and it draws
// exactly the size it was given. Each method leaves the key bindings and
// the layout in step with what changed.
type Screen struct {
	opts        Options
	replay      ReplayControls // the controller's, when it has them
	replier     Replier        // the controller's, when it has it and the view may act
	states      StatePublisher // the controller's, when it has it and the view may act
	wrapper     WrapupSender   // the controller's, when it has it and the view may act
	modelStatus string         // Options.ModelStatus, sanitised
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
	alerts      alertsPane // the overlay, drawn only while alertsOpen
	alertsOpen  bool
	composer    composerPane
	// composerShown says the layout has the composer: the displayed call
	// is a live chat the agent may answer. composing says it has the keys.
	composerShown bool
	composing     bool
	// wrap is the after-call work form (see wrapup.go).
	wrap wrapupForm

	// The agent's state, when the view publishes it (see agentstate.go).
	agentState     event.AgentState
	stateCall      string    // the call the agent is on or wrapping up
	stateSince     time.Time // when the agent entered the state
	statePublished time.Time // when it was last published

	clock     time.Time // the view's notion of now, set by the methods that need it
	paused    bool
	speed     float64
	finished  bool      // the event stream has closed
	offline   bool      // the connection to the service is down
	lostAt    time.Time // when it went down
	note      string
	noteErr   bool
	noteUntil time.Time
}

// Compile-time check of the help interface the key map implements.
var _ help.KeyMap = KeyMap{}

// shownRevs are the section revisions of the displayed call the panes were
// last fed, so unchanged sections are not fed again.
type shownRevs struct {
	callID                                 string
	replies, gauges, recs, summary         uint64
	repliesOK, gaugesOK, recsOK, summaryOK bool
}

// NewScreen returns the agent view, empty and of no size until SetSize.
func NewScreen(opts Options) Screen {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	st := theme.New(true)
	if opts.NoColor || os.Getenv("NO_COLOR") != "" {
		st = theme.Plain()
	}
	th := &st
	m := Screen{
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
		alerts:      newAlertsPane(th),
		composer:    newComposerPane(th, opts.TypeLines),
		wrap:        newWrapupForm(th),
		clock:       now(),
		speed:       1,
	}
	m.recs.alertsKey = m.baseKeys.Alerts.Help().Key
	m.replay, _ = opts.Controller.(ReplayControls)
	if !opts.ReadOnly {
		m.replier, _ = opts.Controller.(Replier)
		m.states, _ = opts.Controller.(StatePublisher)
		m.wrapper, _ = opts.Controller.(WrapupSender)
	}
	if m.states != nil {
		m.agentState, m.stateSince = event.AgentAvailable, m.clock
	}
	if opts.TypeLines != "" {
		k := &m.baseKeys
		k.Take.SetHelp("r", "say it as the agent")
		k.Write.SetHelp("w", "type a line")
		k.Send.SetHelp("ctrl+s", "say the line")
		k.Leave.SetHelp("esc", "leave the line")
	}
	m.help.Styles = st.Help.Keys
	m.help.FullSeparator = "   "
	m.setFocus(focusTranscript)
	m.syncKeys()
	m.refreshHeader()
	return m
}

// SetSize lays the view out for w×h cells.
func (m *Screen) SetSize(w, h int) {
	m.width, m.height = w, h
	m.relayout()
	m.settle()
}

// SetStyles switches the theme and redraws every pane.
func (m *Screen) SetStyles(st theme.Styles) {
	th := &st
	m.styles = th
	m.help.Styles = st.Help.Keys
	m.header.SetStyles(th)
	m.transcript.SetStyles(th)
	m.suggestions.SetStyles(th)
	m.gauges.SetStyles(th)
	m.recs.SetStyles(th)
	m.summary.SetStyles(th)
	m.alerts.SetStyles(th)
	m.composer.SetStyles(th)
	m.wrap.SetStyles(th)
	m.shown = shownRevs{callID: m.shown.callID}
	m.refresh()
	m.settle()
}

// Apply folds events into their calls' state, in order, and refreshes the
// panes once, not once per event: a drill-down's history can be long.
// Events not newer than the last applied for their call are dropped; a
// call.started of a new call makes it the displayed call. The returned
// command asks a replay where a started call stands in its playlist.
func (m *Screen) Apply(evs ...event.Event) tea.Cmd {
	m.advance(m.now())
	prev, wasLive := m.liveCall()
	var cmds []tea.Cmd
	for _, ev := range evs {
		if c := m.applyEvent(ev); c != nil {
			cmds = append(cmds, c)
		}
	}
	m.refresh()
	m.followWrapup(prev, wasLive)
	cmds = append(cmds, m.followCall())
	m.settle()
	return tea.Batch(cmds...)
}

// SetStarted dates the start of a call that has started by another clock,
// such as the service's, so its elapsed time agrees with that clock's.
// A zero time changes nothing.
func (m *Screen) SetStarted(callID string, at time.Time) {
	if cs := m.calls[callID]; cs != nil && cs.started && !at.IsZero() {
		cs.startedAt = at
		m.refreshHeader()
	}
}

// Tick advances the view's clock: the elapsed time, and the status note,
// which expires.
func (m *Screen) Tick() {
	m.advance(m.now())
	if m.note != "" && !m.clock.Before(m.noteUntil) {
		m.note = ""
	}
	m.refreshHeader()
	m.settle()
}

// SetConnection notes the state of the connection to the service: while
// it is down the header says "○ reconnecting…" and for how long, instead
// of "● LIVE". A view that is never told (a replay in-process) is live.
func (m *Screen) SetConnection(msg common.ConnectionMsg) {
	m.advance(m.now())
	m.offline, m.lostAt = !msg.Connected, msg.Since
	if m.offline && m.lostAt.IsZero() {
		m.lostAt = m.clock
	}
	m.refreshHeader()
}

// EndStream notes that no more events will come: the header says the
// replay has finished or the stream has closed.
func (m *Screen) EndStream() {
	m.finished = true
	m.refreshHeader()
	m.settle()
}

// settle enables the bindings that apply now and, when they changed the
// height of full help, lays the view out again.
func (m *Screen) settle() {
	m.syncKeys()
	if m.help.ShowAll && m.helpRows() != m.helpWant {
		m.relayout()
	}
}

// setFocus moves the focus and tells every pane whether it has it.
func (m *Screen) setFocus(f focus) {
	m.focus = (f%focusCount + focusCount) % focusCount
	m.transcript.SetFocused(m.focus == focusTranscript)
	m.suggestions.SetFocused(m.focus == focusSuggestions)
	m.recs.SetFocused(m.focus == focusRecommendations)
}

// syncKeys enables the bindings that apply now.
func (m *Screen) syncKeys() {
	m.keys = m.baseKeys.withState(keyState{
		replay:      m.replay != nil && !m.opts.ReadOnly,
		suggestions: m.suggestions.Count() > 0 && !m.opts.ReadOnly,
		paused:      m.paused,
		speed:       m.speed,
		scrollable:  m.summaryOpen || m.alertsOpen || m.focus != focusSuggestions || m.suggestions.Count() > 0,
		showAll:     m.help.ShowAll,
		call:        m.calls[m.current] != nil,
		summaryOpen: m.summaryOpen,
		alerts:      m.calls[m.current] != nil && len(m.calls[m.current].alerts) > 0,
		alertsOpen:  m.alertsOpen,
		composer:    m.composerShown,
		composing:   m.composing,
		state:       m.agentState,
	})
}

// setNote shows a short status note in the help bar.
func (m *Screen) setNote(s string, isErr bool) {
	m.note, m.noteErr, m.noteUntil = s, isErr, m.clock.Add(noteTTL)
}

// helpRows is the height the help bar needs.
func (m *Screen) helpRows() int {
	if !m.help.ShowAll {
		return 1
	}
	return max(lipgloss.Height(m.help.FullHelpView(m.keys.FullHelp())), 1)
}

// relayout recomputes the layout for the current size and help height.
func (m *Screen) relayout() {
	m.help.SetWidth(m.width)
	m.helpWant = m.helpRows()
	l := computeLayout(m.width, m.height, m.helpWant, m.composerShown)
	m.layout = l
	c := common.ChromeBox
	if l.Compact {
		c = common.ChromeRule
	}
	m.header.SetSize(l.Header.W, l.Header.H)
	m.transcript.SetChrome(c)
	m.transcript.SetSize(l.Transcript.W, l.Transcript.H)
	m.suggestions.SetChrome(c)
	m.suggestions.SetSize(l.Suggestions.W, l.Suggestions.H)
	m.gauges.SetChrome(c)
	m.gauges.SetSize(l.Gauges.W, l.Gauges.H)
	m.recs.SetChrome(c)
	m.recs.SetSize(l.Recommendations.W, l.Recommendations.H)
	m.summary.SetChrome(c)
	m.summary.SetSize(l.Summary.W, l.Summary.H)
	m.alerts.SetChrome(c)
	m.alerts.SetSize(l.Summary.W, l.Summary.H)
	m.composer.SetChrome(c)
	m.composer.SetSize(l.Composer.W, l.Composer.H)
	m.relayoutWrapup()
	m.refresh()
}
