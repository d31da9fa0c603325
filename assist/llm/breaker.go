package llm

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// breaker is the client's circuit breaker, in the spirit of the audio
// package's fallback recognizer, with a true half-open state. It counts
// failures in a row (timeouts, 5xx and 429 answers, broken connections,
// malformed responses; a caller's cancellation is not one). At threshold
// it opens: every call is refused at once, so a dead server costs the
// agent nothing, not a timeout per utterance. After coolDown it lets one
// trial call through, and only one, however many come: a success closes
// the breaker, a failure opens it for another coolDown.
type breaker struct {
	mu        sync.Mutex
	threshold int
	coolDown  time.Duration
	now       func() time.Time
	failures  int       // in a row
	last      string    // what the last failure was, in a few words
	openUntil time.Time // while failures >= threshold
	trialOut  bool      // the half-open trial call is in flight
}

// newBreaker returns a closed breaker; values < 1 and a nil clock take the
// defaults.
func newBreaker(threshold int, coolDown time.Duration, now func() time.Time) *breaker {
	if threshold < 1 {
		threshold = DefaultBreakerFailures
	}
	if coolDown <= 0 {
		coolDown = DefaultBreakerCooldown
	}
	if now == nil {
		now = time.Now
	}
	return &breaker{threshold: threshold, coolDown: coolDown, now: now}
}

// allow says whether a call may go to the server now, and whether it is
// the half-open trial, whose outcome decides the breaker's state. Every
// allowed call must end in success, failure or abandon.
func (b *breaker) allow() (trial, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.failures < b.threshold:
		return false, true
	case b.now().Before(b.openUntil) || b.trialOut:
		return false, false
	default:
		b.trialOut = true
		return true, true
	}
}

// success records a call the server answered: it closes the breaker.
func (b *breaker) success(trial bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures, b.last, b.openUntil = 0, "", time.Time{}
	if trial {
		b.trialOut = false
	}
}

// failure records a call the server failed, reason being what went wrong
// in a few words; at the threshold, or on a failed trial, the breaker
// opens for coolDown.
func (b *breaker) failure(trial bool, reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures++
	b.last = reason
	if trial {
		b.trialOut = false
	}
	if b.failures >= b.threshold {
		b.openUntil = b.now().Add(b.coolDown)
	}
}

// abandon records a call the caller gave up on: it says nothing of the
// server, so a trial's slot goes to the next call.
func (b *breaker) abandon(trial bool) {
	if !trial {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.trialOut = false
}

// degraded returns "" while calls go through, or why they do not and when
// they will again.
func (b *breaker) degraded() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < b.threshold {
		return ""
	}
	when := "retrying now"
	if wait := b.openUntil.Sub(b.now()); wait > 0 {
		when = fmt.Sprintf("retrying in %ds", int(math.Ceil(wait.Seconds())))
	}
	return fmt.Sprintf("llm: %d failures, last: %s; %s", b.failures, b.last, when)
}
