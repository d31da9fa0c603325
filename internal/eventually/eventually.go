// Package eventually lets a test wait for a condition that comes true
// asynchronously (a row that lands in a key-value directory, a server
// that picks up a new user), where no event says when: it checks the
// condition at a short interval until it holds or a deadline passes,
// instead of sleeping for a time and hoping.
package eventually

import "time"

// Interval is how often the condition is checked.
const Interval = 20 * time.Millisecond

// True checks cond at once and then every Interval until it returns true
// or timeout has passed, and reports whether it came true.
func True(timeout time.Duration, cond func() bool) bool {
	if cond() {
		return true
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(Interval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if cond() {
				return true
			}
		case <-deadline.C:
			return cond()
		}
	}
}
