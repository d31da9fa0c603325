package sphinx

import "github.com/larkspur-labs/assist/audio"

// Digits recognises spoken digits only ("four one two oh"), for card and
// account numbers: every stream it starts decodes with the digits grammar.
type Digits struct{ *Recognizer }

var (
	_ audio.Recognizer = Digits{}
	_ audio.Warmer     = Digits{}

	_ audio.TelephoneRecognizer = Digits{}
)

// Name identifies the digits recognizer.
func (d Digits) Name() string { return "pocketsphinx-digits" }

// NewStream starts decoding one channel with the digits grammar.
func (d Digits) NewStream() (audio.Stream, error) { return d.NewDigitsStream() }

// NewTelephoneStream is NewStream: the grammar serves every line (without
// it, the embedded Recognizer's open model would answer telephone calls).
func (d Digits) NewTelephoneStream() (audio.Stream, error) { return d.NewDigitsStream() }

// Warm loads digits-grammar decoders until the recognizer holds n.
func (d Digits) Warm(n int) error { return d.WarmDigits(n) }
