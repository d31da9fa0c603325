package tui

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
)

// fixedNow is the clock of every test.
var fixedNow = time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)

// fakeController records what the view asked of it.
type fakeController struct {
	mu        sync.Mutex
	paused    bool
	speed     float64
	nextCalls int
	feedback  []event.Feedback
	callIDs   []string
	fail      bool
}

var (
	_ Controller     = (*fakeController)(nil)
	_ CallPositioner = (*fakeController)(nil)
)

func newFakeController() *fakeController { return &fakeController{speed: 1} }

func (c *fakeController) TogglePause() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paused = !c.paused
	return c.paused
}

func (c *fakeController) SetSpeed(x float64) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.speed = x
	return x
}

func (c *fakeController) Speed() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.speed
}

func (c *fakeController) NextCall() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextCalls++
}

func (c *fakeController) Feedback(callID string, fb event.Feedback) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.callIDs = append(c.callIDs, callID)
	c.feedback = append(c.feedback, fb)
	if c.fail {
		return errors.New("bus unavailable")
	}
	return nil
}

func (c *fakeController) CallPosition(callID string) (int, int, bool) {
	return 3, 12, callID != ""
}

// newTestModel returns a plain-themed model at size w×h with a fixed clock.
func newTestModel(t *testing.T, opts Options, w, h int) Model {
	t.Helper()
	opts.NoColor = true
	opts.Now = func() time.Time { return fixedNow }
	m := New(opts)
	return update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
}

// update applies one message and drops the command.
func update(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	m, _ = updateCmd(t, m, msg)
	return m
}

// updateCmd applies one message and returns the command.
func updateCmd(t *testing.T, m Model, msg tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	next, cmd := m.Update(msg)
	nm, ok := next.(Model)
	if !ok {
		t.Fatalf("Update returned %T, want Model", next)
	}
	return nm, cmd
}

// runCmd executes a command and any batch it returns, and returns the
// messages they produce. Commands under test never sleep.
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// feedMsgs applies messages produced by commands back to the model.
func feedMsgs(t *testing.T, m Model, msgs []tea.Msg) Model {
	t.Helper()
	for _, msg := range msgs {
		m = update(t, m, msg)
	}
	return m
}

// press returns the key press for a key name such as "tab", "shift+tab",
// "space", "enter" or a single character.
func press(name string) tea.KeyPressMsg {
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
	}
	r := []rune(name)
	return tea.KeyPressMsg{Code: r[0], Text: name}
}

// eventBuilder numbers the events of one call.
type eventBuilder struct {
	callID string
	seq    uint64
}

func (b *eventBuilder) ev(p event.Payload) EventMsg {
	b.seq++
	return EventMsg{event.Event{
		Kind: p.EventKind(), CallID: b.callID, Seq: b.seq,
		TS: fixedNow.Add(time.Duration(b.seq) * time.Second), Payload: p,
	}}
}

func started(title string) event.CallStarted {
	return event.CallStarted{
		Queue: "Billing", Agent: "Sam Kim", Customer: "Dana Ruiz",
		Channel: event.ChannelVoice, Title: title,
	}
}

func final(id string, sp event.Speaker, text string, start, end float64) event.Utterance {
	return event.Utterance{UtteranceID: id, Speaker: sp, Text: text, Start: start, End: end, Source: event.SourceReplay, Final: true}
}

func partial(id string, sp event.Speaker, text string, start float64) event.Utterance {
	return event.Utterance{UtteranceID: id, Speaker: sp, Text: text, Start: start, Source: event.SourceASR}
}

// threeReplies is a suggestions event with three ranked replies.
func threeReplies(utt string) event.Suggestions {
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

// realisticCall is a call in progress: both speakers, a partial, sentiment
// for both, suggestions, recommendations and alerts.
func realisticCall() []tea.Msg {
	b := &eventBuilder{callID: "call-0017"}
	cust, agent := event.SpeakerCustomer, event.SpeakerAgent
	return []tea.Msg{
		b.ev(started("Double charge on renewal")),
		b.ev(final("u1", agent, "Thanks for calling Larkspur, this is Sam. How can I help you today?", 0, 3.2)),
		b.ev(partial("u2", cust, "Hi, I was charged", 3.8)),
		b.ev(final("u2", cust, "Hi, I was charged twice for my annual renewal this month and I'm honestly pretty frustrated about it.", 3.8, 9.1)),
		b.ev(event.Sentiment{UtteranceID: "u1", Speaker: agent, Score: 0.4, Confidence: 0.8, Rolling: 0.35, Trend: 0,
			Emotions: map[string]float64{"joy": 0.3, "neutral": 0.7}}),
		b.ev(event.Sentiment{UtteranceID: "u2", Speaker: cust, Score: -0.55, Confidence: 0.86, Rolling: -0.45, Trend: -0.2,
			Emotions: map[string]float64{"anger": 0.35, "frustration": 0.72, "confusion": 0.1, "neutral": 0.15, "joy": 0.02}}),
		b.ev(threeReplies("u2")),
		b.ev(event.Recommendations{UtteranceID: "u2", Recommendations: []event.Recommendation{
			{Kind: "action", Title: "Refund the duplicate renewal charge", Reason: "two identical charges on 2 March", Score: 0.88},
			{Kind: "article", Title: "Refund policy for duplicate payments", ArticleID: "KB-112", Reason: "matches “charged twice”", Score: 0.81},
			{Kind: "offer", Title: "One month of Premium, free", Reason: "customer for 4 years, high lifetime value", Score: 0.42},
		}}),
		b.ev(event.Alert{Type: "negative_sentiment", Severity: event.SeverityWarning, Reason: "customer sentiment fell below −0.4", UtteranceID: "u2"}),
		b.ev(final("u3", agent, "I'm really sorry about that. Let me pull up your account.", 9.6, 12.4)),
		b.ev(final("u4", cust, "If this isn't fixed today I'm going to cancel my subscription.", 13.0, 16.8)),
		b.ev(event.Sentiment{UtteranceID: "u4", Speaker: cust, Score: -0.8, Confidence: 0.9, Rolling: -0.66, Trend: -0.21,
			Emotions: map[string]float64{"anger": 0.62, "frustration": 0.81, "sadness": 0.1, "fear": 0.05, "confusion": 0.12, "joy": 0.01, "neutral": 0.08}}),
		b.ev(event.Alert{Type: "churn_risk", Severity: event.SeverityCritical, Reason: "customer threatens to cancel", UtteranceID: "u4"}),
		b.ev(partial("u5", agent, "I completely understand, and I", 17.2)),
	}
}

// viewLines returns the ANSI-stripped lines of the model's view.
func viewLines(m Model) []string {
	return strings.Split(stripView(m), "\n")
}
