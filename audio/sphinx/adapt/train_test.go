package adapt

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx"
	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/internal/testenv"
)

func TestSubset(t *testing.T) {
	dict := filepath.Join(t.TempDir(), "words.dict")
	os.WriteFile(dict, []byte("eight EY T\nnine N AY N\nsix S IH K S\nsix(2) S IH K\nsixty S IH K S T IY\n"), 0o644)
	got, missing, err := Subset(dict, map[string]bool{"six": true, "eight": true, "oh": true})
	if err != nil {
		t.Fatal(err)
	}
	if want := "eight EY T\nsix S IH K S\nsix(2) S IH K\n"; string(got) != want {
		t.Errorf("subset %q, want %q", got, want)
	}
	if !slices.Equal(missing, []string{"oh"}) {
		t.Errorf("missing %q, want [oh]", missing)
	}
	if _, _, err := Subset(filepath.Join(t.TempDir(), "none"), nil); err == nil {
		t.Error("a missing dictionary: no error")
	}
}

func TestCheckAligned(t *testing.T) {
	log := filepath.Join(t.TempDir(), "bw.log")
	// As bw logs them: nine recordings aligned, then one it ignored.
	ok := strings.Repeat("INFO: cmn.c(133): CMN: 35.56 14.16\nutt>     0   9_george_5   92    0    20 13  7 7 1.67e-102 -1.50e+02 -1.38e+04 utt 0.016x\n", 9)
	bad := "ERROR: \"backward.c\", line 421: Failed to align audio to trancript: final state of the search is not reached\n" +
		"ERROR: \"baum_welch.c\", line 324: zz_short ignored\nutt>     9   zz_short   12    0    48 8  utt 0.003x\n"
	os.WriteFile(log, []byte(ok+bad), 0o644)
	if err := checkAligned(log, 10); err != nil {
		t.Errorf("9 of 10 aligned: %v", err)
	}
	os.WriteFile(log, []byte(ok[:len(ok)/9*8]+bad+bad), 0o644)
	if err := checkAligned(log, 10); err == nil {
		t.Error("8 of 10 aligned: no error")
	}
}

// newTrainer returns a Trainer on the en-us model, skipping the test
// without cgo and, unless strict, without sphinxtrain or the model.
func newTrainer(t *testing.T) *Trainer {
	t.Helper()
	cfg := sphinx.DefaultConfig()
	if _, err := os.Stat(cfg.HMM); err != nil {
		testenv.Need(t, err)
	}
	tr, err := NewTrainer(TrainerOptions{Model: cfg, Work: t.TempDir()})
	if errors.Is(err, audio.ErrNoCgo) {
		t.Skip(err)
	}
	if err != nil && strings.Contains(err.Error(), toolsPackage) {
		testenv.Need(t, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

// fsddSample adds the FSDD sample's recordings, as the digits decoder
// hears them on a phone line.
func fsddSample(t *testing.T, tr *Trainer) {
	t.Helper()
	clips, err := datasets.LoadFSDD(datasetstest.Sample(t, "fsdd"))
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
	for i, c := range clips {
		clip, err := audio.LoadWAV(c.Path)
		if err != nil {
			t.Fatal(err)
		}
		id := strings.TrimSuffix(filepath.Base(c.Path), ".wav")
		if err := tr.Add(Recording{ID: id, Speaker: c.Speaker, Words: words[c.Digit], Samples: Telephone(clip.Channels[0], clip.Rate, uint64(i))}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTrainMLLR trains a transform on the 20 recordings of the FSDD
// sample, as `assist train asr-adapt` does on the whole set.
func TestTrainMLLR(t *testing.T) {
	tr := newTrainer(t)
	fsddSample(t, tr)
	if got := tr.Speakers(); !slices.Equal(got, []string{"george", "jackson", "lucas", "nicolas", "theo", "yweweler"}) {
		t.Errorf("speakers %q", got)
	}
	out := filepath.Join(t.TempDir(), "sample.mllr")
	if err := tr.MLLR(context.Background(), nil, 2, out); err != nil {
		t.Fatal(err)
	}
	m := readTransform(t, out)
	// One class, the en-us model's three streams of 13.
	if len(m) != 3 {
		t.Fatalf("%d streams, want 3", len(m))
	}
	identity := true
	for _, s := range m {
		for i, row := range s.a {
			for j, v := range row {
				if want := float64(btoi(i == j)); math.Abs(v-want) > 1e-3 {
					identity = false
				}
			}
		}
	}
	if identity {
		t.Error("the transform is the identity: nothing was learnt")
	}
	// Folds: the other speakers alone, and an unknown one refused.
	if err := tr.MLLR(context.Background(), []string{"george", "jackson"}, 1, filepath.Join(t.TempDir(), "two.mllr")); err != nil {
		t.Errorf("two speakers: %v", err)
	}
	if err := tr.MLLR(context.Background(), []string{"nobody"}, 1, filepath.Join(t.TempDir(), "x.mllr")); err == nil {
		t.Error("an unknown speaker: no error")
	}
}

func TestTrainerRefusesBadRecordings(t *testing.T) {
	tr := newTrainer(t)
	speech := Telephone(make([]int16, 4000), 8000, 1)
	for _, r := range []Recording{
		{ID: "a/b", Speaker: "s", Words: "one", Samples: speech},
		{ID: "a", Speaker: "s", Words: " ", Samples: speech},
		{ID: "a", Speaker: "s", Words: "one", Samples: nil},
	} {
		if err := tr.Add(r); err == nil {
			t.Errorf("%+v: no error", r.ID)
		}
	}
	// A word the dictionary lacks is named when training starts.
	if err := tr.Add(Recording{ID: "b", Speaker: "s", Words: "onety", Samples: speech}); err != nil {
		t.Fatal(err)
	}
	err := tr.MLLR(context.Background(), nil, 1, filepath.Join(t.TempDir(), "x.mllr"))
	if err == nil || !strings.Contains(err.Error(), "onety") {
		t.Errorf("training on an unknown word: %v, want an error naming it", err)
	}
}

// transform is one stream of an MLLR file: the matrix, the shift and the
// variance scale.
type transform struct {
	a    [][]float64
	b, h []float64
}

// readTransform parses an MLLR file as PocketSphinx reads it: the number
// of classes (one), of streams, then per stream its length and the
// matrix, shift and variance scale.
func readTransform(t *testing.T, path string) []transform {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	p := 0
	next := func() float64 {
		if p >= len(f) {
			t.Fatalf("%s: ends early", path)
		}
		v, err := strconv.ParseFloat(f[p], 64)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		p++
		return v
	}
	if next() != 1 {
		t.Fatalf("%s: want one class", path)
	}
	streams := make([]transform, int(next()))
	for s := range streams {
		n := int(next())
		vec := func() []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = next()
			}
			return v
		}
		for range n {
			streams[s].a = append(streams[s].a, vec())
		}
		streams[s].b, streams[s].h = vec(), vec()
	}
	if p != len(f) {
		t.Errorf("%s: %d values left over", path, len(f)-p)
	}
	return streams
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
