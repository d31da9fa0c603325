package agent

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
	"github.com/larkspur-labs/assist/tui/theme"
)

// stripView returns the model's screen without escape sequences.
func stripView(m Model) string {
	return ansi.Strip(m.View().Content)
}

// goldenModel is the realistic call at w×h, replaying at ×2 as call 3 of
// 12, with the first reply rated helpful.
func goldenModel(t *testing.T, w, h int) Model {
	t.Helper()
	m := newTestModel(t, Options{ModelStatus: "embedded · vader · kb 24", Controller: newFakeReplay()}, w, h)
	m = feedMsgs(t, m, tuitest.RealisticCall())
	m = update(t, m, speedMsg{speed: 2})
	m = update(t, m, positionMsg{callID: "call-0017", index: 3, total: 12})
	m = update(t, m, tuitest.Press("+"))
	return m
}

func TestGoldenView(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			golden.RequireEqual(t, stripView(goldenModel(t, size[0], size[1])))
		})
	}
}

func TestGoldenViewFullHelp(t *testing.T) {
	m := goldenModel(t, 100, 30)
	m = update(t, m, tuitest.Press("?"))
	golden.RequireEqual(t, stripView(m))
}

func TestGoldenViewAbstain(t *testing.T) {
	m := newTestModel(t, Options{ModelStatus: "embedded"}, 80, 24)
	b := &tuitest.EventBuilder{CallID: "call-9"}
	m = feedMsgs(t, m, []tea.Msg{
		b.Ev(tuitest.Started("Chat 9")),
		b.Ev(tuitest.Final("u1", event.SpeakerCustomer, "What's the weather like on Mars?", 0, 2)),
		b.Ev(event.Suggestions{UtteranceID: "u1", Abstain: true, Reason: "off-topic question"}),
	})
	golden.RequireEqual(t, stripView(m))
}

// TestGoldenViewReplySteps shows a reply that promises a step nobody has
// done yet, with the step to take under it.
func TestGoldenViewReplySteps(t *testing.T) {
	m := newTestModel(t, Options{ModelStatus: "embedded"}, 80, 24)
	b := &tuitest.EventBuilder{CallID: "call-4"}
	m = feedMsgs(t, m, []tea.Msg{
		b.Ev(tuitest.Started("Lost card")),
		b.Ev(tuitest.Final("u1", event.SpeakerCustomer, "I think I lost my debit card this morning.", 0, 3)),
		b.Ev(event.Suggestions{UtteranceID: "u1", Suggestions: []event.Suggestion{{
			ID: "kb:card-lost-stolen", Source: "kb", ArticleID: "card-lost-stolen", Title: "Lost or stolen card", Confidence: 0.93,
			Text:  "I'm sorry to hear that. I'll lock your card right now so nobody can use it, and order you a replacement.",
			Steps: []string{"Lock the card", "Order a replacement card"},
		}}}),
	})
	golden.RequireEqual(t, stripView(m))
}

// TestViewFitsTerminal checks, at many sizes, that the view has exactly
// one line per terminal row and no line wider than the terminal.
func TestViewFitsTerminal(t *testing.T) {
	sizes := [][2]int{{80, 24}, {160, 48}, {100, 30}, {120, 40}, {120, 30}, {119, 29}, {60, 20}, {40, 12}, {20, 5}, {10, 3}, {1, 1}, {200, 60}}
	for _, size := range sizes {
		w, h := size[0], size[1]
		for _, showAll := range []bool{false, true} {
			t.Run(fmt.Sprintf("%dx%d/help=%v", w, h, showAll), func(t *testing.T) {
				m := goldenModel(t, w, h)
				if showAll {
					m = update(t, m, tuitest.Press("?"))
				}
				checkFits(t, m, w, h)
				// Colour must not change the geometry.
				m.SetStyles(theme.New(true))
				checkFits(t, m, w, h)
			})
		}
	}
}

func checkFits(t *testing.T, m Model, w, h int) {
	t.Helper()
	lines := viewLines(m)
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i, got, w, l)
		}
	}
	for i, l := range strings.Split(m.View().Content, "\n") {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("styled line %d is %d cells wide, want %d", i, got, w)
		}
	}
}
