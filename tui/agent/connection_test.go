package agent

import (
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
)

// headerLine is the first line of the view, the call's state.
func headerLine(m Model) string { return viewLines(m)[0] }

func TestHeaderIsLiveOnlyWhileConnected(t *testing.T) {
	m := newTestModel(t, Options{}, 100, 24)
	m = update(t, m, common.ConnectionStatus(false, tuitest.FixedNow.Add(-3*time.Second)))
	if h := headerLine(m); !strings.Contains(h, "○ reconnecting… 3s") || !strings.Contains(h, "waiting for a call") {
		t.Errorf("waiting while disconnected: %q", h)
	}
	m = update(t, m, common.ConnectionStatus(true, tuitest.FixedNow))
	b := &tuitest.EventBuilder{CallID: "c1"}
	m = update(t, m, b.Ev(tuitest.Started("Card blocked")))
	if h := headerLine(m); !strings.Contains(h, "● LIVE") || strings.Contains(h, "reconnecting") {
		t.Errorf("connected: %q", h)
	}
	m = update(t, m, common.ConnectionStatus(false, tuitest.FixedNow.Add(-6*time.Second)))
	if h := headerLine(m); strings.Contains(h, "LIVE") || !strings.Contains(h, "○ reconnecting… 6s") || !strings.Contains(h, "Card blocked") {
		t.Errorf("disconnected: %q", h)
	}
	// The time since the loss runs on the clock tick.
	later := tuitest.FixedNow.Add(65 * time.Second)
	m.now = func() time.Time { return later }
	m.Tick()
	if h := headerLine(m); !strings.Contains(h, "○ reconnecting… 1m11s") {
		t.Errorf("a minute later: %q", h)
	}
	m = update(t, m, common.ConnectionStatus(true, later))
	if h := headerLine(m); !strings.Contains(h, "● LIVE") || strings.Contains(h, "reconnecting") {
		t.Errorf("reconnected: %q", h)
	}
}

func TestCoachingNoteShowsFirstInNextBestAction(t *testing.T) {
	m := newTestModel(t, Options{}, 120, 30)
	b := &tuitest.EventBuilder{CallID: "c1"}
	m = update(t, m, b.Ev(tuitest.Started("Card blocked")))
	note := "Acknowledge the fee before you explain the policy; offer the one-time refund if they have been with us for more than a year. \x1b[2J"
	m = update(t, m, b.Ev(event.Coaching{From: "boss", Text: note}))
	screen := stripView(m)
	if !strings.Contains(screen, "COACH") || !strings.Contains(screen, "from boss") || !strings.Contains(screen, "Acknowledge the fee") || !strings.Contains(screen, "year.") {
		t.Errorf("coaching note not shown whole:\n%s", screen)
	}
	if strings.Contains(screen, "\x1b") || strings.Contains(screen, "[2J") {
		t.Errorf("escape sequence of a note reached the screen:\n%s", screen)
	}
	// The transcript does not carry it.
	if n := len(m.calls["c1"].lines); n != 0 {
		t.Errorf("the transcript has %d lines after a coaching note", n)
	}
}
