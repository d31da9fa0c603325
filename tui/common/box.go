package common

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/tui/theme"
)

// Chrome is how a pane is framed.
type Chrome int

const (
	// ChromeBox draws a full border with the title in the top edge.
	ChromeBox Chrome = iota
	// ChromeRule draws only a title rule above the body, saving the side
	// columns and the bottom row in compact mode.
	ChromeRule
)

// Box is the frame every pane shares: its outer size, chrome and focus.
// A pane embeds it, sizes it, and draws its body lines through Render.
type Box struct {
	w, h    int
	chrome  Chrome
	focused bool
}

// SetSize sets the pane's outer size, frame included.
func (b *Box) SetSize(w, h int) { b.w, b.h = max(w, 0), max(h, 0) }

// SetFocused marks the pane as the one keys go to.
func (b *Box) SetFocused(f bool) { b.focused = f }

// Focused reports whether the pane is the one keys go to.
func (b Box) Focused() bool { return b.focused }

// SetChrome chooses how the pane is framed.
func (b *Box) SetChrome(c Chrome) { b.chrome = c }

// Inner returns the size of the body inside the frame.
func (b Box) Inner() (w, h int) {
	if b.chrome == ChromeRule {
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

// Render frames body lines, which should already be the inner width, into
// exactly the outer size. Missing lines are blank; extra lines are cut.
func (b Box) Render(st *theme.FrameStyles, title, info string, body []string) string {
	if b.w <= 0 || b.h <= 0 {
		return ""
	}
	border, line, titleStyle := st.Border, st.Line, st.Title
	if b.focused {
		border, line, titleStyle = st.FocusedBorder, st.FocusedLine, st.FocusedTitle
	}
	iw, ih := b.Inner()
	lines := make([]string, 0, b.h)
	if b.chrome == ChromeRule {
		lines = append(lines, TitleRule(border.Top, "", "", line, titleStyle, st.Info, title, info, b.w))
		pad := strings.Repeat(" ", (b.w-iw)/2)
		for i := 0; i < ih; i++ {
			lines = append(lines, pad+Fit(At(body, i), iw)+pad)
		}
		return strings.Join(lines, "\n")
	}
	if b.w < 3 || b.h < 3 { // no room for a border
		for i := 0; i < b.h; i++ {
			lines = append(lines, Fit(At(body, i), b.w))
		}
		return strings.Join(lines, "\n")
	}
	lines = append(lines, TitleRule(border.Top, border.TopLeft, border.TopRight, line, titleStyle, st.Info, title, info, b.w))
	left, right := line.Render(border.Left), line.Render(border.Right)
	if iw == b.w-4 {
		left, right = left+" ", " "+right
	}
	for i := 0; i < ih; i++ {
		lines = append(lines, left+Fit(At(body, i), iw)+right)
	}
	bottom := border.BottomLeft + strings.Repeat(border.Bottom, b.w-2) + border.BottomRight
	lines = append(lines, line.Render(bottom))
	return strings.Join(lines, "\n")
}

// TitleRule draws a top edge of width w: corner, a short rule, the title, a
// rule to fill, the info note, a short rule and the other corner.
func TitleRule(edge, leftCorner, rightCorner string, line, titleStyle, infoStyle lipgloss.Style, title, info string, w int) string {
	inner := w - ansi.StringWidth(leftCorner) - ansi.StringWidth(rightCorner)
	if inner <= 0 {
		return Fit(line.Render(leftCorner+rightCorner), w)
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

// At returns lines[i], or "" past the end.
func At(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

// Fit pads or cuts a one-line string, which may hold escape sequences, to
// exactly w cells.
func Fit(s string, w int) string {
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

// HeaderRows is the height of both programs' header.
const HeaderRows = 2

// BarLine lays out one header line of width w: left, then right flush
// with the right edge, the bar style's background across. When both do not
// fit, left is cut first.
func BarLine(bar lipgloss.Style, w int, left, right string) string {
	rw := lipgloss.Width(right)
	lw := w - rw - 1 // at least one space between the two sides
	if lw < 1 {
		return FitBar(bar, right, w)
	}
	return FitBar(bar, left, lw) + bar.Render(" ") + right
}

// FitBar pads or cuts s to w cells, filling with the bar style's
// background.
func FitBar(bar lipgloss.Style, s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, bar.Render("…"))
	}
	return s + bar.Render(strings.Repeat(" ", w-sw))
}
