//go:build cgo

package sphinx

/*
#include "shim.h"
*/
import "C"

import (
	"errors"
	"runtime"
	"sync"
	"unsafe"

	"github.com/larkspur-labs/assist/audio"
)

// stream decodes one channel with its own decoder.
type stream struct {
	// mu makes Close safe against a call in flight on another goroutine;
	// a Stream is otherwise used from one goroutine, so it is uncontended.
	mu      sync.Mutex
	ps      *C.ps_decoder_t // nil once closed
	inUtt   bool            // ps_start_utt called and not yet ended
	cleanup runtime.Cleanup

	// The decoder normalises cepstra by a running channel mean that starts
	// from the model's training average and moves only slowly, so a
	// stream's first utterance is decoded against the wrong mean; on
	// telephone audio, whose empty upper band is far from that average,
	// it is decoded badly. Instead the stream holds back its first warmUp
	// samples of speech, estimates the mean from them, and only then
	// decodes.
	warmUp  int
	warm    bool
	pending []int16
}

var _ audio.Stream = (*stream)(nil)

// newStream wraps a decoder and starts its first utterance. It owns ps
// from here on, freeing it on failure.
func newStream(ps *C.ps_decoder_t, warmUp int) (*stream, error) {
	s := &stream{ps: ps, warmUp: warmUp, warm: warmUp <= 0}
	// A forgotten Close would leak a decoder (tens of MB of C memory);
	// the cleanup frees it when the stream is garbage collected.
	s.cleanup = runtime.AddCleanup(s, func(ps *C.ps_decoder_t) { C.ps_free(ps) }, ps)
	if err := s.startUtt(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Accept feeds samples to the current utterance and returns the partial
// hypothesis so far.
func (s *stream) Accept(samples []int16) (_ string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ps == nil {
		return "", ErrClosed
	}
	if err := s.startUtt(); err != nil {
		return "", err
	}
	if !s.warm {
		s.pending = append(s.pending, samples...)
		if len(s.pending) < s.warmUp {
			return "", nil
		}
		if samples, err = s.warmUpNow(); err != nil {
			return "", err
		}
	}
	if err := s.process(samples); err != nil {
		return "", err
	}
	return s.hyp(), nil
}

// warmUpNow sets the cepstral mean from the held-back speech and returns
// that speech for decoding.
func (s *stream) warmUpNow() ([]int16, error) {
	samples := s.pending
	s.pending, s.warm = nil, true
	if len(samples) > 0 && C.assist_ps_set_cmn(s.ps, (*C.int16)(unsafe.Pointer(unsafe.SliceData(samples))), C.size_t(len(samples))) < 0 {
		return nil, errors.New("pocketsphinx: estimating the channel's cepstral mean failed")
	}
	return samples, nil
}

// process decodes samples into the current utterance.
func (s *stream) process(samples []int16) error {
	if len(samples) == 0 {
		return nil
	}
	// cgo keeps the backing array pinned for the call; it holds no Go
	// pointers, so C may read it in place without a copy.
	data := (*C.int16)(unsafe.Pointer(unsafe.SliceData(samples)))
	if C.ps_process_raw(s.ps, data, C.size_t(len(samples)), 0, 0) < 0 {
		return errors.New("pocketsphinx: decoding audio failed")
	}
	return nil
}

// Final ends the utterance, returns its text and starts the next one.
func (s *stream) Final() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ps == nil {
		return "", ErrClosed
	}
	// An utterance with no audio still ends cleanly, with no text.
	if err := s.startUtt(); err != nil {
		return "", err
	}
	if !s.warm {
		// An utterance shorter than the warm-up: its own mean is the best
		// estimate there is.
		samples, err := s.warmUpNow()
		if err == nil {
			err = s.process(samples)
		}
		if err != nil {
			return "", err
		}
	}
	if C.ps_end_utt(s.ps) < 0 {
		return "", errors.New("pocketsphinx: ending utterance failed")
	}
	s.inUtt = false
	text := s.hyp()
	// Restarting now keeps the next Accept cheap; if it fails, Accept
	// retries it and reports the error then.
	if err := s.startUtt(); err != nil {
		return text, err
	}
	return text, nil
}

// Close frees the decoder. It is safe to call more than once.
func (s *stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ps == nil {
		return nil
	}
	s.cleanup.Stop()
	C.ps_free(s.ps)
	s.ps = nil
	return nil
}

// startUtt begins an utterance unless one is already running.
func (s *stream) startUtt() error {
	if s.inUtt {
		return nil
	}
	if C.ps_start_utt(s.ps) < 0 {
		return errors.New("pocketsphinx: starting utterance failed")
	}
	s.inUtt = true
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
