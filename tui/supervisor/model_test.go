package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
	"github.com/larkspur-labs/assist/tui/theme"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newTestSupervisor returns a plain-themed supervisor at size w×h on a
// clock that starts at the fixed time.
func newTestSupervisor(t *testing.T, opts Options, w, h int) (*Model, *testClock) {
	t.Helper()
	clk := &testClock{t: tuitest.FixedNow}
	opts.NoColor = true
	opts.Now = clk.now
	s := New(opts)
	supSend(t, s, tea.WindowSizeMsg{Width: w, Height: h})
	return s, clk
}

// supSend applies messages in order and returns the last command.
func supSend(t *testing.T, s *Model, msgs ...tea.Msg) tea.Cmd {
	t.Helper()
	var cmd tea.Cmd
	for _, msg := range msgs {
		var next tea.Model
		next, cmd = s.Update(msg)
		if next != s {
			t.Fatalf("Update returned %T %p, want the supervisor itself", next, next)
		}
	}
	return cmd
}

// supFrame delivers the frame message events ask for.
func supFrame(t *testing.T, s *Model) { t.Helper(); supSend(t, s, frameMsg{}) }

// supTick delivers the current clock tick.
func supTick(t *testing.T, s *Model) { t.Helper(); supSend(t, s, tickMsg{id: s.tickID}) }

// supScreen is the supervisor's screen without escape sequences.
func supScreen(s *Model) string { return ansi.Strip(s.View().Content) }

// escKey is the Esc key press.
func escKey() tea.KeyPressMsg { return tea.KeyPressMsg{Code: tea.KeyEscape} }

// typeText presses one key per character.
func typeText(t *testing.T, s *Model, text string) {
	t.Helper()
	for _, r := range text {
		supSend(t, s, tuitest.Press(string(r)))
	}
}

// visibleIDs are the call ids of the table's rows, in order.
func visibleIDs(s *Model) []string {
	ids := make([]string, len(s.visible))
	for i, r := range s.visible {
		ids[i] = r.call.CallID
	}
	return ids
}

// quits reports whether running cmd asks the program to quit.
func quits(cmd tea.Cmd) bool {
	for _, msg := range tuitest.RunCmd(cmd) {
		if _, ok := msg.(tea.QuitMsg); ok {
			return true
		}
	}
	return false
}

// callScript numbers the events of one call and stamps them a second
// apart from its start.
type callScript struct {
	id    string
	seq   uint64
	start time.Time
}

func (c *callScript) ev(p event.Payload) common.EventMsg {
	c.seq++
	return common.EventMsg{Event: event.Event{
		Kind: p.EventKind(), CallID: c.id, Seq: c.seq,
		TS: c.start.Add(time.Duration(c.seq-1) * time.Second), Payload: p,
	}}
}

func custSentiment(rolling, trend float64) event.Sentiment {
	return event.Sentiment{Speaker: event.SpeakerCustomer, Score: rolling, Confidence: 0.9, Rolling: rolling, Trend: trend}
}

// directory is a small live-call directory at the fixed clock: three queues, one
// call with recent trouble, one calm, one long with an old alert, one not
// yet scored, one just ended.
func directory() []event.CallRow {
	ago := func(d time.Duration) time.Time { return tuitest.FixedNow.Add(-d) }
	return []event.CallRow{
		{CallID: "call-0017", Queue: "Billing", Agent: "Sam Kim", Customer: "Dana Ruiz", Channel: event.ChannelVoice,
			Title: "Double charge on renewal", Started: ago(7*time.Minute + 12*time.Second), Updated: ago(5 * time.Second),
			Status: event.StatusLive, Sentiment: -0.45, Trend: -0.2, History: []float64{0.1, -0.1, -0.3, -0.45},
			Alerts: 1, LastAlert: "customer sentiment fell below −0.4", Utterances: 9, LastSeq: 20},
		{CallID: "chat-0042", Queue: "Billing", Agent: "Priya Natarajan", Customer: "Jo Park", Channel: event.ChannelChat,
			Started: ago(2*time.Minute + 5*time.Second), Updated: ago(10 * time.Second),
			Status: event.StatusLive, Sentiment: 0.4, Trend: 0.1, History: []float64{0, 0.2, 0.3, 0.4},
			Utterances: 6, LastSeq: 14},
		{CallID: "call-0031", Queue: "Tech Support", Agent: "Lee Wong", Customer: "Ari Cohen", Channel: event.ChannelVoice,
			Started: ago(15 * time.Minute), Updated: ago(20 * time.Second),
			Status: event.StatusLive, Sentiment: -0.25, Trend: 0, History: []float64{-0.2, -0.25, -0.3, -0.25, -0.25},
			Alerts: 1, LastAlert: "long silence on the line: 45 s", Utterances: 30, LastSeq: 61},
		{CallID: "call-0050", Queue: "Tech Support", Agent: "Ana Lima", Customer: "Ben Ode", Channel: event.ChannelVoice,
			Started: ago(30 * time.Second), Updated: ago(30 * time.Second), Status: event.StatusLive, LastSeq: 1},
		{CallID: "call-0009", Queue: "Retention", Agent: "Omar Haddad", Customer: "Kim Lee", Channel: event.ChannelVoice,
			Started: ago(9 * time.Minute), Updated: ago(10 * time.Second), Status: event.StatusEnded,
			Sentiment: 0.1, History: []float64{-0.5, -0.2, 0.1}, Alerts: 2, LastAlert: "customer asked for a manager", LastSeq: 80},
	}
}

// goldenSupervisor is the directory at w×h, with the service's voice
// admission (6 of 8 slots taken, 2 calls refused so far), plus a new
// critical alert on call-0017 that has just arrived.
func goldenSupervisor(t *testing.T, w, h int) (*Model, *testClock) {
	t.Helper()
	s, clk := newTestSupervisor(t, Options{
		Title: "Larkspur contact center", ModelStatus: "embedded · sentiment v3", Rows: directory(),
	}, w, h)
	supSend(t, s, ConnectionMsg{Connected: true})
	supSend(t, s, VoiceMsg{Status: event.VoiceStatus{Worker: "w1", Active: 6, Capacity: 8, Refused: 2}})
	supSend(t, s, common.EventMsg{Event: event.Event{
		Kind: event.KindAlert, CallID: "call-0017", Seq: 21, TS: tuitest.FixedNow,
		Payload: event.Alert{Type: "churn_risk", Severity: event.SeverityCritical, Reason: "customer threatens to cancel"},
	}})
	supFrame(t, s)
	return s, clk
}

func TestSupervisorGolden(t *testing.T) {
	for _, size := range [][2]int{{120, 24}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			s, _ := goldenSupervisor(t, size[0], size[1])
			golden.RequireEqual(t, supScreen(s))
		})
	}
}

// TestSupervisorFoldsEvents follows one call from start to end: every
// event lands in its row, a stale redelivery changes nothing, and the
// ended call leaves the table after the grace period.
func TestSupervisorFoldsEvents(t *testing.T) {
	s, clk := newTestSupervisor(t, Options{}, 120, 30)
	c := &callScript{id: "c1", start: tuitest.FixedNow.Add(-90 * time.Second)}
	cmd := supSend(t, s, c.ev(event.CallStarted{Queue: "Billing", Agent: "Sam Kim", Customer: "Dana Ruiz", Channel: event.ChannelVoice}))
	if cmd == nil {
		t.Fatal("an event did not ask for a frame")
	}
	supSend(t, s,
		c.ev(tuitest.Final("u1", event.SpeakerCustomer, "I was charged twice.", 0, 2)),
		c.ev(custSentiment(-0.5, -0.2)),
		c.ev(event.Alert{Type: "churn_risk", Severity: event.SeverityCritical, Reason: "customer threatens to cancel"}),
	)
	supFrame(t, s)

	r := s.rows["c1"]
	if r == nil {
		t.Fatal("no row for c1")
	}
	got := r.call
	if got.Queue != "Billing" || got.Agent != "Sam Kim" || got.Status != event.StatusLive ||
		got.Sentiment != -0.5 || got.Trend != -0.2 || !slices.Equal(got.History, []float64{-0.5}) ||
		got.Alerts != 1 || got.LastAlert != "customer threatens to cancel" || got.Utterances != 1 || got.LastSeq != 4 {
		t.Fatalf("row = %+v", got)
	}
	screen := supScreen(s)
	for _, want := range []string{"c1", "Billing", "Sam Kim", "01:30", "−0.50 ↓", "customer threatens to cancel", "▶! c1", "1 live", "1 alerts"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}

	// A redelivered event is dropped.
	supSend(t, s, common.EventMsg{Event: event.Event{Kind: event.KindSentiment, CallID: "c1", Seq: 3, TS: tuitest.FixedNow, Payload: custSentiment(0.9, 0.5)}})
	if s.rows["c1"].call.Sentiment != -0.5 {
		t.Fatal("a stale sentiment event changed the row")
	}

	// The customer apologises: the concern is no longer open, and says so.
	calm := custSentiment(-0.3, 0.2)
	calm.Cues = []string{"apology"}
	supSend(t, s, c.ev(calm))
	supFrame(t, s)
	if screen := supScreen(s); !strings.Contains(screen, "recovered · customer threatens") {
		t.Errorf("recovered call not shown as recovered:\n%s", screen)
	}

	supSend(t, s, c.ev(event.CallEnded{Reason: "hangup"}))
	supFrame(t, s)
	screen = supScreen(s)
	if !strings.Contains(screen, "■ c1") || !strings.Contains(screen, "0 live") {
		t.Fatalf("ended call not shown as ended:\n%s", screen)
	}
	clk.advance(endedGrace - time.Second)
	supTick(t, s)
	if _, ok := s.rows["c1"]; !ok {
		t.Fatal("ended call dropped before the grace period")
	}
	clk.advance(time.Second)
	supTick(t, s)
	if _, ok := s.rows["c1"]; ok {
		t.Fatal("ended call still there after the grace period")
	}
	if screen := supScreen(s); !strings.Contains(screen, "No live calls yet") {
		t.Fatalf("empty table not announced:\n%s", screen)
	}
}

// TestSupervisorFrameCadence checks that events do not re-sort the table
// one by one: the order changes when the frame message comes.
func TestSupervisorFrameCadence(t *testing.T) {
	s, _ := newTestSupervisor(t, Options{Rows: directory()}, 120, 30)
	before := visibleIDs(s)
	c := &callScript{id: "call-0050", seq: 1, start: tuitest.FixedNow}
	cmd := supSend(t, s,
		c.ev(event.Alert{Reason: "a"}), c.ev(event.Alert{Reason: "b"}), c.ev(event.Alert{Reason: "c"}),
	)
	if cmd != nil {
		t.Fatal("a second frame was asked for while one is pending")
	}
	if !slices.Equal(visibleIDs(s), before) {
		t.Fatal("the table was re-sorted before the frame")
	}
	supFrame(t, s)
	if got := visibleIDs(s)[0]; got != "call-0050" {
		t.Fatalf("after the frame the top call is %s, want call-0050 (3 new alerts)", got)
	}
}

func TestSupervisorSortOrders(t *testing.T) {
	ago := func(d time.Duration) time.Time { return tuitest.FixedNow.Add(-d) }
	sums := []event.CallRow{
		{CallID: "a", Queue: "Q", Started: ago(2 * time.Minute), Status: event.StatusLive, Sentiment: -0.1, History: []float64{-0.1}, Alerts: 3, LastSeq: 5},
		{CallID: "b", Queue: "Q", Started: ago(40 * time.Minute), Status: event.StatusLive, Sentiment: 0.3, History: []float64{0.3}, LastSeq: 5},
		{CallID: "c", Queue: "Q", Started: ago(5 * time.Minute), Status: event.StatusLive, Sentiment: -0.9, History: []float64{-0.9}, Alerts: 1, LastSeq: 5},
		{CallID: "d", Queue: "Q", Started: ago(50 * time.Minute), Updated: ago(time.Second), Status: event.StatusEnded, Sentiment: -1, Alerts: 9, LastSeq: 5},
		{CallID: "e", Queue: "Q", Started: ago(time.Minute), Status: event.StatusLive, LastSeq: 1},
	}
	s, _ := newTestSupervisor(t, Options{Rows: sums}, 120, 30)
	for _, step := range []struct {
		order string
		want  []string
	}{
		{"risk", []string{"a", "c", "b", "e", "d"}},
		{"duration", []string{"b", "c", "a", "e", "d"}},
		{"sentiment", []string{"c", "a", "b", "e", "d"}},
		{"alerts", []string{"a", "c", "b", "e", "d"}},
		{"risk", []string{"a", "c", "b", "e", "d"}},
	} {
		if got := visibleIDs(s); s.order.String() != step.order || !slices.Equal(got, step.want) {
			t.Fatalf("order %s: rows %v, want %s %v", s.order, got, step.order, step.want)
		}
		if !strings.Contains(supScreen(s), "by "+step.order) {
			t.Errorf("the table rule does not say it is sorted by %s", step.order)
		}
		supSend(t, s, tuitest.Press("s"))
	}
}

// TestSupervisorSelectionFollowsCall checks that the selection stays on
// its call when the order changes, so Enter opens the call that was
// chosen.
func TestSupervisorSelectionFollowsCall(t *testing.T) {
	s, _ := newTestSupervisor(t, Options{Rows: directory()}, 120, 30)
	supSend(t, s, tuitest.Press("j"), tuitest.Press("down"))
	want := s.visible[2].call.CallID
	c := &callScript{id: "call-0050", seq: 1, start: tuitest.FixedNow}
	supSend(t, s, c.ev(event.Alert{Reason: "a"}), c.ev(event.Alert{Reason: "b"}), c.ev(event.Alert{Reason: "c"}))
	supFrame(t, s)
	if r := s.selectedRow(); r == nil || r.call.CallID != want {
		t.Fatalf("selected %v after a re-sort, want %s", r, want)
	}
	supSend(t, s, tuitest.Press("G"))
	if s.cursor != len(s.visible)-1 {
		t.Fatalf("G put the cursor on %d of %d", s.cursor, len(s.visible))
	}
	supSend(t, s, tuitest.Press("g"), tuitest.Press("k"))
	if s.cursor != 0 {
		t.Fatalf("g then k put the cursor on %d", s.cursor)
	}
}

func TestSupervisorFilter(t *testing.T) {
	s, _ := newTestSupervisor(t, Options{Rows: directory()}, 120, 30)
	supSend(t, s, tuitest.Press("/"))
	if !s.typing {
		t.Fatal("/ did not open the filter")
	}
	typeText(t, s, "BIL")
	if got := visibleIDs(s); !slices.Equal(got, []string{"call-0017", "chat-0042"}) {
		t.Fatalf("filter BIL shows %v", got)
	}
	screen := supScreen(s)
	if !strings.Contains(screen, "/ BIL") || !strings.Contains(screen, "2 of 5") {
		t.Fatalf("filter input or count not shown:\n%s", screen)
	}
	supSend(t, s, escKey())
	if s.typing || s.filter != "" || len(s.visible) != 5 {
		t.Fatalf("esc did not clear the filter: typing %v, filter %q, %d rows", s.typing, s.filter, len(s.visible))
	}

	// By customer and agent; q is text while typing; enter keeps the filter.
	supSend(t, s, tuitest.Press("/"))
	typeText(t, s, "jo par")
	if got := visibleIDs(s); !slices.Equal(got, []string{"chat-0042"}) {
		t.Fatalf("filter by customer shows %v", got)
	}
	if cmd := supSend(t, s, tuitest.Press("backspace")); quits(cmd) {
		t.Fatal("backspace quit")
	}
	for range 6 {
		supSend(t, s, tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	if cmd := supSend(t, s, tuitest.Press("q")); quits(cmd) {
		t.Fatal("q quit while typing a filter")
	}
	supSend(t, s, tea.KeyPressMsg{Code: tea.KeyBackspace})
	typeText(t, s, "lee wong")
	supSend(t, s, tuitest.Press("enter"))
	if s.typing || s.filter != "lee wong" || !slices.Equal(visibleIDs(s), []string{"call-0031"}) {
		t.Fatalf("after enter: typing %v, filter %q, rows %v", s.typing, s.filter, visibleIDs(s))
	}
	if !strings.Contains(supScreen(s), "esc clear filter") {
		t.Error("help does not offer to clear the filter")
	}
	supSend(t, s, escKey())
	if s.filter != "" || len(s.visible) != 5 {
		t.Fatalf("esc did not clear the applied filter: %q, %d rows", s.filter, len(s.visible))
	}
	supSend(t, s, tuitest.Press("/"))
	typeText(t, s, "nobody")
	if !strings.Contains(supScreen(s), "No calls match “nobody”") {
		t.Error("an empty filter result is not announced")
	}
	if cmd := supSend(t, s, tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}); !quits(cmd) {
		t.Error("ctrl+c does not quit while typing")
	}
}

func TestSupervisorQueueOption(t *testing.T) {
	s, _ := newTestSupervisor(t, Options{Queue: "billing", Rows: directory()}, 120, 30)
	if got := visibleIDs(s); !slices.Equal(got, []string{"call-0017", "chat-0042"}) {
		t.Fatalf("queue billing shows %v", got)
	}
	screen := supScreen(s)
	if !strings.Contains(screen, "queue billing") || strings.Contains(screen, "Tech Support") || strings.Contains(screen, "QUEUE") {
		t.Fatalf("screen of a one-queue view:\n%s", screen)
	}
	// A call whose queue is not known yet stays out until its start says.
	c := &callScript{id: "late", start: tuitest.FixedNow}
	supSend(t, s, common.EventMsg{Event: event.Event{Kind: event.KindSentiment, CallID: "late", Seq: 2, TS: tuitest.FixedNow, Payload: custSentiment(-0.8, 0)}})
	supFrame(t, s)
	if slices.Contains(visibleIDs(s), "late") {
		t.Fatal("a call of unknown queue is shown in a one-queue view")
	}
	supSend(t, s, c.ev(event.CallStarted{Queue: "Billing"})) // seq 1 < 2: stale, dropped
	c.seq = 2
	supSend(t, s, c.ev(event.CallStarted{Queue: "Billing"}))
	supFrame(t, s)
	if !slices.Contains(visibleIDs(s), "late") {
		t.Fatalf("call in the queue not shown once started: %v", visibleIDs(s))
	}
}

// TestSupervisorSanitizes checks that escape sequences and control
// characters in call ids, names and alert reasons never reach the screen.
func TestSupervisorSanitizes(t *testing.T) {
	hostile := event.CallRow{
		CallID: "c\x1b[31m1", Queue: "Bil\x1b[2Jling", Agent: "Eve\x1b]52;c;ZXZpbA==\x07 Evil", Customer: "x\x9b6n",
		Started: tuitest.FixedNow.Add(-time.Minute), Status: event.StatusLive, LastSeq: 1,
	}
	s, _ := newTestSupervisor(t, Options{Rows: []event.CallRow{hostile}, Title: "T\x1b]0;pwned\x07"}, 120, 30)
	supSend(t, s, common.EventMsg{Event: event.Event{Kind: event.KindAlert, CallID: hostile.CallID, Seq: 2, TS: tuitest.FixedNow,
		Payload: event.Alert{Reason: "\x1b]8;;http://evil\x07click\x1b]8;;\x07 me\r\n\u202eright"}}})
	supFrame(t, s)
	check := func(where string, wants ...string) {
		t.Helper()
		out := s.View().Content
		for _, bad := range []string{"\x1b]", "\x07", "[2J", "[31m", "\x9b", "\r", "\u202e"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s: output contains %q", where, bad)
			}
		}
		screen := ansi.Strip(out)
		for _, want := range wants {
			if !strings.Contains(screen, want) {
				t.Errorf("%s: screen lacks %q:\n%s", where, want, screen)
			}
		}
	}
	check("table", "c1", "Billing", "Eve Evil", "click me")
	supSend(t, s, tuitest.Press("enter"))
	check("drill-down", "c1", "Billing", "Eve Evil")
}

// fakeHistory is a History func that records the calls asked for.
type fakeHistory struct {
	mu     sync.Mutex
	asked  []string
	events map[string][]event.Event
	err    error
}

func (h *fakeHistory) fetch(ctx context.Context, callID string) ([]event.Event, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.asked = append(h.asked, callID)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return h.events[callID], h.err
}

func (h *fakeHistory) calls() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.asked)
}

// openCall selects a call by id and presses enter, returning the command.
func openCall(t *testing.T, s *Model, callID string) tea.Cmd {
	t.Helper()
	i := slices.Index(visibleIDs(s), callID)
	if i < 0 {
		t.Fatalf("%s not in the table", callID)
	}
	supSend(t, s, tuitest.Press("g"))
	for range i {
		supSend(t, s, tuitest.Press("j"))
	}
	return supSend(t, s, tuitest.Press("enter"))
}

func TestSupervisorDrillDown(t *testing.T) {
	hist := &fakeHistory{events: map[string][]event.Event{"call-0017": tuitest.RealisticEvents()}}
	s, _ := newTestSupervisor(t, Options{Rows: directory(), History: hist.fetch}, 120, 40)

	cmd := openCall(t, s, "call-0017")
	if s.drill == nil || s.drill.callID != "call-0017" {
		t.Fatal("enter did not open the call")
	}
	if len(hist.calls()) != 0 {
		t.Fatal("Update fetched the history itself; it must return a command")
	}
	screen := supScreen(s)
	if !strings.Contains(screen, "watching call-0017") || !strings.Contains(screen, "loading history") ||
		!strings.Contains(screen, "Double charge on renewal") {
		t.Fatalf("drill-down before the history:\n%s", screen)
	}
	msgs := tuitest.RunCmd(cmd)
	if got := hist.calls(); !slices.Equal(got, []string{"call-0017"}) {
		t.Fatalf("history asked for %v, want [call-0017]", got)
	}
	for _, m := range msgs {
		supSend(t, s, m)
	}
	screen = supScreen(s)
	for _, want := range []string{
		"charged twice for my annual renewal", "Let me pull up", "churn risk",
		"history: 14 events", "◂ esc back",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("drill-down lacks %q:\n%s", want, screen)
		}
	}
	// Read-only: the keys that act on the call are gone from help and do
	// nothing.
	for _, hidden := range []string{"copy reply", "helpful", "pick reply"} {
		if strings.Contains(screen, hidden) {
			t.Errorf("read-only drill-down offers %q", hidden)
		}
	}
	supSend(t, s, tuitest.Press("+"), tuitest.Press("c"))
	if strings.Contains(supScreen(s), "marked helpful") || strings.Contains(supScreen(s), "copied") {
		t.Error("a read-only drill-down acted on a reply")
	}

	// Live events keep coming: the drilled call's reach its transcript,
	// every call's reach its row.
	c := &callScript{id: "call-0017", seq: 14, start: tuitest.FixedNow}
	supSend(t, s, c.ev(tuitest.Final("u6", event.SpeakerAgent, "I have refunded the duplicate charge just now.", 20, 24)))
	other := &callScript{id: "chat-0042", seq: 14, start: tuitest.FixedNow}
	supSend(t, s, other.ev(event.Alert{Reason: "customer mentions a lawyer"}))
	if !strings.Contains(supScreen(s), "refunded the duplicate charge") {
		t.Error("a live event of the drilled call is not shown")
	}
	if s.rows["chat-0042"].call.Alerts != 1 {
		t.Error("rows are not updated during a drill-down")
	}

	supSend(t, s, escKey())
	if s.drill != nil {
		t.Fatal("esc did not go back to the table")
	}
	screen = supScreen(s)
	if !strings.Contains(screen, "Live calls") || !strings.Contains(screen, "customer mentions a lawyer") {
		t.Fatalf("table after esc:\n%s", screen)
	}
	if r := s.selectedRow(); r == nil || r.call.CallID != "call-0017" {
		t.Errorf("selection after esc is %v, want call-0017", r)
	}
}

// TestSupervisorDrillHoldsLiveEvents checks that live events that arrive
// while the history loads are shown after it, not dropped as older than
// the history.
func TestSupervisorDrillHoldsLiveEvents(t *testing.T) {
	hist := &fakeHistory{events: map[string][]event.Event{"call-0017": tuitest.RealisticEvents()}}
	s, _ := newTestSupervisor(t, Options{Rows: directory(), History: hist.fetch}, 120, 40)
	cmd := openCall(t, s, "call-0017")
	c := &callScript{id: "call-0017", seq: 14, start: tuitest.FixedNow}
	supSend(t, s, c.ev(tuitest.Final("u6", event.SpeakerAgent, "Refund done, anything else?", 20, 24)))
	// A live event the history also holds: shown once.
	supSend(t, s, common.EventMsg{Event: tuitest.RealisticEvents()[13]})
	for _, m := range tuitest.RunCmd(cmd) {
		supSend(t, s, m)
	}
	screen := supScreen(s)
	first := strings.Index(screen, "charged twice for my annual renewal")
	last := strings.Index(screen, "Refund done, anything else?")
	if first < 0 || last < 0 || last < first {
		t.Fatalf("history then live events not both shown in order:\n%s", screen)
	}
	// Four finals and a partial of the history, the partial replaced by
	// the live final of the same speaker; the duplicate applied once.
	for _, line := range []string{
		"Thanks for calling Larkspur", "charged twice for my annual renewal",
		"I'm really sorry about that", "If this isn't fixed today", "Refund done, anything else?",
	} {
		if n := strings.Count(screen, line); n != 1 {
			t.Errorf("transcript shows %q %d times, want once:\n%s", line, n, screen)
		}
	}
	if strings.Contains(screen, "I completely understand") {
		t.Errorf("the history's partial was not replaced by the live final:\n%s", screen)
	}
}

func TestSupervisorDrillWithoutHistory(t *testing.T) {
	s, _ := newTestSupervisor(t, Options{Rows: directory()}, 120, 40)
	if cmd := openCall(t, s, "chat-0042"); cmd != nil {
		t.Fatal("a drill-down without History returned a command")
	}
	c := &callScript{id: "chat-0042", seq: 14, start: tuitest.FixedNow}
	supSend(t, s, c.ev(tuitest.Final("u9", event.SpeakerCustomer, "Thanks, that fixed it!", 30, 32)))
	screen := supScreen(s)
	for _, want := range []string{"live events only", "Thanks, that fixed it!", "Billing"} {
		if !strings.Contains(screen, want) {
			t.Errorf("drill-down lacks %q:\n%s", want, screen)
		}
	}
}

func TestSupervisorDrillHistoryFails(t *testing.T) {
	hist := &fakeHistory{err: errors.New("stream not found\x1b[2J")}
	s, _ := newTestSupervisor(t, Options{Rows: directory(), History: hist.fetch}, 120, 40)
	cmd := openCall(t, s, "call-0031")
	c := &callScript{id: "call-0031", seq: 61, start: tuitest.FixedNow}
	supSend(t, s, c.ev(tuitest.Final("u40", event.SpeakerCustomer, "Hello? Are you still there?", 900, 903)))
	for _, m := range tuitest.RunCmd(cmd) {
		supSend(t, s, m)
	}
	screen := supScreen(s)
	if !strings.Contains(screen, "history unavailable: stream not found") || !strings.Contains(screen, "Are you still there?") {
		t.Fatalf("failed history not reported, or held events lost:\n%s", screen)
	}
	if strings.Contains(s.View().Content, "[2J") {
		t.Error("the error text was not sanitised")
	}
}

// TestSupervisorLateHistoryDropped checks that a history answer for an
// earlier drill-down does not land in the current one.
func TestSupervisorLateHistoryDropped(t *testing.T) {
	hist := &fakeHistory{events: map[string][]event.Event{"call-0017": tuitest.RealisticEvents()}}
	s, _ := newTestSupervisor(t, Options{Rows: directory(), History: hist.fetch}, 120, 40)
	first := openCall(t, s, "call-0017")
	supSend(t, s, escKey())
	second := openCall(t, s, "call-0017")
	for _, m := range tuitest.RunCmd(first) {
		supSend(t, s, m)
	}
	if !s.drill.loading {
		t.Fatal("an earlier drill-down's history was applied")
	}
	for _, m := range tuitest.RunCmd(second) {
		supSend(t, s, m)
	}
	if s.drill.loading || !strings.Contains(supScreen(s), "charged twice") {
		t.Fatal("the current drill-down's history was not applied")
	}
}

func TestSupervisorRecentAlertHighlight(t *testing.T) {
	s, clk := goldenSupervisor(t, 120, 30)
	row := func() string {
		for _, l := range strings.Split(supScreen(s), "\n") {
			if strings.Contains(l, "call-0017") {
				return l
			}
		}
		return ""
	}
	supSend(t, s, tuitest.Press("j")) // select another row, so the flag shows in full style
	if !strings.HasPrefix(row(), " !") {
		t.Fatalf("a new alert is not flagged: %q", row())
	}
	if !strings.Contains(s.View().Content, s.st.recent.render("customer threatens to cancel")) {
		t.Error("a new alert's reason is not highlighted")
	}
	clk.advance(recentAlertFor)
	supTick(t, s)
	if strings.HasPrefix(row(), " !") || !strings.Contains(row(), "customer threatens to cancel") {
		t.Fatalf("after %v the row is %q; want no flag, reason kept", recentAlertFor, row())
	}
}

func TestSupervisorRowsAndConnection(t *testing.T) {
	s, _ := newTestSupervisor(t, Options{Rows: directory()}, 120, 30)
	if strings.Contains(supScreen(s), "LIVE") {
		t.Error("connection shown before any was reported")
	}
	supSend(t, s, common.ConnectionStatus(false, tuitest.FixedNow.Add(-6*time.Second)))
	if screen := supScreen(s); !strings.Contains(screen, "○ reconnecting… 6s") || strings.Contains(screen, "LIVE") {
		t.Fatalf("connection loss not shown, with its time:\n%s", screen)
	}

	dir := directory()
	dir[0].LastSeq, dir[0].Alerts, dir[0].LastAlert = 30, 4, "customer asked for a supervisor"
	dir[1].LastSeq, dir[1].Sentiment = 2, -1 // older than what we have: ignored
	fresh := event.CallRow{CallID: "call-0100", Queue: "Retention", Started: tuitest.FixedNow, Status: event.StatusLive, LastSeq: 3}
	supSend(t, s, RowsMsg{Rows: append(dir[:3], fresh), Replace: true}, ConnectionMsg{Connected: true})
	if got := s.rows["call-0017"].call; got.Alerts != 4 || got.LastAlert != "customer asked for a supervisor" {
		t.Errorf("newer row not taken: %+v", got)
	}
	if !s.rows["call-0017"].recentAlert(s.clock) {
		t.Error("alerts learnt from the directory are not flagged as new")
	}
	if s.rows["chat-0042"].call.Sentiment != 0.4 {
		t.Error("an older row replaced a newer one")
	}
	if _, ok := s.rows["call-0050"]; ok {
		t.Error("a call missing from a replacing directory was kept")
	}
	if _, ok := s.rows["call-0100"]; !ok {
		t.Error("a new call from the directory was not added")
	}
	if screen := supScreen(s); !strings.Contains(screen, "● LIVE") || strings.Contains(screen, "reconnecting") {
		t.Errorf("reconnection not shown:\n%s", screen)
	}
	// The directory's history is copied: folding events must not write
	// into the caller's array.
	hist := make([]float64, 1, 8)
	hist[0] = 0.5
	supSend(t, s, RowsMsg{Rows: []event.CallRow{{CallID: "h", Queue: "Q", Status: event.StatusLive, History: hist, LastSeq: 1}}})
	supSend(t, s, common.EventMsg{Event: event.Event{Kind: event.KindSentiment, CallID: "h", Seq: 2, Payload: custSentiment(-0.7, 0)}})
	if got := hist[:2][1]; got != 0 {
		t.Fatalf("Apply wrote %v into the caller's history array", got)
	}
	supSend(t, s, common.StreamEndedMsg{})
	if !strings.Contains(supScreen(s), "stream closed") {
		t.Error("closed stream not shown")
	}
}

// TestSupervisorVoiceHeader follows the service's voice admission in the
// header: summed over the processes heard from lately, marked when full,
// gone when no process has been heard from for event.VoiceStatusStale.
func TestSupervisorVoiceHeader(t *testing.T) {
	s, clk := newTestSupervisor(t, Options{ModelStatus: "supervisor boss · service", Rows: directory()}, 120, 30)
	header := func() string { return strings.Split(supScreen(s), "\n")[1] }
	if strings.Contains(header(), "voice") {
		t.Fatalf("voice shown before any process reported: %q", header())
	}
	for _, tt := range []struct {
		name string
		msg  event.VoiceStatus
		tick time.Duration // clock moved, then a tick, after the message
		want string        // in the header; "" for no voice at all
	}{
		{"one process", event.VoiceStatus{Worker: "w1", Active: 3, Capacity: 4}, 0, "4 live  │  2 alerts  │  voice 3/4"},
		{"a second, full, handing over", event.VoiceStatus{Worker: "w2", Active: 4, Capacity: 4, Overflow: 1, HandedOver: 3},
			0, "voice 7/8 · 1 on server"},
		{"the first fills up and refuses", event.VoiceStatus{Worker: "w1", Active: 4, Capacity: 4, Refused: 2},
			0, "voice 8/8 full · 1 on server · 2 refused"},
		{"a process without a bound", event.VoiceStatus{Worker: "w3", Active: 5},
			0, "voice 13 · 1 on server · 2 refused"},
		{"time passes, none stale yet", event.VoiceStatus{Worker: "w1", Active: 2, Capacity: 4, Refused: 2},
			event.VoiceStatusStale / 2, "voice 11 · 1 on server · 2 refused"},
		{"w2 speaks again, w1 and w3 go stale", event.VoiceStatus{Worker: "w2", Active: 1, Capacity: 4},
			event.VoiceStatusStale / 2, "  │  voice 1/4 "},
		{"all stale", event.VoiceStatus{Worker: "w2", Active: 1, Capacity: 4}, 2 * event.VoiceStatusStale, ""},
	} {
		supSend(t, s, VoiceMsg{Status: tt.msg})
		if tt.tick > 0 {
			clk.advance(tt.tick)
			supTick(t, s)
		}
		got := header()
		if tt.want == "" {
			if strings.Contains(got, "voice") {
				t.Errorf("%s: header %q, want no voice", tt.name, got)
			}
			continue
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: header %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestSupervisorIgnoresPartials checks that partial transcripts of calls
// other than the drilled one cost nothing: no row change, no frame.
func TestSupervisorIgnoresPartials(t *testing.T) {
	s, _ := newTestSupervisor(t, Options{Rows: directory()}, 120, 30)
	ev := common.EventMsg{Event: event.Event{Kind: event.KindPartial, CallID: "call-0017", Seq: 99, Payload: tuitest.Partial("u9", event.SpeakerCustomer, "I want", 1)}}
	if cmd := supSend(t, s, ev); cmd != nil || s.rows["call-0017"].call.LastSeq != 20 {
		t.Fatal("a partial changed a row or asked for a frame")
	}
	var g *partialGate
	if !g.admits("x") {
		t.Error("a nil gate (no Run) must admit everything")
	}
	g = &partialGate{}
	if g.admits("call-0017") {
		t.Error("a fresh gate admits partials")
	}
	g.set("call-0017")
	if !g.admits("call-0017") || g.admits("call-0018") {
		t.Error("the gate does not admit exactly the drilled call")
	}
}

// TestSupervisorFitsTerminal checks, at many sizes and in every mode,
// that the screen has exactly one line per row, each exactly as wide as
// the terminal, and that nothing panics on a tiny window.
func TestSupervisorFitsTerminal(t *testing.T) {
	sizes := [][2]int{{160, 50}, {120, 24}, {80, 24}, {60, 20}, {40, 12}, {30, 8}, {20, 5}, {10, 3}, {5, 2}, {1, 1}, {200, 60}}
	modes := map[string]func(t *testing.T, s *Model){
		"table":    func(*testing.T, *Model) {},
		"fullhelp": func(t *testing.T, s *Model) { supSend(t, s, tuitest.Press("?")) },
		"typing":   func(t *testing.T, s *Model) { supSend(t, s, tuitest.Press("/")); typeText(t, s, "call") },
		"filtered-empty": func(t *testing.T, s *Model) {
			supSend(t, s, tuitest.Press("/"))
			typeText(t, s, "zzz")
			supSend(t, s, tuitest.Press("enter"))
		},
		"drill": func(t *testing.T, s *Model) {
			hist := &fakeHistory{events: map[string][]event.Event{"call-0017": tuitest.RealisticEvents()}}
			s.opts.History = hist.fetch
			for _, m := range tuitest.RunCmd(openCall(t, s, "call-0017")) {
				supSend(t, s, m)
			}
		},
	}
	for _, size := range sizes {
		w, h := size[0], size[1]
		for name, mode := range modes {
			t.Run(fmt.Sprintf("%dx%d/%s", w, h, name), func(t *testing.T) {
				s, _ := goldenSupervisor(t, w, h)
				mode(t, s)
				checkSupervisorFits(t, s, w, h)
				// Colour must not change the geometry.
				s.setStyles(theme.New(true))
				checkSupervisorFits(t, s, w, h)
				// Nor a resize after the fact.
				supSend(t, s, tea.WindowSizeMsg{Width: h, Height: w})
				checkSupervisorFits(t, s, h, w)
			})
		}
	}
}

func checkSupervisorFits(t *testing.T, s *Model, w, h int) {
	t.Helper()
	out := s.View().Content
	for i, l := range strings.Split(out, "\n") {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
	if n := strings.Count(out, "\n") + 1; n != h {
		t.Fatalf("screen has %d lines, want %d", n, h)
	}
}

// TestRunSupervisorEndToEnd runs the real program on a pipe: events and
// directory messages reach the screen through the pump, Enter opens a
// call, Esc comes back and q quits.
func TestRunSupervisorEndToEnd(t *testing.T) {
	in, keys := io.Pipe()
	defer keys.Close()
	out := tuitest.NewSyncBuffer()
	events := make(chan event.Event, 64)
	for _, ev := range tuitest.RealisticEvents() {
		events <- ev
	}
	msgs := make(chan tea.Msg, 1)
	msgs <- ConnectionMsg{Detail: "reconnecting…"}
	hist := &fakeHistory{events: map[string][]event.Event{"call-0017": tuitest.RealisticEvents()}}
	errc := make(chan error, 1)
	go func() {
		errc <- Run(context.Background(), events, Options{
			Rows: directory()[1:2], History: hist.fetch, Messages: msgs, NoColor: true,
			Input: in, Output: out, Width: 120, Height: 30,
		})
	}()
	tuitest.WaitFor(t, out, "both calls and the connection", func(s string) bool {
		return strings.Contains(s, "call-0017") && strings.Contains(s, "chat-0042") && strings.Contains(s, "reconnecting…")
	})
	if _, err := keys.Write([]byte("\r")); err != nil { // the top row: call-0017 (2 alerts)
		t.Fatal(err)
	}
	tuitest.WaitFor(t, out, "the drill-down with its history", func(s string) bool {
		return strings.Contains(s, "watching call-0017") && strings.Contains(s, "history: 14 events")
	})
	close(events)
	if _, err := keys.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after q")
	}
}

// TestRunSupervisorStopsWithContext checks that cancelling the context
// ends Run without an error.
func TestRunSupervisorStopsWithContext(t *testing.T) {
	in, keys := io.Pipe()
	defer keys.Close()
	ctx, cancel := context.WithCancel(context.Background())
	out := tuitest.NewSyncBuffer()
	errc := make(chan error, 1)
	go func() {
		errc <- Run(ctx, make(chan event.Event), Options{NoColor: true, Input: in, Output: out, Width: 80, Height: 24})
	}()
	tuitest.WaitFor(t, out, "the first frame", func(s string) bool { return strings.Contains(s, "No live calls yet") })
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// TestSupervisorSpansMatchStyles checks that the spans the rows are drawn
// with write exactly what their lipgloss styles render, in every theme.
func TestSupervisorSpansMatchStyles(t *testing.T) {
	for name, th := range map[string]theme.Styles{"plain": theme.Plain(), "dark": theme.New(true), "light": theme.New(false)} {
		st := newTableStyles(&th)
		for i, sp := range []span{
			st.colHead, st.label, st.value, st.negative, st.positive, st.up, st.down, st.flat,
			st.spark, st.alerts, st.reason, st.recent, st.ended, st.selected, st.pointer, st.empty,
		} {
			if !sp.ok {
				t.Errorf("%s: span %d fell back to Render", name, i)
			}
			for _, text := range []string{"a", "customer threatens to cancel", "−0.45 ↓", "▁▂▃▄▅▆▇█", "  02:05  "} {
				if got, want := sp.render(text), sp.style.Render(text); got != want {
					t.Errorf("%s: span %d renders %q as %q, style as %q", name, i, text, got, want)
				}
			}
		}
	}
}

// TestSupervisorLayoutTiles checks that the layout's parts add up to the
// height at every height, and that the table keeps rows before the queue
// block does.
func TestSupervisorLayoutTiles(t *testing.T) {
	for h := 0; h <= 80; h++ {
		for _, queues := range []int{0, 1, 3, 12} {
			for _, help := range []int{1, 4} {
				l := computeLayout(h, queues, help)
				sum := l.header + l.queueRule + l.queues + l.tableRule + l.tableHead + l.table + l.help
				if sum != h || l.table < 0 {
					t.Fatalf("h=%d queues=%d help=%d: %+v adds up to %d", h, queues, help, l, sum)
				}
				if l.queues > 0 && l.table < l.queues {
					t.Errorf("h=%d queues=%d help=%d: %d queue lines but %d call rows", h, queues, help, l.queues, l.table)
				}
			}
		}
	}
}

func TestSupervisorDrillSaysTheConnectionIsLost(t *testing.T) {
	s, _ := newTestSupervisor(t, Options{Rows: directory()}, 120, 40)
	supSend(t, s, common.ConnectionStatus(true, tuitest.FixedNow))
	openCall(t, s, "call-0017")
	if screen := supScreen(s); !strings.Contains(screen, "● LIVE") {
		t.Fatalf("drill-down while connected:\n%s", screen)
	}
	supSend(t, s, common.ConnectionStatus(false, tuitest.FixedNow.Add(-4*time.Second)))
	if screen := supScreen(s); strings.Contains(screen, "LIVE") || !strings.Contains(screen, "○ reconnecting… 4s") {
		t.Errorf("drill-down after the loss:\n%s", screen)
	}
}
