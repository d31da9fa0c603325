package agent

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
)

func TestResumedCallShowsAMarkInTheTranscript(t *testing.T) {
	for _, w := range []int{120, 80} {
		m := newTestModel(t, Options{}, w, 24)
		b := &tuitest.EventBuilder{CallID: "c1"}
		m = feedMsgs(t, m, []tea.Msg{
			b.Ev(tuitest.Started("Lost card")),
			b.Ev(tuitest.Final("customer-1", event.SpeakerCustomer, "I lost my card", 1, 3)),
			b.Ev(event.CallResumed{At: 12.4, Gap: 6.6, Resumes: 1, Endpoint: "twilio"}),
			b.Ev(tuitest.Final("customer-2", event.SpeakerCustomer, "are you still there", 13, 15)),
		})
		lines := viewLines(m)
		before, mark, after := rowIndex(lines, "I lost my card"), rowIndex(lines, "stream lost for 7s, resumed"), rowIndex(lines, "are you still there")
		if before < 0 || mark < 0 || after < 0 || !(before < mark && mark < after) {
			t.Fatalf("width %d: the mark is not between the lines around the gap (%d %d %d):\n%s", w, before, mark, after, strings.Join(lines, "\n"))
		}
		if w >= 120 && !strings.Contains(lines[mark], "00:12") {
			t.Errorf("width %d: the mark has no time: %q", w, lines[mark])
		}
	}
}
