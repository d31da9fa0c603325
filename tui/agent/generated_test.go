package agent

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
	"github.com/larkspur-labs/assist/tui/theme"
)

// kbReplies is the embedded suggestions for u1: a kb and a history reply,
// no draft yet.
func kbReplies(utt string) event.Suggestions {
	return event.Suggestions{
		UtteranceID: utt,
		LatencyMS:   41,
		Suggestions: []event.Suggestion{
			{ID: "s1", Source: "kb", ArticleID: "KB-112", Title: "Duplicate charges", Confidence: 0.91,
				Text: "I'm sorry about the double charge. I'll refund the duplicate right away."},
			{ID: "s2", Source: "history", Confidence: 0.64,
				Text: "Let me check your billing history so we can sort this out."},
		},
	}
}

// withDraft is kbReplies with a generated draft first, as the engine
// publishes it.
func withDraft(utt, text string, partial bool) event.Suggestions {
	s := kbReplies(utt)
	draft := event.Suggestion{
		ID: "llm:" + utt, Source: "llm", Confidence: 0.91, Text: text,
		ArticleIDs: []string{"KB-112", "KB-7"}, Partial: partial,
	}
	s.Suggestions = append([]event.Suggestion{draft}, s.Suggestions...)
	return s
}

// draftTexts are the three steps of a streaming draft.
var draftTexts = []string{
	"I'm so sorry",
	"I'm so sorry about the double charge on your renewal. I can see both",
	"I'm so sorry about the double charge on your renewal. I can see both payments, and I've refunded the duplicate; it will be back on your card in 3–5 business days.",
}

// callWithKBReplies shows call c1 with the embedded replies to u1.
func callWithKBReplies(t *testing.T, opts Options, w, h int) (Model, *tuitest.EventBuilder) {
	t.Helper()
	m := newTestModel(t, opts, w, h)
	b := &tuitest.EventBuilder{CallID: "c1"}
	m = feedMsgs(t, m, []tea.Msg{
		b.Ev(tuitest.Started("Refund")),
		b.Ev(tuitest.Final("u1", event.SpeakerCustomer, "I was charged twice for my renewal.", 0, 2)),
		b.Ev(kbReplies("u1")),
	})
	return m, b
}

// streamDraft feeds the three steps of the draft for u1.
func streamDraft(t *testing.T, m Model, b *tuitest.EventBuilder, check func(step int, m Model)) Model {
	t.Helper()
	for i, text := range draftTexts {
		m = update(t, m, b.Ev(withDraft("u1", text, i < len(draftTexts)-1)))
		if check != nil {
			check(i, m)
		}
	}
	return m
}

func TestDraftStreamsWithBadgeAndCursor(t *testing.T) {
	m, b := callWithKBReplies(t, Options{}, 120, 40)
	m = streamDraft(t, m, b, func(step int, m Model) {
		view := stripView(m)
		if !strings.Contains(view, "✎ draft") || !strings.Contains(view, "from KB-112, KB-7") {
			t.Fatalf("step %d: no draft badge or articles:\n%s", step, view)
		}
		partial := step < len(draftTexts)-1
		if got := strings.Contains(view, streamCursor); got != partial {
			t.Fatalf("step %d: cursor shown %v, want %v:\n%s", step, got, partial, view)
		}
	})
	// Listed after the embedded replies, whatever the engine's order.
	cs := m.calls["c1"]
	ids := make([]string, len(cs.replies.Suggestions))
	for i, s := range cs.replies.Suggestions {
		ids[i] = s.ID
	}
	if want := []string{"s1", "s2", "llm:u1"}; !slices.Equal(ids, want) {
		t.Fatalf("replies %v, want %v", ids, want)
	}
	if d := cs.replies.Suggestions[2]; d.Text != draftTexts[2] || d.Partial {
		t.Fatalf("final draft = %+v", d)
	}
	if view := stripView(m); !strings.Contains(view, "I can see both payments, and") || !strings.Contains(view, "↓ 2 more") {
		t.Fatalf("final draft text or the hint of its rows below missing:\n%s", view)
	}
}

func TestDraftStreamingKeepsSelectionAndScroll(t *testing.T) {
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		for _, pick := range []string{"2", "3"} { // a kb reply, the draft itself
			t.Run(fmt.Sprintf("%dx%d/pick%s", size[0], size[1], pick), func(t *testing.T) {
				m, b := callWithKBReplies(t, Options{}, size[0], size[1])
				m = update(t, m, b.Ev(withDraft("u1", draftTexts[0], true)))
				m = update(t, m, tuitest.Press(pick))
				want, sel, _ := m.suggestions.Selected()
				off := m.suggestions.offset
				for i, text := range draftTexts[1:] {
					m = update(t, m, b.Ev(withDraft("u1", text, i == 0)))
					s, idx, ok := m.suggestions.Selected()
					if !ok || s.ID != want.ID || idx != sel || m.suggestions.offset != off {
						t.Fatalf("step %d: selected %s at %d (offset %d), want %s at %d (offset %d)",
							i+1, s.ID, idx, m.suggestions.offset, want.ID, sel, off)
					}
				}
				// A new utterance's replies reset the selection as before.
				m = update(t, m, b.Ev(kbReplies("u2")))
				if _, idx, _ := m.suggestions.Selected(); idx != 0 || m.suggestions.offset != 0 {
					t.Fatalf("new utterance: selected %d offset %d, want 0 0", idx, m.suggestions.offset)
				}
			})
		}
	}
}

func TestDraftFirstArrivalKeepsSelectedReply(t *testing.T) {
	m, b := callWithKBReplies(t, Options{}, 80, 24)
	// The engine lists the draft first; the reply the agent had selected
	// (number 1) must stay number 1 and selected.
	m = update(t, m, b.Ev(withDraft("u1", draftTexts[0], true)))
	if s, i, _ := m.suggestions.Selected(); s.ID != "s1" || i != 0 {
		t.Fatalf("selected %s at %d, want s1 at 0", s.ID, i)
	}
	if !strings.Contains(stripView(m), "↓ ✎ 3") {
		t.Errorf("no hint of the draft out of view:\n%s", stripView(m))
	}
}

func TestDraftFeedbackAndCopy(t *testing.T) {
	ctl := newFakeController()
	m, b := callWithKBReplies(t, Options{Controller: ctl}, 120, 40)
	m = update(t, m, b.Ev(withDraft("u1", draftTexts[0], true)))
	m = update(t, m, tuitest.Press("3"))

	// A partial draft is not copied.
	m, cmd := updateCmd(t, m, tuitest.Press("c"))
	if msgs := tuitest.RunCmd(cmd); len(msgs) != 0 || len(ctl.feedback) != 0 {
		t.Fatalf("a partial draft was copied: %v, feedback %+v", msgs, ctl.feedback)
	}
	if !strings.Contains(stripView(m), "still being written") {
		t.Error("no note that the draft is still being written")
	}

	// Rating works at any time, and names the draft by its id.
	m, cmd = updateCmd(t, m, tuitest.Press("+"))
	m = feedMsgs(t, m, tuitest.RunCmd(cmd))
	m = streamDraft(t, m, b, nil)
	m, cmd = updateCmd(t, m, tuitest.Press("c"))
	msgs := tuitest.RunCmd(cmd)
	m = feedMsgs(t, m, msgs)

	want := []event.Feedback{
		{SuggestionID: "llm:u1", UtteranceID: "u1", Verdict: event.VerdictHelpful},
		{SuggestionID: "llm:u1", UtteranceID: "u1", Verdict: event.VerdictUsed},
	}
	if !slices.Equal(ctl.feedback, want) {
		t.Fatalf("feedback = %+v, want %+v", ctl.feedback, want)
	}
	var clip []string
	for _, msg := range msgs {
		if strings.HasSuffix(fmt.Sprintf("%T", msg), "setClipboardMsg") {
			clip = append(clip, fmt.Sprint(msg))
		}
	}
	if len(clip) != 1 || clip[0] != draftTexts[2] {
		t.Fatalf("clipboard = %q, want the final draft", clip)
	}
	view := stripView(m)
	for _, want := range []string{"↵ used", "✓ helpful", "check it before sending"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
}

func TestDraftWithdrawnKeepsPane(t *testing.T) {
	m, b := callWithKBReplies(t, Options{}, 120, 40)
	m = update(t, m, b.Ev(withDraft("u1", draftTexts[0], true)))
	m = update(t, m, tuitest.Press("3"))
	// The model server failed: the engine takes the draft back.
	m = update(t, m, b.Ev(kbReplies("u1")))
	if strings.Contains(stripView(m), "✎ draft") {
		t.Fatal("a withdrawn draft is still shown")
	}
	if _, i, ok := m.suggestions.Selected(); !ok || i != 1 {
		t.Fatalf("selection %d %v after the draft went, want the last reply", i, ok)
	}
}

// hostile is model output that tries to drive the terminal.
const hostile = "\x1b]0;pwned\x07Sure!\x1b[2J\x9b31m \x1b]52;c;ZXZpbA==\x07done\u202e"

func TestHostileModelOutputNeverReachesTheTerminal(t *testing.T) {
	ctl := newFakeController()
	m, b := callWithKBReplies(t, Options{Controller: ctl}, 120, 40)
	s := withDraft("u1", hostile, true)
	s.Suggestions[0].ArticleIDs = []string{"KB-1\x1b[2J", hostile}
	s.Degraded = "llm: " + hostile
	m = update(t, m, b.Ev(s))
	m = update(t, m, tuitest.Press("3"))
	// What the agent would copy is the sanitised text too.
	if d, _, _ := m.suggestions.Selected(); !isDraft(d) || d.Text != "Sure!\uFFFD31m done" {
		t.Errorf("stored draft text is not sanitised: %q", d.Text)
	}
	sum := event.Summary{
		Situation: hostile, Action: hostile, Resolution: hostile, Satisfaction: hostile,
		Reason: hostile, Disposition: hostile, Entities: []string{hostile, "\x1b[2J"}, Source: hostile,
	}
	m = update(t, m, b.Ev(sum))

	screens := []string{m.View().Content}
	m = update(t, m, tuitest.Press("S"))
	screens = append(screens, m.View().Content)
	m = update(t, m, tuitest.Press("esc"))
	m.SetStyles(theme.New(true))
	screens = append(screens, m.View().Content)
	m = update(t, m, b.Ev(event.CallEnded{Reason: "hangup", Wrapup: &sum}))
	m = update(t, m, tuitest.Press("S"))
	screens = append(screens, m.View().Content)

	for i, raw := range screens {
		for _, bad := range []string{"\x1b]0;", "pwned", "\x1b[2J", "\x07", "\u009b", "\x1b]52", "\u202e"} {
			if strings.Contains(raw, bad) {
				t.Errorf("screen %d contains %q", i, bad)
			}
		}
	}
	if !strings.Contains(stripView(m), "Sure!") {
		t.Error("the harmless text of the model output is missing")
	}
}

func TestDegradedShowsAndClears(t *testing.T) {
	m, b := callWithKBReplies(t, Options{ModelStatus: "embedded · llm"}, 120, 40)
	reason := "llm: 3 failures, last: server 503; retrying in 24s"
	d := kbReplies("u2")
	d.Degraded = reason
	m = update(t, m, b.Ev(d))
	if status := viewLines(m)[1]; !strings.Contains(status, "⚠ degraded: "+reason) {
		t.Fatalf("status line lacks degraded: %q", status)
	}
	// A streaming draft for the same utterance, server fine again.
	m = update(t, m, b.Ev(withDraft("u2", draftTexts[0], true)))
	if strings.Contains(stripView(m), "degraded") {
		t.Fatalf("degraded not cleared:\n%s", viewLines(m)[1])
	}
	// Another call's state does not show on the displayed call.
	o := &tuitest.EventBuilder{CallID: "other"}
	od := kbReplies("x1")
	od.Degraded = reason
	m = update(t, m, o.Ev(od))
	if m.current != "c1" || strings.Contains(stripView(m), "degraded") {
		t.Fatal("another call's degraded state shows")
	}
}

func TestSummaryKeyWithoutController(t *testing.T) {
	m, _ := callWithKBReplies(t, Options{}, 80, 24)
	m, cmd := updateCmd(t, m, tuitest.Press("S"))
	if cmd != nil || m.summaryOpen {
		t.Fatalf("summary key without a controller: cmd %v, open %v", cmd != nil, m.summaryOpen)
	}
	if !strings.Contains(stripView(m), "Summaries are not available here") {
		t.Fatalf("no note:\n%s", stripView(m))
	}

	// Read-only, as in a supervisor's drill-down without a service.
	m, _ = callWithKBReplies(t, Options{ReadOnly: true}, 80, 24)
	m = update(t, m, tuitest.Press("S"))
	if !strings.Contains(stripView(m), "Summaries are not available here") {
		t.Fatal("no note without a controller")
	}
}

func TestSummaryKeyRequestsAndShows(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("readonly=%v", readOnly), func(t *testing.T) {
			ctl := newFakeController()
			m, b := callWithKBReplies(t, Options{Controller: ctl, ReadOnly: readOnly}, 80, 24)
			if !m.keys.Summary.Enabled() {
				t.Fatal("summary key disabled")
			}
			m, cmd := updateCmd(t, m, tuitest.Press("S"))
			if len(ctl.requests) != 0 {
				t.Fatal("Update called the controller directly; it must only return a command")
			}
			m = feedMsgs(t, m, tuitest.RunCmd(cmd))
			if !slices.Equal(ctl.requests, []string{"c1"}) {
				t.Fatalf("requests = %v, want [c1]", ctl.requests)
			}
			view := stripView(m)
			if !m.summaryOpen || !strings.Contains(view, "Summarizing the call…") {
				t.Fatalf("overlay not open and pending:\n%s", view)
			}
			if !strings.Contains(viewLines(m)[23], "esc close") {
				t.Errorf("help does not say how to close: %q", viewLines(m)[23])
			}
			// Reply keys do nothing under the overlay.
			m = update(t, m, tuitest.Press("2"))
			if _, i, _ := m.suggestions.Selected(); i != 0 {
				t.Error("a number key reached the hidden suggestions")
			}
			m = update(t, m, b.Ev(sampleSummary()))
			view = stripView(m)
			for _, want := range []string{"Call summary", "✎ generated", "Double charge on renewal",
				"charged twice", "Refunded the duplicate", "dissatisfied", "refund_issued", "annual plan · $129"} {
				if !strings.Contains(view, want) {
					t.Errorf("overlay lacks %q:\n%s", want, view)
				}
			}
			m = update(t, m, tuitest.Press("esc"))
			if m.summaryOpen || !strings.Contains(stripView(m), "SUMMARY") {
				t.Fatalf("esc did not close, or the recommendations lack the summary:\n%s", stripView(m))
			}
		})
	}
}

func TestSummaryRequestError(t *testing.T) {
	ctl := &fakeController{err: errors.New("call ended")}
	m, _ := callWithKBReplies(t, Options{Controller: ctl}, 80, 24)
	m, cmd := updateCmd(t, m, tuitest.Press("S"))
	m = feedMsgs(t, m, tuitest.RunCmd(cmd))
	view := stripView(m)
	if !strings.Contains(view, "No summary: call ended") || strings.Contains(view, "Summarizing") {
		t.Fatalf("error not shown or still pending:\n%s", view)
	}
	m = update(t, m, tuitest.Press("S"))
	if m.summaryOpen {
		t.Fatal("S did not close the overlay")
	}
}

func TestWrapupRenders(t *testing.T) {
	ctl := newFakeController()
	m, b := callWithKBReplies(t, Options{Controller: ctl}, 80, 24)
	w := sampleSummary()
	w.Source = "extractive"
	m = update(t, m, b.Ev(event.CallEnded{Reason: "hangup", Disposition: "refund_issued", Wrapup: &w}))
	if view := stripView(m); !strings.Contains(view, "SUMMARY") || !strings.Contains(view, "extractive") {
		t.Fatalf("recommendations lack the wrap-up:\n%s", view)
	}
	m, cmd := updateCmd(t, m, tuitest.Press("S"))
	if cmd != nil || len(ctl.requests) != 0 {
		t.Fatal("an ended call was asked for a summary")
	}
	view := stripView(m)
	for _, want := range []string{"Wrap-up summary", "extractive", "picked from the transcript", "Resolution"} {
		if !strings.Contains(view, want) {
			t.Errorf("overlay lacks %q:\n%s", want, view)
		}
	}
}

func TestSummaryClosesWhenTheCallChanges(t *testing.T) {
	ctl := newFakeController()
	m, b := callWithKBReplies(t, Options{Controller: ctl}, 80, 24)
	m = update(t, m, b.Ev(sampleSummary()))
	m = update(t, m, tuitest.Press("S"))
	n := &tuitest.EventBuilder{CallID: "c2"}
	m = update(t, m, n.Ev(tuitest.Started("Next")))
	if m.summaryOpen {
		t.Fatal("the first call's summary stays open over the second call")
	}
}

// TestGeneratedViewsFit checks the views with a streaming draft, a
// degraded server and the summary open at many sizes, narrow included.
func TestGeneratedViewsFit(t *testing.T) {
	sizes := [][2]int{{80, 24}, {160, 48}, {120, 30}, {119, 29}, {60, 20}, {40, 12}, {20, 5}, {10, 3}, {1, 1}, {200, 60}}
	for _, size := range sizes {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			m, b := callWithKBReplies(t, Options{Controller: newFakeReplay()}, w, h)
			s := withDraft("u1", draftTexts[1], true)
			s.Degraded = "llm: 3 failures, last: server 503; retrying in 24s"
			m = update(t, m, b.Ev(s))
			m = update(t, m, tuitest.Press("3"))
			checkFits(t, m, w, h)
			m = update(t, m, tuitest.Press("S"))
			checkFits(t, m, w, h)
			m = update(t, m, b.Ev(sampleSummary()))
			checkFits(t, m, w, h)
			m = update(t, m, tuitest.Press("end"))
			m = update(t, m, tuitest.Press("?"))
			checkFits(t, m, w, h)
			m.SetStyles(theme.New(true))
			checkFits(t, m, w, h)
		})
	}
}

func TestGoldenViewDraft(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m, b := callWithKBReplies(t, Options{ModelStatus: "embedded · llm"}, size[0], size[1])
			m = update(t, m, b.Ev(withDraft("u1", draftTexts[1], true)))
			m = update(t, m, tuitest.Press("3"))
			golden.RequireEqual(t, stripView(m))
		})
	}
}

func TestGoldenViewSummary(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			ctl := newFakeController()
			m := newTestModel(t, Options{ModelStatus: "embedded · llm", Controller: ctl}, size[0], size[1])
			m = feedMsgs(t, m, tuitest.RealisticCall())
			m, cmd := updateCmd(t, m, tuitest.Press("S"))
			m = feedMsgs(t, m, tuitest.RunCmd(cmd))
			b := &tuitest.EventBuilder{CallID: "call-0017", Seq: 100}
			m = update(t, m, b.Ev(sampleSummary()))
			golden.RequireEqual(t, stripView(m))
		})
	}
}

// sampleSummary is a generated summary of the double-charge call.
func sampleSummary() event.Summary {
	return event.Summary{
		Reason:       "Double charge on renewal",
		Situation:    "The customer was charged twice for the annual renewal this month and threatened to cancel.",
		Action:       "Refunded the duplicate charge and confirmed the refund timeline of 3–5 business days.",
		Resolution:   "Refund issued; the customer will see it within a week.",
		Satisfaction: "dissatisfied",
		Disposition:  "refund_issued",
		Entities:     []string{"annual plan", "$129", "2 March"},
		Source:       "llm",
	}
}

func TestUnfinishedDraftDroppedAtCallEnd(t *testing.T) {
	m, b := callWithKBReplies(t, Options{}, 120, 40)
	m = update(t, m, b.Ev(withDraft("u1", draftTexts[0], true)))
	m = update(t, m, tuitest.Press("3"))
	m = update(t, m, b.Ev(event.CallEnded{Reason: "hangup"}))
	view := stripView(m)
	if strings.Contains(view, "✎ draft") || strings.Contains(view, streamCursor) {
		t.Fatalf("an unfinished draft outlives the call:\n%s", view)
	}
	if s, _, ok := m.suggestions.Selected(); !ok || s.ID != "s2" {
		t.Fatalf("selection %q %v, want the last remaining reply", s.ID, ok)
	}
}

func TestRefinedRepliesUpdateInPlaceKeepingTheSelectedReply(t *testing.T) {
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m, b := callWithKBReplies(t, Options{}, size[0], size[1])
			m = update(t, m, tuitest.Press("2"))
			off := m.suggestions.offset
			// The encoder's refinement puts the second reply first and
			// lowers the other.
			refined := kbReplies("u1")
			refined.Refined = true
			refined.Suggestions[0], refined.Suggestions[1] = refined.Suggestions[1], refined.Suggestions[0]
			refined.Suggestions[0].Confidence, refined.Suggestions[1].Confidence = 0.93, 0.42
			m = update(t, m, b.Ev(refined))
			s, idx, ok := m.suggestions.Selected()
			if !ok || s.ID != "s2" || s.Confidence != 0.93 || idx != 0 || m.suggestions.offset != off {
				t.Fatalf("selected %s (%.2f) at %d, offset %d; want s2, refined, at its new place 0, offset %d", s.ID, s.Confidence, idx, m.suggestions.offset, off)
			}
			if view := stripView(m); !strings.Contains(view, "93%") {
				t.Errorf("the refined confidence is not shown:\n%s", view)
			}
		})
	}
}
