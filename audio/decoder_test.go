package audio

import (
	"fmt"
	"testing"
	"time"
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
