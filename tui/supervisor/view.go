package supervisor

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/common"
)

// View draws the screen, memoised: Bubble Tea calls View after every
// message, and most messages (events between frames, other calls' events
// during a drill-down) change nothing on screen.
func (s *Model) View() tea.View {
	if !s.frameOK {
		s.frame = s.render()
		s.frameOK = true
	}
	v := tea.NewView(s.frame)
	v.AltScreen = true
	v.WindowTitle = "assist · supervisor"
	if s.drill != nil {
		v.WindowTitle += " · " + termtext.Sanitize(s.drill.callID)
	}
	return v
}

// render returns the screen as exactly height lines of width cells.
func (s *Model) render() string {
	w, h := s.width, s.height
	if w <= 0 || h <= 0 {
		return ""
	}
	f := newFrame(w, h)
	if s.drill != nil {
		f.add(s.drillBar())
		if h > 1 {
			f.add(s.drill.view.Render())
		}
		return f.String()
	}
	l := s.layout
	for _, line := range s.headerLines()[:l.header] {
		f.add(line)
	}
	if l.queueRule > 0 {
		f.add(s.rule("Queues", strconv.Itoa(len(s.queues))+" with live calls"))
		s.addQueueLines(f, l.queues)
	}
	if l.tableRule > 0 {
		f.add(s.rule("Live calls", s.tableInfo()))
	}
	if l.tableHead > 0 {
		f.add(s.headLine())
	}
	s.addRows(f, l.table)
	if l.help > 0 {
		f.add(s.footer())
	}
	return f.String()
}

// frame collects a screen of exactly h lines of w cells: every line is
// cut or padded, missing lines are blank, extra lines are dropped.
type frame struct {
	w, h  int
	lines []string
}

// newFrame returns an empty w×h frame.
func newFrame(w, h int) *frame { return &frame{w: w, h: h, lines: make([]string, 0, h)} }

// add appends text of one or more lines, fitting each to the width.
func (f *frame) add(text string) {
	for line := range strings.SplitSeq(text, "\n") {
		if len(f.lines) == f.h {
			return
		}
		f.lines = append(f.lines, common.Fit(line, f.w))
	}
}

// addExact appends one line known to be exactly the width, unmeasured:
// the table's rows track their width as they are written.
func (f *frame) addExact(line string) {
	if len(f.lines) < f.h {
		f.lines = append(f.lines, line)
	}
}

// String returns the frame, blank lines filling what was not added.
func (f *frame) String() string {
	for len(f.lines) < f.h {
		f.lines = append(f.lines, blanks(f.w))
	}
	return strings.Join(f.lines, "\n")
}

// headerLines are the two header lines: who is watching what, with the
// clock; then the models, the totals, the voice admission and the
// connection. When the second does not fit, the models go first: the
// figures matter more.
func (s *Model) headerLines() []string {
	st := &s.th.Header
	left := st.Title.Render(" assist supervisor")
	if s.title != "" {
		left += st.Sep.Render("  ") + st.Value.Render(s.title)
	}
	if s.queueOnly != "" {
		left += st.Sep.Render("   ") + st.Label.Render("queue ") + st.Value.Render(s.queueOnly)
	}
	first := common.BarLine(st.Bar, s.width, left, st.Clock.Render(s.clock.Format("15:04:05")+" "))

	figures := st.Value.Render(strconv.Itoa(s.live)) + st.Label.Render(" live") +
		st.Sep.Render("  │  ") + st.Value.Render(strconv.Itoa(s.alerts)) + st.Label.Render(" alerts")
	if agents := s.agentsText(); agents != "" {
		figures += st.Sep.Render("  │  ") + agents
	}
	if voice := s.voiceText(); voice != "" {
		figures += st.Sep.Render("  │  ") + voice
	}
	right := s.connText() + st.Bar.Render(" ")
	left = st.Status.Render(" ") + figures
	if s.modelStatus != "" {
		withModels := st.Status.Render(" "+s.modelStatus) + st.Sep.Render("  │  ") + figures
		if ansi.StringWidth(withModels)+1+ansi.StringWidth(right) <= s.width {
			left = withModels
		}
	}
	second := common.BarLine(st.Bar, s.width, left, right)
	return []string{first, second}
}

// connText is the connection state for the header, or "" when the bus is
// in-process and has never reported.
func (s *Model) connText() string {
	st := &s.th.Header
	switch {
	case s.streamClosed:
		return st.Ended.Render("■ stream closed")
	case s.conn == connUp:
		return st.Playing.Render("● LIVE")
	case s.conn == connDown:
		d := s.connDetail
		if d == "" {
			d = "reconnecting…"
		}
		return st.Paused.Render("○ " + d + " " + common.SinceString(s.clock.Sub(s.connLost)))
	}
	return ""
}

// rule is a section's title rule across the width.
func (s *Model) rule(title, info string) string {
	f := s.st.frame
	return common.TitleRule(f.Border.Top, "", "", f.Line, f.Title, f.Info, title, info, s.width)
}

// tableInfo is the note in the table's rule: rows shown, order, filter.
func (s *Model) tableInfo() string {
	n := strconv.Itoa(len(s.visible))
	if s.filter != "" {
		n += " of " + strconv.Itoa(s.countInScope())
	}
	info := n + " · by " + s.order.String()
	if s.filter != "" {
		info += " · filter “" + s.filter + "”"
	}
	return info
}

// countInScope is how many rows the queue option lets through (live or
// ended), for "12 of 500".
func (s *Model) countInScope() int {
	if s.opts.Queue == "" {
		return len(s.rows)
	}
	n := 0
	for _, r := range s.rows {
		if s.inScope(r) {
			n++
		}
	}
	return n
}

// addQueueLines adds n lines of the per-queue block; when there are more
// queues than lines, the last line counts the rest.
func (s *Model) addQueueLines(f *frame, n int) {
	qs := s.queues
	more := 0
	if len(qs) > n {
		more = len(qs) - (n - 1)
		qs = qs[:n-1]
	}
	nameW := 6
	for _, q := range s.queues {
		nameW = max(nameW, min(ansi.StringWidth(q.name), 20))
	}
	st := &s.st
	var b strings.Builder
	for _, q := range qs {
		b.Reset()
		name := q.name
		if name == "" {
			name = "(no queue)"
		}
		b.WriteByte(' ')
		st.value.write(&b, cell(name, ansi.StringWidth(name), nameW))
		st.value.write(&b, common.PadLeft(strconv.Itoa(q.live), 5))
		st.label.write(&b, " live   sentiment ")
		if q.sentN > 0 {
			v := q.sentSum / float64(q.sentN)
			s.sentimentSpan(v).write(&b, common.Signed(v))
		} else {
			st.label.write(&b, "  —  ")
		}
		st.label.write(&b, "   alerts")
		alerts := st.value
		if q.alerts > 0 {
			alerts = st.alerts
		}
		alerts.write(&b, common.PadLeft(strconv.Itoa(q.alerts), 4))
		st.label.write(&b, "   longest ")
		st.value.write(&b, mmss(q.longest))
		b.WriteString(s.queueAgentsText(q.name))
		f.add(b.String())
	}
	if more > 0 {
		f.add(st.label.render(" … " + strconv.Itoa(more) + " more queues"))
	}
}

// headLine is the row of column names.
func (s *Model) headLine() string {
	c := s.cols
	var b strings.Builder
	b.WriteString("  ")
	col := func(name string, w int, right bool) {
		if w <= 0 {
			return
		}
		b.WriteByte(' ')
		if right && len(name) < w {
			b.WriteString(blanks(w - len(name)))
			b.WriteString(name)
			return
		}
		b.WriteString(cell(name, len(name), w))
	}
	col("CALL", c.id, false)
	col("QUEUE", c.queue, false)
	col("AGENT", c.agent, false)
	col("DUR", c.dur, true)
	sentW := c.sent
	if c.spark > 0 {
		sentW += 1 + c.spark
	}
	sentName := "SENTIMENT"
	if sentW < len(sentName) {
		sentName = "SENT"
	}
	col(sentName, sentW, false)
	col("ALERTS", c.alerts, true)
	col("LAST ALERT", c.last, false)
	return s.st.colHead.render(b.String())
}

// addRows adds exactly n table lines: the visible window of rows, or a
// note when there are none, then blank lines.
func (s *Model) addRows(f *frame, n int) {
	if n <= 0 {
		return
	}
	want := len(f.lines) + n
	if len(s.visible) == 0 {
		msg := " No live calls yet"
		switch {
		case s.filter != "":
			msg = " No calls match “" + s.filter + "”"
		case s.queueOnly != "":
			msg = " No live calls in " + s.queueOnly
		}
		f.add(s.st.empty.render(msg))
	}
	rw := rowWriter{width: s.width}
	for i := s.offset; i < min(s.offset+n, len(s.visible)); i++ {
		f.addExact(s.row(&rw, s.visible[i], i == s.cursor))
	}
	for len(f.lines) < want {
		f.addExact(blanks(s.width))
	}
}

// rowWriter writes one table line and counts its width in cells as it
// goes, so the line need not be measured again. With whole set, styles
// are left out and the caller styles the line in one piece.
type rowWriter struct {
	b     strings.Builder
	width int // the line's target width
	used  int // cells written
	whole bool
}

// reset starts a new line.
func (w *rowWriter) reset(whole bool) { w.b.Reset(); w.used, w.whole = 0, whole }

// plain writes text of n cells unstyled.
func (w *rowWriter) plain(text string, n int) { w.b.WriteString(text); w.used += n }

// cell writes a space and text of tw cells, padded or cut to a column of
// cw cells; a column of 0 cells is hidden.
func (w *rowWriter) cell(text string, tw, cw int) {
	if cw <= 0 {
		return
	}
	w.b.WriteByte(' ')
	if tw > cw {
		w.b.WriteString(cell(text, tw, cw))
	} else {
		w.b.WriteString(text)
		w.b.WriteString(blanks(cw - tw))
	}
	w.used += 1 + cw
}

// styled writes text of n cells in sp, unless the row is styled whole.
func (w *rowWriter) styled(sp span, text string, n int) {
	if w.whole {
		w.b.WriteString(text)
	} else {
		sp.write(&w.b, text)
	}
	w.used += n
}

// line returns the line padded (or, if the columns did not fit, cut) to
// exactly the width, styled in whole if the row is styled whole.
func (w *rowWriter) line(whole span) string {
	var s string
	switch {
	case w.used > w.width:
		s = common.Fit(w.b.String(), w.width)
	case w.used < w.width:
		w.b.WriteString(blanks(w.width - w.used))
		s = w.b.String()
	default:
		s = w.b.String()
	}
	if w.whole {
		return whole.render(s)
	}
	return s
}

// row draws one call's line. A selected or ended row is drawn in one
// style across (so its background or faintness is unbroken); other rows
// colour their figures.
func (s *Model) row(w *rowWriter, r *tableRow, selected bool) string {
	c, st, now := s.cols, &s.st, s.clock
	live := r.live()
	w.reset(selected || !live)
	recent := live && r.recentAlert(now)

	if selected {
		w.styled(st.pointer, "▶", 1)
	} else {
		w.plain(" ", 1)
	}
	switch {
	case !live:
		w.plain("■", 1)
	case recent:
		w.styled(st.recent, "!", 1)
	default:
		w.plain(" ", 1)
	}
	w.cell(r.id, r.idW, c.id)
	w.cell(r.queue, r.queueW, c.queue)
	w.cell(r.agent, r.agentW, c.agent)
	if c.dur > 0 {
		d := mmss(r.call.Duration(now))
		if len(d) > c.dur { // the clock moved on since the columns were sized
			d = cell(d, len(d), c.dur)
		}
		w.plain(blanks(1+c.dur-len(d)), 1+c.dur-len(d))
		w.plain(d, len(d))
	}
	if c.sent > 0 {
		w.plain(" ", 1)
		if r.hasSentiment() {
			v := common.Clampf(r.call.Sentiment, -1, 1)
			w.styled(s.sentimentSpan(v), common.Signed(v), 5)
			w.plain(" ", 1)
			trend, arrow := common.TrendOf(r.call.Trend), st.flat
			switch trend {
			case common.Rising:
				arrow = st.up
			case common.Falling:
				arrow = st.down
			}
			w.styled(arrow, trend.Arrow(), 1)
		} else {
			w.styled(st.label, "  —    ", 7)
		}
	}
	if c.spark > 0 {
		w.plain(" ", 1)
		sp, n := r.spark, len(r.spark)/common.SparkGlyphLen
		if n > c.spark {
			sp, n = sp[(n-c.spark)*common.SparkGlyphLen:], c.spark
		}
		w.styled(st.spark, sp, n)
		w.plain(blanks(c.spark-n), c.spark-n)
	}
	if c.alerts > 0 {
		a := strconv.Itoa(r.call.Alerts)
		if len(a) > c.alerts {
			a = cell(a, len(a), c.alerts)
		}
		w.plain(blanks(1+c.alerts-len(a)), 1+c.alerts-len(a))
		switch {
		case recent:
			w.styled(st.recent, a, len(a))
		case r.call.Alerts > 0:
			w.styled(st.alerts, a, len(a))
		default:
			w.styled(st.label, a, len(a))
		}
	}
	if c.last > 0 && r.lastAlert != "" {
		w.plain(" ", 1)
		text, n := r.lastAlert, r.lastAlertW
		if n > c.last {
			text = ansi.Truncate(text, c.last, "…")
			n = ansi.StringWidth(text)
		}
		switch {
		case recent:
			w.styled(st.recent, text, n)
		case r.call.Recovered:
			w.styled(st.positive, text, n)
		default:
			w.styled(st.reason, text, n)
		}
	}
	if selected {
		return w.line(st.selected)
	}
	return w.line(st.ended)
}

// sentimentSpan colours a sentiment value by its sign.
func (s *Model) sentimentSpan(v float64) span {
	switch {
	case v <= -sentimentNeutral:
		return s.st.negative
	case v >= sentimentNeutral:
		return s.st.positive
	}
	return s.st.value
}

// sentimentNeutral is the |sentiment| below which a value is not coloured.
const sentimentNeutral = 0.2

// footer is the help bar, or the filter input while typing.
func (s *Model) footer() string {
	if s.typing {
		h := s.help
		h.ShowAll = false
		hint := h.ShortHelpView([]key.Binding{s.keys.ApplyFilter, s.keys.ClearFilter, s.keys.Quit})
		return common.Spread(" "+s.input.View(), hint+" ", s.width)
	}
	lines := strings.Split(s.help.View(s.keys), "\n")
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	return strings.Join(lines, "\n")
}

// drillBar is the line above a drill-down: the way back, which call, the
// history's state and the connection. (The agent view's own header below
// has the call's clock.)
func (s *Model) drillBar() string {
	d, st := s.drill, &s.th.Header
	if s.coaching {
		return common.BarLine(st.Bar, s.width, st.Bar.Render(" ")+s.coachInput.View(), s.connText()+st.Bar.Render(" "))
	}
	back := s.keys.Back.Help()
	left := st.Title.Render(" ◂ "+back.Key) + st.Label.Render(" "+back.Desc) +
		st.Sep.Render("  │  ") + st.Label.Render("watching ") + st.Value.Render(termtext.Sanitize(d.callID)) +
		st.Label.Render(" · read-only")
	if s.keys.Coach.Enabled() {
		c := s.keys.Coach.Help()
		left += st.Sep.Render("  │  ") + st.Title.Render(c.Key) + st.Label.Render(" "+c.Desc)
	}
	if d.note != "" {
		note := st.Status
		if d.noteErr {
			note = st.Paused
		}
		left += st.Sep.Render("  │  ") + note.Render(d.note)
	}
	return common.BarLine(st.Bar, s.width, left, s.connText()+st.Bar.Render(" "))
}

// mmss formats a call's duration as mm:ss (minutes past 59 keep counting).
func mmss(d time.Duration) string {
	sec := int(max(d, 0) / time.Second)
	m, ss := sec/60, sec%60
	buf := make([]byte, 0, 8)
	if m < 10 {
		buf = append(buf, '0')
	}
	buf = append(buf, strconv.Itoa(m)...)
	buf = append(buf, ':', byte('0'+ss/10), byte('0'+ss%10))
	return string(buf)
}

// cell pads or cuts one-line text of display width sw to exactly w cells.
func cell(s string, sw, w int) string {
	if w <= 0 {
		return ""
	}
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	return s + blanks(w-sw)
}

// blankRun is the spaces blanks slices from.
var blankRun = strings.Repeat(" ", 256)

// blanks returns n spaces without allocating for the usual widths.
func blanks(n int) string {
	switch {
	case n <= 0:
		return ""
	case n <= len(blankRun):
		return blankRun[:n]
	}
	return strings.Repeat(" ", n)
}
