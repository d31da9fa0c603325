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
func speechLike() []int16 {
	rng := rand.New(rand.NewPCG(1, 1))
	out := make([]int16, 3*8000)
	for i := range out {
		amp := 30.0
		if i >= 4000 && i < 12000 {
			amp = 3000
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
