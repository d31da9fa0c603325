//go:build cgo

package sphinx

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
)

// Decoders are pooled, not freed, when a stream closes. A decoder of the
// US English models is about 100 MB of C memory in some 830,000 blocks
// (valgrind: 200 MB in 1.66 million allocations for two), and glibc does
// not give the memory of freed decoders back to the system: after eight
// rounds of eight streams, each stream on a new decoder freed at its end,
// malloc_stats counted 972 MB of arena memory for 0.37 MB in use, and RSS
// stood at 1.1 GB with no stream open, rising round after round (0.47 GB
// after the first). Freed chunks sit below small blocks that are still in
// use, so an arena cannot shrink from its top, and each of the Go
// runtime's threads that calls into C draws on its own arena, so the
// holes of one round seldom fit the next. malloc_trim gives them back
// (RSS 14–57 MB after each round), and valgrind finds nothing lost by
// ps_init and ps_free: no leak, fragmentation. The same rounds in a C
// program whose threads exit after each round stay at 115 MB.
//
// A decoder reused instead costs nothing after its first stream, so the
// memory is bounded by the most streams ever open at once. Decoding itself
// does not fragment the heap: on pooled decoders the same rounds held
// 0.79 GB from the third on, malloc_trim after each round gave back under
// 0.2 MB, and malloc_stats counted 805 MB in use of 806 MB. Through the
// service (`assist eval voice-load`: 100 two-track calls, 8 at a time)
// RSS went from 1,610 MB after the first 8 calls to 1,620 MB after the
// 100th (+0.6%); with a decoder per stream, freed at its end, from
// 1,448 MB to 6,918 MB (+378%). Recognizer.Close frees the pool and
// trims: RSS fell from 0.79 GB to 15 MB.

// decoder is one PocketSphinx decoder and what it takes to hand it from
// one stream to the next as if it were new.
type decoder struct {
	ps *C.ps_decoder_t
	// fresh is the channel state of the decoder as built: the model's
	// initial cepstral mean, before any audio moved it.
	fresh *C.assist_channel_t
	// lms are the open model's language models when it is mixed with
	// the digits model (Config.DigitsLM); nil otherwise.
	lms   *C.assist_lms_t
	inUtt bool // ps_start_utt called and not yet ended
}

// errReset says a decoder could not be made new again; it is freed.
var errReset = errors.New("pocketsphinx: resetting a decoder for reuse failed")

// reset ends an utterance left open, whose words nobody wants, and puts
// back the channel state of a new decoder: the next caller's first
// utterance must not be normalised by the last caller's line. The front
// end's noise estimate restarts too (ps_start_stream).
//
// What it cannot reach: the acoustic model seeds each frame's search for
// its best Gaussians with the previous frame's, as it does between
// utterances of one stream. The search is exhaustive, so only an exact
// tie between two Gaussians could come out differently; a fresh and a
// reused decoder give the same words on the test clips
// (TestReusedDecoderDecodesAsNew).
func (d *decoder) reset() error {
	var err error
	if d.inUtt {
		d.inUtt = false
		if C.ps_end_utt(d.ps) < 0 {
			err = errReset
		}
	}
	if C.assist_ps_reset(d.ps, d.fresh) < 0 {
		err = errReset
	}
	return err
}

// free releases the decoder's C memory.
func (d *decoder) free() {
	C.assist_channel_free(d.fresh)
	C.ps_free(d.ps)
	C.assist_lms_free(d.lms)
	d.ps, d.fresh, d.lms = nil, nil, nil
}

// pool keeps the idle decoders of one kind (configuration and search).
type pool struct {
	// build loads a new decoder. It is called with buildMu held.
	build func() (*decoder, error)
	// buildMu serializes loading, and is shared by a Recognizer's pools:
	// see Recognizer.
	buildMu *sync.Mutex

	mu     sync.Mutex
	idle   []*decoder
	stats  PoolStats
	closed bool
}

// get returns an idle decoder, or loads one when none is idle.
func (p *pool) get() (*decoder, error) {
	if d, err := p.take(); d != nil || err != nil {
		return d, err
	}
	p.buildMu.Lock()
	defer p.buildMu.Unlock()
	// While this stream waited for the loader, another may have closed
	// or Warm loaded one.
	if d, err := p.take(); d != nil || err != nil {
		return d, err
	}
	return p.load(false)
}

// take returns an idle decoder, or nil.
func (p *pool) take() (*decoder, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrRecognizerClosed
	}
	n := len(p.idle)
	if n == 0 {
		return nil, nil
	}
	d := p.idle[n-1]
	p.idle[n-1] = nil
	p.idle = p.idle[:n-1]
	p.stats.Reused++
	p.stats.Idle--
	p.stats.InUse++
	return d, nil
}

// put resets a decoder a stream is done with and keeps it for the next,
// or frees it if the reset failed or the pool is closed.
func (p *pool) put(d *decoder) {
	err := d.reset()
	p.mu.Lock()
	p.stats.InUse--
	if err == nil && !p.closed {
		p.idle = append(p.idle, d)
		p.stats.Idle++
		p.mu.Unlock()
		return
	}
	p.stats.Freed++
	p.mu.Unlock()
	d.free()
}

// warm loads decoders until the pool holds n, idle or in use. It takes
// the loader for one decoder at a time, so that a stream waiting for it
// meanwhile takes one of those already loaded rather than waiting for
// all n.
func (p *pool) warm(n int) error {
	for {
		done, err := p.warmOne(n)
		if done || err != nil {
			return err
		}
	}
}

// warmOne loads a decoder unless the pool holds n; done says it does.
func (p *pool) warmOne(n int) (done bool, err error) {
	p.buildMu.Lock()
	defer p.buildMu.Unlock()
	p.mu.Lock()
	closed, held := p.closed, p.stats.Idle+p.stats.InUse
	p.mu.Unlock()
	if closed {
		return false, ErrRecognizerClosed
	}
	if held >= n {
		return true, nil
	}
	if _, err := p.load(true); err != nil {
		return false, fmt.Errorf("warm %d decoders: %w", n, err)
	}
	return false, nil
}

// load builds a decoder and counts it, in use or, when idle is set, kept
// for the next stream. A pool closed meanwhile frees it. The caller holds
// buildMu.
func (p *pool) load(idle bool) (*decoder, error) {
	d, err := p.build()
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Built++
	if p.closed {
		p.stats.Freed++
		d.free()
		return nil, ErrRecognizerClosed
	}
	if idle {
		p.idle = append(p.idle, d)
		p.stats.Idle++
		return nil, nil
	}
	p.stats.InUse++
	return d, nil
}

// close frees the idle decoders, and makes put free the others as their
// streams close. It returns how many it freed.
func (p *pool) close() int {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.stats.Idle = 0
	p.stats.Freed += len(idle)
	p.mu.Unlock()
	for _, d := range idle {
		d.free()
	}
	return len(idle)
}

// snapshot returns the pool's counts.
func (p *pool) snapshot() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}
