package supervisor

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/larkspur-labs/assist/tui/theme"
)

// tableStyles are the supervisor's table styles of the theme, as spans:
// the hot row loop neither builds nor runs a lipgloss style.
type tableStyles struct {
	frame    *theme.FrameStyles
	colHead  span // the table's column names
	label    span // words around figures
	value    span // figures
	negative span // a negative sentiment value
	positive span // a positive sentiment value
	up       span // trend: getting happier
	down     span // trend: getting angrier
	flat     span
	spark    span
	alerts   span // a non-zero alert count
	reason   span // the last alert's reason
	recent   span // a row's flag, count and reason after a new alert
	ended    span // a whole ended row
	selected span // a whole selected row
	pointer  span // the selection mark
	empty    span // placeholder text
}

// newTableStyles measures the spans of a theme's supervisor styles.
func newTableStyles(th *theme.Styles) tableStyles {
	st := &th.Supervisor
	return tableStyles{
		frame:    &th.Frame,
		colHead:  newSpan(st.ColumnHead),
		label:    newSpan(st.Label),
		value:    newSpan(st.Value),
		negative: newSpan(st.Negative),
		positive: newSpan(st.Positive),
		up:       newSpan(st.Up),
		down:     newSpan(st.Down),
		flat:     newSpan(st.Flat),
		spark:    newSpan(st.Spark),
		alerts:   newSpan(st.Alerts),
		reason:   newSpan(st.Reason),
		recent:   newSpan(st.Recent),
		ended:    newSpan(st.Ended),
		selected: newSpan(st.Selected),
		pointer:  newSpan(st.Pointer),
		empty:    newSpan(st.Empty),
	}
}

// span is a text style reduced to the escape sequences around the text.
// For a style of colours and attributes only (no width, padding, border
// or transform), Render(text) of one line of text is exactly pre + text +
// post, and writing those three strings is a small fraction of the cost of
// Render, which the supervisor would otherwise run a few thousand times a
// frame. Styles a span cannot reproduce keep using Render.
type span struct {
	style     lipgloss.Style
	pre, post string
	ok        bool
}

// spanProbe is the text a span is measured with.
const spanProbe = "x y"

// newSpan measures a style's escape sequences, and keeps them only if a
// second text renders the same way.
func newSpan(st lipgloss.Style) span {
	sp := span{style: st}
	r := st.Render(spanProbe)
	i := strings.Index(r, spanProbe)
	if i < 0 {
		return sp
	}
	pre, post := r[:i], r[i+len(spanProbe):]
	const check = " −0.45 ▅▄ "
	if st.Render(check) == pre+check+post {
		sp.pre, sp.post, sp.ok = pre, post, true
	}
	return sp
}

// render returns text (one line, no escapes) in the span's style.
func (sp span) render(text string) string {
	if !sp.ok {
		return sp.style.Render(text)
	}
	if text == "" {
		return ""
	}
	return sp.pre + text + sp.post
}

// write writes text (one line, no escapes) in the span's style.
func (sp span) write(b *strings.Builder, text string) {
	switch {
	case !sp.ok:
		b.WriteString(sp.style.Render(text))
	case text != "":
		b.WriteString(sp.pre)
		b.WriteString(text)
		b.WriteString(sp.post)
	}
}
