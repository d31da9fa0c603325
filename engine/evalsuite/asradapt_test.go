package evalsuite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/internal/testenv"
)

// needTraining skips (or under make test fails) a test whose training
// needs what this machine lacks: cgo, sphinxtrain, the en-us model.
func needTraining(t *testing.T, err error) {
	t.Helper()
	switch {
	case err == nil:
	case errors.Is(err, audio.ErrNoCgo):
		t.Skip(err)
	case strings.Contains(err.Error(), "sphinxtrain") || strings.Contains(err.Error(), "pocketsphinx"):
		testenv.Need(t, err)
	default:
		t.Fatal(err)
	}
}

// TestTrainASRAdaptOnSample trains the digits transform on the 20
// recordings of the FSDD sample, as `assist train asr-adapt` does.
func TestTrainASRAdaptOnSample(t *testing.T) {
	t.Setenv("ASSIST_DATA", t.TempDir())
	out := filepath.Join(t.TempDir(), "sample.mllr")
	var said bytes.Buffer
	err := TrainASRAdapt(context.Background(), &TrainASRAdaptOptions{
		FSDD: datasetstest.Sample(t, "fsdd"), Output: out, Passes: 1, Out: &said, ErrOut: io.Discard,
	})
	needTraining(t, err)
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "1\n3\n13\n") {
		t.Errorf("transform %.20q, %v; want one class of three streams of 13", b, err)
	}
	if !strings.Contains(said.String(), "from 20 recordings of 6 speakers") {
		t.Errorf("said %q", said.String())
	}
}

// TestASRAdaptOnSample cross-validates on the FSDD sample: a transform per
// held-out speaker, then that speaker's recordings scored both ways.
func TestASRAdaptOnSample(t *testing.T) {
	t.Setenv("ASSIST_DATA", t.TempDir())
	var out bytes.Buffer
	err := ASRAdapt(context.Background(), &ASRAdaptOptions{
		FSDD: datasetstest.Sample(t, "fsdd"), Passes: 1, First: 0, Last: 49, Jobs: 2, Out: &out, ErrOut: io.Discard,
	})
	needTraining(t, err)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var figures []ASRAdaptFigure
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &figures); err != nil {
		t.Fatalf("last line: %v\n%s", err, out.String())
	}
	// 6 speakers and all, 2 recognizers, 2 paths.
	if len(figures) != 7*2*2 {
		t.Fatalf("%d figures, want 28", len(figures))
	}
	words := 0
	for _, f := range figures {
		if f.Speaker == "all" {
			if f.Words != 20 {
				t.Errorf("%s, %s: %d words scored, want the 20 recordings", f.Recognizer, f.Path, f.Words)
			}
			continue
		}
		words += f.Words
	}
	if words != 20*2*2 {
		t.Errorf("%d words over the speakers' rows, want 80", words)
	}
	for _, want := range []string{"| held-out speaker |", "| george |", "| all |", "digits grammar, adapted, whole"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table without %q:\n%s", want, out.String())
		}
	}
	err = ASRAdapt(context.Background(), &ASRAdaptOptions{
		FSDD: datasetstest.Sample(t, "fsdd"), Passes: 1, First: 40, Last: 49, Out: io.Discard, ErrOut: io.Discard,
	})
	if err == nil || !strings.Contains(err.Error(), "no recordings 40 to 49") {
		t.Errorf("recordings the sample lacks: %v", err)
	}
}
