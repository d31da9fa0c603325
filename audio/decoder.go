package audio

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Hypothesis is what a ChannelDecoder makes of a channel: the running text
// of an utterance while someone speaks (Final false), then its final text.
type Hypothesis struct {
	Text  string
	Final bool
	// Start and End are the utterance's audio time since the channel's
	// first sample; End is set on finals only.
	Start, End time.Duration
}

// ChannelDecoder turns one channel's audio, at any sample rate, into
// hypotheses: it resamples to 16 kHz, cuts 20 ms frames, finds utterances
// with an Endpointer and decodes each in its own recognizer Stream. It is
// used from one goroutine.
type ChannelDecoder struct {
	stream  Stream
	rs      *Resampler // nil at 16 kHz
	ep      *Endpointer
	pending []int16 // 16 kHz samples short of a frame
	start   time.Duration
	partial string
	scratch []int16
	closed  bool
	// dither is set for narrowband audio; see addDither.
	dither *rand.Rand
}

// LiveEndAfter is the hangover a ChannelDecoder uses unless told
// otherwise: the silence that ends an utterance. A final hypothesis cannot
// come sooner than this after the speaker stops, and the agent is waiting
// for it: 200 ms keeps the wait within 300 ms, and still bridges most
// pauses between words of read and conversational speech in the test
// clips (250 ms split no fewer of them).
const LiveEndAfter = 200 * time.Millisecond

// NewChannelDecoder starts decoding a channel sampled at rate.
func NewChannelDecoder(rec Recognizer, rate int, opts EndpointOptions) (*ChannelDecoder, error) {
	if opts.EndAfter == 0 {
		opts.EndAfter = LiveEndAfter
	}
	d := &ChannelDecoder{ep: NewEndpointer(opts)}
	if rate != SampleRate {
		rs, err := NewResampler(rate, SampleRate)
		if err != nil {
			return nil, fmt.Errorf("decode channel: %w", err)
		}
		d.rs = rs
		if rate < SampleRate {
			d.dither = rand.New(rand.NewPCG(1, 2))
		}
	}
	s, err := NewStreamAt(rec, rate)
	if err != nil {
		return nil, fmt.Errorf("decode channel with %s: %w", rec.Name(), err)
	}
	d.stream = s
	return d, nil
}

// Write feeds the channel's next samples and calls emit with every
// hypothesis they produce: a partial when the running text changes, a final
// at the end of an utterance.
func (d *ChannelDecoder) Write(samples []int16, emit func(Hypothesis)) error {
	if d.closed {
		return fmt.Errorf("decode channel: closed")
	}
	if d.rs != nil {
		d.scratch = d.rs.Process(d.scratch[:0], samples)
		d.addDither(d.scratch)
		samples = d.scratch
	}
	d.pending = append(d.pending, samples...)
	n := 0
	for ; n+FrameSamples <= len(d.pending); n += FrameSamples {
		if err := d.handle(d.ep.Push(d.pending[n:n+FrameSamples]), emit); err != nil {
			return err
		}
	}
	d.pending = append(d.pending[:0], d.pending[n:]...)
	return nil
}

// addDither adds a least significant bit of noise to upsampled telephony
// audio. It has nothing above 4 kHz, and the recognizer takes the log of
// its high filter banks' energy: exact zeros there wreck the features
// (8 kHz μ-law clips came out as "hm odd one"). The noise is inaudible and
// seeded, so decoding stays reproducible.
func (d *ChannelDecoder) addDither(samples []int16) {
	if d.dither == nil {
		return
	}
	for i, s := range samples {
		n := int32(d.dither.IntN(3)) - 1
		samples[i] = int16(max(min(int32(s)+n, math.MaxInt16), math.MinInt16))
	}
}

// Close flushes what is buffered, finishes an utterance still open (the
// file or the call ended mid-sentence) and releases the stream.
func (d *ChannelDecoder) Close(emit func(Hypothesis)) error {
	if d.closed {
		return nil
	}
	var err error
	if d.rs != nil {
		tail := d.rs.Flush(nil)
		d.addDither(tail)
		d.pending = append(d.pending, tail...)
	}
	if len(d.pending) > 0 {
		// The tail as it is: padded with zeros to a whole frame it would
		// measure quieter than it is and could end a run of speech.
		err = d.handle(d.ep.Push(d.pending), emit)
		d.pending = d.pending[:0]
	}
	if err == nil {
		err = d.handle(d.ep.Flush(), emit)
	}
	d.closed = true
	if cerr := d.stream.Close(); err == nil {
		err = cerr
	}
	return err
}

// handle drives the stream with the endpointer's events.
func (d *ChannelDecoder) handle(events []Event, emit func(Hypothesis)) error {
	for _, ev := range events {
		switch ev.Kind {
		case SpeechStart, Speech:
			if ev.Kind == SpeechStart {
				d.start, d.partial = ev.Start, ""
			}
			p, err := d.stream.Accept(ev.Samples)
			if err != nil {
				return fmt.Errorf("decode channel: %w", err)
			}
			if p != "" && p != d.partial {
				d.partial = p
				emit(Hypothesis{Text: p, Start: d.start})
			}
		case SpeechEnd:
			text, err := d.stream.Final()
			if err != nil {
				return fmt.Errorf("decode channel: %w", err)
			}
			d.partial = ""
			emit(Hypothesis{Text: text, Final: true, Start: d.start, End: ev.End})
		}
	}
	return nil
}

// Transcribe decodes every channel of clip as fast as the recognizer
// allows and returns each channel's final hypotheses with text, in order.
func Transcribe(rec Recognizer, clip *Clip, opts EndpointOptions) ([][]Hypothesis, error) {
	out := make([][]Hypothesis, len(clip.Channels))
	for ch, samples := range clip.Channels {
		d, err := NewChannelDecoder(rec, clip.Rate, opts)
		if err != nil {
			return nil, err
		}
		keep := func(h Hypothesis) {
			if h.Final && h.Text != "" {
				out[ch] = append(out[ch], h)
			}
		}
		// Feed in 20 ms pieces, as a live source would.
		step := clip.Rate / 50
		for i := 0; i < len(samples); i += step {
			if err := d.Write(samples[i:min(i+step, len(samples))], keep); err != nil {
				d.Close(keep)
				return nil, err
			}
		}
		if err := d.Close(keep); err != nil {
			return nil, err
		}
	}
	return out, nil
}
