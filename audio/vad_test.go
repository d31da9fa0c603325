package audio

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// signal builds synthetic test audio at SampleRate: low-level background
// noise with bursts of speech-like sound laid over it.
type signal struct {
	samples []int16
	rng     *rand.Rand
}

func newSignal(d time.Duration) *signal {
	s := &signal{samples: make([]int16, samplesIn(d)), rng: rand.New(rand.NewPCG(7, 11))}
	s.add(0, d, -60, false) // a quiet line: −60 dBFS of hiss
	return s
}

// speech adds speech-like sound from start to end: noise at −20 dBFS
// (a normal telephone talker) with a 4 Hz syllabic envelope that starts and
// ends at its peak, dipping 20 dB between "syllables", so the truth
// boundaries are sharp but the level is not steady.
func (s *signal) speech(start, end time.Duration) *signal {
	s.add(start, end, -20, true)
	return s
}

func (s *signal) add(start, end time.Duration, dBFS float64, syllabic bool) {
	rmsAmp := 32768 * math.Pow(10, dBFS/20)
	from, to := samplesIn(start), samplesIn(end)
	for i := from; i < to; i++ {
		env := 1.0
		if syllabic {
			env = 0.55 + 0.45*math.Cos(2*math.Pi*4*float64(i-from)/SampleRate)
		}
		v := float64(s.samples[i]) + env*rmsAmp*s.rng.NormFloat64()
		s.samples[i] = int16(max(min(v, math.MaxInt16), math.MinInt16))
	}
}

// loudHiss is steady noise at −45 dBFS: a poor line, but not speech.
func loudHiss(d time.Duration) []int16 {
	s := &signal{samples: make([]int16, samplesIn(d)), rng: rand.New(rand.NewPCG(3, 5))}
	s.add(0, d, -45, false)
	return s.samples
}

// segment is one utterance as the events describe it.
type segment struct {
	start, end time.Duration
	audio      []int16 // SpeechStart and Speech samples, concatenated
}

// endpoint pushes samples through e in 20 ms frames, checks the event
// grammar (SpeechStart Speech* SpeechEnd), and returns the utterances.
func endpoint(t *testing.T, e *Endpointer, samples []int16) []segment {
	t.Helper()
	var segs []segment
	open := false
	handle := func(events []Event) {
		for _, ev := range events {
			switch {
			case ev.Kind == SpeechStart && !open:
				open = true
				segs = append(segs, segment{start: ev.Start, audio: slices.Clone(ev.Samples)})
			case ev.Kind == Speech && open:
				segs[len(segs)-1].audio = append(segs[len(segs)-1].audio, ev.Samples...)
			case ev.Kind == SpeechEnd && open:
				open = false
				segs[len(segs)-1].end = ev.End
				if ev.Start != segs[len(segs)-1].start {
					t.Errorf("SpeechEnd.Start %v != SpeechStart.Start %v", ev.Start, segs[len(segs)-1].start)
				}
			default:
				t.Fatalf("%v event with an utterance open=%v", ev.Kind, open)
			}
		}
	}
	for f := samples; len(f) > 0; f = f[min(FrameSamples, len(f)):] {
		handle(e.Push(f[:min(FrameSamples, len(f))]))
	}
	handle(e.Flush())
	return segs
}

func near(got, want time.Duration) bool {
	const tolerance = 60 * time.Millisecond
	return got >= want-tolerance && got <= want+tolerance
}

func TestEndpointerSilenceMakesNoEvents(t *testing.T) {
	for name, samples := range map[string][]int16{
		"digital zeros": make([]int16, 5*SampleRate),
		"quiet hiss":    newSignal(10 * time.Second).samples,
		// Digital zeros, then hiss well above the absolute minimum: the
		// zeros must not drag the floor below the hiss.
		"zeros then loud hiss": slices.Concat(make([]int16, SampleRate/2), loudHiss(3*time.Second)),
	} {
		e := NewEndpointer(EndpointOptions{})
		for f := samples; len(f) > 0; f = f[FrameSamples:] {
			if ev := e.Push(f[:FrameSamples]); ev != nil {
				t.Fatalf("%s: %v event at %v", name, ev[0].Kind, ev[0].Start)
			}
		}
		if ev := e.Flush(); ev != nil {
			t.Errorf("%s: Flush gave a %v event", name, ev[0].Kind)
		}
	}
}

func TestEndpointerOneUtterance(t *testing.T) {
	sig := newSignal(4*time.Second).speech(time.Second, 2500*time.Millisecond)
	segs := endpoint(t, NewEndpointer(EndpointOptions{}), sig.samples)
	if len(segs) != 1 {
		t.Fatalf("%d utterances, want 1", len(segs))
	}
	s := segs[0]
	if !near(s.start, time.Second) || !near(s.end, 2500*time.Millisecond) {
		t.Errorf("utterance %v–%v, want 1s–2.5s ± 60 ms", s.start, s.end)
	}
	// The recognizer must get gap-free audio from pre-roll to the end of
	// the hangover: exactly the input from Start−PreRoll on.
	from := samplesIn(s.start - defaultPreRoll)
	if want := sig.samples[from : from+int64(len(s.audio))]; !slices.Equal(s.audio, want) {
		t.Error("utterance audio is not the contiguous input from Start−PreRoll")
	}
	if got := audioTime(int64(len(s.audio))); got < s.end-s.start+defaultPreRoll {
		t.Errorf("utterance carries %v of audio, less than pre-roll + speech", got)
	}
}

func TestEndpointerGapsSplitOrBridge(t *testing.T) {
	for _, tc := range []struct {
		name string
		gap  time.Duration
		opts EndpointOptions
		want int
	}{
		{"1 s gap splits", time.Second, EndpointOptions{}, 2},
		{"200 ms gap is bridged by the hangover", 200 * time.Millisecond, EndpointOptions{}, 1},
		{"200 ms gap splits with a 100 ms hangover", 200 * time.Millisecond, EndpointOptions{EndAfter: 100 * time.Millisecond}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secondAt := 2*time.Second + tc.gap
			sig := newSignal(secondAt+2*time.Second).
				speech(time.Second, 2*time.Second).
				speech(secondAt, secondAt+time.Second)
			segs := endpoint(t, NewEndpointer(tc.opts), sig.samples)
			if len(segs) != tc.want {
				t.Fatalf("%d utterances %v, want %d", len(segs), spans(segs), tc.want)
			}
			if !near(segs[0].start, time.Second) || !near(segs[len(segs)-1].end, secondAt+time.Second) {
				t.Errorf("utterances span %v–%v, want 1s–%v", segs[0].start, segs[len(segs)-1].end, secondAt+time.Second)
			}
		})
	}
}

func TestEndpointerClippingIsSpeech(t *testing.T) {
	sig := newSignal(3 * time.Second)
	for i := samplesIn(time.Second); i < samplesIn(2*time.Second); i++ {
		sig.samples[i] = math.MaxInt16
		if i/20%2 == 1 { // 400 Hz full-scale square wave
			sig.samples[i] = math.MinInt16
		}
	}
	segs := endpoint(t, NewEndpointer(EndpointOptions{}), sig.samples)
	if len(segs) != 1 || !near(segs[0].start, time.Second) || !near(segs[0].end, 2*time.Second) {
		t.Errorf("utterances %v, want one at 1s–2s", spans(segs))
	}
}

func TestEndpointerCutsAtMaxUtterance(t *testing.T) {
	sig := newSignal(31*time.Second).speech(500*time.Millisecond, 30500*time.Millisecond)
	segs := endpoint(t, NewEndpointer(EndpointOptions{}), sig.samples)
	t.Logf("utterances: %v", spans(segs))
	if len(segs) < 2 {
		t.Fatalf("30 s of speech gave %d utterance(s), want it cut", len(segs))
	}
	for _, s := range segs {
		if s.end-s.start > defaultMaxUtterance {
			t.Errorf("utterance %v–%v is longer than %v", s.start, s.end, defaultMaxUtterance)
		}
	}
	if first := segs[0]; !near(first.end-first.start, defaultMaxUtterance) {
		t.Errorf("first utterance lasts %v, want the %v cut", first.end-first.start, defaultMaxUtterance)
	}
	if last := segs[len(segs)-1]; !near(last.end, 30500*time.Millisecond) {
		t.Errorf("last utterance ends at %v, want 30.5 s", last.end)
	}
}

func TestEndpointerFlushClosesOpenUtterance(t *testing.T) {
	sig := newSignal(2*time.Second).speech(time.Second, 2*time.Second)
	e := NewEndpointer(EndpointOptions{})
	var last []Event
	for f := sig.samples; len(f) > 0; f = f[FrameSamples:] {
		last = e.Push(f[:FrameSamples])
	}
	if len(last) != 1 || last[0].Kind != Speech {
		t.Fatalf("last Push gave %d events, want one Speech event", len(last))
	}
	end := e.Flush()
	if len(end) != 1 || end[0].Kind != SpeechEnd || !near(end[0].End, 2*time.Second) {
		t.Errorf("Flush gave %d events, want one SpeechEnd at 2s", len(end))
	}
	if again := e.Flush(); again != nil {
		t.Errorf("second Flush gave %d events, want none", len(again))
	}
}

func TestEndpointerJFK(t *testing.T) {
	clip := loadJFK(t)
	segs := endpoint(t, NewEndpointer(EndpointOptions{}), clip.Channels[0])
	var total time.Duration
	for _, s := range segs {
		total += s.end - s.start
	}
	t.Logf("%d utterances, %v of speech: %v", len(segs), total, spans(segs))
	// "And so, my fellow Americans, ask not what your country can do for
	// you, ask what you can do for your country": a few phrases with clear
	// pauses, about 8 s of talk in 11 s.
	if len(segs) < 3 || len(segs) > 6 {
		t.Errorf("%d utterances, want 3–6", len(segs))
	}
	// The clip opens with 40 ms of zeros and 280 ms of tape hiss at −45
	// dBFS; "And" starts at 0.32 s.
	if len(segs) > 0 && (segs[0].start < 200*time.Millisecond || segs[0].start > 500*time.Millisecond) {
		t.Errorf("first utterance starts at %v, want 0.2–0.5 s", segs[0].start)
	}
	if total < 5*time.Second || total > 11*time.Second {
		t.Errorf("%v of speech, want 5–11 s", total)
	}
}

func spans(segs []segment) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = s.start.String() + "–" + s.end.String()
	}
	return out
}
