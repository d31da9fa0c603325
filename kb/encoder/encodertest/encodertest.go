// Package encodertest finds the sentence encoder's files for tests.
package encodertest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/larkspur-labs/assist/internal/testenv"
)

// Dir returns the sentence encoder's folder: $ASSIST_ENCODER, else
// .cache/use-lite at the root of the module, where `make encoder` puts it.
// Without it the test is skipped, or fails under `make test`, which fetches
// it first (testenv.Strict).
func Dir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("ASSIST_ENCODER")
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			tb.Fatal(err)
		}
		dir = filepath.Join(root, ".cache", "use-lite")
	}
	_, err := os.Stat(filepath.Join(dir, "model.json"))
	testenv.Need(tb, err)
	return dir
}

// moduleRoot is the nearest folder above the working directory (a test's
// package folder) that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("encodertest: no go.mod above the working directory")
		}
		dir = parent
	}
}
