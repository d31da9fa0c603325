package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/audio"
)

func TestInputDevices(t *testing.T) {
	lines, err := InputDevices()
	if errors.Is(err, audio.ErrNoCgo) {
		t.Skip("no PortAudio without cgo")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if !strings.Contains(l, " ch, ") || !strings.HasSuffix(l, " Hz") {
			t.Errorf("device line %q", l)
		}
	}
}
