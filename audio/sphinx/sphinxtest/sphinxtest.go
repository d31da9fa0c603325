// Package sphinxtest gives tests in other packages the embedded speech
// recognizer and the read-English clips of the Debian package
// pocketsphinx-testdata, which `make test` installs.
package sphinxtest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx"
	"github.com/larkspur-labs/assist/internal/testenv"
)

// LibriVoxDir holds pocketsphinx-testdata's LibriVox clips: 16 kHz mono
// readings of Sense and Sensibility.
const LibriVoxDir = "/usr/share/pocketsphinx/test/data/librivox"

// LibriVoxClip is the path of the clip numbered n, such as "0880" ("he
// was not an ill disposed young man").
func LibriVoxClip(n string) string {
	return filepath.Join(LibriVoxDir, "sense_and_sensibility_01_austen_64kb-"+n+".wav")
}

// recognizer is loaded once per test binary: the models take a moment.
var recognizer = sync.OnceValues(func() (audio.Recognizer, error) {
	return sphinx.New(sphinx.DefaultConfig())
})

// Recognizer returns the embedded recognizer with its live search, once
// it has checked that the clips are there too. Without cgo the test is
// skipped; with the models or clips missing it is skipped, or fails under
// `make test` (testenv.Strict).
func Recognizer(tb testing.TB) audio.Recognizer {
	tb.Helper()
	rec, err := recognizer()
	if err == nil {
		if _, err = os.Stat(LibriVoxClip("0880")); err == nil {
			return rec
		}
	}
	if errors.Is(err, audio.ErrNoCgo) {
		tb.Skip(err)
	}
	testenv.Need(tb, fmt.Errorf("speech recognizer unavailable: %w", err))
	return nil
}
