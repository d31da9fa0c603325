// Package testenv decides what a test does when a part of the project's
// set-up is missing: the Debian packages of the audio stack (PocketSphinx,
// its model and test clips) or the sentence encoder. A developer's `go
// test` skips such a test and says why; `make test`, which installs them
// first, sets ASSIST_TEST_STRICT=1, and there the test fails instead, so
// that nothing is skipped silently where it should have run. Skips that
// depend on the machine, not on the set-up (a default input device, a CPU
// without AVX2), are left to the tests.
package testenv

import (
	"os"
	"testing"
)

// StrictEnv names the variable that makes a missing part of the set-up a
// failure: `make test` and `make eval` set it to 1.
const StrictEnv = "ASSIST_TEST_STRICT"

// Strict reports whether StrictEnv is set, to anything but "" or "0".
func Strict() bool {
	v := os.Getenv(StrictEnv)
	return v != "" && v != "0"
}

// Need returns when err is nil. Otherwise err says a part of the set-up is
// missing: the test fails when Strict, and is skipped, naming err, when
// not.
func Need(tb testing.TB, err error) {
	tb.Helper()
	if err == nil {
		return
	}
	if Strict() {
		tb.Fatalf("%v (%s is set: make test installs this first)", err, StrictEnv)
	} else {
		tb.Skip(err)
	}
}
