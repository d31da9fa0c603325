package testenv

import (
	"errors"
	"testing"
)

func TestStrict(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "1": true, "yes": true} {
		t.Setenv(StrictEnv, v)
		if got := Strict(); got != want {
			t.Errorf("%s=%q: Strict() = %v, want %v", StrictEnv, v, got, want)
		}
	}
}

// recorder notes how Need ended a test without ending this one.
type recorder struct {
	testing.TB
	skipped, failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Skip(...any)           { r.skipped = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

func TestNeed(t *testing.T) {
	missing := errors.New("no model")
	for _, tc := range []struct {
		strict          string
		err             error
		skipped, failed bool
	}{
		{"", nil, false, false},
		{"1", nil, false, false},
		{"", missing, true, false},
		{"1", missing, false, true},
	} {
		t.Setenv(StrictEnv, tc.strict)
		r := &recorder{TB: t}
		Need(r, tc.err)
		if r.skipped != tc.skipped || r.failed != tc.failed {
			t.Errorf("strict %q, err %v: skipped %v, failed %v; want %v, %v", tc.strict, tc.err, r.skipped, r.failed, tc.skipped, tc.failed)
		}
	}
}
