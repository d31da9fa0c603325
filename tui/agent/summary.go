package agent

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

// Summary sources, as engine.Summary.Source names them.
const (
	summaryLLM        = "llm"
	summaryExtractive = "extractive"
)

// summaryLabelWidth is the width of the field-name column of the summary
// overlay; narrower overlays put each name on a row of its own.
const summaryLabelWidth = 14

// summaryPane is the call summary overlay: every field of the call's
// latest summary, labelled and wrapped, with where it comes from. It
// covers other panes while open (see layout.Summary), because no pane of
// the compact layout is tall enough to read a summary in, and it takes the
// navigation keys then.
type summaryPane struct {
	scrollBox
	th *theme.Styles // shared, never changed once built

	callID  string
	sum     *event.Summary // nil: none yet
	atEnd   bool           // the wrap-up from call.ended
	pending bool           // a new summary was asked for

}

// newSummaryPane returns an empty summary overlay. It is always drawn
// focused: when it shows, it is the one the keys go to.
func newSummaryPane(th *theme.Styles) summaryPane {
	p := summaryPane{th: th}
	p.SetFocused(true)
	return p
}

// st returns the pane's styles.
func (p summaryPane) st() *theme.SummaryStyles { return &p.th.Summary }

// SetStyles changes the theme.
func (p *summaryPane) SetStyles(th *theme.Styles) {
	p.th = th
	p.build()
}

// SetSize sets the pane's outer size.
func (p *summaryPane) SetSize(w, h int) {
	p.Box.SetSize(w, h)
	p.build()
}

// SetData shows a call's latest summary (nil when there is none), whether
// it is the wrap-up, and whether a newer one was asked for. A new summary
// scrolls back to the top.
func (p *summaryPane) SetData(callID string, sum *event.Summary, atEnd, pending bool) {
	if callID != p.callID || sum != p.sum {
		p.offset = 0
	}
	p.callID, p.sum, p.atEnd, p.pending = callID, sum, atEnd, pending
	p.build()
}

// build renders the rows at the current size.
func (p *summaryPane) build() {
	iw, _ := p.Inner()
	p.rows = nil
	if iw <= 0 {
		return
	}
	st := p.st()
	s := p.sum
	switch {
	case s == nil && p.pending:
		p.rows = []string{st.Pending.Render(common.Fit("Summarizing the call…", iw))}
	case s == nil:
		p.rows = []string{st.Pending.Render(common.Fit("No summary yet.", iw))}
	default:
		p.field("Source", p.sourceBadge(), iw)
		p.text("Reason", s.Reason, st.Value, iw)
		p.text("Situation", s.Situation, st.Value, iw)
		p.text("Action", s.Action, st.Value, iw)
		p.text("Resolution", s.Resolution, st.Value, iw)
		p.text("Satisfaction", s.Satisfaction, p.satisfactionStyle(s.Satisfaction), iw)
		p.text("Disposition", s.Disposition, st.Value, iw)
		p.text("Entities", strings.Join(s.Entities, " · "), st.Entity, iw)
	}
	p.clampOffset()
}

// sourceBadge says where the summary comes from: a model server wrote it,
// or sentences were picked from the transcript.
func (p *summaryPane) sourceBadge() string {
	st := p.st()
	switch p.sum.Source {
	case summaryLLM:
		return st.Generated.Render("✎ generated") + st.Hint.Render(" by the model server; check it")
	case summaryExtractive:
		return st.Extractive.Render("extractive") + st.Hint.Render(" · picked from the transcript")
	}
	return st.Value.Render(firstNonEmpty(p.sum.Source, "unknown"))
}

// satisfactionStyle colours the customer's satisfaction by its value.
func (p *summaryPane) satisfactionStyle(v string) lipgloss.Style {
	switch v {
	case "satisfied":
		return p.st().Satisfied
	case "dissatisfied":
		return p.st().Dissatisfied
	}
	return p.st().Neutral
}

// text adds a labelled field of plain text, wrapped; an empty field is
// left out.
func (p *summaryPane) text(label, value string, style lipgloss.Style, w int) {
	if value == "" {
		return
	}
	indent := p.indent(w)
	lines := wrapText(value, max(w-indent, 1))
	for i := range lines {
		lines[i] = style.Render(lines[i])
	}
	p.add(label, lines, w)
}

// field adds a labelled one-row field that is already styled.
func (p *summaryPane) field(label, value string, w int) {
	p.add(label, []string{value}, w)
}

// indent is the column values start at: after the label column, or a
// small indent under the label when the overlay is too narrow for one.
func (p *summaryPane) indent(w int) int {
	if w >= 2*summaryLabelWidth+8 {
		return summaryLabelWidth
	}
	return 2
}

// add lays out a field: the label beside its first row, or above it on a
// narrow overlay.
func (p *summaryPane) add(label string, lines []string, w int) {
	indent := p.indent(w)
	pad := strings.Repeat(" ", indent)
	lab := p.st().Label.Render(common.PadRight(label, indent))
	if indent < summaryLabelWidth {
		p.rows = append(p.rows, common.Fit(p.st().Label.Render(label), w))
		lab = pad
	}
	for i, l := range lines {
		lead := pad
		if i == 0 {
			lead = lab
		}
		p.rows = append(p.rows, common.Fit(lead+l, w))
	}
}

// View renders the overlay at exactly its size.
func (p summaryPane) View() string {
	body, below := p.window()
	title := "Call summary"
	if p.atEnd {
		title = "Wrap-up summary"
	}
	var notes []string
	if p.pending && p.sum != nil {
		notes = append(notes, "updating…")
	}
	if below > 0 {
		notes = append(notes, "↓ "+strconv.Itoa(below)+" more")
	}
	return p.Render(&p.th.Frame, title, strings.Join(notes, "  "), body)
}

// summarySourceLabel names where a summary comes from, in a word.
func summarySourceLabel(source string) string {
	switch source {
	case summaryLLM:
		return "✎ generated"
	case summaryExtractive:
		return "extractive"
	}
	return firstNonEmpty(source, "summary")
}
