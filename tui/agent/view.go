package agent

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/larkspur-labs/assist/tui/common"
)

// Render draws the view as exactly its height in lines of its width in
// cells: every pane at its place in the layout.
func (m Screen) Render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.wrap.open {
		return m.renderWrapup()
	}
	l := m.layout
	if m.summaryOpen || m.alertsOpen {
		parts := []placed{{l.Header, m.header.View()}}
		if !l.Compact { // the overlay covers the right column only
			t := m.transcript // a copy: the overlay has the focus, not the transcript
			t.SetFocused(false)
			parts = append(parts, placed{l.Transcript, t.View()}, placed{l.Composer, m.composer.View()})
		}
		overlay := m.summary.View()
		if m.alertsOpen {
			overlay = m.alerts.View()
		}
		parts = append(parts, placed{l.Summary, overlay}, placed{l.Help, m.helpView()})
		return compose(m.width, m.height, parts)
	}
	// Copies: while the composer has the keys, no pane looks focused.
	t, s, r := m.transcript, m.suggestions, m.recs
	if m.composing {
		t.SetFocused(false)
		s.SetFocused(false)
		r.SetFocused(false)
	}
	return compose(m.width, m.height, []placed{
		{l.Header, m.header.View()},
		{l.Transcript, t.View()},
		{l.Composer, m.composer.View()},
		{l.Suggestions, s.View()},
		{l.Gauges, m.gauges.View()},
		{l.Recommendations, r.View()},
		{l.Help, m.helpView()},
	})
}

// noteView renders the status note for the right of the help bar, "" when
// there is none.
func (m Screen) noteView() string {
	if m.note == "" {
		return ""
	}
	st := m.styles.Help.Note
	if m.noteErr {
		st = m.styles.Help.Error
	}
	return st.Render(m.note + " ")
}

// helpView renders the help bar, with the status note on the right.
func (m Screen) helpView() string {
	w := m.layout.Help.W
	note := m.noteView()
	h := m.help
	if !h.ShowAll {
		h.SetWidth(max(w-lipgloss.Width(note)-2, 0))
		return common.Spread(" "+h.View(m.keys), note, w)
	}
	// Full help gets the whole width; the note waits for it to close.
	h.SetWidth(max(w-1, 0))
	lines := strings.Split(h.View(m.keys), "\n")
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	return strings.Join(lines, "\n")
}

// placed is a rendered part and where it goes.
type placed struct {
	r       rect
	content string
}

// compose lays the parts out on a w×h screen. Parts sharing rows must come
// left to right. Each part is cut or padded to its rectangle, so the result
// is exact even if a part is not.
func compose(w, h int, parts []placed) string {
	rows := make([]strings.Builder, h)
	for _, p := range parts {
		if p.r.empty() {
			continue
		}
		lines := strings.Split(p.content, "\n")
		for i := 0; i < p.r.H && p.r.Y+i < h; i++ {
			rows[p.r.Y+i].WriteString(common.Fit(common.At(lines, i), p.r.W))
		}
	}
	out := make([]string, h)
	for y := range rows {
		out[y] = common.Fit(rows[y].String(), w)
	}
	return strings.Join(out, "\n")
}
