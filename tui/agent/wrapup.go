package agent

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

// After-call work. When a call the agent was on ends, an agent's own
// terminal on the service (its controller is a WrapupSender, the view not
// read-only) covers the panes with the wrap-up form: the disposition
// (prefilled from the flow, else the engine's, and changeable from a
// list), the summary (the engine's, editable), the checklist (each step
// confirmed done, marked not needed, or left open) and a free note.
// ctrl+s sends it as the agent's wrapup event. While the form is open the
// agent is in wrap-up, and a call that starts meanwhile is held: it is
// shown once the form is sent or its timer (Options.WrapupTimer) runs
// out, which sends the form as it stands, marked timed out. Replays and
// the supervisor's drill-down show no form: a replay has no service to
// store a wrap-up in, and a supervisor does not wrap up an agent's call
// (the stored wrap-up reaches the drill-down as an event, like any other).

// WrapupSender is what a controller adds when the agent wraps its calls
// up in the view: the service's, for the agent's own ended calls.
type WrapupSender interface {
	// SubmitWrapup sends the agent's wrap-up of an ended call, to be
	// stored with it.
	SubmitWrapup(callID string, w event.Wrapup) error
}

// standardDispositions follow the call's own (the flow's, the engine's)
// in the form's list.
var standardDispositions = []string{"resolved", "follow-up needed", "escalated", "transferred", "callback requested", "not resolved"}

// wrapField is the part of the form the keys go to.
type wrapField int

// The form's fields, in tab order.
const (
	wrapDisposition wrapField = iota
	wrapSummary
	wrapChecklist
	wrapNote
	wrapFieldCount
)

// maxWrappedCalls bounds the calls the view remembers as wrapped up.
const maxWrappedCalls = 16

// wrapupKeyMap is the form's keys; help is generated from them.
type wrapupKeyMap struct {
	Next, Prev key.Binding // the next and previous field
	Change     key.Binding // the disposition: the next or previous in the list
	Step       key.Binding // the checklist: the next or previous step
	Mark       key.Binding // the checklist: done, not needed, open
	Submit     key.Binding
	Quit       key.Binding
}

func defaultWrapupKeys() wrapupKeyMap {
	return wrapupKeyMap{
		Next:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev field")),
		Change: key.NewBinding(key.WithKeys("right", "left", "space"), key.WithHelp("←/→", "change")),
		Step:   key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "step")),
		Mark:   key.NewBinding(key.WithKeys("space", "enter"), key.WithHelp("space", "done/not needed/open")),
		Submit: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "submit wrap-up")),
		Quit:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

// ShortHelp implements help.KeyMap.
func (k wrapupKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Submit, k.Next, k.Change, k.Step, k.Mark, k.Prev, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k wrapupKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

var _ help.KeyMap = wrapupKeyMap{}

// forField enables the keys that act on the focused field.
func (k wrapupKeyMap) forField(f wrapField, steps int) wrapupKeyMap {
	k.Change.SetEnabled(f == wrapDisposition)
	k.Step.SetEnabled(f == wrapChecklist && steps > 0)
	k.Mark.SetEnabled(f == wrapChecklist && steps > 0)
	return k
}

// wrapupForm is the wrap-up form of one ended call: a pane in a box, with
// two Bubbles textareas.
type wrapupForm struct {
	common.Box
	th   *theme.Styles
	keys wrapupKeyMap

	open   bool
	callID string
	name   string // the call's id, sanitised
	field  wrapField

	dispositions []string
	disp         int
	summary      textarea.Model
	steps        []event.WrapupStep
	step         int
	note         textarea.Model

	// deadline is when the timer submits the form; zero without a timer.
	deadline time.Time
	sending  bool
	// held is a call that started while the form was open, shown when it
	// closes.
	held string
	// wrapped are the calls wrapped up (or timed out) lately: their form
	// does not open again.
	wrapped []string
}

// newWrapupForm returns a closed form.
func newWrapupForm(th *theme.Styles) wrapupForm {
	f := wrapupForm{th: th, keys: defaultWrapupKeys()}
	f.summary = newWrapupArea(th, "what happened, what was done", event.MaxWrapupSummaryRunes)
	f.note = newWrapupArea(th, "a note for the record (optional)", event.MaxWrapupNoteRunes)
	f.SetFocused(true)
	return f
}

func newWrapupArea(th *theme.Styles, placeholder string, limit int) textarea.Model {
	in := textarea.New()
	in.ShowLineNumbers = false
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = limit
	in.SetStyles(th.Transcript.Composer)
	return in
}

// SetStyles changes the theme.
func (f *wrapupForm) SetStyles(th *theme.Styles) {
	f.th = th
	f.summary.SetStyles(th.Transcript.Composer)
	f.note.SetStyles(th.Transcript.Composer)
}

// Rows of the form's body besides the summary: the disposition, three
// field titles, the steps shown and the note.
const (
	wrapNoteRows     = 2
	wrapMinSummary   = 2
	wrapMaxSummary   = 12
	wrapMaxNote      = 6
	wrapMaxStepsRows = 8
	wrapIndent       = 2 // the text areas sit under their field's name
)

// stepRows is how many checklist rows the form shows at inner height ih.
func (f *wrapupForm) stepRows(ih int) int {
	n := max(len(f.steps), 1)
	return common.Clamp(min(n, wrapMaxStepsRows), 0, max(ih-4-wrapNoteRows-wrapMinSummary, 0))
}

// SetSize sets the form's outer size and its text areas' to fit.
func (f *wrapupForm) SetSize(w, h int) {
	f.Box.SetSize(w, h)
	iw, ih := f.Inner()
	f.summary.SetWidth(max(iw-wrapIndent, 1))
	f.note.SetWidth(max(iw-wrapIndent, 1))
	rest := ih - 4 - f.stepRows(ih)
	summary := common.Clamp(rest-wrapNoteRows, 1, wrapMaxSummary)
	f.summary.SetHeight(summary)
	f.note.SetHeight(common.Clamp(rest-summary, 1, wrapMaxNote))
}

// Open fills the form from the ended call and opens it; timer bounds it
// from now (no limit when zero).
func (f *wrapupForm) Open(cs *callState, now time.Time, timer time.Duration) {
	f.open, f.callID, f.name, f.field, f.sending, f.step = true, cs.id, cs.name, wrapDisposition, false, 0
	f.deadline = time.Time{}
	if timer > 0 {
		f.deadline = now.Add(timer)
	}
	var own []string
	summary := ""
	if e := cs.ended; e != nil {
		if cs.flow != nil {
			own = append(own, cs.flow.ID)
		}
		own = append(own, e.Disposition)
		if e.Wrapup != nil {
			own = append(own, e.Wrapup.Disposition)
			summary = structuredSummary(*e.Wrapup)
		}
		if summary == "" {
			summary = e.Summary
		}
	}
	f.dispositions = f.dispositions[:0]
	for _, d := range append(own, standardDispositions...) {
		d = strings.TrimSpace(d)
		if d != "" && !contains(f.dispositions, d) {
			f.dispositions = append(f.dispositions, truncateRunes(d, event.MaxDispositionRunes))
		}
	}
	f.disp = 0
	f.steps = f.steps[:0]
	if cs.flow != nil {
		for _, s := range cs.flow.Steps[:min(len(cs.flow.Steps), event.MaxWrapupSteps)] {
			status := event.StepOpen
			if s.Done {
				status = event.StepDone
			}
			f.steps = append(f.steps, event.WrapupStep{ID: s.ID, Title: s.Title, Status: status})
		}
	}
	f.summary.SetValue(truncateRunes(summary, event.MaxWrapupSummaryRunes))
	f.note.Reset()
	f.focusField()
}

// structuredSummary writes the engine's structured wrap-up as lines.
func structuredSummary(s event.Summary) string {
	var lines []string
	for _, p := range [][2]string{{"Situation", s.Situation}, {"Action", s.Action}, {"Resolution", s.Resolution}} {
		if v := strings.TrimSpace(p[1]); v != "" {
			lines = append(lines, p[0]+": "+v)
		}
	}
	return strings.Join(lines, "\n")
}

// close closes the form and remembers its call as wrapped up.
func (f *wrapupForm) close() {
	f.open, f.sending = false, false
	f.summary.Blur()
	f.note.Blur()
	f.wrapped = append(f.wrapped, f.callID)
	if n := len(f.wrapped); n > maxWrappedCalls {
		f.wrapped = f.wrapped[n-maxWrappedCalls:]
	}
}

// focusField gives the focused field's text area the keys.
func (f *wrapupForm) focusField() tea.Cmd {
	f.summary.Blur()
	f.note.Blur()
	switch f.field {
	case wrapSummary:
		return f.summary.Focus()
	case wrapNote:
		return f.note.Focus()
	}
	return nil
}

// Wrapup is the form as it would be sent: text made safe and trimmed.
func (f *wrapupForm) Wrapup(timedOut bool) event.Wrapup {
	w := event.Wrapup{Summary: cleanReply(f.summary.Value()), Note: cleanReply(f.note.Value()), TimedOut: timedOut}
	if f.disp < len(f.dispositions) {
		w.Disposition = f.dispositions[f.disp]
	}
	w.Checklist = append([]event.WrapupStep(nil), f.steps...)
	return w
}

// remaining is the time the timer leaves at now; ok is false without one.
func (f *wrapupForm) remaining(now time.Time) (d time.Duration, ok bool) {
	if f.deadline.IsZero() {
		return 0, false
	}
	return max(f.deadline.Sub(now), 0), true
}

// key handles a key for the form and returns the command of a text area;
// submit and quit are the screen's.
func (f *wrapupForm) key(msg tea.KeyPressMsg) tea.Cmd {
	k := f.keys.forField(f.field, len(f.steps))
	switch {
	case key.Matches(msg, k.Next):
		f.field = (f.field + 1) % wrapFieldCount
		return f.focusField()
	case key.Matches(msg, k.Prev):
		f.field = (f.field + wrapFieldCount - 1) % wrapFieldCount
		return f.focusField()
	}
	switch f.field {
	case wrapDisposition:
		if key.Matches(msg, k.Change) && len(f.dispositions) > 0 {
			d := 1
			if msg.String() == "left" {
				d = -1
			}
			f.disp = (f.disp + d + len(f.dispositions)) % len(f.dispositions)
		}
	case wrapChecklist:
		switch {
		case key.Matches(msg, k.Step):
			d := 1
			if msg.String() == "up" {
				d = -1
			}
			f.step = common.Clamp(f.step+d, 0, max(len(f.steps)-1, 0))
		case key.Matches(msg, k.Mark) && f.step < len(f.steps):
			s := &f.steps[f.step]
			switch s.Status {
			case event.StepOpen:
				s.Status = event.StepDone
			case event.StepDone:
				s.Status = event.StepNotNeeded
			default:
				s.Status = event.StepOpen
			}
		}
	case wrapSummary:
		var cmd tea.Cmd
		f.summary, cmd = f.summary.Update(msg)
		return cmd
	case wrapNote:
		var cmd tea.Cmd
		f.note, cmd = f.note.Update(msg)
		return cmd
	}
	return nil
}

// paste hands a paste, made safe, to the focused text area.
func (f *wrapupForm) paste(msg tea.Msg) tea.Cmd {
	if p, ok := msg.(tea.PasteMsg); ok {
		p.Content = sanitizeLines(p.Content)
		msg = p
	}
	var cmd tea.Cmd
	switch f.field {
	case wrapSummary:
		f.summary, cmd = f.summary.Update(msg)
	case wrapNote:
		f.note, cmd = f.note.Update(msg)
	}
	return cmd
}

// View renders the form at exactly its size; now times the timer.
func (f wrapupForm) View(now time.Time) string {
	iw, ih := f.Inner()
	st := &f.th.Summary
	label := func(field wrapField, name string) string {
		mark := "  "
		if f.field == field {
			mark = "▸ "
		}
		return st.Label.Render(mark + name)
	}
	var lines []string
	disp := "(none)"
	if f.disp < len(f.dispositions) {
		disp = f.dispositions[f.disp]
	}
	lines = append(lines, label(wrapDisposition, "Disposition  ")+st.Value.Render("‹ "+disp+" ›")+
		st.Hint.Render("  "+strconv.Itoa(f.disp+1)+" of "+strconv.Itoa(len(f.dispositions))))
	lines = append(lines, label(wrapSummary, "Summary"))
	lines = append(lines, indent(f.summary.View(), iw)...)
	lines = append(lines, label(wrapChecklist, "Checklist"))
	rows := f.stepRows(ih)
	if len(f.steps) == 0 {
		lines = append(lines, st.Hint.Render("    no guided flow matched this call"))
	} else {
		first := common.Clamp(f.step-rows+1, 0, max(len(f.steps)-rows, 0))
		for i := first; i < min(first+rows, len(f.steps)); i++ {
			lines = append(lines, f.stepLine(i, iw))
		}
	}
	lines = append(lines, label(wrapNote, "Note"))
	lines = append(lines, indent(f.note.View(), iw)...)

	info := "no time limit"
	if d, ok := f.remaining(now); ok {
		info = clockString(d.Seconds()) + " left"
	}
	if f.sending {
		info = "sending…"
	}
	return f.Render(&f.th.Frame, "Wrap-up · "+f.name, info, lines)
}

// stepLine draws checklist step i.
func (f wrapupForm) stepLine(i, w int) string {
	st := &f.th.Summary
	s := f.steps[i]
	mark, status, style := "○", "open", st.Pending
	switch s.Status {
	case event.StepDone:
		mark, status, style = "✓", "done", st.Satisfied
	case event.StepNotNeeded:
		mark, status, style = "–", "not needed", st.Neutral
	}
	cursor := "    "
	if f.field == wrapChecklist && i == f.step {
		cursor = "  › "
	}
	title := termtext.Sanitize(s.Title)
	if title == "" {
		title = termtext.Sanitize(s.ID)
	}
	right := style.Render(status)
	left := cursor + style.Render(mark) + " " + st.Value.Render(title)
	return common.Spread(left, right, w)
}

// indent places a text area's view under its field's name, in lines of
// width w.
func indent(view string, w int) []string {
	lines := strings.Split(view, "\n")
	pad := strings.Repeat(" ", wrapIndent)
	for i, l := range lines {
		lines[i] = common.Fit(pad+l, w)
	}
	return lines
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// wrapupDoneMsg reports the result of sending a wrap-up.
type wrapupDoneMsg struct {
	callID   string
	timedOut bool
	err      error
}

func (wrapupDoneMsg) result() {}

// wrapupCmd sends a wrap-up through the controller, off the Update loop.
func wrapupCmd(s WrapupSender, callID string, w event.Wrapup) tea.Cmd {
	return func() tea.Msg {
		return wrapupDoneMsg{callID: callID, timedOut: w.TimedOut, err: s.SubmitWrapup(callID, w)}
	}
}

// The screen's side of the form.

// followWrapup, after a batch of events, opens the form on the displayed
// call when it ended in the batch (wasLive says it was live before), and
// keeps the displayed call on the form's while it is open, holding any
// call that started meanwhile.
func (m *Screen) followWrapup(prev string, wasLive bool) {
	if m.wrapper == nil {
		return
	}
	f := &m.wrap
	if !f.open && wasLive {
		if cs := m.calls[prev]; cs != nil && cs.ended != nil && !contains(f.wrapped, prev) {
			m.stopComposing()
			m.summaryOpen, m.alertsOpen = false, false
			f.Open(cs, m.clock, m.opts.WrapupTimer)
			m.relayoutWrapup()
			m.setNote("Call ended: wrap it up", false)
		}
	}
	if f.open && m.current != f.callID {
		if _, ok := m.calls[f.callID]; ok {
			if m.current != "" && m.current != f.held {
				f.held = m.current
			}
			m.current = f.callID
			m.refresh()
		}
	}
}

// liveCall reports the displayed call and whether it is live, before a
// batch of events.
func (m *Screen) liveCall() (string, bool) {
	cs := m.calls[m.current]
	return m.current, cs != nil && cs.started && cs.ended == nil
}

// relayoutWrapup sizes the form where the summary overlay goes: the
// right column in wide mode, so the call's transcript stays in sight to
// write the summary from, the whole body in compact mode.
func (m *Screen) relayoutWrapup() {
	m.wrap.SetSize(m.layout.Summary.W, m.layout.Summary.H)
}

// wrapupKey handles a key while the form is open.
func (m *Screen) wrapupKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.wrap.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Submit):
		return m.submitWrapup(false)
	}
	return m.wrap.key(msg)
}

// submitWrapup sends the form; timedOut says the timer ran out.
func (m *Screen) submitWrapup(timedOut bool) tea.Cmd {
	f := &m.wrap
	if !f.open || f.sending || m.wrapper == nil {
		return nil
	}
	w := f.Wrapup(timedOut)
	if w.Disposition == "" {
		m.setNote("Choose a disposition first", true)
		return nil
	}
	f.sending = true
	if timedOut {
		m.setNote("Wrap-up time is up: sending the form as it stands", false)
	} else {
		m.setNote("Sending the wrap-up…", false)
	}
	return wrapupCmd(m.wrapper, f.callID, w)
}

// WrapupTimer sends the form as it stands when its timer has run out.
// The program calls it on its clock tick.
func (m *Screen) WrapupTimer() tea.Cmd {
	f := &m.wrap
	if !f.open || f.sending || f.deadline.IsZero() || m.clock.Before(f.deadline) {
		return nil
	}
	return m.submitWrapup(true)
}

// wrapupDone applies the answer to a sent wrap-up: sent, or sent by the
// timer whatever the answer, the form closes and the next call (held, if
// one started) is shown; a wrap-up the agent sent that failed stays open
// to send again.
func (m *Screen) wrapupDone(msg wrapupDoneMsg) tea.Cmd {
	f := &m.wrap
	if !f.open || f.callID != msg.callID {
		return nil
	}
	f.sending = false
	switch {
	case msg.err != nil && !msg.timedOut:
		m.setNote("Wrap-up not sent: "+termtext.Sanitize(msg.err.Error()), true)
		return nil
	case msg.err != nil:
		m.setNote("Wrap-up not stored: "+termtext.Sanitize(msg.err.Error()), true)
	case msg.timedOut:
		m.setNote("Wrap-up sent by the timer", false)
	default:
		m.setNote("Wrap-up sent: you are available", false)
	}
	f.close()
	held := f.held
	f.held = ""
	if cs := m.calls[held]; cs != nil {
		m.current = held
	}
	m.refresh()
	m.relayout()
	if cs := m.calls[m.current]; cs != nil && cs.started && cs.ended == nil {
		return m.followCall()
	}
	return m.setState(event.AgentAvailable, "")
}

// renderWrapup draws the header, the form over the body, and the form's
// help with the status note.
func (m Screen) renderWrapup() string {
	l := m.layout
	h := m.help
	note := ""
	if m.note != "" {
		st := m.styles.Help.Note
		if m.noteErr {
			st = m.styles.Help.Error
		}
		note = st.Render(m.note + " ")
	}
	h.SetWidth(max(l.Help.W-lipgloss.Width(note)-2, 0))
	bar := common.Spread(" "+h.ShortHelpView(m.wrap.keys.forField(m.wrap.field, len(m.wrap.steps)).ShortHelp()), note, l.Help.W)
	parts := []placed{{l.Header, m.header.View()}}
	if !l.Compact {
		t := m.transcript // a copy: the form has the focus
		t.SetFocused(false)
		parts = append(parts, placed{l.Transcript, t.View()})
	}
	return compose(m.width, m.height, append(parts,
		placed{l.Summary, m.wrap.View(m.clock)},
		placed{rect{0, m.height - l.Help.H, m.width, min(l.Help.H, 1)}, bar},
	))
}
