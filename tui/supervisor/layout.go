package supervisor

import (
	"time"

	"github.com/larkspur-labs/assist/tui/common"
)

// layout is how many rows each part of the table screen gets, top to
// bottom. The parts tile the screen exactly.
type layout struct {
	header    int
	queueRule int // the "Queues" title rule
	queues    int // queue lines
	tableRule int // the "Live calls" title rule
	tableHead int // column names
	table     int // call rows
	help      int
}

// Layout bounds of the supervisor view.
const (
	maxQueueLines  = 8  // queue lines at most, whatever the height
	minQueueBody   = 10 // body rows below which the queue block is left out
	minLastAlertW  = 14 // narrowest useful last-alert column
	sparkFullWidth = 12 // sparkline cells when there is room
)

// computeLayout shares h rows between the parts for a center
// with queues queue lines and a help bar of helpRows. It is pure, and
// never returns a negative size.
func computeLayout(h, queues, helpRows int) layout {
	h = max(h, 0)
	var l layout
	l.header = min(common.HeaderRows, h)
	l.help = common.Clamp(helpRows, 0, max(h-l.header-1, 0))
	if h < 6 {
		l.help = 0
	}
	body := h - l.header - l.help
	if queues > 0 && body >= minQueueBody {
		l.queueRule = 1
		l.queues = min(queues, common.Clamp(body/5, 1, maxQueueLines))
	}
	rest := body - l.queueRule - l.queues
	if rest >= 3 {
		l.tableRule, rest = 1, rest-1
	}
	if rest >= 2 {
		l.tableHead, rest = 1, rest-1
	}
	l.table = rest
	return l
}

// relayout recomputes the layout for the current size, queue count and
// help height.
func (s *Model) relayout() {
	s.help.SetWidth(max(s.width-1, 0))
	s.input.SetWidth(max(s.width/2, 8))
	s.layout = computeLayout(s.height, len(s.queues), s.helpH)
}

// tableCols are the widths of the table's columns; 0 hides a column. The
// last alert takes what is left.
type tableCols struct {
	id, queue, agent, dur, sent, spark, alerts, last int
}

// total is the width of everything but the last-alert column: the
// selection mark and flag, then each shown column with the space before it.
func (c tableCols) total() int {
	t := 2
	for _, w := range []int{c.id, c.queue, c.agent, c.dur, c.sent, c.spark, c.alerts} {
		if w > 0 {
			t += w + 1
		}
	}
	return t
}

// computeColumns sizes the columns for a w-cell table of rows: names as
// wide as the widest (within bounds), and, when w is too narrow, the
// sparkline, queue, agent and last alert given up, in that order, before
// the call id is cut. The queue column is left out when the view is
// limited to one queue.
func computeColumns(w int, rows []*tableRow, oneQueue bool, now time.Time) tableCols {
	idW, queueW, agentW := 0, 0, 0
	var longest time.Duration
	for _, r := range rows {
		idW, queueW, agentW = max(idW, r.idW), max(queueW, r.queueW), max(agentW, r.agentW)
		longest = max(longest, r.call.Duration(now))
	}
	c := tableCols{
		id: common.Clamp(idW, 4, 24), queue: common.Clamp(queueW, 5, 16), agent: common.Clamp(agentW, 5, 20),
		dur: len(mmss(longest)), sent: 7, spark: sparkFullWidth, alerts: 6,
	}
	if oneQueue {
		c.queue = 0
	}
	shrink := []func(){
		func() { c.spark = 8 },
		func() { c.agent = min(c.agent, 12) },
		func() { c.id = min(c.id, 12) },
		func() { c.queue = min(c.queue, 10) },
		func() { c.spark = 6 },
		func() { c.spark = 0 },
		func() { c.queue = 0 },
		func() { c.agent = 0 },
	}
	for _, f := range shrink {
		if w-c.total()-1 >= minLastAlertW {
			break
		}
		f()
	}
	// Narrower still, the last alert goes, then the alert count narrows,
	// and the call id is cut last.
	if c.last = w - c.total() - 1; c.last < 8 {
		c.last = 0
	}
	if c.total() > w {
		c.alerts = 3
	}
	if over := c.total() - w; over > 0 {
		c.id = max(c.id-over, 4)
	}
	return c
}
