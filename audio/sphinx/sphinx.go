//go:build cgo

package sphinx

/*
#cgo pkg-config: pocketsphinx
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"unsafe"

	"github.com/larkspur-labs/assist/audio"
)

// digitsSearch names the grammar search of a digits stream. An open
// model decoder with Config.DigitsLM has up to two searches, built when a
// stream first needs them: plainSearch on the open model alone, for
// wideband streams, and mixedSearch on the open model mixed with the
// digits model, for telephone streams.
const (
	digitsSearch = "digits"
	plainSearch  = "plain"
	mixedSearch  = "mixed"
)

// digitsGrammar accepts any run of spoken digits, for number entry
// (account numbers, card digits). "oh" is the usual spoken zero, but a
// lone vowel also fits much of other digits: unweighted, the grammar
// heard "oh" in a third of the FSDD clips of "two", "four" and "six",
// whose speakers never say "oh". Its weight makes it win only where
// nothing else fits (the weights are the grammar's transition
// probabilities, not scaled by -lw): 0.263 to 0.228 in word error rate on
// 600 clips, against 0.222 with no "oh" at all.
const digitsGrammar = `#JSGF V1.0;
grammar digits;
public <digits> = <digit>+ ;
<digit> = /1/ zero | /1e-20/ oh | /1/ one | /1/ two | /1/ three | /1/ four | /1/ five | /1/ six | /1/ seven | /1/ eight | /1/ nine ;
`

// quietOnce silences PocketSphinx's process-wide logger before the first
// decoder is built; the logger is global C state, so it is set once rather
// than on every call.
var quietOnce sync.Once

// Recognizer is the embedded PocketSphinx recognizer. Each Stream has a
// decoder of its own, because a PocketSphinx decoder is not thread-safe,
// and each decoder its own configuration, because ps_init writes into the
// configuration it is given (and keeps pointers into it), so sharing one
// across decoders would race in C where -race cannot see it.
//
// Decoders are pooled: a stream's Close resets its decoder and keeps it
// for the next stream, so memory is bounded by the most streams open at
// once rather than growing with the streams served (see pool.go), and a
// stream starts without loading the models, once Warm has loaded enough
// decoders. The open language model's decoders and the digits grammar's
// are kept apart.
type Recognizer struct {
	cfg Config
	// buildMu serializes decoder loading. ps_init runs a lot of C I/O and
	// parsing code whose thread safety this version does not promise;
	// loading is rare (the pool's first streams), decoding stays parallel.
	buildMu      sync.Mutex
	open, digits pool
}

var (
	_ audio.Recognizer          = (*Recognizer)(nil)
	_ audio.Warmer              = (*Recognizer)(nil)
	_ audio.TelephoneRecognizer = (*Recognizer)(nil)
)

// New checks that the model files exist and load, and returns a
// Recognizer for them. A missing file is reported with the Debian package
// that provides it.
func New(cfg Config) (*Recognizer, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	quietOnce.Do(func() { C.assist_ps_quiet() })
	r := &Recognizer{cfg: cfg}
	r.open = pool{buildMu: &r.buildMu, build: func() (*decoder, error) { return r.newDecoder(true) }}
	r.digits = pool{buildMu: &r.buildMu, build: r.newDigitsDecoder}
	// Load one decoder now so a corrupt or mismatched model fails at
	// startup with a clear error, not on the first customer call; it is
	// the first stream's.
	if err := r.open.warm(1); err != nil {
		return nil, err
	}
	return r, nil
}

// Name identifies the recognizer in the status line and in logs.
func (r *Recognizer) Name() string { return "pocketsphinx" }

// NewStream starts decoding one channel with the n-gram language model,
// on an idle decoder or, when none is, a new one. Close the stream to
// hand its decoder to the next.
func (r *Recognizer) NewStream() (audio.Stream, error) {
	return newStream(&r.open, r.cfg.warmUpSamples(), r.openSearch(plainSearch))
}

// NewTelephoneStream is NewStream for audio upsampled from a telephone
// line: with Config.DigitsLM, the open model is mixed with the digits
// model, since callers read out numbers and the open model alone hears
// them badly at 8 kHz. Wideband streams keep the open model alone, which
// the mix costs words (see audio/sphinx/telephone).
func (r *Recognizer) NewTelephoneStream() (audio.Stream, error) {
	return newStream(&r.open, r.cfg.warmUpSamples(), r.openSearch(mixedSearch))
}

// openSearch is the search an open model stream selects: name when the
// decoders have two, none when they have only the open model's.
func (r *Recognizer) openSearch(name string) string {
	if r.cfg.DigitsLM == "" {
		return ""
	}
	return name
}

// NewDigitsStream starts decoding one channel restricted to spoken digits
// ("four one oh two"), for number entry: a grammar is far more accurate
// than the open language model on digit strings.
func (r *Recognizer) NewDigitsStream() (audio.Stream, error) {
	return newStream(&r.digits, r.cfg.warmUpSamples(), "")
}

// Warm loads decoders for the open language model until the recognizer
// holds n, idle or in use, so that n streams open at once start without
// waiting their turn to load the models (about a second each). Two-track
// calls take two streams each. Called with the service's capacity, it
// bounds the decoders at that as long as no more streams are open.
func (r *Recognizer) Warm(n int) error { return r.open.warm(n) }

// WarmDigits is Warm for the digits grammar's decoders.
func (r *Recognizer) WarmDigits(n int) error { return r.digits.warm(n) }

// Stats counts the recognizer's decoders.
func (r *Recognizer) Stats() Stats {
	return Stats{Open: r.open.snapshot(), Digits: r.digits.snapshot()}
}

// Close frees the idle decoders and gives the memory back to the
// system; streams still open free theirs when they close. Streams and
// Warm fail after it.
func (r *Recognizer) Close() error {
	if r.open.close()+r.digits.close() > 0 {
		C.assist_malloc_trim()
	}
	return nil
}

// newDecoder loads a decoder with its own configuration; withLM false
// leaves the language model out for grammar-only decoders. The caller
// holds buildMu.
func (r *Recognizer) newDecoder(withLM bool) (*decoder, error) {
	args := []string{"-hmm", r.cfg.HMM, "-dict", r.cfg.Dict, "-samprate", strconv.Itoa(audio.SampleRate)}
	mixed := withLM && r.cfg.DigitsLM != ""
	if withLM && !mixed {
		// With the digits model, the models are loaded after ps_init
		// (loadLMs), so that the general one is read once per decoder.
		args = append(args, "-lm", r.cfg.LM)
	}
	args = append(args, r.cfg.options(!withLM)...)
	argv := make([]*C.char, len(args))
	for i, a := range args {
		argv[i] = C.CString(a)
		defer C.free(unsafe.Pointer(argv[i]))
	}

	config := C.assist_ps_config(C.int(len(argv)), unsafe.SliceData(argv))
	if config == nil {
		return nil, fmt.Errorf("pocketsphinx config: invalid arguments %q", args)
	}
	// ps_init takes its own reference to config; drop ours either way.
	defer C.cmd_ln_free_r(config)
	ps := C.ps_init(config)
	if ps == nil {
		return nil, fmt.Errorf("pocketsphinx init: cannot load models (hmm %s, lm %s, dict %s)", r.cfg.HMM, r.cfg.LM, r.cfg.Dict)
	}
	if !mixed {
		return wrapDecoder(ps)
	}
	lms, err := r.loadLMs(ps)
	if err != nil {
		C.ps_free(ps)
		return nil, err
	}
	// Build the telephone search now, the plain one only when a wideband
	// stream first needs it: building a search takes 0.4 s and 9 MB (34
	// MB for the plain one), and live calls, which Warm readies decoders
	// for, come by telephone.
	name := C.CString(mixedSearch)
	defer C.free(unsafe.Pointer(name))
	if C.assist_ps_use_lm(ps, lms, name, 1) < 0 {
		C.assist_lms_free(lms)
		C.ps_free(ps)
		return nil, fmt.Errorf("pocketsphinx: cannot build the search on %s and %s", r.cfg.LM, r.cfg.DigitsLM)
	}
	d, err := wrapDecoder(ps)
	if err != nil {
		C.assist_lms_free(lms)
		return nil, err
	}
	d.lms = lms
	return d, nil
}

// loadLMs loads the open model and its mix with the digits model for a
// decoder loaded without -lm; each stream then selects the search it
// needs (see newStream).
func (r *Recognizer) loadLMs(ps *C.ps_decoder_t) (*C.assist_lms_t, error) {
	general := C.CString(r.cfg.LM)
	defer C.free(unsafe.Pointer(general))
	digits := C.CString(r.cfg.DigitsLM)
	defer C.free(unsafe.Pointer(digits))
	lms := C.assist_ps_load_lms(ps, general, digits, C.float(r.cfg.digitsLMWeight()))
	if lms == nil {
		return nil, fmt.Errorf("pocketsphinx: cannot load the language models %s and %s", r.cfg.LM, r.cfg.DigitsLM)
	}
	return lms, nil
}

// newDigitsDecoder loads a decoder with the digits grammar.
func (r *Recognizer) newDigitsDecoder() (*decoder, error) {
	d, err := r.newDecoder(false)
	if err != nil {
		return nil, err
	}
	if err := useDigits(d.ps); err != nil {
		d.free()
		return nil, err
	}
	// The grammar leaves the channel state saved as it was.
	return d, nil
}

// wrapDecoder wraps a decoder just loaded, saving its channel state for
// reset. It owns ps from here on, freeing it on failure.
func wrapDecoder(ps *C.ps_decoder_t) (*decoder, error) {
	fresh := C.assist_ps_save_channel(ps)
	if fresh == nil {
		C.ps_free(ps)
		return nil, errors.New("pocketsphinx: out of memory saving a decoder's channel state")
	}
	return &decoder{ps: ps, fresh: fresh}, nil
}

// useDigits installs and selects the digits grammar on a fresh decoder.
func useDigits(ps *C.ps_decoder_t) error {
	name := C.CString(digitsSearch)
	defer C.free(unsafe.Pointer(name))
	grammar := C.CString(digitsGrammar)
	defer C.free(unsafe.Pointer(grammar))
	if C.assist_ps_set_jsgf(ps, name, grammar) < 0 {
		return errors.New("pocketsphinx digits: grammar rejected")
	}
	return nil
}
