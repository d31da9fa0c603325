//go:build !cgo

package sphinx

import "github.com/larkspur-labs/assist/audio"

// Recognizer is unusable in a build without cgo: PocketSphinx is a C
// library. It exists so callers compile in both builds.
type Recognizer struct{}

var _ audio.Recognizer = (*Recognizer)(nil)

// New returns audio.ErrNoCgo: the embedded recognizer needs the cgo build.
func New(cfg Config) (*Recognizer, error) {
	return nil, audio.ErrNoCgo
}

// Name identifies the recognizer.
func (r *Recognizer) Name() string { return "pocketsphinx" }

// NewStream returns audio.ErrNoCgo.
func (r *Recognizer) NewStream() (audio.Stream, error) { return nil, audio.ErrNoCgo }

// NewTelephoneStream returns audio.ErrNoCgo.
func (r *Recognizer) NewTelephoneStream() (audio.Stream, error) { return nil, audio.ErrNoCgo }

// NewDigitsStream returns audio.ErrNoCgo.
func (r *Recognizer) NewDigitsStream() (audio.Stream, error) { return nil, audio.ErrNoCgo }

// Warm returns audio.ErrNoCgo.
func (r *Recognizer) Warm(n int) error { return audio.ErrNoCgo }

// WarmDigits returns audio.ErrNoCgo.
func (r *Recognizer) WarmDigits(n int) error { return audio.ErrNoCgo }

// Stats counts no decoders.
func (r *Recognizer) Stats() Stats { return Stats{} }

// Close does nothing.
func (r *Recognizer) Close() error { return nil }
