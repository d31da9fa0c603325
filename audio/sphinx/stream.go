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
	"runtime"
	"sync"
	"unsafe"

	"github.com/larkspur-labs/assist/audio"
)

// stream decodes one channel with a decoder of its own until it closes.
type stream struct {
	// mu makes Close safe against a call in flight on another goroutine;
	// a Stream is otherwise used from one goroutine, so it is uncontended.
	mu      sync.Mutex
	dec     *decoder // nil once closed
	ps      *C.ps_decoder_t
	pool    *pool
	cleanup runtime.Cleanup

	// The decoder normalises cepstra by a running channel mean that starts
	// from the model's training average and moves only slowly, so a
	// stream's first utterance is decoded against the wrong mean; on
	// telephone audio, whose empty upper band is far from that average,
	// it is decoded badly. Instead the stream holds back its first warmUp
	// samples of speech, estimates the mean from them, and only then
	// decodes.
	warmUp int
	warm   bool
	// pending is the audio not yet decoded: the warm-up, then less than a
	// burst.
	pending []int16
	// partial is the hypothesis as of the last burst.
	partial string
}

// burstSamples is how much audio the decoder is given at a time, 100 ms.
// Each call into it has a fixed cost, and a live stream's core goes idle
// between calls: fed every 20 ms frame, `assist eval asr` over the
// LibriVox and JFK clips took 0.26–0.27 of the audio's time, in bursts
// 0.20–0.23, with the same words (three paired runs). Partial hypotheses
// come ten times a second, and a final waits for at most one burst of
// decoding, about 20 ms.
const burstSamples = audio.SampleRate / 10

var _ audio.Stream = (*stream)(nil)

// newStream takes a decoder from p, selects its search (plainSearch or
// mixedSearch on a decoder with the digits model; none on others, which
// have one) and starts its first utterance.
func newStream(p *pool, warmUp int, search string) (*stream, error) {
	d, err := p.get()
	if err != nil {
		return nil, err
	}
	if search != "" && d.lms != nil {
		// Building a search (the first time a decoder needs it) touches
		// only this decoder's state, so it does not wait for buildMu.
		name := C.CString(search)
		ok := C.assist_ps_use_lm(d.ps, d.lms, name, C.int(btoi(search == mixedSearch))) == 0
		C.free(unsafe.Pointer(name))
		if !ok {
			p.put(d)
			return nil, fmt.Errorf("pocketsphinx: cannot build the %s search", search)
		}
	}
	s := &stream{dec: d, ps: d.ps, pool: p, warmUp: warmUp, warm: warmUp <= 0}
	// A forgotten Close would keep a decoder (about 100 MB of C memory)
	// from the pool; the cleanup returns it when the stream is garbage
	// collected. It holds the decoder, never the stream.
	s.cleanup = runtime.AddCleanup(s, p.put, d)
	if err := s.startUtt(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Accept feeds samples to the current utterance and returns the partial
// hypothesis as of the last burst decoded.
func (s *stream) Accept(samples []int16) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dec == nil {
		return "", ErrClosed
	}
	if err := s.startUtt(); err != nil {
		return "", err
	}
	s.pending = append(s.pending, samples...)
	if !s.warm {
		if len(s.pending) < s.warmUp {
			return "", nil
		}
		if err := s.warmUpNow(); err != nil {
			return "", err
		}
	}
	if len(s.pending) < burstSamples {
		return s.partial, nil
	}
	if err := s.processPending(); err != nil {
		return "", err
	}
	s.partial = s.hyp()
	return s.partial, nil
}

// warmUpNow sets the cepstral mean from the held-back speech, which stays
// pending for decoding.
func (s *stream) warmUpNow() error {
	s.warm = true
	if len(s.pending) > 0 && C.assist_ps_set_cmn(s.ps, (*C.int16)(unsafe.Pointer(unsafe.SliceData(s.pending))), C.size_t(len(s.pending))) < 0 {
		return errors.New("pocketsphinx: estimating the channel's cepstral mean failed")
	}
	return nil
}

// processPending decodes the pending audio into the current utterance.
func (s *stream) processPending() error {
	if len(s.pending) == 0 {
		return nil
	}
	// cgo keeps the backing array pinned for the call; it holds no Go
	// pointers, so C may read it in place without a copy.
	data := (*C.int16)(unsafe.Pointer(unsafe.SliceData(s.pending)))
	n := len(s.pending)
	s.pending = s.pending[:0]
	if C.ps_process_raw(s.ps, data, C.size_t(n), 0, 0) < 0 {
		return errors.New("pocketsphinx: decoding audio failed")
	}
	return nil
}

// Final ends the utterance, returns its text and starts the next one.
func (s *stream) Final() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dec == nil {
		return "", ErrClosed
	}
	// An utterance with no audio still ends cleanly, with no text.
	if err := s.startUtt(); err != nil {
		return "", err
	}
	if !s.warm {
		// An utterance shorter than the warm-up: its own mean is the best
		// estimate there is.
		if err := s.warmUpNow(); err != nil {
			return "", err
		}
	}
	if err := s.processPending(); err != nil {
		return "", err
	}
	if C.ps_end_utt(s.ps) < 0 {
		return "", errors.New("pocketsphinx: ending utterance failed")
	}
	s.dec.inUtt, s.partial = false, ""
	text := s.hyp()
	// Restarting now keeps the next Accept cheap; if it fails, Accept
	// retries it and reports the error then.
	if err := s.startUtt(); err != nil {
		return text, err
	}
	return text, nil
}

// Close hands the decoder back to the pool: an utterance still open is
// dropped, unheard, and the decoder reset for the next stream. It is safe
// to call more than once.
func (s *stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dec == nil {
		return nil
	}
	s.cleanup.Stop()
	s.pool.put(s.dec)
	s.dec, s.ps, s.pending = nil, nil, nil
	return nil
}

// startUtt begins an utterance unless one is already running.
func (s *stream) startUtt() error {
	if s.dec.inUtt {
		return nil
	}
	if C.ps_start_utt(s.ps) < 0 {
		return errors.New("pocketsphinx: starting utterance failed")
	}
	s.dec.inUtt = true
	return nil
}

// hyp copies the current best hypothesis out of the decoder, which owns
// the string and overwrites it on the next call.
func (s *stream) hyp() string {
	h := C.ps_get_hyp(s.ps, nil)
	if h == nil {
		return ""
	}
	return C.GoString(h)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
