package tui

// The supervisor view watches every live call of a contact center at once:
// a header, one summary line per queue, and a table of live calls ordered
// by risk, from which Enter drills into one call as a read-only agent view.
//
// Rows are engine.CallSummary values folded from the events with
// CallSummary.Apply, the same way the service folds the directory it
// serves, so a row seeded from the directory and then updated from the
// live events agrees with what the service shows. Partial transcripts are
// ignored here (only the drilled-into call shows them).
//
// Cost model: Update folds an event into its row and nothing more (a map
// lookup and Apply). Sorting, filtering and the per-queue figures are
// recomputed at most once per frame interval, when a frame message
// arrives, and at once after keys, resizes, directory updates and clock
// ticks. View renders only the visible rows and memoises the frame until
// something it shows has changed, because Bubble Tea calls View after
// every message, and with hundreds of calls most messages change nothing
// on screen.

import (
	"cmp"
	"context"
	"io"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/theme"
)

// Timing of the supervisor view.
const (
	// supervisorTickInterval is the clock tick: durations are shown to the
	// second, and recent-alert highlights and ended rows expire by it.
	supervisorTickInterval = time.Second
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

// SupervisorOptions configure the supervisor view.
type SupervisorOptions struct {
	// Queue, when set, limits the view to that queue's calls (the name is
	// compared without regard to case).
	Queue string
	// History returns the full event history of one call, for the
	// drill-down. It is called from a tea.Cmd, never from Update. When nil
	// the drill-down shows the call's live events from then on.
	History func(ctx context.Context, callID string) ([]event.Event, error)
	// Summaries are the rows known at start, such as the service's
	// live-call directory; the events then update them.
	Summaries []event.CallRow
	// Controller, when set, is what a drilled-into call's read-only agent
	// view may ask of the service: a summary, when it implements
	// SummaryRequester (read-only views send no feedback).
	Controller Controller

	// Messages, when set, carries other messages for the view from the bus
	// client, such as ConnectionMsg and SummariesMsg; RunSupervisor
	// forwards them as they come.
	Messages <-chan tea.Msg

	Title       string // shown in the header, such as the center's name
	ModelStatus string // shown in the header
	NoColor     bool   // plain theme (also when NO_COLOR is set in the environment)

	// Now is the clock; time.Now when nil. Tests pass a fixed clock.
	Now func() time.Time
	// Input and Output replace the terminal in RunSupervisor when set.
	Input  io.Reader
	Output io.Writer
	// Width and Height are the screen size to assume in RunSupervisor when
	// Output is not a terminal (tests, recordings).
	Width, Height int
}

// SummariesMsg brings rows from the live-call directory, for instance
// after the terminal reconnects and reads the directory again. A summary
// replaces the row of its call only if it is newer (a higher LastSeq), so
// a directory read that races with live events never turns a row back.
type SummariesMsg struct {
	Summaries []event.CallRow
	// Replace says Summaries is the whole directory: rows of calls not in
	// it are dropped (they ended and left the directory while the
	// terminal was away).
	Replace bool
}

// ConnectionMsg reports the state of the connection to the bus, shown in
// the header: while it is down the table may be stale.
type ConnectionMsg struct {
	Connected bool
	// Detail says more, such as "reconnecting…" or the error.
	Detail string
}

// supervisorTickMsg is the supervisor's clock tick; only the tick with the
// current id counts.
type supervisorTickMsg struct{ id int }

// frameMsg asks for the table to be re-sorted and redrawn after events.
type frameMsg struct{}

// historyMsg carries a drilled-into call's history. gen identifies the
// drill-down that asked, so a late answer for an earlier one is dropped.
type historyMsg struct {
	gen    int
	callID string
	events []event.Event
	err    error
}

// sortOrder is how the table orders the calls. Ended calls always come
// last, whatever the order.
type sortOrder int

// The sort orders, in the order the sort key cycles through them.
const (
	sortRisk      sortOrder = iota // CallSummary.Risk, highest first
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

// supRow is one call of the table: its summary and the sanitised text the
// table draws, kept beside it so View never sanitises.
type supRow struct {
	sum event.CallRow

	id, queue, agent, customer string // sanitised
	lastAlert                  string // sanitised
	idW, queueW, agentW        int    // display widths
	lastAlertW                 int
	search                     string // lower-cased id, queue, agent and customer
	spark                      string // sparkline of sum.History, one glyph per sample

	alertAt time.Time // view clock when the latest alert arrived live
	endedAt time.Time // view clock when the call ended
	gone    bool      // removed from the rows map; rebuild drops it

	// Sort keys, computed once per rebuild.
	key, risk float64
}

// queueStat is one line of the per-queue block.
type queueStat struct {
	name    string // sanitised; "" for calls whose queue is unknown
	live    int
	sentSum float64 // customer sentiment of the scored calls
	sentN   int     // scored calls
	alerts  int
	longest time.Duration
}

// drillDown is a read-only agent view of one call inside the supervisor.
type drillDown struct {
	callID  string
	gen     int
	agent   Model
	loading bool          // the history has been asked for and not arrived
	buffer  []event.Event // live events held while the history loads
	note    string        // history status, sanitised
	noteErr bool
}

// partialGate lets RunSupervisor drop partial transcripts before they
// reach the program, except those of the drilled-into call. Update sets it
// (an atomic store, which never blocks); the pump goroutine reads it.
type partialGate struct{ callID atomic.Pointer[string] }

// set admits the partials of callID ("" admits none).
func (g *partialGate) set(callID string) {
	if g != nil {
		g.callID.Store(&callID)
	}
}

// admits reports whether a partial of callID should reach the program.
func (g *partialGate) admits(callID string) bool {
	if g == nil {
		return true
	}
	p := g.callID.Load()
	return p != nil && *p == callID
}

// Supervisor is the root model of the supervisor view. It is a pointer
// model: Update changes it in place and returns it.
type Supervisor struct {
	opts SupervisorOptions
	ctx  context.Context // base of history fetches; RunSupervisor's context
	gate *partialGate    // nil outside RunSupervisor
	now  func() time.Time

	th       *theme.Styles
	st       supStyles
	baseKeys SupervisorKeyMap
	keys     SupervisorKeyMap // baseKeys with inapplicable bindings disabled
	help     help.Model
	input    textinput.Model // the filter being typed

	title, modelStatus string // sanitised options
	queueOnly          string // opts.Queue, sanitised
	conn               connState
	connDetail         string // sanitised
	streamClosed       bool

	width, height int
	helpH         int // rows help needs; set by syncKeys
	layout        supLayout
	cols          tableCols

	clock   time.Time // the view's notion of now, set in Update
	tickID  int
	pending bool // a frame message is on its way

	rows     map[string]*supRow
	all      []*supRow // every row, in the last sort order (so the next sort is nearly done)
	visible  []*supRow // in scope, filtered and sorted; rebuilt in Update
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
}

// Compile-time checks of the interfaces the view implements.
var (
	_ tea.Model   = (*Supervisor)(nil)
	_ help.KeyMap = SupervisorKeyMap{}
)

// NewSupervisor returns the supervisor view (for tests and embedding;
// RunSupervisor builds its own).
func NewSupervisor(opts SupervisorOptions) *Supervisor {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Supervisor{
		opts:        opts,
		ctx:         context.Background(),
		now:         now,
		baseKeys:    DefaultSupervisorKeyMap(),
		help:        help.New(),
		input:       textinput.New(),
		title:       termtext.Sanitize(opts.Title),
		modelStatus: termtext.Sanitize(opts.ModelStatus),
		queueOnly:   termtext.Sanitize(opts.Queue),
		rows:        map[string]*supRow{},
		queueIdx:    map[string]int{},
		clock:       now(),
	}
	s.help.FullSeparator = "   "
	s.input.Prompt = "/ "
	s.input.Placeholder = "call, queue, agent or customer"
	s.input.CharLimit = 64
	st := theme.New(true)
	if opts.NoColor || os.Getenv("NO_COLOR") != "" {
		st = theme.Plain()
	}
	s.setStyles(st)
	s.merge(opts.Summaries, false)
	s.rebuild()
	return s
}

// Init starts the clock tick and asks for the terminal background (to
// pick the light or dark palette).
func (s *Supervisor) Init() tea.Cmd {
	cmds := []tea.Cmd{s.tick()}
	if !s.th.Plain {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Update routes a message: size and keys first, then data, then timers by
// id; anything else belongs to the drill-down's agent view, if open.
func (s *Supervisor) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.width, s.height = max(msg.Width, 0), max(msg.Height, 0)
		s.rebuild()
		cmd = s.forwardDrill(tea.WindowSizeMsg{Width: s.width, Height: max(s.height-1, 0)})
	case tea.BackgroundColorMsg:
		if !s.th.Plain {
			s.setStyles(theme.New(msg.IsDark()))
		}
		cmd = s.forwardDrill(msg)
	case tea.KeyPressMsg:
		cmd = s.handleKey(msg)
		s.frameOK = false
	case EventMsg:
		cmd = s.applyEvent(msg.Event)
	case SummariesMsg:
		s.clock = s.now()
		s.merge(msg.Summaries, msg.Replace)
		s.rebuild()
	case ConnectionMsg:
		s.conn, s.connDetail = connDown, termtext.Sanitize(msg.Detail)
		if msg.Connected {
			s.conn = connUp
		}
		s.frameOK = false
	case StreamEndedMsg:
		s.streamClosed = true
		s.frameOK = false
		cmd = s.forwardDrill(msg)
	case supervisorTickMsg:
		if msg.id != s.tickID {
			return s, nil
		}
		s.clock = s.now()
		s.rebuild()
		if s.drill != nil {
			// The drill-down's clock runs on this tick rather than a tick
			// chain of its own; its request for the next tick is dropped.
			s.forwardDrill(tickMsg{id: s.drill.agent.tickID})
		}
		cmd = s.tick()
	case frameMsg:
		s.pending = false
		s.clock = s.now()
		s.rebuild()
	case historyMsg:
		cmd = s.applyHistory(msg)
	default:
		// Anything else is the drill-down's.
		cmd = s.forwardDrill(msg)
	}
	return s, cmd
}

// tick schedules the next clock tick under the current tick id.
func (s *Supervisor) tick() tea.Cmd {
	id := s.tickID
	return tea.Tick(supervisorTickInterval, func(time.Time) tea.Msg { return supervisorTickMsg{id: id} })
}

// scheduleFrame asks for a frame message unless one is on its way.
func (s *Supervisor) scheduleFrame() tea.Cmd {
	if s.pending {
		return nil
	}
	s.pending = true
	return tea.Tick(frameInterval, func(time.Time) tea.Msg { return frameMsg{} })
}

// setStyles switches the theme of the supervisor (not of a drill-down,
// which gets the terminal's background message itself).
func (s *Supervisor) setStyles(st theme.Styles) {
	th := &st
	s.th = th
	s.st = newSupStyles(th)
	s.help.Styles = st.Help.Keys
	s.input.SetStyles(filterInputStyles(th))
	s.frameOK = false
}

// applyEvent folds a live event into its call's row, hands it to the
// drill-down if it is that call's, and asks for a frame if the table
// shows what changed. Partials only matter to the drill-down.
func (s *Supervisor) applyEvent(ev event.Event) tea.Cmd {
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
		r = newSupRow(ev.CallID)
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

// newSupRow returns the empty row of a call.
func newSupRow(callID string) *supRow {
	r := &supRow{sum: event.CallRow{CallID: callID}}
	r.describe()
	return r
}

// apply folds one event into the row and reports whether the table shows
// what changed. Stale events change nothing; suggestions, recommendations,
// feedback and utterances change only what the table does not show.
func (r *supRow) apply(ev event.Event, now time.Time) (shown bool) {
	if ev.Seq != 0 && ev.Seq <= r.sum.LastSeq {
		return false
	}
	if u, ok := ev.Payload.(event.Utterance); ok && ev.Kind == event.KindFinal && !u.Final {
		u.Final = true // Apply counts finals by the payload's flag
		ev.Payload = u
	}
	wasEnded := r.sum.Status == event.StatusEnded
	r.sum.Apply(ev)
	switch p := ev.Payload.(type) {
	case event.CallStarted:
		r.describe()
		r.endedAt = time.Time{}
		shown = true
	case event.Sentiment:
		if p.Speaker == event.SpeakerCustomer {
			r.spark = sparkline(r.sum.History)
			shown = true
		}
	case event.Alert:
		r.lastAlert = termtext.Sanitize(r.sum.LastAlert)
		r.lastAlertW = ansi.StringWidth(r.lastAlert)
		r.alertAt = now
		shown = true
	}
	if !wasEnded && r.sum.Status == event.StatusEnded {
		r.endedAt = now
		shown = true
	}
	return shown
}

// describe recomputes the row's sanitised text from its summary.
func (r *supRow) describe() {
	s := &r.sum
	r.id, r.queue, r.agent, r.customer = termtext.Sanitize(s.CallID), termtext.Sanitize(s.Queue), termtext.Sanitize(s.Agent), termtext.Sanitize(s.Customer)
	r.lastAlert = termtext.Sanitize(s.LastAlert)
	r.lastAlertW = ansi.StringWidth(r.lastAlert)
	r.idW, r.queueW, r.agentW = ansi.StringWidth(r.id), ansi.StringWidth(r.queue), ansi.StringWidth(r.agent)
	r.search = strings.ToLower(r.id + "\x00" + r.queue + "\x00" + r.agent + "\x00" + r.customer)
	r.spark = sparkline(s.History)
}

// live reports whether the call has not ended.
func (r *supRow) live() bool { return r.sum.Status != event.StatusEnded }

// recentAlert reports whether an alert arrived within recentAlertFor of now.
func (r *supRow) recentAlert(now time.Time) bool {
	return !r.alertAt.IsZero() && now.Sub(r.alertAt) < recentAlertFor
}

// hasSentiment reports whether the customer has been scored yet.
func (r *supRow) hasSentiment() bool { return len(r.sum.History) > 0 || r.sum.Sentiment != 0 }

// merge folds directory rows in: a summary replaces its call's row when it
// is newer. With replace, rows of calls missing from the list are dropped.
func (s *Supervisor) merge(sums []event.CallRow, replace bool) {
	var seen map[string]bool
	if replace {
		seen = make(map[string]bool, len(sums))
	}
	for _, in := range sums {
		if in.CallID == "" {
			continue
		}
		if seen != nil {
			seen[in.CallID] = true
		}
		old := s.rows[in.CallID]
		if old != nil && in.LastSeq <= old.sum.LastSeq {
			continue
		}
		r := old
		if r == nil {
			r = &supRow{}
			s.rows[in.CallID] = r
			s.all = append(s.all, r)
		}
		wasAlerts, wasLive := r.sum.Alerts, r.live()
		r.sum = in
		// Apply appends to History: never share the caller's array.
		r.sum.History = slices.Clone(in.History)
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
func (s *Supervisor) inScope(r *supRow) bool {
	return s.opts.Queue == "" || strings.EqualFold(r.sum.Queue, s.opts.Queue)
}

// rebuild drops expired ended rows and recomputes what the table shows:
// the rows in scope and matching the filter, in order; the per-queue
// lines; the totals; the column widths and the selection. It runs in
// Update, never in View. All rows are sorted, in the order of the last
// sort, so that a sort after a few changes is little more than a pass.
func (s *Supervisor) rebuild() {
	now := s.clock
	keep := s.all[:0]
	for _, r := range s.all {
		if r.gone {
			continue
		}
		if !r.live() && now.Sub(r.endedAt) >= endedGrace {
			delete(s.rows, r.sum.CallID)
			continue
		}
		r.risk = r.sum.Risk(now)
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
	s.syncKeys()
	s.cols = computeColumns(s.width, s.visible, s.opts.Queue != "", now)
	s.relayout()
	s.placeCursor()
	if s.drill == nil { // a drill-down does not show the table
		s.frameOK = false
	}
}

// countQueue adds a live row to its queue's line and the totals.
func (s *Supervisor) countQueue(r *supRow, now time.Time) {
	i, ok := s.queueIdx[r.queue]
	if !ok {
		i = len(s.queues)
		s.queueIdx[r.queue] = i
		s.queues = append(s.queues, queueStat{name: r.queue})
	}
	q := &s.queues[i]
	q.live++
	q.alerts += r.sum.Alerts
	if r.hasSentiment() {
		q.sentSum += r.sum.Sentiment
		q.sentN++
	}
	q.longest = max(q.longest, r.sum.Duration(now))
	s.live++
	s.alerts += r.sum.Alerts
}

// sortKey is a row's key under an order; higher sorts first.
func sortKey(r *supRow, o sortOrder, now time.Time) float64 {
	switch o {
	case sortDuration:
		return r.sum.Duration(now).Seconds()
	case sortSentiment:
		if !r.hasSentiment() {
			return -2 // unscored calls after every scored one
		}
		return -r.sum.Sentiment
	case sortAlerts:
		return float64(r.sum.Alerts)
	}
	return r.risk
}

// compareRows orders rows: live before ended, then by key and risk,
// highest first, then by call id so equal rows keep still.
func compareRows(a, b *supRow) int {
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
	return strings.Compare(a.sum.CallID, b.sum.CallID)
}

// placeCursor keeps the selection on its call in the new order, so Enter
// opens the call that was chosen; but a selection on the top row stays on
// the top row, which then tracks the riskiest call. If the selected call
// is gone, the row now at its place is selected. Then the table scrolls
// to keep the selection in view.
func (s *Supervisor) placeCursor() {
	n := len(s.visible)
	if n == 0 {
		s.cursor, s.offset, s.selected = 0, 0, ""
		return
	}
	found := false
	if s.selected != "" && s.cursor != 0 {
		for i, r := range s.visible {
			if r.sum.CallID == s.selected {
				s.cursor, found = i, true
				break
			}
		}
	}
	if !found {
		s.cursor = clamp(s.cursor, 0, n-1)
		s.selected = s.visible[s.cursor].sum.CallID
	}
	s.scrollToCursor()
}

// moveCursor moves the selection by delta rows.
func (s *Supervisor) moveCursor(delta int) {
	if len(s.visible) == 0 {
		return
	}
	s.cursor = clamp(s.cursor+delta, 0, len(s.visible)-1)
	s.selected = s.visible[s.cursor].sum.CallID
	s.scrollToCursor()
	s.frameOK = false
}

// scrollToCursor moves the window of shown rows so the selection is in it.
func (s *Supervisor) scrollToCursor() {
	rows := max(s.layout.table, 1)
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+rows {
		s.offset = s.cursor - rows + 1
	}
	s.offset = clamp(s.offset, 0, max(len(s.visible)-rows, 0))
}

// selectedRow returns the selected row, or nil.
func (s *Supervisor) selectedRow() *supRow {
	if s.cursor < 0 || s.cursor >= len(s.visible) {
		return nil
	}
	return s.visible[s.cursor]
}

// setFilter applies filter text (any case) and rebuilds the table.
func (s *Supervisor) setFilter(text string) {
	s.filter = strings.ToLower(strings.TrimSpace(termtext.Sanitize(text)))
	s.rebuild()
}

// openDrill opens the selected call as a read-only agent view: seeded
// with what the row knows, then its history (fetched by the returned
// command), then its live events.
func (s *Supervisor) openDrill() tea.Cmd {
	r := s.selectedRow()
	if r == nil {
		return nil
	}
	s.drillGen++
	am := New(Options{ReadOnly: true, ModelStatus: s.opts.ModelStatus, NoColor: s.th.Plain, Now: s.now, Controller: s.opts.Controller})
	if !s.th.Plain {
		am.setStyles(*s.th)
	}
	am = am.resized(s.width, max(s.height-1, 0))
	d := &drillDown{callID: r.sum.CallID, gen: s.drillGen, agent: am}
	// A call.started from the row (seq 0, older than any real event) so the
	// view names the call at once; the history's own start follows.
	d.agent.applyBatch([]event.Event{{
		Kind: event.KindCallStarted, CallID: r.sum.CallID, TS: r.sum.Started,
		Payload: event.CallStarted{
			Queue: r.sum.Queue, Agent: r.sum.Agent, Customer: r.sum.Customer,
			Channel: r.sum.Channel, Title: r.sum.Title,
		},
	}}, r.sum.Started)
	var cmd tea.Cmd
	if s.opts.History != nil {
		d.loading = true
		d.note = "loading history…"
		cmd = historyCmd(s.ctx, s.opts.History, d.gen, d.callID)
	} else {
		d.note = "live events only"
	}
	s.drill = d
	s.gate.set(d.callID)
	s.syncKeys()
	s.frameOK = false
	return cmd
}

// closeDrill goes back to the table.
func (s *Supervisor) closeDrill() {
	s.drill = nil
	s.gate.set("")
	s.rebuild()
}

// feedDrill hands a live event of the drilled-into call to its agent
// view, or holds it while the history loads (the agent view drops events
// older than the newest it has applied, so history must go first).
func (s *Supervisor) feedDrill(ev event.Event) tea.Cmd {
	d := s.drill
	if d.loading {
		if len(d.buffer) < maxDrillBuffer {
			d.buffer = append(d.buffer, ev)
		}
		return nil
	}
	return s.forwardDrill(EventMsg{ev})
}

// forwardDrill passes a message to the drill-down's agent view, if open.
func (s *Supervisor) forwardDrill(msg tea.Msg) tea.Cmd {
	d := s.drill
	if d == nil {
		return nil
	}
	next, cmd := d.agent.Update(msg)
	if m, ok := next.(Model); ok {
		d.agent = m
	}
	s.frameOK = false
	return cmd
}

// applyHistory feeds a drilled-into call's history, then the live events
// held meanwhile, to its agent view, in sequence order and once each.
func (s *Supervisor) applyHistory(msg historyMsg) tea.Cmd {
	d := s.drill
	if d == nil || d.gen != msg.gen || !d.loading {
		return nil
	}
	d.loading = false
	var evs []event.Event
	if msg.err != nil {
		d.note, d.noteErr = "history unavailable: "+termtext.Sanitize(msg.err.Error()), true
	} else {
		for _, ev := range msg.events {
			if ev.CallID == d.callID {
				ev.Payload = event.Deref(ev.Payload)
				evs = append(evs, ev)
			}
		}
		d.note = "history: " + itoa(len(evs)) + " events"
	}
	evs = append(evs, d.buffer...)
	d.buffer = nil
	slices.SortStableFunc(evs, func(a, b event.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	evs = slices.CompactFunc(evs, func(a, b event.Event) bool { return a.Seq == b.Seq })
	var started time.Time
	if r := s.rows[d.callID]; r != nil {
		started = r.sum.Started
	}
	s.frameOK = false
	return d.agent.applyBatch(evs, started)
}

// historyCmd fetches a call's history. It copies what it needs and never
// touches the model.
func historyCmd(ctx context.Context, fetch func(context.Context, string) ([]event.Event, error), gen int, callID string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, historyTimeout)
		defer cancel()
		evs, err := fetch(ctx, callID)
		return historyMsg{gen: gen, callID: callID, events: evs, err: err}
	}
}

// applyBatch folds many events into the agent view and refreshes the
// panes once, not once per event: a drill-down's history can be long.
// started, when known, is when the call started by the service's clock,
// so the elapsed time agrees with the supervisor's table.
func (m *Model) applyBatch(evs []event.Event, started time.Time) tea.Cmd {
	m.clock = m.now()
	var cmds []tea.Cmd
	for _, ev := range evs {
		if c := m.applyEvent(ev); c != nil {
			cmds = append(cmds, c)
		}
	}
	if cs := m.calls[m.current]; cs != nil && cs.started && !started.IsZero() {
		cs.startedAt = started
	}
	m.refresh()
	m.syncKeys()
	return tea.Batch(cmds...)
}

// resized returns the agent view laid out for w×h.
func (m Model) resized(w, h int) Model {
	m.width, m.height = w, h
	m.relayout()
	return m
}
