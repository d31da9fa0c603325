//go:build cgo

package adapt

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
	"github.com/larkspur-labs/assist/audio/sphinx"
)

// FrontEnd computes cepstra exactly as a decoder of audio/sphinx does:
// its configuration is a decoder's (the model's feat.params over
// PocketSphinx's defaults, 16 kHz), and each clip goes through a fresh
// front end built from it, as a new stream's would.
type FrontEnd struct {
	mu sync.Mutex // a decoder is not thread-safe
	ps *C.ps_decoder_t
}

// NewFrontEnd loads the acoustic model and dictionary of cfg once, for
// their configuration, with cfg.Options over it, as a decoder does.
func NewFrontEnd(cfg sphinx.Config) (*FrontEnd, error) {
	args := append([]string{"-hmm", cfg.HMM, "-dict", cfg.Dict, "-samprate", strconv.Itoa(audio.SampleRate)}, cfg.Options...)
	argv := make([]*C.char, len(args))
	for i, a := range args {
		argv[i] = C.CString(a)
		defer C.free(unsafe.Pointer(argv[i]))
	}
	ps := C.assist_adapt_decoder(C.int(len(argv)), unsafe.SliceData(argv))
	if ps == nil {
		return nil, fmt.Errorf("front end: cannot load the model %s with the dictionary %s and options %q", cfg.HMM, cfg.Dict, cfg.Options)
	}
	return &FrontEnd{ps: ps}, nil
}

// Cepstra returns the cepstra of 16 kHz samples, one row of Width values
// per 10 ms frame the front end keeps.
func (f *FrontEnd) Cepstra(samples []int16) ([][]float32, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ps == nil {
		return nil, errors.New("front end: closed")
	}
	if len(samples) == 0 {
		return nil, nil
	}
	var cep **C.mfcc_t
	var ncep C.int
	n := C.assist_adapt_cepstra(f.ps, (*C.int16)(unsafe.Pointer(unsafe.SliceData(samples))), C.size_t(len(samples)), &cep, &ncep)
	if n < 0 {
		return nil, errors.New("front end: computing cepstra failed")
	}
	if cep == nil {
		return nil, nil
	}
	defer C.fe_free_2d(unsafe.Pointer(cep))
	rows := unsafe.Slice(cep, int(n))
	out := make([][]float32, n)
	for i, row := range rows {
		out[i] = make([]float32, ncep)
		for j, v := range unsafe.Slice(row, int(ncep)) {
			out[i][j] = float32(v)
		}
	}
	return out, nil
}

// Close frees the decoder.
func (f *FrontEnd) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ps != nil {
		C.ps_free(f.ps)
		f.ps = nil
	}
	return nil
}
