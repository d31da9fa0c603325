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

// digitsSearch names the grammar search of a digits stream.
const digitsSearch = "digits"

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

// Recognizer is the embedded PocketSphinx recognizer. It holds only the
// model paths: each Stream owns its decoder and configuration, because a
// PocketSphinx decoder is not thread-safe and ps_init writes into the
// configuration it is given (and keeps pointers into it), so sharing one
// configuration across streams would race in C where -race cannot see it.
type Recognizer struct {
	cfg Config
	// initMu serializes decoder creation. ps_init runs a lot of C I/O and
	// parsing code whose thread safety this version does not promise;
	// creation is rare (one per call channel), decoding stays parallel.
	initMu sync.Mutex
}

var _ audio.Recognizer = (*Recognizer)(nil)

// New checks that the model files exist and load, and returns a
// Recognizer for them. A missing file is reported with the Debian package
// that provides it.
func New(cfg Config) (*Recognizer, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	quietOnce.Do(func() { C.assist_ps_quiet() })
	r := &Recognizer{cfg: cfg}
	// Load one decoder now so a corrupt or mismatched model fails at
	// startup with a clear error, not on the first customer call.
	ps, err := r.newDecoder(true)
	if err != nil {
		return nil, err
	}
	C.ps_free(ps)
	return r, nil
}

// Name identifies the recognizer in the status line and in logs.
func (r *Recognizer) Name() string { return "pocketsphinx" }

// NewStream starts decoding one channel with the n-gram language model.
// Each stream loads its own decoder; Close it to free the memory.
func (r *Recognizer) NewStream() (audio.Stream, error) {
	ps, err := r.newDecoder(true)
	if err != nil {
		return nil, err
	}
	return newStream(ps, r.cfg.warmUpSamples())
}

// NewDigitsStream starts decoding one channel restricted to spoken digits
// ("four one oh two"), for number entry: a grammar is far more accurate
// than the open language model on digit strings.
func (r *Recognizer) NewDigitsStream() (audio.Stream, error) {
	ps, err := r.newDecoder(false)
	if err != nil {
		return nil, err
	}
	if err := useDigits(ps); err != nil {
		C.ps_free(ps)
		return nil, err
	}
	return newStream(ps, r.cfg.warmUpSamples())
}

// newDecoder builds a decoder with its own configuration; withLM false
// leaves the language model out for grammar-only decoders.
func (r *Recognizer) newDecoder(withLM bool) (*C.ps_decoder_t, error) {
	args := []string{"-hmm", r.cfg.HMM, "-dict", r.cfg.Dict, "-samprate", strconv.Itoa(audio.SampleRate)}
	if withLM {
		args = append(args, "-lm", r.cfg.LM)
	}
	args = append(args, r.cfg.options(!withLM)...)
	argv := make([]*C.char, len(args))
	for i, a := range args {
		argv[i] = C.CString(a)
		defer C.free(unsafe.Pointer(argv[i]))
	}

	r.initMu.Lock()
	defer r.initMu.Unlock()
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
	return ps, nil
}

// useDigits installs and selects the digits grammar on a fresh decoder.
func useDigits(ps *C.ps_decoder_t) error {
	name := C.CString(digitsSearch)
	defer C.free(unsafe.Pointer(name))
	grammar := C.CString(digitsGrammar)
	defer C.free(unsafe.Pointer(grammar))
	if C.ps_set_jsgf_string(ps, name, grammar) < 0 {
		return errors.New("pocketsphinx digits: grammar rejected")
	}
	if C.ps_set_search(ps, name) < 0 {
		return errors.New("pocketsphinx digits: cannot select grammar")
	}
	return nil
}
