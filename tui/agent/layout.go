package agent

import "github.com/larkspur-labs/assist/tui/common"

// Layout thresholds. Below wideMinWidth×wideMinHeight the panes stack in
// one column (compact mode), which stays readable at 80×24.
const (
	wideMinWidth  = 120
	wideMinHeight = 30
)

// rect is a region of the terminal, in cells.
type rect struct {
	X, Y, W, H int
}

// empty reports whether the rectangle has no cells.
func (r rect) empty() bool { return r.W <= 0 || r.H <= 0 }

// layout is where every part of the view goes. The rectangles tile the
// terminal exactly: every cell belongs to one of them.
type layout struct {
	// Compact is true when the panes stack in one column; they are then
	// drawn with a title rule instead of a full box.
	Compact bool

	Header          rect
	Transcript      rect
	Suggestions     rect
	Gauges          rect
	Recommendations rect
	Help            rect
	// Composer is the reply composer under the transcript, on a live
	// chat call the agent may answer; empty otherwise.
	Composer rect

	// Summary is where the call summary overlay goes when it is open. It
	// is not part of the tiling: it covers the right column in wide mode,
	// so the transcript stays in sight, and the whole body in compact
	// mode, where no single pane is tall enough to read a summary in.
	Summary rect
}

// computeLayout places the panes in a w×h terminal whose help bar needs
// helpRows rows, with a reply composer under the transcript when composer
// is true and there is room for it. It is pure, and never returns a
// negative size.
func computeLayout(w, h, helpRows int, composer bool) layout {
	w, h = max(w, 0), max(h, 0)
	var l layout
	header := min(common.HeaderRows, h)
	help := common.Clamp(helpRows, 0, max(h-header-1, 0))
	if h < 6 {
		help = 0
	}
	body := h - header - help
	l.Header = rect{0, 0, w, header}
	l.Help = rect{0, h - help, w, help}
	top := header

	if w >= wideMinWidth && h >= wideMinHeight {
		left := w * 55 / 100
		right := w - left
		l.Transcript = rect{0, top, left, body}
		if composer && body >= 3*composerBoxRows {
			l.Transcript.H -= composerBoxRows
			l.Composer = rect{0, top + l.Transcript.H, left, composerBoxRows}
		}
		gauges := min(gaugesFullRows+2, body/3)
		rest := body - gauges
		sugg := rest * 55 / 100
		recs := rest - sugg
		l.Suggestions = rect{left, top, right, sugg}
		l.Gauges = rect{left, top + sugg, right, gauges}
		l.Recommendations = rect{left, top + sugg + gauges, right, recs}
		l.Summary = rect{left, top, right, body}
		return l
	}

	// Compact: transcript, suggestions, a gauge strip, recommendations, each
	// under a one-row title rule. Small bodies drop the lower panes first.
	l.Compact = true
	gauges, recs := 0, 0
	switch {
	case body >= 16:
		gauges = gaugesStripRows + 1
		recs = max(3, body/6)
	case body >= 11:
		gauges = gaugesStripRows + 1
	}
	rest := body - gauges - recs
	compose := 0
	if composer && rest >= 12 { // the transcript and the replies keep six rows between them
		compose = composerRuleRows
		rest -= compose
	}
	transcript := (rest + 1) / 2
	sugg := rest - transcript
	if rest < 6 { // too small to split usefully: the transcript takes it all
		transcript, sugg = rest, 0
	}
	y := top
	l.Transcript = rect{0, y, w, transcript}
	y += transcript
	l.Composer = rect{0, y, w, compose}
	y += compose
	l.Suggestions = rect{0, y, w, sugg}
	y += sugg
	l.Gauges = rect{0, y, w, gauges}
	y += gauges
	l.Recommendations = rect{0, y, w, recs}
	l.Summary = rect{0, top, w, body}
	return l
}
