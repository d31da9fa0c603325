package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/tui/theme"
)

// chrome is how a pane is framed.
type chrome int

const (
	// chromeBox draws a full border with the title in the top edge.
	chromeBox chrome = iota
	// chromeRule draws only a title rule above the body, saving the side
	// columns and the bottom row in compact mode.
	chromeRule
)

// box is the frame every pane shares: its outer size, chrome and focus.
type box struct {
	w, h    int
	chrome  chrome
	focused bool
}

// SetSize sets the pane's outer size, frame included.
func (b *box) SetSize(w, h int) { b.w, b.h = max(w, 0), max(h, 0) }

// SetFocused marks the pane as the one keys go to.
func (b *box) SetFocused(f bool) { b.focused = f }

// setChrome chooses how the pane is framed.
func (b *box) setChrome(c chrome) { b.chrome = c }

// inner returns the size of the body inside the frame.
func (b box) inner() (w, h int) {
	if b.chrome == chromeRule {
		if b.w < 12 {
			return b.w, max(b.h-1, 0)
		}
		return b.w - 2, max(b.h-1, 0) // a space of padding each side
	}
	if b.w < 3 || b.h < 3 {
		return b.w, b.h
	}
	if b.w < 12 {
		return b.w - 2, b.h - 2
	}
	return b.w - 4, b.h - 2 // a space of padding inside each side
}

// render frames body lines, which should already be the inner width, into
// exactly the outer size. Missing lines are blank; extra lines are cut.
func (b box) render(st *theme.FrameStyles, title, info string, body []string) string {
	if b.w <= 0 || b.h <= 0 {
		return ""
	}
	border, line, titleStyle := st.Border, st.Line, st.Title
	if b.focused {
		border, line, titleStyle = st.FocusedBorder, st.FocusedLine, st.FocusedTitle
	}
	iw, ih := b.inner()
	lines := make([]string, 0, b.h)
	if b.chrome == chromeRule {
		lines = append(lines, titleRule(border.Top, "", "", line, titleStyle, st.Info, title, info, b.w))
		pad := strings.Repeat(" ", (b.w-iw)/2)
		for i := 0; i < ih; i++ {
			lines = append(lines, pad+fit(at(body, i), iw)+pad)
		}
		return strings.Join(lines, "\n")
	}
	if b.w < 3 || b.h < 3 { // no room for a border
		for i := 0; i < b.h; i++ {
			lines = append(lines, fit(at(body, i), b.w))
		}
		return strings.Join(lines, "\n")
	}
	lines = append(lines, titleRule(border.Top, border.TopLeft, border.TopRight, line, titleStyle, st.Info, title, info, b.w))
	left, right := line.Render(border.Left), line.Render(border.Right)
	if iw == b.w-4 {
		left, right = left+" ", " "+right
	}
	for i := 0; i < ih; i++ {
		lines = append(lines, left+fit(at(body, i), iw)+right)
	}
	bottom := border.BottomLeft + strings.Repeat(border.Bottom, b.w-2) + border.BottomRight
	lines = append(lines, line.Render(bottom))
	return strings.Join(lines, "\n")
}

// titleRule draws a top edge of width w: corner, a short rule, the title, a
// rule to fill, the info note, a short rule and the other corner.
func titleRule(edge, leftCorner, rightCorner string, line, titleStyle, infoStyle lipgloss.Style, title, info string, w int) string {
	inner := w - ansi.StringWidth(leftCorner) - ansi.StringWidth(rightCorner)
	if inner <= 0 {
		return fit(line.Render(leftCorner+rightCorner), w)
	}
	head := edge
	var t, n string
	used := 1
	if title != "" && inner >= 6 {
		title = ansi.Truncate(title, inner-4, "…")
		t = " " + title + " "
		used += ansi.StringWidth(t)
	}
	if info != "" && inner-used-1 >= ansi.StringWidth(info)+2 {
		n = " " + info + " "
		used += ansi.StringWidth(n) + 1
	}
	fill := strings.Repeat(edge, max(inner-used, 0))
	var b strings.Builder
	b.WriteString(line.Render(leftCorner + head))
	if t != "" {
		b.WriteString(titleStyle.Render(t))
	}
	b.WriteString(line.Render(fill))
	if n != "" {
		b.WriteString(infoStyle.Render(n))
		b.WriteString(line.Render(edge))
	}
	b.WriteString(line.Render(rightCorner))
	return b.String()
}

// at returns lines[i], or "" past the end.
func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

// fit pads or cuts a one-line string, which may hold escape sequences, to
// exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}
