package agent

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
)

// fakeChat is the controller of an agent on the service: feedback and
// summaries, and replies to chat calls, which it records.
type fakeChat struct {
	*fakeController
	mu      sync.Mutex
	replies []string
	err     error // Reply's answer
}

var _ Replier = (*fakeChat)(nil)

func (c *fakeChat) Reply(callID, text string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.replies = append(c.replies, callID+": "+text)
	return nil
}

// chatCall is a live chat call with three replies, the third a finished
// draft.
func chatCall(b *tuitest.EventBuilder) []tea.Msg {
	started := tuitest.Started("Card declined abroad")
	started.Channel = event.ChannelChat
	return []tea.Msg{
		b.Ev(started),
		b.Ev(tuitest.Final("u1", event.SpeakerCustomer, "My card was declined in Lisbon and I need it today.", 0, 4)),
		b.Ev(tuitest.ThreeReplies("u1")),
	}
}

// newChatModel is the agent view of a live chat call at w×h, through ctl.
func newChatModel(t *testing.T, ctl Controller, w, h int) Model {
	t.Helper()
	m := newTestModel(t, Options{ModelStatus: "agent a1 · service", Controller: ctl}, w, h)
	return feedMsgs(t, m, chatCall(&tuitest.EventBuilder{CallID: "chat-7"}))
}

// press applies key presses in order, running each command and feeding
// its messages back, and returns the model and every message produced.
func press(t *testing.T, m Model, keys ...string) (Model, []tea.Msg) {
	t.Helper()
	var all []tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		m, cmd = updateCmd(t, m, tuitest.Press(k))
		msgs := tuitest.RunCmd(cmd)
		all = append(all, msgs...)
		m = feedMsgs(t, m, msgs)
	}
	return m, all
}

func TestComposerTakesEditsAndSendsASuggestion(t *testing.T) {
	ctl := &fakeChat{fakeController: newFakeController()}
	m := newChatModel(t, ctl, 80, 24)
	if !m.composerShown {
		t.Fatal("no composer on a live chat call")
	}
	m, msgs := press(t, m, "2", "enter")
	if !m.composing {
		t.Fatal("enter on a reply did not open the composer")
	}
	want := "I understand how frustrating that is. Let me check your billing history so we can sort this out together."
	if got := m.composer.input.Value(); got != want {
		t.Fatalf("composer holds %q, want reply 2", got)
	}
	for _, msg := range msgs {
		if _, ok := msg.(tea.QuitMsg); ok {
			t.Fatal("enter quit")
		}
	}
	// q, r and the digits are text now, not keys of the view.
	m, msgs = press(t, m, "backspace", " ", "q", "r", "1", "!")
	for _, msg := range msgs {
		if _, ok := msg.(tea.QuitMsg); ok {
			t.Fatal("q quit while writing a reply")
		}
	}
	m, _ = press(t, m, "ctrl+s")
	if m.composing || m.composer.input.Value() != "" {
		t.Fatalf("after sending: composing %v, composer %q", m.composing, m.composer.input.Value())
	}
	sent := "chat-7: " + strings.TrimSuffix(want, ".") + " qr1!"
	if len(ctl.replies) != 1 || ctl.replies[0] != sent {
		t.Fatalf("replies sent %q, want %q", ctl.replies, sent)
	}
	// Taking and sending are one use of reply 2: one used verdict.
	if len(ctl.feedback) != 1 || ctl.feedback[0].SuggestionID != "s2" || ctl.feedback[0].Verdict != event.VerdictUsed || ctl.feedback[0].UtteranceID != "u1" {
		t.Fatalf("feedback %+v, want one used verdict on s2 for u1", ctl.feedback)
	}
	if !strings.Contains(stripView(m), "Reply sent to the customer") {
		t.Error("no note that the reply was sent")
	}
}

func TestComposerWritesFromScratchAndKeepsAFailedReply(t *testing.T) {
	ctl := &fakeChat{fakeController: newFakeController(), err: errors.New("call chat-7: call ended")}
	m := newChatModel(t, ctl, 80, 24)
	m, _ = press(t, m, "w", "H", "i", "ctrl+s")
	if !m.composing || m.composer.input.Value() != "Hi" {
		t.Fatalf("a failed reply should stay to try again: composing %v, %q", m.composing, m.composer.input.Value())
	}
	if !strings.Contains(stripView(m), "Reply not sent") {
		t.Errorf("no error note:\n%s", stripView(m))
	}
	if len(ctl.feedback) != 0 {
		t.Errorf("a reply written from scratch rated a suggestion: %+v", ctl.feedback)
	}
	m, _ = press(t, m, "esc")
	if m.composing || m.composer.input.Value() != "Hi" {
		t.Fatalf("esc should leave the composer and keep the reply: composing %v, %q", m.composing, m.composer.input.Value())
	}
	m, _ = press(t, m, "ctrl+s") // not composing: nothing is sent
	m, _ = press(t, m, "w", "ctrl+s")
	if ctl.err = nil; len(ctl.replies) != 0 {
		t.Fatalf("replies %q", ctl.replies)
	}
	m, _ = press(t, m, "ctrl+s")
	if len(ctl.replies) != 1 || ctl.replies[0] != "chat-7: Hi" {
		t.Fatalf("replies %q, want the kept reply", ctl.replies)
	}
	if m.composer.sending {
		t.Error("still sending")
	}
}

func TestComposerSendsNothingEmpty(t *testing.T) {
	ctl := &fakeChat{fakeController: newFakeController()}
	m := newChatModel(t, ctl, 80, 24)
	m, _ = press(t, m, "w", " ", "ctrl+s")
	if len(ctl.replies) != 0 || !strings.Contains(stripView(m), "Nothing to send") {
		t.Fatalf("an empty reply: sent %q\n%s", ctl.replies, stripView(m))
	}
}

func TestComposerCleansPastes(t *testing.T) {
	ctl := &fakeChat{fakeController: newFakeController()}
	m := newChatModel(t, ctl, 80, 24)
	m, _ = press(t, m, "w")
	m = update(t, m, tea.PasteMsg{Content: "\x1b]52;c;ZXZpbA==\x07Your card\x1b[31m is\x1b[0m unblocked.\t \nAnything else?\x07\n\n"})
	m, _ = press(t, m, "ctrl+s")
	if want := "chat-7: Your card is unblocked.\nAnything else?"; len(ctl.replies) != 1 || ctl.replies[0] != want {
		t.Fatalf("sent %q, want %q", ctl.replies, want)
	}
}

func TestCleanReply(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{"  hello  \n\n", "hello"},
		{"line one\r\nline two", "line one\nline two"},
		{"line one\rline two\r\rline four", "line one\nline two\n\nline four"},
		{"\x1b[2Jcleared\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "clearedlink"},
		{"bidi\u202Eoverride", "bidioverride"},
		{"\n \n", ""},
	}
	for _, tt := range tests {
		if got := cleanReply(tt.in); got != tt.want {
			t.Errorf("cleanReply(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestComposerNotTakingAPartialDraft(t *testing.T) {
	ctl := &fakeChat{fakeController: newFakeController()}
	m := newChatModel(t, ctl, 80, 24)
	b := &tuitest.EventBuilder{CallID: "chat-7", Seq: 3}
	s := tuitest.ThreeReplies("u1")
	s.Suggestions[2].Partial = true
	m = update(t, m, b.Ev(s))
	m, _ = press(t, m, "3", "r")
	if m.composing || len(ctl.feedback) != 0 {
		t.Fatalf("a draft still being written was taken: composing %v, feedback %+v", m.composing, ctl.feedback)
	}
	s.Suggestions[2].Partial = false
	m = update(t, m, b.Ev(s))
	m, _ = press(t, m, "3", "r")
	if !m.composing || m.composer.input.Value() != s.Suggestions[2].Text || !strings.Contains(stripView(m), "from the draft") {
		t.Fatalf("the finished draft was not taken: %q\n%s", m.composer.input.Value(), stripView(m))
	}
}

// TestComposerOnlyWhereTheAgentAnswers checks that no composer shows on a
// voice call, a read-only view, a view whose controller cannot reply, and
// an ended chat, and that enter then copies as before.
func TestComposerOnlyWhereTheAgentAnswers(t *testing.T) {
	chat := &fakeChat{fakeController: newFakeController()}
	voice := func(t *testing.T) Model {
		m := newTestModel(t, Options{Controller: chat}, 80, 24)
		return feedMsgs(t, m, tuitest.RealisticCall())
	}
	tests := []struct {
		name string
		m    func(t *testing.T) Model
	}{
		{"voice call", voice},
		{"read-only", func(t *testing.T) Model {
			m := newTestModel(t, Options{Controller: chat, ReadOnly: true}, 80, 24)
			return feedMsgs(t, m, chatCall(&tuitest.EventBuilder{CallID: "chat-7"}))
		}},
		{"no replier", func(t *testing.T) Model { return newChatModel(t, newFakeController(), 80, 24) }},
		{"ended chat", func(t *testing.T) Model {
			m := newChatModel(t, chat, 80, 24)
			m, _ = press(t, m, "w", "x")
			return update(t, m, (&tuitest.EventBuilder{CallID: "chat-7", Seq: 3}).Ev(event.CallEnded{Reason: "hangup"}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m(t)
			if m.composerShown || m.composing || !m.layout.Composer.empty() {
				t.Fatalf("a composer: shown %v, composing %v, %+v", m.composerShown, m.composing, m.layout.Composer)
			}
			if strings.Contains(stripView(m), "Reply ─") {
				t.Fatalf("the composer is drawn:\n%s", stripView(m))
			}
			if tt.name == "read-only" {
				return
			}
			_, cmd := updateCmd(t, m, tuitest.Press("enter"))
			if m.composing || cmd == nil {
				t.Fatal("enter did not copy")
			}
		})
	}
}

// TestComposerFollowsTheCall checks that the composer is emptied when the
// view moves to another call.
func TestComposerFollowsTheCall(t *testing.T) {
	ctl := &fakeChat{fakeController: newFakeController()}
	m := newChatModel(t, ctl, 80, 24)
	m, _ = press(t, m, "1", "r")
	m = feedMsgs(t, m, chatCall(&tuitest.EventBuilder{CallID: "chat-8"}))
	if m.current != "chat-8" || m.composing || m.composer.input.Value() != "" || m.composer.callID != "chat-8" {
		t.Fatalf("the composer kept another call's reply: current %s, composing %v, %q", m.current, m.composing, m.composer.input.Value())
	}
}

// TestGoldenViewComposer is a chat call with reply 1 taken into the
// composer and edited.
func TestGoldenViewComposer(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m := newChatModel(t, &fakeChat{fakeController: newFakeController()}, size[0], size[1])
			m, _ = press(t, m, "1", "enter", " ", "O", "K", "?")
			checkFits(t, m, size[0], size[1])
			golden.RequireEqual(t, stripView(m))
		})
	}
}

// TestComposerFitsTerminal checks the view's geometry with the composer,
// at many sizes, writing and not.
func TestComposerFitsTerminal(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}, {100, 30}, {120, 30}, {119, 29}, {60, 20}, {40, 12}, {20, 5}, {1, 1}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			m := newChatModel(t, &fakeChat{fakeController: newFakeController()}, w, h)
			checkFits(t, m, w, h)
			m, _ = press(t, m, "1", "r")
			checkFits(t, m, w, h)
		})
	}
}

// TestComposerTypesLines is the composer of 'assist try': open with the
// keys when the call starts, titled for lines, open still after a line is
// sent; a suggestion taken into it gets the agent's prefix.
func TestComposerTypesLines(t *testing.T) {
	ctl := &fakeChat{fakeController: newFakeController()}
	m := newTestModel(t, Options{Controller: ctl, TypeLines: "a customer line, or > and an agent line", AgentPrefix: ">"}, 80, 24)
	m = feedMsgs(t, m, chatCall(&tuitest.EventBuilder{CallID: "try-1"}))
	if !m.composing {
		t.Fatal("the composer does not have the keys when the call starts")
	}
	if v := stripView(m); !strings.Contains(v, "Say") {
		t.Errorf("the composer is not titled Say:\n%s", v)
	}
	m, _ = press(t, m, "H", "i", "ctrl+s")
	if !m.composing || m.composer.input.Value() != "" {
		t.Fatalf("after a line: composing %v, composer %q; want open and empty", m.composing, m.composer.input.Value())
	}
	m, _ = press(t, m, "esc", "1", "enter")
	if got := m.composer.input.Value(); !strings.HasPrefix(got, ">") || len(got) < 10 {
		t.Fatalf("suggestion 1 taken as %q, want it after the agent's prefix", got)
	}
	m, _ = press(t, m, "ctrl+s")
	if len(ctl.replies) != 2 || ctl.replies[0] != "try-1: Hi" || !strings.HasPrefix(ctl.replies[1], "try-1: >") {
		t.Fatalf("lines sent %q", ctl.replies)
	}
}
