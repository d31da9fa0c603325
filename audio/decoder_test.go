package audio

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

// countingRecognizer "recognises" the number of samples it was fed, so a
// test can check that every sample of an utterance reached the stream.
type countingRecognizer struct{ closed *int }

func (countingRecognizer) Name() string { return "counting" }
func (r countingRecognizer) NewStream() (Stream, error) {
	return &countingStream{closed: r.closed}, nil
}

type countingStream struct {
	n      int
	closed *int
}

func (s *countingStream) Accept(samples []int16) (string, error) {
	s.n += len(samples)
	return fmt.Sprintf("%d", s.n/1600), nil // a new partial every 100 ms
}

func (s *countingStream) Final() (string, error) {
	text := fmt.Sprintf("utterance of %d samples", s.n)
	s.n = 0
	return text, nil
}

func (s *countingStream) Close() error {
	*s.closed++
	return nil
}

func TestChannelDecoderFromTelephonyRate(t *testing.T) {
	// Two utterances at 16 kHz, taken down to 8 kHz as a phone line
	// carries them; the decoder must bring them back up.
	wide := newSignal(5*time.Second).speech(500*time.Millisecond, 1500*time.Millisecond).
		speech(3*time.Second, 4*time.Second).samples
	narrow := Resample(nil, wide, SampleRate, 8000)
	closed := 0
	var finals []Hypothesis
	partials := 0
	clip := &Clip{Rate: 8000, Channels: [][]int16{narrow}}
	d, err := NewChannelDecoder(countingRecognizer{&closed}, clip.Rate, EndpointOptions{})
	if err != nil {
		t.Fatal(err)
	}
	emit := func(h Hypothesis) {
		if h.Final {
			finals = append(finals, h)
		} else {
			partials++
		}
	}
	for i := 0; i < len(narrow); i += 137 { // odd chunks: frames must still line up
		if err := d.Write(narrow[i:min(i+137, len(narrow))], emit); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(emit); err != nil {
		t.Fatal(err)
	}
	if len(finals) != 2 || partials < 10 || closed != 1 {
		t.Fatalf("finals %v, %d partials, stream closed %d times", finals, partials, closed)
	}
	for i, want := range []time.Duration{500 * time.Millisecond, 3 * time.Second} {
		if !near(finals[i].Start, want) || !near(finals[i].End, want+time.Second) {
			t.Errorf("utterance %d at %v–%v, want %v–%v", i, finals[i].Start, finals[i].End, want, want+time.Second)
		}
	}
	if err := d.Write(narrow[:10], emit); err == nil {
		t.Error("a closed decoder accepted audio")
	}
}

func TestTranscribeClosesAnOpenUtterance(t *testing.T) {
	// Speech until the very end, as a file cut mid-sentence.
	s := newSignal(2*time.Second).speech(time.Second, 2*time.Second).samples
	closed := 0
	out, err := Transcribe(countingRecognizer{&closed}, &Clip{Rate: SampleRate, Channels: [][]int16{s, make([]int16, len(s))}}, EndpointOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || len(out[0]) != 1 || len(out[1]) != 0 || closed != 2 {
		t.Errorf("Transcribe = %v (streams closed %d)", out, closed)
	}
}

// decodeAll runs samples at rate through a ChannelDecoder in 20 ms pieces
// and returns the finals, closing the decoder at the end.
func decodeAll(t *testing.T, rate int, samples []int16) []Hypothesis {
	t.Helper()
	closed := 0
	d, err := NewChannelDecoder(countingRecognizer{&closed}, rate, EndpointOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var finals []Hypothesis
	keep := func(h Hypothesis) {
		if h.Final {
			finals = append(finals, h)
		}
	}
	step := rate / 50
	for i := 0; i < len(samples); i += step {
		if err := d.Write(samples[i:min(i+step, len(samples))], keep); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(keep); err != nil {
		t.Fatal(err)
	}
	if closed != 1 {
		t.Errorf("stream closed %d times", closed)
	}
	return finals
}

// TestChannelDecoderKeepsAWordCutByTheHangUp ends calls inside a word
// too short to have opened an utterance, and inside a word whose last
// piece is shorter than a frame: Close must still finalise it.
func TestChannelDecoderKeepsAWordCutByTheHangUp(t *testing.T) {
	for _, tail := range []time.Duration{40 * time.Millisecond, 50 * time.Millisecond, 330 * time.Millisecond} {
		sig := newSignal(time.Second + tail)
		sig.add(time.Second, time.Second+tail, -40, false)
		narrow := Resample(nil, sig.samples, SampleRate, 8000)
		finals := decodeAll(t, 8000, narrow)
		if len(finals) != 1 {
			t.Fatalf("a call ending %v into a word: finals %v, want one", tail, finals)
		}
		var n int
		fmt.Sscanf(finals[0].Text, "utterance of %d samples", &n)
		if min := samplesIn(tail); int64(n) < min {
			t.Errorf("a call ending %v into a word: the recognizer got %d samples, want at least %d", tail, n, min)
		}
	}
}

// TestChannelDecoderHearsTheFSDDSample decodes the real 8 kHz recordings
// of the Free Spoken Digit Dataset sample. They are trimmed close to the
// word, so many start with speech; the endpointer that took its floor from
// the first frame gave 6 of these 20 no utterance at all. Each must give
// one utterance that holds its loudest frame.
func TestChannelDecoderHearsTheFSDDSample(t *testing.T) {
	dir := datasetstest.Sample(t, "fsdd")
	clips, err := datasets.LoadFSDD(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clips {
		clip, err := LoadWAV(c.Path)
		if err != nil {
			t.Fatal(err)
		}
		samples := clip.Channels[0]
		step := clip.Rate / 50
		var loudest time.Duration
		best := math.Inf(-1)
		for i := 0; i+step <= len(samples); i += step {
			var sum float64
			for _, v := range samples[i : i+step] {
				sum += float64(v) * float64(v)
			}
			if l := levelOf(sum, step); l > best {
				best, loudest = l, time.Duration(i)*time.Second/time.Duration(clip.Rate)
			}
		}
		finals := decodeAll(t, clip.Rate, samples)
		if len(finals) != 1 || finals[0].Start > loudest || finals[0].End < loudest {
			t.Errorf("%s: finals %v, want one holding the loudest frame at %v", filepath.Base(c.Path), finals, loudest)
		}
	}
}

// lineRecognizer's streams say in their final text which kind they are;
// telephoneLineRecognizer has telephone streams too.
type lineRecognizer struct{}

func (lineRecognizer) Name() string { return "line" }
func (lineRecognizer) NewStream() (Stream, error) {
	return &namedStream{"plain"}, nil
}

type telephoneLineRecognizer struct{ lineRecognizer }

func (telephoneLineRecognizer) NewTelephoneStream() (Stream, error) {
	return &namedStream{"telephone"}, nil
}

type namedStream struct{ name string }

func (s *namedStream) Accept([]int16) (string, error) { return "", nil }
func (s *namedStream) Final() (string, error)         { return s.name, nil }
func (s *namedStream) Close() error                   { return nil }

func TestNewStreamAtPicksTelephoneStreams(t *testing.T) {
	for _, c := range []struct {
		name string
		rec  Recognizer
		rate int
		want string
	}{
		{"8 kHz, telephone streams", telephoneLineRecognizer{}, 8000, "telephone"},
		{"16 kHz, telephone streams", telephoneLineRecognizer{}, SampleRate, "plain"},
		{"48 kHz, telephone streams", telephoneLineRecognizer{}, 48000, "plain"},
		{"8 kHz, none", lineRecognizer{}, 8000, "plain"},
		{"8 kHz, through a fallback", NewFallback(lineRecognizer{}, telephoneLineRecognizer{}, nil), 8000, "telephone"},
		{"16 kHz, through a fallback", NewFallback(lineRecognizer{}, telephoneLineRecognizer{}, nil), SampleRate, "plain"},
	} {
		s, err := NewStreamAt(c.rec, c.rate)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := s.Final()
		s.Close()
		if err != nil || got != c.want {
			t.Errorf("%s: %q stream (%v), want %q", c.name, got, err, c.want)
		}
	}
}
