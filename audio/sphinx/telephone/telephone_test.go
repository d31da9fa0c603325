package telephone

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/audio/sphinx"
	"github.com/larkspur-labs/assist/audio/sphinx/adapt"
	"github.com/larkspur-labs/assist/internal/datasets"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/internal/testenv"
)

func TestInstall(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache", "sphinx")
	f, err := Install(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{MLLRFile: f.MLLR, DigitsDictFile: f.DigitsDict, DigitsLMFile: f.DigitsLM} {
		want, _ := files.ReadFile(name)
		got, err := os.ReadFile(path)
		if err != nil || string(got) != string(want) {
			t.Errorf("%s: %d bytes, %v; want the %d shipped", path, len(got), err, len(want))
		}
		if filepath.Dir(path) != dir || !strings.HasPrefix(filepath.Base(path), strings.TrimSuffix(name, filepath.Ext(name))+"-") {
			t.Errorf("%s installed as %s", name, path)
		}
	}
	// Installing again keeps the files; a damaged one is rewritten.
	os.WriteFile(f.MLLR, []byte("1\n"), 0o644)
	again, err := Install(dir)
	if err != nil || again != f {
		t.Fatalf("second install: %+v, %v; want %+v", again, err, f)
	}
	if b, _ := os.ReadFile(f.MLLR); len(b) < 100 {
		t.Errorf("a damaged transform was left: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("%d files in %s, want the 3 installed and no temporary ones", len(entries), dir)
	}
	if _, err := Install(filepath.Join(f.MLLR, "sub")); err == nil {
		t.Error("installing under a file: no error")
	}
}

// TestDigitsOnTelephoneClips decodes the 20 recordings of the FSDD sample
// (8 kHz, one digit each, six speakers) with the digits grammar on the
// shipped dictionary, with and without the shipped transform: the adapted
// decoder must get most of them right, and the transform must change what
// is heard. Twenty clips are too few to show its gain (on 600 it is
// 0.26 → 0.18 in word error rate); `assist eval asr-adapt` measures that,
// with each speaker held out of training, as these clips were not.
func TestDigitsOnTelephoneClips(t *testing.T) {
	base, files, clips := fsddSample(t)
	words := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
	decode := func(mllr string) []string {
		cfg := base
		cfg.Dict, cfg.MLLR = files.DigitsDict, mllr
		r, err := sphinx.New(cfg)
		if errors.Is(err, audio.ErrNoCgo) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		digits := sphinx.Digits{Recognizer: r}
		var texts []string
		for i, c := range clips {
			clip, err := audio.LoadWAV(c.Path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := digits.NewStream()
			if err != nil {
				t.Fatal(err)
			}
			samples := adapt.Telephone(clip.Channels[0], clip.Rate, uint64(i))
			for off := 0; off < len(samples); off += audio.FrameSamples {
				if _, err := s.Accept(samples[off:min(off+audio.FrameSamples, len(samples))]); err != nil {
					t.Fatal(err)
				}
			}
			text, err := s.Final()
			s.Close()
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, text)
		}
		return texts
	}
	adapted, plain := decode(files.MLLR), decode("")
	right, rightPlain, changed := 0, 0, 0
	for i, c := range clips {
		want := words[c.Digit]
		right += btoi(adapted[i] == want)
		rightPlain += btoi(plain[i] == want)
		changed += btoi(adapted[i] != plain[i])
		if adapted[i] != want || plain[i] != want {
			t.Logf("%s: %q with the transform, %q without", filepath.Base(c.Path), adapted[i], plain[i])
		}
	}
	t.Logf("%d of %d right with the transform, %d without", right, len(clips), rightPlain)
	if right < 14 {
		t.Errorf("%d of %d right with the transform, want at least 14", right, len(clips))
	}
	if changed == 0 {
		t.Error("the transform changed nothing: is it loaded?")
	}
}

// TestOpenModelHearsDigits decodes the FSDD sample with the open language
// model, on a telephone stream (mixed with the shipped digits model) and
// on a plain one, alternating on one pooled decoder: the telephone
// streams must hear more of the digits. (On 120 clips of FSDD's training
// split the mix takes the open model's word error rate from 0.975 to
// 0.783; `assist eval asr --fsdd` measures it.)
func TestOpenModelHearsDigits(t *testing.T) {
	cfg, files, clips := fsddSample(t)
	cfg.DigitsLM = files.DigitsLM
	r, err := sphinx.New(cfg)
	if errors.Is(err, audio.ErrNoCgo) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	words := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
	decode := func(newStream func() (audio.Stream, error), samples []int16) string {
		s, err := newStream()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for off := 0; off < len(samples); off += audio.FrameSamples {
			if _, err := s.Accept(samples[off:min(off+audio.FrameSamples, len(samples))]); err != nil {
				t.Fatal(err)
			}
		}
		text, err := s.Final()
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	mixed, plain := 0, 0
	for i, c := range clips {
		clip, err := audio.LoadWAV(c.Path)
		if err != nil {
			t.Fatal(err)
		}
		samples := adapt.Telephone(clip.Channels[0], clip.Rate, uint64(i))
		m, p := decode(r.NewTelephoneStream, samples), decode(r.NewStream, samples)
		mixed += btoi(m == words[c.Digit])
		plain += btoi(p == words[c.Digit])
		if m != p {
			t.Logf("%s: %q on a telephone stream, %q on a plain one", filepath.Base(c.Path), m, p)
		}
	}
	if st := r.Stats(); st.Open.Built != 1 {
		t.Errorf("%d decoders built, want the one reused by every stream", st.Open.Built)
	}
	t.Logf("%d of %d right on telephone streams, %d on plain ones", mixed, len(clips), plain)
	if mixed <= plain {
		t.Errorf("%d of %d right on telephone streams, %d on plain ones: want more", mixed, len(clips), plain)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fsddSample returns the installed models' configuration, the telephone
// files installed in a temporary folder, and the FSDD sample's clips; it
// skips the test without the models.
func fsddSample(t *testing.T) (sphinx.Config, Files, []datasets.FSDDClip) {
	t.Helper()
	cfg := sphinx.DefaultConfig()
	if _, err := os.Stat(cfg.HMM); err != nil {
		testenv.Need(t, err)
	}
	files, err := Install(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clips, err := datasets.LoadFSDD(datasetstest.Sample(t, "fsdd"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, files, clips
}
