// Package sphinx is the embedded speech recognizer: PocketSphinx through
// cgo, decoding on this machine with no network. Each Stream owns one
// decoder, so streams of one Recognizer decode in parallel. Partial
// hypotheses come back from every Accept; Final ends the utterance and
// readies the stream for the next. The build without cgo keeps the same
// API and returns audio.ErrNoCgo.
package sphinx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ModelDir is where the Debian package pocketsphinx-en-us installs the
// US English models.
const ModelDir = "/usr/share/pocketsphinx/model/en-us"

// ErrClosed is returned by a Stream used after Close.
var ErrClosed = errors.New("pocketsphinx: stream is closed")

// modelPackage is the Debian package that ships the files DefaultConfig
// names; errors point the user at it.
const modelPackage = "pocketsphinx-en-us"

// Config names the model files a Recognizer loads.
type Config struct {
	// HMM is the acoustic model directory.
	HMM string
	// LM is the n-gram language model (ARPA or binary).
	LM string
	// Dict is the pronunciation dictionary.
	Dict string
}

// DefaultConfig returns the US English models installed by the Debian
// package pocketsphinx-en-us.
func DefaultConfig() Config {
	return Config{
		HMM:  ModelDir + "/en-us",
		LM:   ModelDir + "/en-us.lm.bin",
		Dict: ModelDir + "/cmudict-en-us.dict",
	}
}

// check reports the first model file that is missing, naming the package
// that provides it, so the user knows what to install rather than reading
// a decoder failure.
func (c Config) check() error {
	for _, f := range []struct{ what, path string }{
		{"acoustic model", c.HMM},
		{"language model", c.LM},
		{"dictionary", c.Dict},
	} {
		if f.path == "" {
			return fmt.Errorf("pocketsphinx %s: no path configured", f.what)
		}
		_, err := os.Stat(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("pocketsphinx %s %s is missing: install the Debian package %s (apt-get install %s) or point the config at your own model", f.what, f.path, modelPackage, modelPackage)
		}
		if err != nil {
			return fmt.Errorf("pocketsphinx %s: %w", f.what, err)
		}
	}
	return nil
}
