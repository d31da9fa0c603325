package agent

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

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

// maxWrappedCalls bounds the calls the view remembers as wrapped up, and
// maxHeldCalls those waiting behind the form.
const (
	maxWrappedCalls = 16
	maxHeldCalls    = 8
)

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
	// held are the calls that started while the form was open, oldest
	// first: the first is shown when it closes (at most maxHeldCalls).
	held []string
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
		if d != "" && !slices.Contains(f.dispositions, d) {
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

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
