// Package supervisor is the supervisor view: a Bubble Tea program that
// watches every live call of a contact center at once — a header, one line
// per queue, and a table of live calls ordered by risk, from which Enter
// drills into one call as a read-only agent view.
//
// The table's rows are event.CallRow values folded from the events with
// CallRow.Apply, the same way the service folds the directory it serves,
// so a row seeded from the directory and then updated from the live
// events agrees with what the service shows. Partial transcripts are
// ignored here (only the drilled-into call shows them). The drill-down is
// an agent.Screen the root model holds and drives through its methods;
// there is one root model, and no nested Update.
//
// Cost model: Update folds an event into its row and nothing more (a map
// lookup and Apply). Sorting, filtering and the per-queue figures are
// recomputed at most once per frame interval, when a frame message
// arrives, and at once after keys, resizes, directory updates and clock
// ticks. View renders only the visible rows and memoises the frame until
// something it shows has changed, because Bubble Tea calls View after
// every message, and with hundreds of calls most messages change nothing
// on screen.
package supervisor

import (
	"cmp"
	"context"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/agent"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

// Timing of the supervisor view.
const (
	// tickInterval is the clock tick: durations are shown to the
	// second, and recent-alert highlights and ended rows expire by it.
	tickInterval = time.Second
	// frameInterval bounds how often events re-sort and redraw the table
	// (10 Hz): a busy center sends far more events than anyone can read.
	frameInterval = 100 * time.Millisecond
	// recentAlertFor is how long a row is highlighted after a new alert.
	recentAlertFor = 10 * time.Second
	// endedGrace is how long an ended call stays in the table, faint and
	// at the bottom, so a supervisor sees it end instead of it vanishing.
	endedGrace = 30 * time.Second
	// historyTimeout bounds a drill-down's history fetch.
	historyTimeout = 15 * time.Second
	// maxDrillBuffer bounds the live events held for a drilled-into call
	// while its history loads.
	maxDrillBuffer = 10000
)

// Options configure the supervisor view.
type Options struct {
	// Queue, when set, limits the view to that queue's calls (the name is
	// compared without regard to case).
	Queue string
	// History returns the full event history of one call, for the
	// drill-down. It is called from a tea.Cmd, never from Update. When nil
	// the drill-down shows the call's live events from then on.
	History func(ctx context.Context, callID string) ([]event.Event, error)
	// Rows are the rows known at start, such as the service's live-call
	// directory; the events then update them.
	Rows []event.CallRow
	// Controller, when set, is what a drilled-into call's read-only agent
	// view may ask of the service: a summary (read-only views send no
	// feedback). When nil, the drill-down says summaries are not
	// available.
	Controller agent.Controller
	// Coach, when set, sends a coaching note to the agent of a call: in
	// a drill-down, m opens a line to type it. It is called from a
	// tea.Cmd, never from Update.
	Coach func(ctx context.Context, callID, text string) error

	// Messages, when set, carries other messages for the view from the bus
	// client, such as ConnectionMsg, RowsMsg and VoiceMsg. Run's one pump forwards
	// them as they come, beside the events.
	Messages <-chan tea.Msg

	Title       string // shown in the header, such as the center's name
	ModelStatus string // shown in the header
	NoColor     bool   // plain theme (also when NO_COLOR is set in the environment)

	// Now is the clock; time.Now when nil. Tests pass a fixed clock.
	Now func() time.Time
	// Input and Output replace the terminal in Run when set.
	Input  io.Reader
	Output io.Writer
	// Width and Height are the screen size to assume in Run when
	// Output is not a terminal (tests, recordings).
	Width, Height int
}

// RowsMsg brings rows from the live-call directory, for instance after
// the terminal reconnects and reads the directory again. A row replaces
// the table's row of its call only if it is newer (a higher LastSeq), so a
// directory read that races with live events never turns a row back.
type RowsMsg struct {
	Rows []event.CallRow
	// Replace says Rows is the whole directory: rows of calls not in
	// it are dropped (they ended and left the directory while the
	// terminal was away).
	Replace bool
}

// ConnectionMsg reports the state of the connection to the service,
// shown in the header: "● LIVE" while it is up, and while it is down,
// when the table may be stale, how long it has been.
type ConnectionMsg = common.ConnectionMsg

// tickMsg is the supervisor's clock tick; only the tick with the
// current id counts.
type tickMsg struct{ id int }

// frameMsg asks for the table to be re-sorted and redrawn after events.
type frameMsg struct{}

// sortOrder is how the table orders the calls. Ended calls always come
// last, whatever the order.
type sortOrder int

// The sort orders, in the order the sort key cycles through them.
const (
	sortRisk      sortOrder = iota // CallRow.Risk, highest first
	sortDuration                   // longest first
	sortSentiment                  // most negative customer first
	sortAlerts                     // most alerts first
	sortCount
)

// String names the order for the header and help.
func (o sortOrder) String() string {
	switch o {
	case sortDuration:
		return "duration"
	case sortSentiment:
		return "sentiment"
	case sortAlerts:
		return "alerts"
	}
	return "risk"
}

// connState is what the view knows of the bus connection.
type connState int

const (
	connUnknown connState = iota // never reported: an in-process bus
	connUp
	connDown
)

// Model is the root model of the supervisor view. It is a pointer model:
// Update changes it in place and returns it.
type Model struct {
	opts Options
	ctx  context.Context // base of history fetches; Run's context
	gate *partialGate    // nil outside Run
	now  func() time.Time

	th       *theme.Styles
	st       tableStyles
	baseKeys KeyMap
	keys     KeyMap // baseKeys with inapplicable bindings disabled
	help     help.Model
	input    textinput.Model // the filter being typed
	// coachInput is the coaching note being typed in a drill-down,
	// while coaching.
	coachInput textinput.Model
	coaching   bool

	title, modelStatus string // sanitised options
	queueOnly          string // opts.Queue, sanitised
	conn               connState
	connDetail         string    // sanitised
	connLost           time.Time // when the connection went down
	streamClosed       bool

	width, height int
	helpH         int // rows help needs; set by syncKeys
	layout        layout
	cols          tableCols

	clock   time.Time // the view's notion of now, set in Update
	tickID  int
	pending bool // a frame message is on its way

	rows     map[string]*tableRow
	all      []*tableRow // every row, in the last sort order (so the next sort is nearly done)
	visible  []*tableRow // in scope, filtered and sorted; rebuilt in Update
	queues   []queueStat
	queueIdx map[string]int // scratch for rebuild
	live     int            // live calls in scope
	alerts   int            // alerts of live calls in scope
	order    sortOrder
	typing   bool   // the filter input has the keys
	filter   string // lower-cased filter in force
	cursor   int    // index in visible of the selected row
	offset   int    // first visible row shown
	selected string // call id of the selected row: selection follows the call
	drill    *drillDown
	drillGen int
	frame    string // memoised screen, valid while frameOK
	frameOK  bool

	voice    map[string]voiceReading // by worker
	voiceSum event.VoiceStatus       // of voice, for the header
	agents   map[string]agentReading // by agent
	// agentQueue is each agent's latest call's queue, and queueAgents the
	// agents per queue and state (see agents.go).
	agentQueue  map[string]string
	queueAgents map[string]map[event.AgentState]int
}

// Compile-time checks of the interfaces the view implements.
var (
	_ tea.Model   = (*Model)(nil)
	_ help.KeyMap = KeyMap{}
)

// New returns the supervisor view (for tests; Run builds its own).
func New(opts Options) *Model {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Model{
		opts:        opts,
		ctx:         context.Background(),
		now:         now,
		baseKeys:    DefaultKeyMap(),
		help:        help.New(),
		input:       textinput.New(),
		title:       termtext.Sanitize(opts.Title),
		modelStatus: termtext.Sanitize(opts.ModelStatus),
		queueOnly:   termtext.Sanitize(opts.Queue),
		rows:        map[string]*tableRow{},
		queueIdx:    map[string]int{},
		clock:       now(),
	}
	s.help.FullSeparator = "   "
	s.input.Prompt = "/ "
	s.input.Placeholder = "call, queue, agent or customer"
	s.input.CharLimit = 64
	s.coachInput = textinput.New()
	s.coachInput.Prompt = "coach › "
	s.coachInput.Placeholder = "a note only the agent sees"
	s.coachInput.CharLimit = coachCharLimit
	st := theme.New(true)
	if opts.NoColor || os.Getenv("NO_COLOR") != "" {
		st = theme.Plain()
	}
	s.setStyles(st)
	s.merge(opts.Rows, false)
	s.rebuild()
	return s
}

// Init starts the clock tick and asks for the terminal background (to
// pick the light or dark palette).
func (s *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{s.tick()}
	if !s.th.Plain {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Update routes a message: size and keys first, then data, then timers by
// id; the answers to the drill-down's commands go to its agent view.
func (s *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	d := s.drill
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.width, s.height = max(msg.Width, 0), max(msg.Height, 0)
		s.sizeCoachInput()
		s.rebuild()
		if d != nil {
			d.view.SetSize(s.width, max(s.height-1, 0))
			s.frameOK = false
		}
	case tea.BackgroundColorMsg:
		if !s.th.Plain {
			s.setStyles(theme.New(msg.IsDark()))
			if d != nil {
				d.view.SetStyles(*s.th)
			}
		}
	case tea.KeyPressMsg:
		cmd = s.handleKey(msg)
		s.frameOK = false
	case common.EventMsg:
		cmd = s.applyEvent(msg.Event)
	case RowsMsg:
		s.clock = s.now()
		s.merge(msg.Rows, msg.Replace)
		s.rebuild()
	case VoiceMsg:
		s.clock = s.now()
		s.applyVoice(msg.Status)
	case AgentMsg:
		s.clock = s.now()
		s.applyAgent(msg.Status)
	case ConnectionMsg:
		s.clock = s.now()
		s.conn, s.connDetail, s.connLost = connDown, termtext.Sanitize(msg.Detail), msg.Since
		if msg.Connected {
			s.conn = connUp
		} else if s.connLost.IsZero() {
			s.connLost = s.clock
		}
		if d != nil {
			// The drilled-into call's header says the same.
			d.view.SetConnection(ConnectionMsg{Connected: msg.Connected, Since: s.connLost})
		}
		s.frameOK = false
	case common.StreamEndedMsg:
		s.streamClosed = true
		s.frameOK = false
		if d != nil {
			d.view.EndStream()
		}
	case tickMsg:
		if msg.id != s.tickID {
			return s, nil
		}
		s.clock = s.now()
		s.expireVoice()
		s.expireAgents()
		s.rebuild()
		if d != nil {
			// The drill-down's clock runs on this tick.
			d.view.Tick()
			s.frameOK = false
		}
		cmd = s.tick()
	case frameMsg:
		s.pending = false
		s.clock = s.now()
		s.rebuild()
	case historyMsg:
		cmd = s.applyHistory(msg)
	case coachDoneMsg:
		s.applyCoachDone(msg)
	case agent.ResultMsg:
		if d != nil {
			cmd = d.view.HandleResult(msg)
			s.frameOK = false
		}
	}
	return s, cmd
}

// tick schedules the next clock tick under the current tick id.
func (s *Model) tick() tea.Cmd {
	id := s.tickID
	return tea.Tick(tickInterval, func(time.Time) tea.Msg { return tickMsg{id: id} })
}

// scheduleFrame asks for a frame message unless one is on its way.
func (s *Model) scheduleFrame() tea.Cmd {
	if s.pending {
		return nil
	}
	s.pending = true
	return tea.Tick(frameInterval, func(time.Time) tea.Msg { return frameMsg{} })
}

// setStyles switches the theme of the supervisor (not of a drill-down's
// agent view, which Update switches beside it).
func (s *Model) setStyles(st theme.Styles) {
	th := &st
	s.th = th
	s.st = newTableStyles(th)
	s.help.Styles = st.Help.Keys
	s.input.SetStyles(st.Supervisor.Filter)
	s.coachInput.SetStyles(st.Supervisor.Filter)
	s.frameOK = false
}

// applyEvent folds a live event into its call's row, hands it to the
// drill-down if it is that call's, and asks for a frame if the table
// shows what changed. Partials only matter to the drill-down.
func (s *Model) applyEvent(ev event.Event) tea.Cmd {
	if ev.CallID == "" {
		return nil
	}
	ev.Payload = event.Deref(ev.Payload)
	var drillCmd tea.Cmd
	if d := s.drill; d != nil && d.callID == ev.CallID {
		drillCmd = s.feedDrill(ev)
	}
	if ev.Kind == event.KindPartial {
		return drillCmd
	}
	s.clock = s.now()
	r := s.rows[ev.CallID]
	shown := false
	if r == nil {
		if ev.Kind == event.KindCallEnded {
			return drillCmd // the end of a call never seen: nothing to show
		}
		r = newTableRow(ev.CallID)
		s.rows[ev.CallID] = r
		s.all = append(s.all, r)
		shown = true
	}
	if !r.apply(ev, s.clock) && !shown {
		return drillCmd
	}
	if drillCmd == nil {
		return s.scheduleFrame()
	}
	return tea.Batch(drillCmd, s.scheduleFrame())
}

// merge folds directory rows in: a directory row replaces its call's row
// when it is newer. With replace, rows of calls missing from dir are
// dropped.
func (s *Model) merge(dir []event.CallRow, replace bool) {
	var seen map[string]bool
	if replace {
		seen = make(map[string]bool, len(dir))
	}
	for _, in := range dir {
		if in.CallID == "" {
			continue
		}
		if seen != nil {
			seen[in.CallID] = true
		}
		old := s.rows[in.CallID]
		if old != nil && in.LastSeq <= old.call.LastSeq {
			continue
		}
		r := old
		if r == nil {
			r = &tableRow{}
			s.rows[in.CallID] = r
			s.all = append(s.all, r)
		}
		wasAlerts, wasLive := r.call.Alerts, r.live()
		r.call = in
		// Apply appends to History: never share the caller's array.
		r.call.History = slices.Clone(in.History)
		r.describe()
		if old != nil && in.Alerts > wasAlerts {
			r.alertAt = s.clock // news to this terminal
		}
		switch {
		case r.live():
			r.endedAt = time.Time{}
		case old == nil || wasLive:
			r.endedAt = s.clock
			if !in.Updated.IsZero() && in.Updated.Before(s.clock) {
				r.endedAt = in.Updated
			}
		}
	}
	if replace {
		for id, r := range s.rows {
			if !seen[id] {
				delete(s.rows, id)
				r.gone = true // rebuild drops it from s.all
			}
		}
	}
}

// inScope reports whether a row belongs to the queue the view is limited
// to. A call whose queue is not known yet is out of a limited view until
// its call.started arrives.
func (s *Model) inScope(r *tableRow) bool {
	return s.opts.Queue == "" || strings.EqualFold(r.call.Queue, s.opts.Queue)
}

// rebuild drops expired ended rows and recomputes what the table shows:
// the rows in scope and matching the filter, in order; the per-queue
// lines; the totals; the column widths and the selection. It runs in
// Update, never in View. All rows are sorted, in the order of the last
// sort, so that a sort after a few changes is little more than a pass.
func (s *Model) rebuild() {
	now := s.clock
	keep := s.all[:0]
	for _, r := range s.all {
		if r.gone {
			continue
		}
		if !r.live() && now.Sub(r.endedAt) >= endedGrace {
			delete(s.rows, r.call.CallID)
			continue
		}
		r.risk = r.call.Risk(now)
		r.key = sortKey(r, s.order, now)
		keep = append(keep, r)
	}
	clear(s.all[len(keep):]) // let dropped rows be collected
	s.all = keep
	slices.SortFunc(s.all, compareRows)

	s.visible = s.visible[:0]
	s.queues = s.queues[:0]
	clear(s.queueIdx)
	s.live, s.alerts = 0, 0
	for _, r := range s.all {
		if !s.inScope(r) {
			continue
		}
		if r.live() {
			s.countQueue(r, now)
		}
		if s.filter == "" || strings.Contains(r.search, s.filter) {
			s.visible = append(s.visible, r)
		}
	}
	slices.SortFunc(s.queues, func(a, b queueStat) int { return cmp.Compare(a.name, b.name) })
	s.indexAgentQueues()
	s.syncKeys()
	s.cols = computeColumns(s.width, s.visible, s.opts.Queue != "", now)
	s.relayout()
	s.placeCursor()
	if s.drill == nil { // a drill-down does not show the table
		s.frameOK = false
	}
}

// countQueue adds a live row to its queue's line and the totals.
func (s *Model) countQueue(r *tableRow, now time.Time) {
	i, ok := s.queueIdx[r.queue]
	if !ok {
		i = len(s.queues)
		s.queueIdx[r.queue] = i
		s.queues = append(s.queues, queueStat{name: r.queue})
	}
	q := &s.queues[i]
	q.live++
	q.alerts += r.call.Alerts
	if r.hasSentiment() {
		q.sentSum += r.call.Sentiment
		q.sentN++
	}
	q.longest = max(q.longest, r.call.Duration(now))
	s.live++
	s.alerts += r.call.Alerts
}

// sortKey is a row's key under an order; higher sorts first.
func sortKey(r *tableRow, o sortOrder, now time.Time) float64 {
	switch o {
	case sortDuration:
		return r.call.Duration(now).Seconds()
	case sortSentiment:
		if !r.hasSentiment() {
			return -2 // unscored calls after every scored one
		}
		return -r.call.Sentiment
	case sortAlerts:
		return float64(r.call.Alerts)
	}
	return r.risk
}

// compareRows orders rows: live before ended, then by key and risk,
// highest first, then by call id so equal rows keep still.
func compareRows(a, b *tableRow) int {
	if a.live() != b.live() {
		if a.live() {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(b.key, a.key); c != 0 {
		return c
	}
	if c := cmp.Compare(b.risk, a.risk); c != 0 {
		return c
	}
	return strings.Compare(a.call.CallID, b.call.CallID)
}

// placeCursor keeps the selection on its call in the new order, so Enter
// opens the call that was chosen; but a selection on the top row stays on
// the top row, which then tracks the riskiest call. If the selected call
// is gone, the row now at its place is selected. Then the table scrolls
// to keep the selection in view.
func (s *Model) placeCursor() {
	n := len(s.visible)
	if n == 0 {
		s.cursor, s.offset, s.selected = 0, 0, ""
		return
	}
	found := false
	if s.selected != "" && s.cursor != 0 {
		for i, r := range s.visible {
			if r.call.CallID == s.selected {
				s.cursor, found = i, true
				break
			}
		}
	}
	if !found {
		s.cursor = common.Clamp(s.cursor, 0, n-1)
		s.selected = s.visible[s.cursor].call.CallID
	}
	s.scrollToCursor()
}

// moveCursor moves the selection by delta rows.
func (s *Model) moveCursor(delta int) {
	if len(s.visible) == 0 {
		return
	}
	s.cursor = common.Clamp(s.cursor+delta, 0, len(s.visible)-1)
	s.selected = s.visible[s.cursor].call.CallID
	s.scrollToCursor()
	s.frameOK = false
}

// scrollToCursor moves the window of shown rows so the selection is in it.
func (s *Model) scrollToCursor() {
	rows := max(s.layout.table, 1)
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+rows {
		s.offset = s.cursor - rows + 1
	}
	s.offset = common.Clamp(s.offset, 0, max(len(s.visible)-rows, 0))
}

// selectedRow returns the selected row, or nil.
func (s *Model) selectedRow() *tableRow {
	if s.cursor < 0 || s.cursor >= len(s.visible) {
		return nil
	}
	return s.visible[s.cursor]
}

// setFilter applies filter text (any case) and rebuilds the table.
func (s *Model) setFilter(text string) {
	s.filter = strings.ToLower(strings.TrimSpace(termtext.Sanitize(text)))
	s.rebuild()
}
