package supervisor

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/common"
)

// tableRow is one call of the table: its event.CallRow and the sanitised
// text the table draws, kept beside it so View never sanitises.
type tableRow struct {
	call event.CallRow

	id, queue, agent, customer string // sanitised
	lastAlert                  string // sanitised CallRow.LastConcern
	idW, queueW, agentW        int    // display widths
	lastAlertW                 int
	search                     string // lower-cased id, queue, agent and customer
	spark                      string // sparkline of call.History, one glyph per sample

	alertAt time.Time // view clock when the latest alert arrived live
	endedAt time.Time // view clock when the call ended
	gone    bool      // removed from the rows map; rebuild drops it

	// Sort keys, computed once per rebuild.
	key, risk float64
}

// queueStat is one line of the per-queue block.
type queueStat struct {
	name    string // sanitised; "" for calls whose queue is unknown
	live    int
	sentSum float64 // customer sentiment of the scored calls
	sentN   int     // scored calls
	alerts  int
	longest time.Duration
}

// newTableRow returns the empty row of a call.
func newTableRow(callID string) *tableRow {
	r := &tableRow{call: event.CallRow{CallID: callID}}
	r.describe()
	return r
}

// apply folds one event into the row and reports whether the table shows
// what changed. Stale events change nothing; suggestions, recommendations,
// feedback and utterances change only what the table does not show.
func (r *tableRow) apply(ev event.Event, now time.Time) (shown bool) {
	if ev.Seq != 0 && ev.Seq <= r.call.LastSeq {
		return false
	}
	if u, ok := ev.Payload.(event.Utterance); ok && ev.Kind == event.KindFinal && !u.Final {
		u.Final = true // Apply counts finals by the payload's flag
		ev.Payload = u
	}
	wasEnded := r.call.Status == event.StatusEnded
	r.call.Apply(ev)
	switch p := ev.Payload.(type) {
	case event.CallStarted:
		r.describe()
		r.endedAt = time.Time{}
		shown = true
	case event.Sentiment:
		if p.Speaker == event.SpeakerCustomer {
			r.spark = common.Sparkline(r.call.History)
			r.lastAlert = termtext.Sanitize(r.call.LastConcern())
			r.lastAlertW = ansi.StringWidth(r.lastAlert)
			shown = true
		}
	case event.Alert:
		r.lastAlert = termtext.Sanitize(r.call.LastConcern())
		r.lastAlertW = ansi.StringWidth(r.lastAlert)
		r.alertAt = now
		shown = true
	}
	if !wasEnded && r.call.Status == event.StatusEnded {
		r.endedAt = now
		shown = true
	}
	return shown
}

// describe recomputes the row's sanitised text from its call row.
func (r *tableRow) describe() {
	s := &r.call
	r.id, r.queue, r.agent, r.customer = termtext.Sanitize(s.CallID), termtext.Sanitize(s.Queue), termtext.Sanitize(s.Agent), termtext.Sanitize(s.Customer)
	r.lastAlert = termtext.Sanitize(s.LastConcern())
	r.lastAlertW = ansi.StringWidth(r.lastAlert)
	r.idW, r.queueW, r.agentW = ansi.StringWidth(r.id), ansi.StringWidth(r.queue), ansi.StringWidth(r.agent)
	r.search = strings.ToLower(r.id + "\x00" + r.queue + "\x00" + r.agent + "\x00" + r.customer)
	r.spark = common.Sparkline(s.History)
}

// live reports whether the call has not ended.
func (r *tableRow) live() bool { return r.call.Status != event.StatusEnded }

// recentAlert reports whether an alert arrived within recentAlertFor of now.
func (r *tableRow) recentAlert(now time.Time) bool {
	return !r.alertAt.IsZero() && now.Sub(r.alertAt) < recentAlertFor
}

// hasSentiment reports whether the customer has been scored yet.
func (r *tableRow) hasSentiment() bool { return len(r.call.History) > 0 || r.call.Sentiment != 0 }
