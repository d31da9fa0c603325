package adapt

import (
	"slices"
	"testing"

	"github.com/larkspur-labs/assist/audio"
)

func TestTelephone(t *testing.T) {
	narrow := make([]int16, 800) // 100 ms at 8 kHz
	for i := range narrow {
		narrow[i] = int16(1000 * (i % 8))
	}
	a := Telephone(narrow, 8000, 1)
	if want := 2*len(narrow) + 2*Padding; len(a) != want {
		t.Fatalf("%d samples, want %d: 16 kHz and %d of padding each side", len(a), want, Padding)
	}
	if !slices.Equal(a, Telephone(narrow, 8000, 1)) {
		t.Error("the same seed gave other samples")
	}
	if slices.Equal(a, Telephone(narrow, 8000, 2)) {
		t.Error("another seed gave the same noise")
	}
	// The padding is the noise alone: one least significant bit.
	for i, s := range a[:Padding] {
		if s < -1 || s > 1 {
			t.Fatalf("padding sample %d is %d", i, s)
		}
	}
	// The clip is audio.Resample's, give or take the noise.
	wide := audio.Resample(nil, narrow, 8000, audio.SampleRate)
	for i, s := range wide {
		if d := int(a[Padding+i]) - int(s); d < -1 || d > 1 {
			t.Fatalf("sample %d: %d, resampled %d", i, a[Padding+i], s)
		}
	}
}
