package agent

import (
	"fmt"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
	"github.com/larkspur-labs/assist/tui/theme"
)

// callWithReplies is a model showing a call with three suggested replies.
func callWithReplies(t *testing.T, opts Options) Model {
	t.Helper()
	m := newTestModel(t, opts, 120, 40)
	b := &tuitest.EventBuilder{CallID: "c1"}
	return feedMsgs(t, m, []tea.Msg{
		b.Ev(tuitest.Started("Refund")),
		b.Ev(tuitest.Final("u1", event.SpeakerCustomer, "I was charged twice.", 0, 2)),
		b.Ev(tuitest.ThreeReplies("u1")),
	})
}

func TestFocusCycles(t *testing.T) {
	m := newTestModel(t, Options{}, 120, 40)
	want := []focus{focusSuggestions, focusRecommendations, focusTranscript, focusSuggestions}
	for i, f := range want {
		m = update(t, m, tuitest.Press("tab"))
		if m.focus != f {
			t.Fatalf("after %d tabs focus = %d, want %d", i+1, m.focus, f)
		}
	}
	m = update(t, m, tuitest.Press("shift+tab"))
	m = update(t, m, tuitest.Press("shift+tab"))
	if m.focus != focusRecommendations {
		t.Fatalf("after shift+tab twice focus = %d, want %d", m.focus, focusRecommendations)
	}
	if !m.recs.Focused() || m.transcript.Focused() || m.suggestions.Focused() {
		t.Fatal("only the focused pane should think it is focused")
	}
}

func TestNumberKeysSelect(t *testing.T) {
	m := callWithReplies(t, Options{})
	if _, i, _ := m.suggestions.Selected(); i != 0 {
		t.Fatalf("initial selection = %d, want 0", i)
	}
	m = update(t, m, tuitest.Press("3"))
	if s, i, _ := m.suggestions.Selected(); i != 2 || s.ID != "s3" {
		t.Fatalf("after 3: selected %d (%s), want 2 (s3)", i, s.ID)
	}
	m = update(t, m, tuitest.Press("9")) // no ninth reply: unchanged
	if _, i, _ := m.suggestions.Selected(); i != 2 {
		t.Fatalf("after 9: selected %d, want 2", i)
	}
	m = update(t, m, tuitest.Press("tab")) // focus suggestions; arrows move too
	m = update(t, m, tuitest.Press("up"))
	if _, i, _ := m.suggestions.Selected(); i != 1 {
		t.Fatalf("after up: selected %d, want 1", i)
	}
}

func TestCopySetsClipboardAndRecordsUse(t *testing.T) {
	for _, k := range []string{"c", "enter"} {
		t.Run(k, func(t *testing.T) {
			ctl := newFakeController()
			m := callWithReplies(t, Options{Controller: ctl})
			m = update(t, m, tuitest.Press("2"))
			m, cmd := updateCmd(t, m, tuitest.Press(k))
			if cmd == nil {
				t.Fatal("copy returned no command")
			}
			msgs := tuitest.RunCmd(cmd)
			var clip []string
			for _, msg := range msgs {
				// tea.SetClipboard's message type is unexported; it is a
				// string holding the text.
				if strings.HasSuffix(fmt.Sprintf("%T", msg), "setClipboardMsg") {
					clip = append(clip, fmt.Sprint(msg))
				}
			}
			want := tuitest.ThreeReplies("u1").Suggestions[1].Text
			if len(clip) != 1 || clip[0] != want {
				t.Fatalf("clipboard messages = %q, want [%q]", clip, want)
			}
			wantFB := event.Feedback{SuggestionID: "s2", UtteranceID: "u1", Verdict: event.VerdictUsed}
			if len(ctl.feedback) != 1 || ctl.feedback[0] != wantFB || ctl.callIDs[0] != "c1" {
				t.Fatalf("feedback = %+v for %v, want [%+v] for c1", ctl.feedback, ctl.callIDs, wantFB)
			}
			m = feedMsgs(t, m, msgs)
			if !strings.Contains(stripView(m), "↵ used") {
				t.Error("the copied reply is not marked used")
			}
		})
	}
}

func TestRatingRecordsFeedbackFromACommand(t *testing.T) {
	ctl := newFakeController()
	m := callWithReplies(t, Options{Controller: ctl})

	m, cmd := updateCmd(t, m, tuitest.Press("+"))
	if len(ctl.feedback) != 0 {
		t.Fatal("Update called the controller directly; it must only return a command")
	}
	m = feedMsgs(t, m, tuitest.RunCmd(cmd))
	m = update(t, m, tuitest.Press("2"))
	m, cmd = updateCmd(t, m, tuitest.Press("-"))
	m = feedMsgs(t, m, tuitest.RunCmd(cmd))

	want := []event.Feedback{
		{SuggestionID: "s1", ArticleID: "KB-112", UtteranceID: "u1", Verdict: event.VerdictHelpful},
		{SuggestionID: "s2", UtteranceID: "u1", Verdict: event.VerdictNotHelpful},
	}
	if !slices.Equal(ctl.feedback, want) {
		t.Fatalf("feedback = %+v, want %+v", ctl.feedback, want)
	}
	view := stripView(m)
	for _, mark := range []string{"✓ helpful", "✗ not helpful"} {
		if !strings.Contains(view, mark) {
			t.Errorf("view lacks mark %q", mark)
		}
	}
}

func TestFeedbackErrorShowsNote(t *testing.T) {
	ctl := newFakeController()
	ctl.fail = true
	m := callWithReplies(t, Options{Controller: ctl})
	m, cmd := updateCmd(t, m, tuitest.Press("+"))
	m = feedMsgs(t, m, tuitest.RunCmd(cmd))
	if !strings.Contains(stripView(m), "Feedback not saved: bus unavailable") {
		t.Error("a failed feedback call is not reported")
	}
}

func TestReplayKeysCallController(t *testing.T) {
	ctl := newFakeReplay()
	m := newTestModel(t, Options{Controller: ctl}, 120, 40)

	m, cmd := updateCmd(t, m, tuitest.Press("space"))
	m = feedMsgs(t, m, tuitest.RunCmd(cmd))
	if !ctl.paused || !m.paused {
		t.Fatalf("after space: controller paused %v, view paused %v; want both", ctl.paused, m.paused)
	}
	if !strings.Contains(stripView(m), "paused ×1") {
		t.Error("header does not show the pause")
	}

	for _, step := range []struct {
		key  string
		want float64
	}{{"]", 2}, {">", 4}, {"[", 2}, {"<", 1}, {"[", 0.5}, {"[", 0.25}, {"[", 0.25}} {
		m, cmd = updateCmd(t, m, tuitest.Press(step.key))
		m = feedMsgs(t, m, tuitest.RunCmd(cmd))
		if ctl.speed != step.want || m.speed != step.want {
			t.Fatalf("after %q: controller speed %v, view speed %v, want %v", step.key, ctl.speed, m.speed, step.want)
		}
	}
	for range 10 {
		m, cmd = updateCmd(t, m, tuitest.Press("]"))
		m = feedMsgs(t, m, tuitest.RunCmd(cmd))
	}
	if ctl.speed != maxSpeed {
		t.Fatalf("speed after many ] = %v, want %v", ctl.speed, maxSpeed)
	}

	_, cmd = updateCmd(t, m, tuitest.Press("n"))
	tuitest.RunCmd(cmd)
	if ctl.nextCalls != 1 {
		t.Fatalf("next call called %d times, want 1", ctl.nextCalls)
	}
}

func TestReplayKeysDisabledWithoutReplay(t *testing.T) {
	ctl := newFakeController() // a live call's: no replay controls
	m := newTestModel(t, Options{Controller: ctl}, 120, 40)
	for _, k := range []string{"space", "]", "[", "n"} {
		var cmd tea.Cmd
		m, cmd = updateCmd(t, m, tuitest.Press(k))
		if cmd != nil {
			t.Fatalf("%s without replay controls returned a command", k)
		}
	}
	if m.paused || m.speed != 1 || len(ctl.feedback) != 0 || len(ctl.requests) != 0 {
		t.Fatalf("replay keys acted without replay controls: paused %v, speed %v, controller %+v", m.paused, m.speed, ctl)
	}
	help := viewLines(m)[39]
	for _, hidden := range []string{"pause", "next call", "faster"} {
		if strings.Contains(help, hidden) {
			t.Errorf("help shows disabled binding %q: %q", hidden, help)
		}
	}
	if strings.Contains(stripView(m), "playing") {
		t.Error("header shows replay state without replay")
	}
}

func TestQuit(t *testing.T) {
	m := newTestModel(t, Options{}, 80, 24)
	for _, k := range []string{"q", "ctrl+c"} {
		_, cmd := updateCmd(t, m, tuitest.Press(k))
		if msgs := tuitest.RunCmd(cmd); len(msgs) != 1 || msgs[0] != (tea.QuitMsg{}) {
			t.Fatalf("%s: got %v, want QuitMsg", k, msgs)
		}
	}
}

func TestStaleEventsDropped(t *testing.T) {
	m := newTestModel(t, Options{}, 120, 40)
	b := &tuitest.EventBuilder{CallID: "c1"}
	m = feedMsgs(t, m, []tea.Msg{
		b.Ev(tuitest.Started("Refund")),
		b.Ev(tuitest.Final("u1", event.SpeakerCustomer, "fresh text", 0, 2)),
	})
	stale := b.Ev(tuitest.Final("u1", event.SpeakerCustomer, "stale text", 0, 2))
	stale.Seq = 2 // same seq as the final already applied
	m = update(t, m, stale)
	older := b.Ev(event.Suggestions{UtteranceID: "u1", Abstain: true, Reason: "stale"})
	older.Seq = 1
	m = update(t, m, older)

	view := stripView(m)
	if strings.Contains(view, "stale") {
		t.Fatalf("a stale event was applied:\n%s", view)
	}
	if !strings.Contains(view, "fresh text") {
		t.Fatalf("the fresh final is missing:\n%s", view)
	}
}

func TestPartialReplacedByFinal(t *testing.T) {
	m := newTestModel(t, Options{}, 120, 40)
	b := &tuitest.EventBuilder{CallID: "c1"}
	cust := event.SpeakerCustomer
	m = feedMsgs(t, m, []tea.Msg{
		b.Ev(tuitest.Started("Refund")),
		b.Ev(tuitest.Partial("u1", cust, "I was", 0)),
		b.Ev(tuitest.Partial("u1", cust, "I was charged", 0)),
	})
	cs := m.calls["c1"]
	if len(cs.lines) != 1 || !cs.lines[0].partial || cs.lines[0].text != "I was charged" {
		t.Fatalf("after two partials: %+v", cs.lines)
	}
	if !strings.Contains(stripView(m), "I was charged …") {
		t.Error("the partial is not drawn as pending")
	}

	// The next partial of the same speaker replaces a pending partial even
	// under a new utterance id.
	m = update(t, m, b.Ev(tuitest.Partial("u1b", cust, "I was charged twice", 0)))
	if len(cs.lines) != 1 || cs.lines[0].id != "u1b" {
		t.Fatalf("after a new partial id: %+v", cs.lines)
	}

	m = update(t, m, b.Ev(tuitest.Final("u1b", cust, "I was charged twice.", 0, 2)))
	m = update(t, m, b.Ev(tuitest.Partial("u2", event.SpeakerAgent, "Sorry", 2.5)))
	if len(cs.lines) != 2 || cs.lines[0].partial || cs.lines[0].text != "I was charged twice." || !cs.lines[1].partial {
		t.Fatalf("after the final: %+v", cs.lines)
	}
	view := stripView(m)
	if strings.Contains(view, "I was charged twice …") || !strings.Contains(view, "I was charged twice.") {
		t.Fatalf("the final did not replace the partial:\n%s", view)
	}

	// A final of the agent with another id supersedes the agent's partial.
	m = update(t, m, b.Ev(tuitest.Final("u2x", event.SpeakerAgent, "Sorry about that.", 2.5, 4)))
	if len(cs.lines) != 2 || cs.lines[1].partial || cs.lines[1].id != "u2x" {
		t.Fatalf("after the agent's final: %+v", cs.lines)
	}
}

func TestAbstainShown(t *testing.T) {
	m := callWithReplies(t, Options{})
	b := &tuitest.EventBuilder{CallID: "c1", Seq: 10}
	m = update(t, m, b.Ev(event.Suggestions{UtteranceID: "u2", Abstain: true, Reason: "no article matches"}))
	view := stripView(m)
	if !strings.Contains(view, "No confident suggestion — no article matches") {
		t.Fatalf("abstain line missing:\n%s", view)
	}
	if strings.Contains(view, "91%") {
		t.Error("old replies still listed after an abstain")
	}
	if m.keys.Copy.Enabled() || m.keys.Select.Enabled() {
		t.Error("reply keys stay enabled with nothing to act on")
	}
}

func TestNewCallBecomesDisplayed(t *testing.T) {
	m := newTestModel(t, Options{}, 120, 40)
	a := &tuitest.EventBuilder{CallID: "a"}
	b := &tuitest.EventBuilder{CallID: "b"}
	m = feedMsgs(t, m, []tea.Msg{
		a.Ev(tuitest.Started("First call")),
		a.Ev(tuitest.Final("u1", event.SpeakerCustomer, "first call words", 0, 1)),
		a.Ev(event.CallEnded{Reason: "hangup", Disposition: "resolved"}),
	})
	if view := stripView(m); !strings.Contains(view, "ENDED") || !strings.Contains(view, "first call words") {
		t.Fatalf("an ended call should stay shown:\n%s", view)
	}
	m = update(t, m, b.Ev(tuitest.Started("Second call")))
	if m.current != "b" {
		t.Fatalf("current = %q, want b", m.current)
	}
	// Late events of the first call update its state, not the view.
	m = update(t, m, a.Ev(tuitest.Final("u2", event.SpeakerCustomer, "late words", 1, 2)))
	view := stripView(m)
	if strings.Contains(view, "first call words") || strings.Contains(view, "late words") || !strings.Contains(view, "Second call") {
		t.Fatalf("the view should show only the second call:\n%s", view)
	}
	if n := len(m.calls["a"].lines); n != 2 {
		t.Fatalf("first call has %d lines, want 2", n)
	}
}

func TestCallsBounded(t *testing.T) {
	m := newTestModel(t, Options{}, 80, 24)
	for i := range maxCalls + 5 {
		b := &tuitest.EventBuilder{CallID: fmt.Sprintf("c%d", i)}
		m = update(t, m, b.Ev(tuitest.Started("call")))
	}
	if len(m.calls) != maxCalls || len(m.order) != maxCalls {
		t.Fatalf("kept %d calls (%d ordered), want %d", len(m.calls), len(m.order), maxCalls)
	}
	if _, ok := m.calls[m.current]; !ok {
		t.Fatal("the displayed call was forgotten")
	}
}

func TestTranscriptFollowsTailOnlyAtBottom(t *testing.T) {
	m := newTestModel(t, Options{}, 120, 40)
	b := &tuitest.EventBuilder{CallID: "c1"}
	m = update(t, m, b.Ev(tuitest.Started("Long")))
	for i := range 60 {
		m = update(t, m, b.Ev(tuitest.Final(fmt.Sprintf("u%d", i), event.SpeakerCustomer, fmt.Sprintf("line %d", i), float64(i), float64(i)+1)))
	}
	if !strings.Contains(stripView(m), "line 59") {
		t.Fatal("the tail is not shown")
	}
	m = update(t, m, tuitest.Press("pgup"))
	off := m.transcript.offset
	m = update(t, m, b.Ev(tuitest.Final("u60", event.SpeakerCustomer, "line 60", 60, 61)))
	if m.transcript.offset != off || strings.Contains(stripView(m), "line 60") {
		t.Fatal("a scrolled-up transcript jumped to the new line")
	}
	if !strings.Contains(stripView(m), "more") {
		t.Error("no hint of the lines below")
	}
	m = update(t, m, tuitest.Press("end"))
	m = update(t, m, b.Ev(tuitest.Final("u61", event.SpeakerCustomer, "line 61", 61, 62)))
	if !strings.Contains(stripView(m), "line 61") {
		t.Fatal("after end the transcript does not follow the tail")
	}
	m = update(t, m, tuitest.Press("home"))
	if !strings.Contains(stripView(m), "line 0") {
		t.Fatal("home does not show the first line")
	}
}

func TestTranscriptBounded(t *testing.T) {
	m := newTestModel(t, Options{}, 80, 24)
	b := &tuitest.EventBuilder{CallID: "c1"}
	m = update(t, m, b.Ev(tuitest.Started("Long")))
	for i := range maxLines + 10 {
		m = update(t, m, b.Ev(tuitest.Final(fmt.Sprintf("u%d", i), event.SpeakerAgent, "x", 0, 1)))
	}
	if n := len(m.calls["c1"].lines); n != maxLines {
		t.Fatalf("kept %d lines, want %d", n, maxLines)
	}
}

func TestEventTextSanitised(t *testing.T) {
	m := newTestModel(t, Options{}, 120, 40)
	b := &tuitest.EventBuilder{CallID: "c1"}
	m = feedMsgs(t, m, []tea.Msg{
		b.Ev(event.CallStarted{Title: "evil\x1b]52;c;ZXZpbA==\x07", Customer: "\x1b[2JMallory"}),
		b.Ev(tuitest.Final("u1", event.SpeakerCustomer, "hi\x1b[31m there\x9b1m\r", 0, 1)),
	})
	raw := m.View().Content
	for _, bad := range []string{"\x1b]52", "\x1b[2J", "\u009b", "\r"} {
		if strings.Contains(raw, bad) {
			t.Errorf("view contains %q", bad)
		}
	}
	if !utf8.ValidString(raw) {
		t.Error("view is not valid UTF-8")
	}
}

// TestElapsedClock follows the header clock of a live call, which runs
// with the wall clock between events and stops at the end, and of a
// replay, which runs at the replay speed, stands still while paused and
// never goes back.
func TestElapsedClock(t *testing.T) {
	type step struct {
		wait time.Duration // wall time passing before msg, with a tick
		msg  func(b *tuitest.EventBuilder) tea.Msg
		want string
	}
	final := func(id string, end float64) func(b *tuitest.EventBuilder) tea.Msg {
		return func(b *tuitest.EventBuilder) tea.Msg {
			return b.Ev(tuitest.Final(id, event.SpeakerAgent, "hello", end-1, end))
		}
	}
	ended := func(b *tuitest.EventBuilder) tea.Msg {
		ev := b.Ev(event.CallEnded{Reason: "hangup"})
		ev.Event.TS = time.Time{} // unstamped: the view's clock dates it
		return ev
	}
	msg := func(m tea.Msg) func(*tuitest.EventBuilder) tea.Msg {
		return func(*tuitest.EventBuilder) tea.Msg { return m }
	}
	tests := []struct {
		name   string
		replay bool
		steps  []step
	}{
		{"live", false, []step{
			{75 * time.Second, nil, "01:15"},   // nobody spoke yet: the wall clock
			{0, final("u1", 12.4), "01:15"},    // an earlier offset does not set it back
			{15 * time.Second, nil, "01:30"},   // it runs between events
			{0, final("u2", 95), "01:35"},      // a later offset moves it on
			{15 * time.Second, ended, "01:45"}, // it stops at the end
			{time.Minute, nil, "01:45"},        // and stays stopped
		}},
		{"replay", true, []step{
			{0, msg(speedMsg{speed: 2}), "00:00"},
			{10 * time.Second, nil, "00:20"}, // twice the wall clock
			{0, msg(pausedMsg{paused: true}), "00:20"},
			{10 * time.Second, nil, "00:20"}, // paused: it stands
			{0, msg(pausedMsg{paused: false}), "00:20"},
			{5 * time.Second, nil, "00:30"},
			{0, final("u1", 28), "00:30"},   // a final a little behind: never back
			{0, final("u2", 40), "00:40"},   // one ahead: it jumps there
			{2 * time.Second, nil, "00:44"}, // and goes on from it
			{0, ended, "00:44"},
			{10 * time.Second, nil, "00:44"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tuitest.FixedNow
			opts := Options{NoColor: true, Now: func() time.Time { return now }}
			if tt.replay {
				opts.Controller = newFakeReplay()
			}
			m := update(t, New(opts), tea.WindowSizeMsg{Width: 80, Height: 24})
			b := &tuitest.EventBuilder{CallID: "c1"}
			m = update(t, m, b.Ev(tuitest.Started("Clock")))
			for i, st := range tt.steps {
				now = now.Add(st.wait)
				m = update(t, m, tickMsg{id: m.tickID})
				m = update(t, m, tickMsg{id: m.tickID + 1}) // a stale tick is ignored
				if st.msg != nil {
					m = update(t, m, st.msg(b))
				}
				if line := viewLines(m)[0]; !strings.Contains(line, st.want) {
					t.Fatalf("step %d: want %s in the header:\n%s", i, st.want, line)
				}
			}
		})
	}
}

// TestElapsedClockJoinedLate checks that a view joining a live call late
// times it from the call's start stamp, not from when it joined.
func TestElapsedClockJoinedLate(t *testing.T) {
	now := tuitest.FixedNow.Add(10 * time.Minute)
	m := update(t, New(Options{NoColor: true, Now: func() time.Time { return now }}), tea.WindowSizeMsg{Width: 80, Height: 24})
	b := &tuitest.EventBuilder{CallID: "c1"} // stamped FixedNow + seq seconds
	m = update(t, m, b.Ev(tuitest.Started("Clock")))
	if line := viewLines(m)[0]; !strings.Contains(line, "09:59") {
		t.Fatalf("want 09:59 since the start stamp:\n%s", line)
	}
}

func TestStreamEndedShown(t *testing.T) {
	m := newTestModel(t, Options{Controller: newFakeReplay()}, 80, 24)
	m = update(t, m, common.StreamEndedMsg{})
	if !strings.Contains(stripView(m), "replay finished") {
		t.Fatal("replay finished not shown")
	}
}

func TestHelpToggles(t *testing.T) {
	m := newTestModel(t, Options{Controller: newFakeReplay()}, 120, 40)
	if m.help.ShowAll {
		t.Fatal("help starts expanded")
	}
	m = update(t, m, tuitest.Press("?"))
	if !m.help.ShowAll || m.layout.Help.H < 4 {
		t.Fatalf("help did not expand: ShowAll %v, rows %d", m.help.ShowAll, m.layout.Help.H)
	}
	if !strings.Contains(stripView(m), "slower") {
		t.Error("full help lacks the replay keys")
	}
	m = update(t, m, tuitest.Press("?"))
	if m.help.ShowAll || m.layout.Help.H != 1 {
		t.Fatal("help did not collapse")
	}
}

func TestBackgroundColourPicksPalette(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	m := New(Options{Now: func() time.Time { return tuitest.FixedNow }})
	m = update(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = update(t, m, tea.BackgroundColorMsg{Color: color.White})
	if m.styles.Plain || m.styles.Transcript.Customer.GetForeground() != theme.New(false).Transcript.Customer.GetForeground() {
		t.Error("a light background should select the light palette")
	}

	plain := newTestModel(t, Options{}, 80, 24)
	plain = update(t, plain, tea.BackgroundColorMsg{Color: color.White})
	if !plain.styles.Plain {
		t.Error("the plain theme must stay plain")
	}
}

// TestReadOnlyAgentView checks the agent view's ReadOnly option: reply
// and replay keys do nothing and are hidden from help.
func TestReadOnlyAgentView(t *testing.T) {
	ctl := newFakeReplay()
	m := callWithReplies(t, Options{ReadOnly: true, Controller: ctl})
	for _, k := range []string{"+", "-", "c", "enter", "space", "]", "[", "n"} {
		var cmd tea.Cmd
		m, cmd = updateCmd(t, m, tuitest.Press(k))
		m = feedMsgs(t, m, tuitest.RunCmd(cmd))
	}
	if len(ctl.feedback) != 0 || ctl.paused || ctl.speed != 1 || ctl.nextCalls != 0 {
		t.Fatalf("a read-only view reached the controller: %+v", ctl)
	}
	m = update(t, m, tuitest.Press("?"))
	screen := stripView(m)
	for _, hidden := range []string{"copy reply", "helpful", "pause", "faster", "next call"} {
		if strings.Contains(screen, hidden) {
			t.Errorf("read-only help shows %q", hidden)
		}
	}
	if !strings.Contains(screen, "scroll up") {
		t.Error("read-only help lost the navigation keys")
	}
}
