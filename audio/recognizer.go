package audio

import "errors"

// SampleRate is the rate recognizers take: 16 kHz, 16-bit, mono. Sources
// resample to it; telephony audio (8 kHz) is upsampled.
const SampleRate = 16000

// Recognizer turns speech into text. One Recognizer serves many calls; each
// channel of each call decodes in its own Stream.
type Recognizer interface {
	// Name identifies the recognizer in the status line and in logs.
	Name() string
	// NewStream starts decoding one channel.
	NewStream() (Stream, error)
}

// TelephoneRecognizer is a Recognizer with streams of its own for audio
// that comes from a telephone line (sampled below SampleRate and
// upsampled), where callers read out numbers.
type TelephoneRecognizer interface {
	NewTelephoneStream() (Stream, error)
}

// NewStreamAt starts a stream of rec for audio sampled at rate: a
// telephone stream when rate is below SampleRate and rec has them, a
// plain one otherwise.
func NewStreamAt(rec Recognizer, rate int) (Stream, error) {
	if t, ok := rec.(TelephoneRecognizer); ok && rate < SampleRate {
		return t.NewTelephoneStream()
	}
	return rec.NewStream()
}

// Warmer is a Recognizer that can load the decoders of streams ahead of
// time, so that the first streams of a burst start at once instead of
// waiting for their models to load.
type Warmer interface {
	// Warm loads decoders until n streams open at once can start
	// without loading any.
	Warm(n int) error
}

// Warm readies n streams of rec if it is a Warmer, and does nothing
// otherwise.
func Warm(rec Recognizer, n int) error {
	if w, ok := rec.(Warmer); ok {
		return w.Warm(n)
	}
	return nil
}

// Stream decodes one channel, one utterance at a time. A Stream is used
// from one goroutine.
type Stream interface {
	// Accept feeds the next samples of the current utterance (16 kHz mono)
	// and returns the partial hypothesis so far, "" when the recognizer
	// has none (a server recognizer only answers at the end).
	Accept(samples []int16) (partial string, err error)
	// Final ends the current utterance and returns its text ("" for
	// silence or noise). The stream is then ready for the next utterance.
	Final() (string, error)
	// Close releases the stream's decoder.
	Close() error
}

// ErrNoCgo is returned by the embedded recognizer and the microphone in a
// build without cgo: audio needs the cgo build (see the README).
var ErrNoCgo = errors.New("audio needs the cgo build: PocketSphinx and PortAudio are C libraries (build with CGO_ENABLED=1 and the Debian packages libpocketsphinx-dev, pocketsphinx-en-us and portaudio19-dev)")
