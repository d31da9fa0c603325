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
}

var _ audio.Stream = (*stream)(nil)

// newStream wraps a decoder and starts its first utterance. It owns ps
// from here on, freeing it on failure.
func newStream(ps *C.ps_decoder_t) (*stream, error) {
	s := &stream{ps: ps}
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
func (s *stream) Accept(samples []int16) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ps == nil {
		return "", ErrClosed
	}
	if err := s.startUtt(); err != nil {
		return "", err
	}
	if len(samples) > 0 {
		// cgo keeps the backing array pinned for the call; it holds no Go
		// pointers, so C may read it in place without a copy.
		data := (*C.int16)(unsafe.Pointer(unsafe.SliceData(samples)))
		if C.ps_process_raw(s.ps, data, C.size_t(len(samples)), 0, 0) < 0 {
			return "", errors.New("pocketsphinx: decoding audio failed")
		}
	}
	return s.hyp(), nil
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
