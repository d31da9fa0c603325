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

// newLine is d of hiss at floorDB, for lines other than newSignal's.
func newLine(d time.Duration, floorDB float64) *signal {
	s := &signal{samples: make([]int16, samplesIn(d)), rng: rand.New(rand.NewPCG(13, 17))}
	s.add(0, d, floorDB, false)
	return s
}

// talk adds speech-like sound at dBFS from start to end (see speech).
func (s *signal) talk(start, end time.Duration, dBFS float64) *signal {
	s.add(start, end, dBFS, true)
	return s
}

// offset adds a constant to every sample, as a sound card with a DC
// offset does.
func (s *signal) offset(dc int16) *signal {
	for i, v := range s.samples {
		s.samples[i] = int16(max(min(int32(v)+int32(dc), math.MaxInt16), math.MinInt16))
	}
	return s
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
		// Hiss louder than the prior floor's bar from the first sample:
		// steady, so it is the line, not a talker.
		"loud hiss from the start": loudHiss(3 * time.Second),
		// A hiss whose level wavers by 6 dB, with its frames' own scatter too much for the steady rule
		// but less than speech's rise and fall.
		"wavering hiss": wavering(3*time.Second, -45, 6),
		// A sound card's DC offset of a quarter of full scale (−12 dBFS)
		// under a quiet line: the level is measured past a DC blocker.
		"DC offset": newSignal(3 * time.Second).offset(8192).samples,
		// Mains hum at −30 dBFS, steady however loud.
		"mains hum": hum(3*time.Second, 50, -30),
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
	// A talker 20 dB too hot for the line: most samples pinned at full
	// scale, flat-topped, between the syllables' dips.
	sig := newSignal(3*time.Second).talk(time.Second, 2*time.Second, 0)
	clipped := 0
	for _, v := range sig.samples {
		if v == math.MaxInt16 || v == math.MinInt16 {
			clipped++
		}
	}
	if clipped < SampleRate/10 {
		t.Fatalf("only %d samples clipped", clipped)
	}
	segs := endpoint(t, NewEndpointer(EndpointOptions{}), sig.samples)
	if len(segs) != 1 || !near(segs[0].start, time.Second) || !near(segs[0].end, 2*time.Second) {
		t.Errorf("utterances %v, want one at 1s–2s", spans(segs))
	}
}

// TestEndpointerHearsEveryTalker checks talkers the first-frame floor
// missed: speech from the first sample, quiet talkers, a DC offset, a
// line whose hiss is louder than the prior floor's bar.
func TestEndpointerHearsEveryTalker(t *testing.T) {
	for _, tc := range []struct {
		name       string
		sig        *signal
		start, end time.Duration
	}{
		{"speech from the first sample to the last", newSignal(1500*time.Millisecond).speech(0, 1500*time.Millisecond),
			0, 1500 * time.Millisecond},
		{"speech from the first sample, then quiet", newSignal(2*time.Second).speech(0, 600*time.Millisecond),
			0, 600 * time.Millisecond},
		// FSDD's quietest speaker peaks at −39 dBFS over a −60 floor.
		{"quiet talker on a quiet line", newLine(3*time.Second, -65).talk(time.Second, 2*time.Second, -42),
			time.Second, 2 * time.Second},
		{"quiet talker from the first sample", newLine(2*time.Second, -65).talk(0, 700*time.Millisecond, -42),
			0, 700 * time.Millisecond},
		{"loud talker on a noisy line", newLine(3*time.Second, -40).talk(time.Second, 2*time.Second, -10),
			time.Second, 2 * time.Second},
		// jfk.wav's case: tape hiss above the prior's bar, then a word.
		{"hiss above the prior, then speech", newLine(3*time.Second, -45).speech(time.Second, 2*time.Second),
			time.Second, 2 * time.Second},
		{"speech on a DC offset", newSignal(3*time.Second).speech(time.Second, 2*time.Second).offset(-8192),
			time.Second, 2 * time.Second},
		{"speech from the first sample on a DC offset", newSignal(2*time.Second).speech(0, time.Second).offset(8192),
			0, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			segs := endpoint(t, NewEndpointer(EndpointOptions{}), tc.sig.samples)
			if len(segs) != 1 {
				t.Fatalf("utterances %v, want one at %v–%v", spans(segs), tc.start, tc.end)
			}
			if !near(segs[0].start, tc.start) || !near(segs[0].end, tc.end) {
				t.Errorf("utterance %v, want %v–%v ± 60 ms", spans(segs), tc.start, tc.end)
			}
			from := samplesIn(max(segs[0].start-defaultPreRoll, 0))
			if want := tc.sig.samples[from : from+int64(len(segs[0].audio))]; !slices.Equal(segs[0].audio, want) {
				t.Error("utterance audio is not the contiguous input from Start−PreRoll")
			}
		})
	}
}

// TestEndpointerShortBursts checks the short path: a burst too short for
// StartAfter opens an utterance if it is loud, and a click does not.
func TestEndpointerShortBursts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		length time.Duration
		dBFS   float64 // over newSignal's −60 dBFS line
		want   int
	}{
		{"40 ms, 40 dB above the floor", 40 * time.Millisecond, -20, 1},
		{"40 ms, 15 dB above the floor", 40 * time.Millisecond, -45, 0},
		{"20 ms click", 20 * time.Millisecond, -10, 0},
		{"60 ms, 15 dB above the floor", 60 * time.Millisecond, -45, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig := newSignal(2 * time.Second)
			sig.add(time.Second, time.Second+tc.length, tc.dBFS, false)
			if segs := endpoint(t, NewEndpointer(EndpointOptions{}), sig.samples); len(segs) != tc.want {
				t.Errorf("utterances %v, want %d", spans(segs), tc.want)
			}
		})
	}
}

// TestEndpointerFlushKeepsTheLastWord ends streams inside a run of speech
// too short to have opened an utterance yet: Flush must hand it over, with
// its pre-roll, rather than drop it.
func TestEndpointerFlushKeepsTheLastWord(t *testing.T) {
	for _, tail := range []time.Duration{20 * time.Millisecond, 40 * time.Millisecond} {
		sig := newSignal(time.Second)
		sig.add(time.Second-tail, time.Second, -45, false)
		segs := endpoint(t, NewEndpointer(EndpointOptions{}), sig.samples)
		if len(segs) != 1 {
			t.Fatalf("%v at the end: utterances %v, want one", tail, spans(segs))
		}
		s := segs[0]
		if s.start != time.Second-tail || s.end != time.Second {
			t.Errorf("%v at the end: utterance %v, want %v–1s", tail, spans(segs), time.Second-tail)
		}
		if want := sig.samples[samplesIn(s.start-defaultPreRoll):]; !slices.Equal(s.audio, want) {
			t.Errorf("%v at the end: %d samples handed over, want the last %d", tail, len(s.audio), len(want))
		}
	}
}

// TestEndpointerTenMinuteMonologue feeds ten minutes of speech that never
// pauses: MaxUtterance cuts it into utterances that cover it all, and the
// endpointer's buffers stay small however long it runs.
func TestEndpointerTenMinuteMonologue(t *testing.T) {
	const length = 10 * time.Minute
	sig := newSignal(length).speech(time.Second, length)
	e := NewEndpointer(EndpointOptions{})
	var segs []segment
	open, biggest := false, 0
	for f := sig.samples; len(f) > 0; f = f[FrameSamples:] {
		for _, ev := range e.Push(f[:FrameSamples]) {
			switch ev.Kind {
			case SpeechStart:
				open = true
				segs = append(segs, segment{start: ev.Start})
			case SpeechEnd:
				open = false
				segs[len(segs)-1].end = ev.End
			}
		}
		biggest = max(biggest, cap(e.recent), cap(e.runLevels), cap(e.steady))
	}
	if end := e.Flush(); open && len(end) == 1 {
		segs[len(segs)-1].end = end[0].End
	}
	var covered time.Duration
	for _, s := range segs {
		if d := s.end - s.start; d > defaultMaxUtterance {
			t.Errorf("utterance %v–%v is longer than %v", s.start, s.end, defaultMaxUtterance)
		}
		covered += s.end - s.start
	}
	if want := length - time.Second; covered < want-time.Second {
		t.Errorf("%d utterances cover %v of %v of speech", len(segs), covered, want)
	}
	if limit := int(samplesIn(defaultPreRoll + time.Second)); biggest > limit {
		t.Errorf("a buffer grew to %d entries, want at most %d", biggest, limit)
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

// wavering is hiss at dBFS whose level swings by swingDB, peak to peak,
// twice a second.
func wavering(d time.Duration, dBFS, swingDB float64) []int16 {
	rng := rand.New(rand.NewPCG(19, 23))
	out := make([]int16, samplesIn(d))
	for i := range out {
		level := dBFS + swingDB/2*math.Sin(2*math.Pi*2*float64(i)/SampleRate)
		out[i] = int16(32768 * math.Pow(10, level/20) * rng.NormFloat64())
	}
	return out
}

// hum is a sine at hz and dBFS (RMS), as mains hum on a line.
func hum(d time.Duration, hz, dBFS float64) []int16 {
	amp := 32768 * math.Sqrt2 * math.Pow(10, dBFS/20)
	out := make([]int16, samplesIn(d))
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*hz*float64(i)/SampleRate))
	}
	return out
}

func spans(segs []segment) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = s.start.String() + "–" + s.end.String()
	}
	return out
}
