// Package sphinx is the embedded speech recognizer: PocketSphinx through
// cgo, decoding on this machine with no network. Each Stream has a
// decoder of its own while it is open, so streams of one Recognizer decode
// in parallel; a closed stream's decoder is reset and reused by the next
// stream (see Recognizer and pool.go). Partial
// hypotheses come back from every Accept; Final ends the utterance and
// readies the stream for the next. The build without cgo keeps the same
// API and returns audio.ErrNoCgo.
package sphinx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/larkspur-labs/assist/audio"
)

// ModelDir is where the Debian package pocketsphinx-en-us installs the
// US English models.
const ModelDir = "/usr/share/pocketsphinx/model/en-us"

// ErrClosed is returned by a Stream used after Close.
var ErrClosed = errors.New("pocketsphinx: stream is closed")

// ErrRecognizerClosed is returned for a stream or Warm asked of a
// Recognizer after its Close.
var ErrRecognizerClosed = errors.New("pocketsphinx: recognizer is closed")

// modelPackage is the Debian package that ships the files DefaultConfig
// names; errors point the user at it.
const modelPackage = "pocketsphinx-en-us"

// Config names the model files a Recognizer loads.
type Config struct {
	// HMM is the acoustic model directory.
	HMM string
	// LM is the n-gram language model (ARPA or binary).
	LM string
	// Dict is the pronunciation dictionary.
	Dict string
	// Options are extra decoder arguments in PocketSphinx's command-line
	// form ("-beam", "1e-60"). They come after the tuned defaults, so they
	// override them.
	Options []string
	// MLLR is a transform of the acoustic model's means (PocketSphinx's
	// -mllr), such as the one adapting it to telephone digits (see
	// audio/sphinx/phone); none when empty.
	MLLR string
	// DigitsLM is a small n-gram model of spoken digit strings
	// interpolated with LM, so that the open model hears the digits a
	// caller reads out (see audio/sphinx/telephone); none when empty.
	DigitsLM string
	// DigitsLMWeight is DigitsLM's share of each word's score, the rest
	// being LM's; DefaultDigitsLMWeight when zero. Only telephone streams
	// (Recognizer.NewTelephoneStream) use the mix.
	DigitsLMWeight float64
	// WarmUp is how much of a stream's first speech sets the cepstral mean
	// before decoding starts; see stream. Zero means DefaultWarmUp, a
	// negative value turns the warm-up off.
	WarmUp time.Duration
}

// DefaultWarmUp is the speech a stream buffers to estimate its channel's
// cepstral mean before it decodes anything.
const DefaultWarmUp = time.Second

// tunedOptions are the decoder arguments set ahead of Config.Options,
// from CMUSphinx's advice on decoding speed. The second and third search
// passes (-fwdflat, -bestpath) rescore the whole utterance after it ends,
// delaying every final by 0.3–0.5 s; -maxwpf and -maxhmmpf cap the words
// and HMMs searched per frame, and -topn the Gaussians scored, which is
// where the time went. Together they take a live stream from 0.6 of a
// core to about 0.3, and the wait for a final after the hangover from
// 450 ms to 20–40 ms. On the LibriVox and JFK clips they cost about three
// words in a hundred, which the warm-up wins back and more (WER 0.312
// with both; the command line gets 0.409). The narrower word beams
// (-wbeam, -lpbeam; defaults 7e-29 and 1e-40) saved another 5–10% of the
// time, over two paired runs, with the same words on every clip; the HMM
// beams (-beam, -pbeam 1e-44) saved 25% but lost 13 words in a hundred.
var tunedOptions = []string{
	"-fwdflat", "no",
	"-bestpath", "no",
	"-maxwpf", "5",
	"-maxhmmpf", "3000",
	"-topn", "2",
	"-wbeam", "1e-25",
	"-lpbeam", "1e-35",
}

// FullSearch restores PocketSphinx's own search settings over
// tunedOptions, for recordings decoded ahead of time (transcribe, a WAV
// replay): nobody waits on their finals, so the slower second and third
// passes and wider beams are worth their time.
var FullSearch = []string{
	"-fwdflat", "yes",
	"-bestpath", "yes",
	"-maxwpf", "-1",
	"-maxhmmpf", "30000",
	"-topn", "4",
	"-wbeam", "7e-29",
	"-lpbeam", "1e-40",
}

// digitsOptions are the decoder arguments of the digits grammar, over
// tunedOptions, chosen on FSDD's training clips (8 kHz, one digit each),
// decoded whole. A grammar of eleven words is cheap to search, so the
// beams are wide and nothing is capped: with the live search's beams a
// fifth of the clips came back empty once insertions were penalised.
// Each word costs -wip, which stops the grammar from hearing a digit in
// every noise ("two eight oh" for "zero"): 1e-5, against the default 0.65,
// took the word error rate from 0.75 to 0.36 on 300 clips (1e-4 0.39, 1e-7
// 0.38, 1e-10 emptied a third). -silprob 0.1 (default 0.005) lets silence
// rather than a short digit fill the pauses: 0.282 to 0.263 on 600 clips.
var digitsOptions = []string{
	"-beam", "1e-80",
	"-pbeam", "1e-80",
	"-wbeam", "1e-60",
	"-lpbeam", "1e-60",
	"-maxhmmpf", "-1",
	"-maxwpf", "-1",
	"-wip", "1e-5",
	"-silprob", "0.1",
}

// options merges Config.Options over tunedOptions, and over digitsOptions
// for a grammar decoder, and adds the transform: PocketSphinx rejects an
// argument given twice, so an override replaces the tuned value.
func (c Config) options(grammar bool) []string {
	out := merge(slices.Clone(tunedOptions), nil)
	if grammar {
		out = merge(out, digitsOptions)
	}
	if c.MLLR != "" {
		out = merge(out, []string{"-mllr", c.MLLR})
	}
	return merge(out, c.Options)
}

// merge sets each name-value pair of over in out, replacing a value out
// has for the same name.
func merge(out, over []string) []string {
	for i := 0; i < len(over); i += 2 {
		if i+1 == len(over) {
			// A name without a value: left for the parser to reject.
			return append(out, over[i])
		}
		name, value := over[i], over[i+1]
		if j := nameIndex(out, name); j >= 0 {
			out[j+1] = value
			continue
		}
		out = append(out, name, value)
	}
	return out
}

// nameIndex finds an argument name in a list of name-value pairs.
func nameIndex(pairs []string, name string) int {
	for j := 0; j+1 < len(pairs); j += 2 {
		if pairs[j] == name {
			return j
		}
	}
	return -1
}

// DefaultDigitsLMWeight is Config.DigitsLMWeight's default. PocketSphinx
// interpolates the models' scores, each a probability raised to -lw
// (6.5), so a weight of 0.01 is worth about 0.5 of the probability
// (0.01^(1/6.5)): a digit wins where the acoustics point to one. On 120
// clips of FSDD's 8 kHz training split (recordings 12 and 33), `assist
// eval asr --fsdd` gave WER 0.975 without the digits model, 0.825 at
// 0.001, 0.783 at 0.01, 0.767 at 0.1; held out by
// speaker, every fold chose 0.1. 0.1 costs two words on the speech
// table's 8 kHz jfk.wav ("ask" heard as "one" at the start of an
// utterance), 0.01 and 0.001 one, 1e-13 none but gains nothing on FSDD
// (0.95), so 0.01 it is. See the README of audio/sphinx/telephone.
const DefaultDigitsLMWeight = 0.01

// digitsLMWeight is DigitsLMWeight or its default.
func (c Config) digitsLMWeight() float64 {
	if c.DigitsLMWeight == 0 {
		return DefaultDigitsLMWeight
	}
	return c.DigitsLMWeight
}

// warmUpSamples is WarmUp in samples at audio.SampleRate.
func (c Config) warmUpSamples() int {
	switch {
	case c.WarmUp < 0:
		return 0
	case c.WarmUp == 0:
		return int(DefaultWarmUp * audio.SampleRate / time.Second)
	}
	return int(c.WarmUp * audio.SampleRate / time.Second)
}

// DefaultConfig returns the US English models installed by the Debian
// package pocketsphinx-en-us.
func DefaultConfig() Config {
	return Config{
		HMM:  ModelDir + "/en-us",
		LM:   ModelDir + "/en-us.lm.bin",
		Dict: ModelDir + "/cmudict-en-us.dict",
	}
}

// check reports the first model file that is missing, naming the package
// that provides it, so the user knows what to install rather than reading
// a decoder failure.
func (c Config) check() error {
	for _, f := range []struct{ what, path string }{
		{"acoustic model", c.HMM},
		{"language model", c.LM},
		{"dictionary", c.Dict},
	} {
		if f.path == "" {
			return fmt.Errorf("pocketsphinx %s: no path configured", f.what)
		}
		_, err := os.Stat(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("pocketsphinx %s %s is missing: install the Debian package %s (apt-get install %s) or point the config at your own model", f.what, f.path, modelPackage, modelPackage)
		}
		if err != nil {
			return fmt.Errorf("pocketsphinx %s: %w", f.what, err)
		}
	}
	if c.DigitsLM != "" {
		if _, err := os.Stat(c.DigitsLM); err != nil {
			return fmt.Errorf("pocketsphinx digits language model: %w", err)
		}
	}
	if w := c.DigitsLMWeight; w < 0 || w >= 1 {
		return fmt.Errorf("pocketsphinx digits language model: weight %g is not in [0, 1)", w)
	}
	if c.MLLR != "" {
		if _, err := os.Stat(c.MLLR); err != nil {
			return fmt.Errorf("pocketsphinx MLLR transform: %w", err)
		}
	}
	return nil
}
