package sphinx

import (
	"errors"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/audio"
)

// newPoolRecognizer returns a Recognizer of its own, so that its pool's
// counts are the test's, on the default models with cfg's warm-up.
func newPoolRecognizer(t *testing.T, warmUp time.Duration) *Recognizer {
	t.Helper()
	need(t, DefaultConfig().check())
	cfg := DefaultConfig()
	cfg.WarmUp = warmUp
	r, err := New(cfg)
	if errors.Is(err, audio.ErrNoCgo) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// wideband turns 8 kHz samples back into 16 kHz.
func wideband(narrow []int16) []int16 {
	return audio.Resample(nil, narrow, 8000, audio.SampleRate)
}

// TestReusedDecoderDecodesAsNew dirties a decoder with another speaker on
// a telephone line, a finished utterance and one cut off mid-word, closes
// its stream, and checks that the next stream, on that same decoder,
// decodes a clip exactly as a stream on a decoder never used does: the
// same partials, the same final, twice over (the second utterance starts
// from the channel mean the first left). Without the warm-up the
// decoder's initial cepstral mean is all a first utterance has, so that
// case shows whether reset restores it.
func TestReusedDecoderDecodesAsNew(t *testing.T) {
	phone := wideband(telephone(readWAV(t, filepath.Join(testdataDir, "librivox/sense_and_sensibility_01_austen_64kb-0930.wav"))))
	for _, c := range []struct {
		name   string
		warmUp time.Duration
		digits bool
		clip   func(t *testing.T) []int16
	}{
		{"open model", 0, false, func(t *testing.T) []int16 { return readWAV(t, shortClip) }},
		{"open model without warm-up", -1, false, func(t *testing.T) []int16 { return readWAV(t, shortClip) }},
		{"digits without warm-up", -1, true, func(t *testing.T) []int16 {
			return readRaw(t, filepath.Join(testdataDir, "tidigits/dhd.2934z.raw"))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newPoolRecognizer(t, c.warmUp)
			open, stats := r.NewStream, func() PoolStats { return r.Stats().Open }
			if c.digits {
				open, stats = r.NewDigitsStream, func() PoolStats { return r.Stats().Digits }
			}
			clip := c.clip(t)

			dirty, err := open()
			if err != nil {
				t.Fatal(err)
			}
			decode(t, dirty, phone)
			half := phone[:len(phone)/2]
			for off := 0; off < len(half); off += chunk {
				if _, err := dirty.Accept(half[off:min(off+chunk, len(half))]); err != nil {
					t.Fatal(err)
				}
			}
			if err := dirty.Close(); err != nil {
				t.Fatalf("Close mid-utterance: %v", err)
			}
			built := stats().Built

			reused := openStream(t, open)
			if got := stats(); got.Built != built || got.Reused == 0 {
				t.Fatalf("after closing a stream the next one loaded a decoder: %+v", got)
			}
			fresh := openStream(t, open)
			if got := stats(); got.Built != built+1 {
				t.Fatalf("a second stream open at once did not load a decoder: %+v", got)
			}
			for i := range 2 {
				want, got := decode(t, fresh, clip), decode(t, reused, clip)
				if got.final != want.final || !slices.Equal(got.partials, want.partials) {
					t.Errorf("utterance %d: reused decoder %q (partials %q), new decoder %q (partials %q)",
						i+1, got.final, got.partials, want.final, want.partials)
				}
				if want.final == "" {
					t.Errorf("utterance %d decoded to nothing", i+1)
				}
			}
		})
	}
}

// TestWarm checks that Warm loads decoders ahead of the streams, which
// then load none, that it counts the decoders in use, and that a stream
// beyond them still gets one.
func TestWarm(t *testing.T) {
	r := newPoolRecognizer(t, 0)
	if got := r.Stats().Open; got.Built != 1 || got.Idle != 1 {
		t.Fatalf("after New: %+v, want the one decoder New checked the models with, idle", got)
	}
	if err := r.Warm(3); err != nil {
		t.Fatal(err)
	}
	if got := r.Stats().Open; got.Built != 3 || got.Idle != 3 {
		t.Fatalf("after Warm(3): %+v, want 3 built and idle", got)
	}
	var streams []audio.Stream
	for range 3 {
		streams = append(streams, openStream(t, r.NewStream))
	}
	if got := r.Stats().Open; got.Built != 3 || got.Reused != 3 || got.InUse != 3 || got.Idle != 0 {
		t.Fatalf("three streams after Warm(3): %+v, want all three warm decoders in use and none loaded", got)
	}
	// Decoders in use count: the recognizer holds the 3 asked for.
	if err := r.Warm(3); err != nil {
		t.Fatal(err)
	}
	if got := r.Stats().Open; got.Built != 3 || got.Idle != 0 {
		t.Fatalf("Warm(3) with three streams open: %+v, want no decoder loaded", got)
	}
	streams = append(streams, openStream(t, r.NewStream))
	if got := r.Stats().Open; got.Built != 4 || got.InUse != 4 {
		t.Fatalf("a fourth stream: %+v, want it on a decoder loaded for it", got)
	}
	for _, s := range streams {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Warm(2); err != nil {
		t.Fatal(err)
	}
	if got := r.Stats().Open; got.Built != 4 || got.Idle != 4 || got.InUse != 0 {
		t.Fatalf("after closing the streams and Warm(2): %+v, want 4 idle, none loaded", got)
	}
	if got := r.Stats().Digits; got.Built != 0 {
		t.Fatalf("digits decoders loaded by the open model's streams: %+v", got)
	}
	if err := (Digits{r}).Warm(1); err != nil {
		t.Fatal(err)
	}
	if got := r.Stats().Digits; got.Built != 1 || got.Idle != 1 {
		t.Fatalf("after Digits.Warm(1): %+v", got)
	}
	if err := audio.Warm(r, 0); err != nil {
		t.Errorf("audio.Warm(r, 0): %v", err)
	}
}

// TestStreamsShareThePool opens, feeds and closes streams from several
// goroutines at once, some closed by another goroutine while they are
// fed; run with -race. Every stream's decoder goes back to the pool,
// which never holds more decoders than streams were open at once, and
// every full clip decodes to the same words.
func TestStreamsShareThePool(t *testing.T) {
	r := newPoolRecognizer(t, 0)
	samples := readWAV(t, shortClip)
	want := decode(t, openStream(t, r.NewStream), samples).final

	const workers, rounds = 3, 2
	var wg sync.WaitGroup
	finals := make(chan string, workers*rounds)
	for w := range workers {
		wg.Go(func() {
			for round := range rounds {
				s, err := r.NewStream()
				if err != nil {
					t.Error(err)
					return
				}
				if (w+round)%2 == 0 {
					d := decode(t, s, samples)
					finals <- d.final
					s.Close()
					continue
				}
				// Closed by another goroutine while this one feeds it:
				// the stream reports ErrClosed, never a crash.
				closed := make(chan struct{})
				go func() {
					defer close(closed)
					s.Close()
				}()
				for off := 0; off < len(samples); off += chunk {
					if _, err := s.Accept(samples[off:min(off+chunk, len(samples))]); err != nil {
						if !errors.Is(err, ErrClosed) {
							t.Errorf("Accept on a stream closed under it: %v", err)
						}
						break
					}
				}
				<-closed
			}
		})
	}
	wg.Wait()
	close(finals)
	for got := range finals {
		if got != want {
			t.Errorf("decoded %q beside other streams, want %q", got, want)
		}
	}
	got := r.Stats().Open
	// openStream's stream is still open: it is the one in use. New
	// loaded a decoder before any stream.
	if got.InUse != 1 || got.Idle != got.Built-got.Freed-1 || got.Built > workers+1 || got.Built-1+got.Reused != workers*rounds+1 {
		t.Errorf("pool after the streams: %+v, want 1 in use, the rest idle, at most %d built, one decoder per stream", got, workers+1)
	}
}

// TestForgottenStreamReturnsItsDecoder drops a stream without closing
// it, cut off mid-utterance: once it is garbage collected, its decoder is
// back in the pool, reset, and decodes like any other.
func TestForgottenStreamReturnsItsDecoder(t *testing.T) {
	r := newPoolRecognizer(t, 0)
	samples := readWAV(t, shortClip)
	func() {
		s, err := r.NewStream()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Accept(samples); err != nil {
			t.Fatal(err)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for r.Stats().Open.Idle == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("decoder of a forgotten stream not back in the pool: %+v", r.Stats().Open)
		}
		runtime.GC()
		runtime.Gosched()
	}
	s := openStream(t, r.NewStream)
	if got := r.Stats().Open; got.Built != 1 || got.InUse != 1 {
		t.Fatalf("stream after the forgotten one: %+v, want the same decoder", got)
	}
	if got := decode(t, s, samples).final; wer(shortClipRef, got) > 0.5 {
		t.Errorf("decoder of a forgotten stream decoded %q, want close to %q", got, shortClipRef)
	}
}

// TestRecognizerClose frees the idle decoders at once and an open
// stream's when it closes, and refuses new streams.
func TestRecognizerClose(t *testing.T) {
	r := newPoolRecognizer(t, 0)
	if err := r.Warm(2); err != nil {
		t.Fatal(err)
	}
	s, err := r.NewStream()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if got := r.Stats().Open; got.Freed != 1 || got.Idle != 0 || got.InUse != 1 {
		t.Errorf("after Close: %+v, want the idle decoder freed, the open stream's kept", got)
	}
	if _, err := s.Accept(make([]int16, chunk)); err != nil {
		t.Errorf("a stream open at Close stops working: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := r.Stats().Open; got.Freed != 2 || got.InUse != 0 || got.Idle != 0 {
		t.Errorf("after the stream's Close: %+v, want its decoder freed", got)
	}
	if _, err := r.NewStream(); !errors.Is(err, ErrRecognizerClosed) {
		t.Errorf("NewStream after Close: %v, want ErrRecognizerClosed", err)
	}
	if _, err := r.NewDigitsStream(); !errors.Is(err, ErrRecognizerClosed) {
		t.Errorf("NewDigitsStream after Close: %v, want ErrRecognizerClosed", err)
	}
	if err := r.Warm(1); !errors.Is(err, ErrRecognizerClosed) {
		t.Errorf("Warm after Close: %v, want ErrRecognizerClosed", err)
	}
}

// TestBadAudioEndsInAFinalOrNothing sends the real decoder, through the
// endpointer as a call's channel does, audio a phone line delivers on a
// bad day: each stream ends with a final or a clear nothing, and its
// decoder is back in the pool.
func TestBadAudioEndsInAFinalOrNothing(t *testing.T) {
	r := newPoolRecognizer(t, 0)
	speech := readWAV(t, shortClip)
	shifted := func(samples []int16, by int) []int16 {
		out := make([]int16, len(samples))
		for i, s := range samples {
			out[i] = int16(max(min(int(s)+by, 32767), -32768))
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		samples []int16
		words   bool // a final with words is expected, else none
	}{
		{"digital silence", make([]int16, 3*audio.SampleRate), false},
		{"DC offset alone", shifted(make([]int16, 3*audio.SampleRate), 3000), false},
		{"speech on a DC offset", shifted(speech, 3000), true},
		{"clipped speech", func() []int16 {
			out := make([]int16, len(speech))
			for i, s := range speech {
				out[i] = int16(max(min(int(s)*8, 32767), -32768))
			}
			return out
		}(), true},
		{"hung up mid-word", speech[:len(speech)*6/10], true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hyps, err := audio.Transcribe(r, &audio.Clip{Rate: audio.SampleRate, Channels: [][]int16{tc.samples}}, audio.EndpointOptions{})
			if err != nil {
				t.Fatalf("Transcribe: %v", err)
			}
			var words []string
			for _, h := range hyps[0] {
				words = append(words, h.Text)
			}
			if got := len(slices.DeleteFunc(words, func(w string) bool { return w == "" })) > 0; got != tc.words {
				t.Errorf("finals %q, want words: %v", words, tc.words)
			}
			if got := r.Stats().Open; got.InUse != 0 {
				t.Errorf("after the stream: %+v, want no decoder in use", got)
			}
		})
	}
}
