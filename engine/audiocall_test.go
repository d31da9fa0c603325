package engine

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine/event"
)

// scriptedRecognizer hears the same sentence in every utterance, with a
// partial of its first word.
type scriptedRecognizer struct{ text string }

func (scriptedRecognizer) Name() string { return "scripted" }
func (r scriptedRecognizer) NewStream() (audio.Stream, error) {
	return &scriptedStream{text: r.text}, nil
}

type scriptedStream struct {
	text string
	fed  int
}

func (s *scriptedStream) Accept(samples []int16) (string, error) {
	s.fed += len(samples)
	return "I", nil
}

func (s *scriptedStream) Final() (string, error) {
	s.fed = 0
	return s.text, nil
}

func (s *scriptedStream) Close() error { return nil }

// speechLike is 3 s at 8 kHz: quiet line noise with loud noise, like a
// talker, from 0.5 s to 1.5 s.
func speechLike() []int16 { return talkAt(3*8000, 4000, 12000) }

// talkAt is n samples at 8 kHz of quiet line noise with loud noise, like
// a talker, from sample from to sample to: its level rises and falls four
// times a second, as syllables do (a noise that holds steady for half a
// second is taken for the line's).
func talkAt(n, from, to int) []int16 {
	rng := rand.New(rand.NewPCG(1, 1))
	out := make([]int16, n)
	for i := range out {
		amp := 30.0
		if i >= from && i < to {
			amp = 3000 * (0.55 + 0.45*math.Cos(2*math.Pi*4*float64(i-from)/8000))
		}
		out[i] = int16(math.Max(math.Min(amp*rng.NormFloat64(), 32767), -32768))
	}
	return out
}

func TestAudioCallFeedsThePipeline(t *testing.T) {
	bus, eng := newTestEngine(t, nil)
	sub := subscribe(t, bus, CallSubject("a1"))
	call, err := eng.StartAudioCall("a1", event.CallStarted{Title: "line-in"}, scriptedRecognizer{"I lost my debit card"}, 8000, event.SpeakerCustomer, event.SpeakerAgent)
	if err != nil {
		t.Fatal(err)
	}
	customer, silent := speechLike(), make([]int16, 3*8000)
	for i := 0; i < len(customer); i += 160 {
		must(t, call.Write(context.Background(), [][]int16{customer[i : i+160], silent[i : i+160]}))
	}
	if err := call.Write(context.Background(), [][]int16{customer[:10]}); err == nil {
		t.Error("one channel accepted for a two-speaker call")
	}
	must(t, call.End("hangup"))
	evs := collect(t, sub, event.KindCallEnded)
	var partial, final *event.Utterance
	var suggested bool
	for _, ev := range evs {
		switch p := ev.Payload.(type) {
		case event.Utterance:
			if p.Final && final == nil {
				final = &p
			} else if !p.Final && partial == nil {
				partial = &p
			}
		case event.Suggestions:
			for _, s := range p.Suggestions {
				suggested = suggested || s.ArticleID == "card-lost-stolen"
			}
		}
	}
	if partial == nil || final == nil {
		t.Fatalf("events %v: want a partial and a final", kinds(evs))
	}
	if final.Source != event.SourceASR || final.Speaker != event.SpeakerCustomer || final.UtteranceID != partial.UtteranceID {
		t.Errorf("final %+v after partial %+v", final, partial)
	}
	if math.Abs(final.Start-0.5) > 0.1 || math.Abs(final.End-1.5) > 0.1 {
		t.Errorf("final at %.2f–%.2f s, want about 0.5–1.5", final.Start, final.End)
	}
	if !suggested {
		t.Error("the recognised utterance got no suggestion")
	}
}

// TestAudioCallHangUpMidWord ends a call 40 ms into a word, too soon for
// the endpointer to have opened an utterance: ending the call must still
// give the word its final.
func TestAudioCallHangUpMidWord(t *testing.T) {
	bus, eng := newTestEngine(t, nil)
	sub := subscribe(t, bus, CallSubject("a3"))
	call, err := eng.StartAudioCall("a3", event.CallStarted{Title: "line-in"}, scriptedRecognizer{"I lost my debit card"}, 8000, event.SpeakerCustomer)
	if err != nil {
		t.Fatal(err)
	}
	customer := talkAt(8000+320, 8000, 8000+320)
	for i := 0; i < len(customer); i += 160 {
		must(t, call.Write(context.Background(), [][]int16{customer[i:min(i+160, len(customer))]}))
	}
	must(t, call.End("hangup"))
	var finals []event.Utterance
	for _, ev := range collect(t, sub, event.KindCallEnded) {
		if u, ok := ev.Payload.(event.Utterance); ok && u.Final {
			finals = append(finals, u)
		}
	}
	if len(finals) != 1 || math.Abs(finals[0].Start-1) > 0.03 || math.Abs(finals[0].End-1.04) > 0.03 {
		t.Errorf("finals %+v, want one at 1–1.04 s", finals)
	}
}

func TestStartAudioCallChecksSpeakers(t *testing.T) {
	_, eng := newTestEngine(t, nil)
	if _, err := eng.StartAudioCall("a2", event.CallStarted{}, scriptedRecognizer{}, 16000); err == nil {
		t.Error("no speakers accepted")
	}
}

// scarceRecognizer has decoders for streams streams; it counts the ones
// open.
type scarceRecognizer struct {
	streams, open int
}

func (*scarceRecognizer) Name() string { return "scarce" }
func (r *scarceRecognizer) NewStream() (audio.Stream, error) {
	if r.open == r.streams {
		return nil, errors.New("no decoder left")
	}
	r.open++
	return &closingStream{r: r}, nil
}

type closingStream struct {
	scriptedStream
	r *scarceRecognizer
}

func (s *closingStream) Close() error {
	s.r.open--
	return nil
}

// TestAudioCallThatCannotStartGivesBackItsDecoders starts a two-speaker
// call when only one decoder is to be had: the call fails, and the
// decoder its first channel took is closed, not left to the collector.
func TestAudioCallThatCannotStartGivesBackItsDecoders(t *testing.T) {
	_, eng := newTestEngine(t, nil)
	rec := &scarceRecognizer{streams: 1}
	if _, err := eng.StartAudioCall("a3", event.CallStarted{}, rec, 8000, event.SpeakerCustomer, event.SpeakerAgent); err == nil {
		t.Fatal("a call with one decoder for two speakers started")
	}
	if rec.open != 0 {
		t.Errorf("%d streams left open", rec.open)
	}
}
