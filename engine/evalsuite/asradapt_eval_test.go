//go:build eval

package evalsuite

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/larkspur-labs/assist/audio/sphinx/telephone"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

// TestTrainASRAdaptReproducesTheShippedTransform trains on FSDD's training
// split as `assist train asr-adapt` does by default and compares the
// transform with the one audio/sphinx/telephone embeds: the shipped file
// is what its recorded training command makes. It takes a few minutes.
func TestTrainASRAdaptReproducesTheShippedTransform(t *testing.T) {
	out := filepath.Join(t.TempDir(), telephone.MLLRFile)
	err := TrainASRAdapt(context.Background(), &TrainASRAdaptOptions{
		FSDD: datasetstest.Full(t, fsddDir), Output: out, Passes: DefaultAdaptPasses, Out: io.Discard, ErrOut: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "audio", "sphinx", "telephone", telephone.MLLRFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the trained transform (%d bytes) differs from the shipped one (%d bytes)", len(got), len(want))
	}
}
