package app

import (
	"context"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
)

func TestParsePlaygroundLine(t *testing.T) {
	for _, tc := range []struct {
		line    string
		speaker event.Speaker
		text    string
	}{
		{"I lost my card", event.SpeakerCustomer, "I lost my card"},
		{"  I lost my card  ", event.SpeakerCustomer, "I lost my card"},
		{">I can help", event.SpeakerAgent, "I can help"},
		{"  >  I can help", event.SpeakerAgent, "I can help"},
		{"a > b", event.SpeakerCustomer, "a > b"},
		{">", event.SpeakerAgent, ""},
		{"", event.SpeakerCustomer, ""},
	} {
		speaker, text := ParsePlaygroundLine(tc.line)
		if speaker != tc.speaker || text != tc.text {
			t.Errorf("ParsePlaygroundLine(%q) = %s %q, want %s %q", tc.line, speaker, text, tc.speaker, tc.text)
		}
	}
}

// TestPlaygroundAnswersTypedLines says a customer line and an agent line
// in one text, as a paste would, and reads the call's events: the chat
// call started, each line a final turn of its speaker timed one after the
// other, and the customer's answered with sentiment and suggestions.
func TestPlaygroundAnswersTypedLines(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := StartPlayground(ctx, Config{KB: KBConfig{Data: t.TempDir()}, Guidance: GuidanceConfig{Flows: "kb"}}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Say(ctx, " \n"); err == nil {
		t.Error("saying a blank line: no error")
	}
	if err := p.Say(ctx, "I lost my card and someone is using it\n\n> I can lock it for you right now"); err != nil {
		t.Fatal(err)
	}
	var started bool
	var turns []event.Utterance
	var suggestions, sentiments int
	for len(turns) < 2 || suggestions == 0 || sentiments < 2 {
		select {
		case e := <-p.Events:
			switch pl := e.Payload.(type) {
			case event.CallStarted:
				started = pl.Channel == event.ChannelChat && pl.Agent == "tester"
			case event.Utterance:
				if e.Kind == event.KindFinal {
					turns = append(turns, pl)
				}
			case event.Suggestions:
				if len(pl.Suggestions) > 0 {
					suggestions++
				}
			case event.Sentiment:
				sentiments++
			}
		case <-ctx.Done():
			t.Fatalf("events so far: turns %v, %d suggestions, %d sentiments", turns, suggestions, sentiments)
		}
	}
	if !started {
		t.Error("no chat call.started for the agent")
	}
	if turns[0].Speaker != event.SpeakerCustomer || turns[0].Text != "I lost my card and someone is using it" ||
		turns[1].Speaker != event.SpeakerAgent || turns[1].Text != "I can lock it for you right now" {
		t.Fatalf("turns %+v, want the customer's line then the agent's without the prefix", turns)
	}
	if turns[0].End <= turns[0].Start || turns[1].Start != turns[0].End+playgroundTurnGap {
		t.Errorf("turn times %.1f–%.1f, %.1f–%.1f: want one after the other, a gap between", turns[0].Start, turns[0].End, turns[1].Start, turns[1].End)
	}
	if err := p.Controls().Reply("other-call", "hello"); err == nil {
		t.Error("a line for another call: no error")
	}
}
