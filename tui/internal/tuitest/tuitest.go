// Package tuitest holds what the tests of the terminal programs share: a
// fixed clock, key presses, command runners, a realistic call's events and
// a terminal output to wait on. Only tests import it.
package tuitest

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
)

// FixedNow is the clock of every test.
var FixedNow = time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)

// Press returns the key press for a key name such as "tab", "shift+tab",
// "space", "enter", "esc", "ctrl+s" or a single character.
func Press(name string) tea.KeyPressMsg {
	switch name {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+s":
		return tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	r := []rune(name)
	return tea.KeyPressMsg{Code: r[0], Text: name}
}

// RunCmd executes a command and any batch it returns, and returns the
// messages they produce. Commands under test never sleep.
func RunCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, RunCmd(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// EventBuilder numbers the events of one call, a second apart from
// FixedNow.
type EventBuilder struct {
	CallID string
	Seq    uint64
}

// Ev returns the call's next event with payload p.
func (b *EventBuilder) Ev(p event.Payload) common.EventMsg {
	b.Seq++
	return common.EventMsg{Event: event.Event{
		Kind: p.EventKind(), CallID: b.CallID, Seq: b.Seq,
		TS: FixedNow.Add(time.Duration(b.Seq) * time.Second), Payload: p,
	}}
}

// Started is a call.started payload of a voice call in the Billing queue.
func Started(title string) event.CallStarted {
	return event.CallStarted{
		Queue: "Billing", Agent: "Sam Kim", Customer: "Dana Ruiz",
		Channel: event.ChannelVoice, Title: title,
	}
}

// Final is a final utterance.
func Final(id string, sp event.Speaker, text string, start, end float64) event.Utterance {
	return event.Utterance{UtteranceID: id, Speaker: sp, Text: text, Start: start, End: end, Source: event.SourceReplay, Final: true}
}

// Partial is a partial utterance.
func Partial(id string, sp event.Speaker, text string, start float64) event.Utterance {
	return event.Utterance{UtteranceID: id, Speaker: sp, Text: text, Start: start, Source: event.SourceASR}
}

// ThreeReplies is a suggestions event with three ranked replies.
func ThreeReplies(utt string) event.Suggestions {
	return event.Suggestions{
		UtteranceID: utt,
		LatencyMS:   38,
		Suggestions: []event.Suggestion{
			{ID: "s1", Source: "kb", ArticleID: "KB-112", Title: "Duplicate charges", Confidence: 0.91,
				Text: "I'm sorry about the double charge. I can see both payments on your account; I'll refund the duplicate right away and you'll see it within 3–5 business days."},
			{ID: "s2", Source: "history", Confidence: 0.64,
				Text: "I understand how frustrating that is. Let me check your billing history so we can sort this out together."},
			{ID: "s3", Source: "llm", Confidence: 0.38,
				Text: "Could you confirm the last four digits of the card that was charged?"},
		},
	}
}

// RealisticCall is a call in progress: both speakers, a partial, sentiment
// for both, suggestions, recommendations and alerts.
func RealisticCall() []tea.Msg {
	b := &EventBuilder{CallID: "call-0017"}
	cust, agent := event.SpeakerCustomer, event.SpeakerAgent
	return []tea.Msg{
		b.Ev(Started("Double charge on renewal")),
		b.Ev(Final("u1", agent, "Thanks for calling Larkspur, this is Sam. How can I help you today?", 0, 3.2)),
		b.Ev(Partial("u2", cust, "Hi, I was charged", 3.8)),
		b.Ev(Final("u2", cust, "Hi, I was charged twice for my annual renewal this month and I'm honestly pretty frustrated about it.", 3.8, 9.1)),
		b.Ev(event.Sentiment{UtteranceID: "u1", Speaker: agent, Score: 0.4, Confidence: 0.8, Rolling: 0.35, Trend: 0,
			Emotions: map[string]float64{"joy": 0.3, "neutral": 0.7}}),
		b.Ev(event.Sentiment{UtteranceID: "u2", Speaker: cust, Score: -0.55, Confidence: 0.86, Rolling: -0.45, Trend: -0.2,
			Emotions: map[string]float64{"anger": 0.35, "frustration": 0.72, "confusion": 0.1, "neutral": 0.15, "joy": 0.02}}),
		b.Ev(ThreeReplies("u2")),
		b.Ev(event.Recommendations{UtteranceID: "u2", Recommendations: []event.Recommendation{
			{Kind: "action", Title: "Refund the duplicate renewal charge", Reason: "two identical charges on 2 March", Score: 0.88},
			{Kind: "article", Title: "Refund policy for duplicate payments", ArticleID: "KB-112", Reason: "matches “charged twice”", Score: 0.81},
			{Kind: "offer", Title: "One month of Premium, free", Reason: "customer for 4 years, high lifetime value", Score: 0.42},
		}}),
		b.Ev(event.Alert{Type: "negative_sentiment", Severity: event.SeverityWarning, Reason: "customer sentiment fell below −0.4", UtteranceID: "u2"}),
		b.Ev(Final("u3", agent, "I'm really sorry about that. Let me pull up your account.", 9.6, 12.4)),
		b.Ev(Final("u4", cust, "If this isn't fixed today I'm going to cancel my subscription.", 13.0, 16.8)),
		b.Ev(event.Sentiment{UtteranceID: "u4", Speaker: cust, Score: -0.8, Confidence: 0.9, Rolling: -0.66, Trend: -0.21,
			Emotions: map[string]float64{"anger": 0.62, "frustration": 0.81, "sadness": 0.1, "fear": 0.05, "confusion": 0.12, "joy": 0.01, "neutral": 0.08}}),
		b.Ev(event.Alert{Type: "churn_risk", Severity: event.SeverityCritical, Reason: "customer threatens to cancel", UtteranceID: "u4"}),
		b.Ev(Partial("u5", agent, "I completely understand, and I", 17.2)),
	}
}

// RealisticEvents are RealisticCall's events, as a bus's history would
// return them.
func RealisticEvents() []event.Event {
	var evs []event.Event
	for _, m := range RealisticCall() {
		evs = append(evs, m.(common.EventMsg).Event)
	}
	return evs
}

// SyncBuffer is an output a program and the test can share. Every write
// signals, so the test waits on writes instead of sleeping.
type SyncBuffer struct {
	mu      sync.Mutex
	b       strings.Builder
	changed chan struct{}
}

// NewSyncBuffer returns an empty buffer.
func NewSyncBuffer() *SyncBuffer { return &SyncBuffer{changed: make(chan struct{}, 1)} }

// Write appends p and signals a change.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// WaitFor checks the screen after every write until it satisfies cond, or
// fails after a timeout.
func WaitFor(t *testing.T, out *SyncBuffer, what string, cond func(screen string) bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for !cond(ansi.Strip(out.String())) {
		select {
		case <-out.changed:
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
