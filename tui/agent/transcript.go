package agent

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/theme"
)

// transcriptPane shows the call's utterances, wrapped to the pane, newest at
// the bottom. It follows the tail only while the view is at the bottom, so
// scrolling up to read is not interrupted by new lines.
type transcriptPane struct {
	common.Box
	th *theme.Styles // shared, never changed once built

	callID  string
	started bool   // the call has started, for the placeholder text
	rev     uint64 // transcript revision the rows were built from
	width   int    // inner width the rows were wrapped to
	cache   map[uint64][]string
	rows    []string // every wrapped row, styled
	offset  int      // first visible row
	follow  bool     // keep the last row in view
}

// newTranscriptPane returns an empty transcript that follows the tail.
func newTranscriptPane(th *theme.Styles) transcriptPane {
	return transcriptPane{th: th, follow: true}
}

// st returns the pane's styles.
func (p transcriptPane) st() *theme.TranscriptStyles { return &p.th.Transcript }

// SetStyles changes the theme, which invalidates every cached row.
func (p *transcriptPane) SetStyles(th *theme.Styles) {
	p.th = th
	p.width = -1
}

// SetSize sets the pane's outer size.
func (p *transcriptPane) SetSize(w, h int) {
	p.Box.SetSize(w, h)
	p.clampOffset()
}

// SetLines shows the lines of a call at transcript revision rev. Lines whose
// revision is cached at the current width are not wrapped again.
func (p *transcriptPane) SetLines(callID string, started bool, lines []line, rev uint64) {
	if callID != p.callID {
		p.callID, p.follow, p.offset = callID, true, 0
		p.cache, p.rows, p.width = nil, nil, -1
	}
	p.started = started
	iw, _ := p.Inner()
	if rev == p.rev && iw == p.width && p.rows != nil {
		return
	}
	switch {
	case iw != p.width || p.cache == nil:
		p.cache = make(map[uint64][]string, len(lines))
	case len(p.cache) > 2*len(lines)+64:
		p.cache = liveRows(p.cache, lines)
	}
	p.rev, p.width = rev, iw
	// A fresh slice rather than reuse: older copies of the model may still
	// hold the previous one. Cache entries never change once written, so
	// the map can be shared.
	rows := make([]string, 0, len(p.rows)+4)
	for _, l := range lines {
		r, ok := p.cache[l.rev]
		if !ok {
			r = p.wrap(l, iw)
			p.cache[l.rev] = r
		}
		rows = append(rows, r...)
	}
	p.rows = rows
	p.clampOffset()
}

// liveRows returns the cache entries of the given lines only.
func liveRows(cache map[uint64][]string, lines []line) map[uint64][]string {
	live := make(map[uint64][]string, len(lines))
	for _, l := range lines {
		if r, ok := cache[l.rev]; ok {
			live[l.rev] = r
		}
	}
	return live
}

// wrap renders one utterance as styled rows: time, speaker label, then the
// text wrapped under itself; then its machine translation, if any, wrapped
// in the same text column.
func (p *transcriptPane) wrap(l line, w int) []string {
	if w <= 0 {
		return nil
	}
	if l.marker {
		return p.wrapMarker(l, w)
	}
	label, labelStyle, textStyle := "Customer", p.st().Customer, p.st().CustomerText
	if l.speaker == event.SpeakerAgent {
		label, labelStyle, textStyle = "Agent", p.st().Agent, p.st().AgentText
	}
	text := l.text
	if l.partial {
		textStyle = p.st().Partial
		text += " …"
	}
	var stamp string
	switch {
	case w >= 48:
		stamp = clockString(l.start) + "  "
		label = common.PadRight(label, 10)
	case w >= 24:
		label = common.PadRight(label, 10)
	default:
		label = label[:1] + " "
	}
	indent := ansi.StringWidth(stamp) + ansi.StringWidth(label)
	tw := max(w-indent, 1)
	wrapped := strings.Split(ansi.Wrap(text, tw, ""), "\n")
	rows := make([]string, len(wrapped))
	for i, t := range wrapped {
		t = strings.TrimRight(t, " ")
		if i == 0 {
			rows[i] = p.st().Time.Render(stamp) + labelStyle.Render(label) + textStyle.Render(t)
		} else {
			rows[i] = strings.Repeat(" ", indent) + textStyle.Render(t)
		}
		rows[i] = common.Fit(rows[i], w)
	}
	if l.tr.text != "" {
		rows = append(rows, p.wrapTranslation(l.tr, w, indent, tw)...)
	}
	return rows
}

// wrapMarker renders a mark in the call, such as its stream coming back,
// dim across the label and text columns: "00:42  ── stream lost 4 s,
// resumed ──".
func (p *transcriptPane) wrapMarker(l line, w int) []string {
	stamp := ""
	if w >= 48 {
		stamp = clockString(l.start) + "  "
	}
	tw := max(w-ansi.StringWidth(stamp), 1)
	wrapped := strings.Split(ansi.Wrap("── "+l.text+" ──", tw, ""), "\n")
	rows := make([]string, len(wrapped))
	for i, t := range wrapped {
		head := strings.Repeat(" ", ansi.StringWidth(stamp))
		if i == 0 {
			head = p.st().Time.Render(stamp)
		}
		rows[i] = common.Fit(head+p.st().Partial.Render(strings.TrimRight(t, " ")), w)
	}
	return rows
}

// wrapTranslation renders a machine translation under its utterance: a
// mark in the time and label columns, the text in the utterance's text
// column, dim. The mark says what the line is as fully as the columns
// allow: "↳ en · machine" beside a time stamp, "↳ en" beside a label
// alone, "↳" in the narrowest pane.
func (p *transcriptPane) wrapTranslation(tr translation, w, indent, tw int) []string {
	mark := "↳"
	switch {
	case w >= 48:
		mark = strings.Join(nonEmpty("↳", tr.lang, "· machine"), " ")
	case w >= 24:
		mark = strings.Join(nonEmpty("↳", tr.lang), " ")
	}
	mark = common.PadRight(ansi.Truncate(mark, max(indent-1, 1), ""), indent)
	wrapped := strings.Split(ansi.Wrap(tr.text, tw, ""), "\n")
	rows := make([]string, len(wrapped))
	for i, t := range wrapped {
		head := strings.Repeat(" ", indent)
		if i == 0 {
			head = p.st().TranslationMark.Render(mark)
		}
		rows[i] = common.Fit(head+p.st().Translation.Render(strings.TrimRight(t, " ")), w)
	}
	return rows
}

// maxOffset is the offset that shows the last row at the bottom.
func (p *transcriptPane) maxOffset() int {
	_, ih := p.Inner()
	return max(len(p.rows)-ih, 0)
}

// clampOffset keeps the offset in range and at the tail when following.
func (p *transcriptPane) clampOffset() {
	if p.follow {
		p.offset = p.maxOffset()
		return
	}
	p.offset = common.Clamp(p.offset, 0, p.maxOffset())
	p.follow = p.offset == p.maxOffset()
}

// Scroll moves the view by n rows, down when positive.
func (p *transcriptPane) Scroll(n int) {
	p.offset = common.Clamp(p.offset+n, 0, p.maxOffset())
	p.follow = p.offset == p.maxOffset()
}

// Page moves the view by n pages, down when positive.
func (p *transcriptPane) Page(n int) {
	_, ih := p.Inner()
	p.Scroll(n * max(ih-1, 1))
}

// Top scrolls to the first row.
func (p *transcriptPane) Top() { p.Scroll(-len(p.rows)) }

// Bottom scrolls to the last row and follows the tail again.
func (p *transcriptPane) Bottom() { p.Scroll(len(p.rows)) }

// View renders the pane at exactly its size.
func (p transcriptPane) View() string {
	iw, ih := p.Inner()
	var body []string
	switch {
	case len(p.rows) == 0 && !p.started:
		body = []string{p.st().Empty.Render(common.Fit("Waiting for a call…", iw))}
	case len(p.rows) == 0:
		body = []string{p.st().Empty.Render(common.Fit("Waiting for the first words…", iw))}
	default:
		body = p.rows[p.offset:min(p.offset+ih, len(p.rows))]
	}
	var notes []string
	if p.offset > 0 {
		notes = append(notes, "↑ "+strconv.Itoa(p.offset))
	}
	if below := len(p.rows) - p.offset - ih; below > 0 {
		notes = append(notes, "↓ "+strconv.Itoa(below)+" more")
	}
	info := strings.Join(notes, "  ")
	return p.Render(&p.th.Frame, "Transcript", info, body)
}
