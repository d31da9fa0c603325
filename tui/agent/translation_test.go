package agent

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
	"github.com/larkspur-labs/assist/tui/theme"
)

// Spanish words of the customer and their English translation.
const (
	spanish = "Hola, me cobraron dos veces la renovación anual y estoy bastante molesta."
	english = "Hi, I was charged twice for the annual renewal and I'm pretty upset."
)

func translated(utt, text string) event.Translation {
	return event.Translation{UtteranceID: utt, Speaker: event.SpeakerCustomer, Lang: "en-US", Text: text}
}

// custScore is the embedded model's sentiment of a customer utterance.
func custScore(utt string, score float64) event.Sentiment {
	return event.Sentiment{UtteranceID: utt, Speaker: event.SpeakerCustomer, Score: score, Confidence: 0.8,
		Rolling: score, Emotions: map[string]float64{"frustration": 0.6, "neutral": 0.4}}
}

// blendScore is the blended re-score of a customer utterance.
func blendScore(utt string, score, llm float64) event.Sentiment {
	s := custScore(utt, score)
	s.Source, s.LLMScore = event.SentimentBlend, &llm
	s.Emotions = map[string]float64{"anger": 0.55, "frustration": 0.7, "neutral": 0.1}
	return s
}

// spanishCall is a call whose customer spoke Spanish (u1) and whose agent
// answered (u2).
func spanishCall(t *testing.T, w, h int) (Model, *tuitest.EventBuilder) {
	t.Helper()
	m := newTestModel(t, Options{ModelStatus: "embedded · llm"}, w, h)
	b := &tuitest.EventBuilder{CallID: "c1"}
	m = feedMsgs(t, m, []tea.Msg{
		b.Ev(tuitest.Started("Renovación")),
		b.Ev(tuitest.Final("u1", event.SpeakerCustomer, spanish, 0, 4)),
		b.Ev(tuitest.Final("u2", event.SpeakerAgent, "I'm sorry to hear that, let me look.", 4.5, 6)),
	})
	return m, b
}

// rowIndex returns the index of the first line containing s, or -1.
func rowIndex(lines []string, s string) int {
	return slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, s) })
}

func TestTranslationRendersUnderItsUtterance(t *testing.T) {
	m, b := spanishCall(t, 120, 40)
	m = update(t, m, b.Ev(translated("u1", english)))

	lines := viewLines(m)
	orig, mark, agent := rowIndex(lines, "Hola, me cobraron"), rowIndex(lines, "↳ en · machine"), rowIndex(lines, "sorry to hear")
	if orig < 0 || mark < 0 || agent < 0 {
		t.Fatalf("original, translation or next line missing:\n%s", strings.Join(lines, "\n"))
	}
	if !(orig < mark && mark < agent) {
		t.Fatalf("translation at row %d is not between its utterance (%d) and the next line (%d)", mark, orig, agent)
	}
	if !strings.Contains(lines[mark], "Hi, I was charged twice") {
		t.Errorf("translation text is not beside its mark: %q", lines[mark])
	}
	// The text goes in the utterance's text column.
	column := func(l, s string) int { return ansi.StringWidth(l[:strings.Index(l, s)]) }
	if got, want := column(lines[mark], "Hi, I was"), column(lines[orig], "Hola"); got != want {
		t.Errorf("translation starts at column %d, utterance text at %d", got, want)
	}
	if !strings.Contains(stripView(m), "pretty upset.") {
		t.Error("the wrapped end of the translation is missing")
	}
}

func TestTranslationBeforeItsUtteranceIsHeld(t *testing.T) {
	m := newTestModel(t, Options{}, 120, 40)
	b := &tuitest.EventBuilder{CallID: "c1"}
	cust := event.SpeakerCustomer
	m = feedMsgs(t, m, []tea.Msg{
		b.Ev(tuitest.Started("Renovación")),
		b.Ev(translated("u1", english)),
		b.Ev(tuitest.Partial("u1", cust, "Hola, me", 0)),
	})
	if strings.Contains(stripView(m), "Hi, I was") {
		t.Fatal("a translation is shown before its utterance's final")
	}
	m = update(t, m, b.Ev(tuitest.Final("u1", cust, spanish, 0, 4)))
	if !strings.Contains(stripView(m), "Hi, I was charged twice") {
		t.Fatalf("the held translation is not shown once its utterance arrives:\n%s", stripView(m))
	}
	if n := len(m.calls["c1"].heldTr); n != 0 {
		t.Errorf("%d translations still held after their final arrived", n)
	}
}

func TestTranslationKeptByRepeatedFinalDroppedByCorrection(t *testing.T) {
	m, b := spanishCall(t, 120, 40)
	m = update(t, m, b.Ev(translated("u1", english)))
	m = update(t, m, b.Ev(tuitest.Final("u1", event.SpeakerCustomer, spanish, 0, 4)))
	if !strings.Contains(stripView(m), "Hi, I was charged") {
		t.Fatal("the same final again lost the translation")
	}
	m = update(t, m, b.Ev(tuitest.Final("u1", event.SpeakerCustomer, "Hola, me cobraron una vez.", 0, 4)))
	if strings.Contains(stripView(m), "Hi, I was charged") {
		t.Fatal("a corrected final kept the translation of the old text")
	}
}

func TestTranslationOfTrimmedUtteranceDropped(t *testing.T) {
	// The call state alone: a view redraw per line would only slow this.
	cs := newCallState("c1")
	for i := range maxLines + 3 {
		cs.utterance(tuitest.Final(fmt.Sprintf("u%d", i), event.SpeakerCustomer, "hola", 0, 1), true)
	}
	cs.addTranslation(translated("u1", "hello"))
	if len(cs.heldTr) != 0 {
		t.Fatalf("a translation of a trimmed utterance is held: %+v", cs.heldTr)
	}
	for _, l := range cs.lines {
		if l.tr.text != "" {
			t.Fatalf("line %s got the translation of a trimmed one", l.id)
		}
	}
	cs.addTranslation(translated(fmt.Sprintf("u%d", maxLines), "hello"))
	if got := cs.lines[len(cs.lines)-3].tr.text; got != "hello" {
		t.Fatalf("a translation of a kept line was not attached: %q", got)
	}
}

func TestHeldTranslationsBounded(t *testing.T) {
	m := newTestModel(t, Options{}, 80, 24)
	b := &tuitest.EventBuilder{CallID: "c1"}
	m = update(t, m, b.Ev(tuitest.Started("Lost finals")))
	for i := range maxHeldTranslations + 10 {
		m = update(t, m, b.Ev(translated(fmt.Sprintf("never%d", i), "hello")))
	}
	if n := len(m.calls["c1"].heldTr); n != maxHeldTranslations {
		t.Fatalf("holding %d translations, want %d", n, maxHeldTranslations)
	}
}

func TestTranslationRepeatingTheOriginalNotShown(t *testing.T) {
	m, b := spanishCall(t, 120, 40)
	m = update(t, m, b.Ev(event.Translation{UtteranceID: "u2", Lang: "en", Text: "I'm sorry to hear that, let me look. "}))
	if strings.Contains(stripView(m), "↳") {
		t.Fatalf("a translation identical to its utterance is shown:\n%s", stripView(m))
	}
}

func TestHostileTranslationNeverReachesTheTerminal(t *testing.T) {
	m, b := spanishCall(t, 120, 40)
	m = update(t, m, b.Ev(event.Translation{UtteranceID: "u1", Lang: "en\x1b]0;pwned\x07", Text: hostile}))
	m = update(t, m, b.Ev(translated("u2", "\x1b]0;pwned\x07")))
	screens := []string{m.View().Content}
	m.SetStyles(theme.New(true))
	screens = append(screens, m.View().Content)
	for i, raw := range screens {
		for _, bad := range []string{"\x1b]0;", "pwned", "\x1b[2J", "\x07", "\u009b", "\x1b]52", "\u202e"} {
			if strings.Contains(raw, bad) {
				t.Errorf("screen %d contains %q", i, bad)
			}
		}
	}
	if view := stripView(m); !strings.Contains(view, "Sure!") || !strings.Contains(view, "↳ en · machine") {
		t.Errorf("the harmless part of the translation is missing:\n%s", view)
	}
}

func TestLangLabel(t *testing.T) {
	for in, want := range map[string]string{
		"en": "en", "en-US": "en", "pt_BR": "pt", "EN": "en", "": "",
		"yue-Hant-HK": "yue", "toolongtag": "tool", "\x1b[31mde\x1b[0m": "de",
	} {
		if got := langLabel(in); got != want {
			t.Errorf("langLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTranslationRowsFitEveryWidth draws a translated utterance at every
// pane width from 1 to 90, across the narrow, label and time-stamp
// layouts, and checks that every row is exactly the pane's width.
func TestTranslationRowsFitEveryWidth(t *testing.T) {
	th := theme.Plain()
	l := line{id: "u1", speaker: event.SpeakerCustomer, text: spanish, start: 3, rev: 1,
		tr: translation{lang: "yue", text: english}}
	for w := 1; w <= 90; w++ {
		p := newTranscriptPane(&th)
		rows := p.wrap(l, w)
		if len(rows) < 2 {
			t.Fatalf("width %d: %d rows, want the utterance and its translation", w, len(rows))
		}
		for i, r := range rows {
			if got := ansi.StringWidth(r); got != w {
				t.Fatalf("width %d: row %d is %d cells: %q", w, i, got, r)
			}
		}
	}
}

func TestBlendReplacesItsUtterancePointAndIsMarked(t *testing.T) {
	m, b := spanishCall(t, 120, 40)
	m = update(t, m, b.Ev(custScore("u1", -0.4)))
	cs := m.calls["c1"]
	if len(cs.series) != 1 || strings.Contains(stripView(m), blendedTag) {
		t.Fatalf("after the embedded score: series %v, view:\n%s", cs.series, stripView(m))
	}

	m = update(t, m, b.Ev(blendScore("u1", -0.6, -0.8)))
	if !slices.Equal(cs.series, []float64{-0.6}) {
		t.Fatalf("after the blend: series %v, want [-0.6]", cs.series)
	}
	view := stripView(m)
	if !strings.Contains(view, "Customer mood · "+blendedTag) || !strings.Contains(view, "now −0.60") {
		t.Errorf("the blended score is not shown and marked:\n%s", view)
	}
	if !strings.Contains(view, "anger") {
		t.Errorf("the gauges do not show the blended emotions:\n%s", view)
	}

	m = update(t, m, b.Ev(tuitest.Final("u3", event.SpeakerCustomer, "¿Y ahora qué?", 7, 8)))
	m = update(t, m, b.Ev(custScore("u3", 0.1)))
	if !slices.Equal(cs.series, []float64{-0.6, 0.1}) {
		t.Fatalf("after the next utterance: series %v, want [-0.6 0.1]", cs.series)
	}
	if view := stripView(m); strings.Contains(view, blendedTag) || strings.Contains(view, "anger") {
		t.Errorf("the blended mark or emotions outlived the next embedded score:\n%s", view)
	}
}

func TestLateBlendCorrectsOnlyItsPoint(t *testing.T) {
	m, b := spanishCall(t, 120, 40)
	m = feedMsgs(t, m, []tea.Msg{
		b.Ev(custScore("u1", -0.4)),
		b.Ev(tuitest.Final("u3", event.SpeakerCustomer, "¿Y ahora qué?", 7, 8)),
		b.Ev(custScore("u3", 0.1)),
		b.Ev(blendScore("u1", -0.6, -0.8)),
	})
	cs := m.calls["c1"]
	if !slices.Equal(cs.series, []float64{-0.6, 0.1}) {
		t.Fatalf("series %v, want [-0.6 0.1]", cs.series)
	}
	if cs.customer.UtteranceID != "u3" || strings.Contains(stripView(m), blendedTag) {
		t.Errorf("a late blend took over the gauges: showing %s", cs.customer.UtteranceID)
	}
	// A late blend of an utterance the series no longer has adds nothing.
	m = update(t, m, b.Ev(blendScore("gone", 0.9, 0.9)))
	if len(cs.series) != 2 {
		t.Errorf("series %v grew from a blend of an unknown utterance", cs.series)
	}
}

func TestBlendedAgentToneTagged(t *testing.T) {
	m, b := spanishCall(t, 120, 40)
	agent := event.Sentiment{UtteranceID: "u2", Speaker: event.SpeakerAgent, Score: 0.3, Rolling: 0.3}
	m = update(t, m, b.Ev(agent))
	agent.Source = event.SentimentBlend
	m = update(t, m, b.Ev(agent))
	row := viewLines(m)[rowIndex(viewLines(m), "Agent tone")]
	if !strings.Contains(row, blendedTag) {
		t.Errorf("blended agent tone not tagged: %q", row)
	}
	if n := len(m.calls["c1"].series); n != 0 {
		t.Errorf("the agent's scores reached the customer's series: %d points", n)
	}
}

// translatedBlendedCall is the Spanish call with its translation and a
// blended score on screen.
func translatedBlendedCall(t *testing.T, w, h int) Model {
	t.Helper()
	m, b := spanishCall(t, w, h)
	return feedMsgs(t, m, []tea.Msg{
		b.Ev(translated("u1", english)),
		b.Ev(custScore("u1", -0.4)),
		b.Ev(blendScore("u1", -0.6, -0.8)),
	})
}

func TestTranslationAndBlendViewsFit(t *testing.T) {
	sizes := [][2]int{{80, 24}, {160, 48}, {120, 30}, {100, 30}, {60, 20}, {50, 16}, {40, 12}, {30, 10}, {20, 5}, {10, 3}, {1, 1}, {200, 60}}
	for _, size := range sizes {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			m := translatedBlendedCall(t, w, h)
			checkFits(t, m, w, h)
			m = update(t, m, tuitest.Press("?"))
			checkFits(t, m, w, h)
			m.SetStyles(theme.New(true))
			checkFits(t, m, w, h)
		})
	}
}

func TestGoldenViewTranslation(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			golden.RequireEqual(t, stripView(translatedBlendedCall(t, size[0], size[1])))
		})
	}
}
