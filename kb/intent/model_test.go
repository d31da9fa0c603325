package intent

import (
	"bytes"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

var toy = []Example{
	{"my card has not arrived yet", "card-arrival"},
	{"when will my new card arrive", "card-arrival"},
	{"still waiting for the card you posted", "card-arrival"},
	{"card not delivered", "card-arrival"},
	{"how do I change my PIN", "change-pin"},
	{"I want a new pin number", "change-pin"},
	{"can I reset the PIN of my card", "change-pin"},
	{"update my pin code", "change-pin"},
	{"what is my balance", "balance"},
	{"how much money is in my account", "balance"},
	{"check my account balance", "balance"},
	{"tell me my current balance", "balance"},
}

func TestPredictRanksTheRightIntentFirst(t *testing.T) {
	m, err := Train(toy, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"my card still hasn't arrived":     "card-arrival",
		"I'd like to change my pin please": "change-pin",
		"how much is in my checking":       "balance",
	} {
		p := m.Predict(text)
		if p[0].Label != want {
			t.Errorf("Predict(%q) top = %s (%.2f), want %s", text, p[0].Label, p[0].Prob, want)
		}
		var sum float64
		for _, q := range p {
			sum += q.Prob
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("Predict(%q) probabilities sum to %v", text, sum)
		}
	}
	if got := m.Temperature(); got != DefaultTemperature {
		t.Errorf("a 12-example model is too small to calibrate: temperature %v, want %v", got, float64(DefaultTemperature))
	}
}

func TestTrainRejectsTooFewLabels(t *testing.T) {
	for name, ex := range map[string][]Example{
		"none":      nil,
		"one label": {{"a", "x"}, {"b", "x"}},
		"blank":     {{"  ", "x"}, {"", "y"}},
	} {
		if _, err := Train(ex, Options{}); err == nil {
			t.Errorf("%s: Train succeeded, want an error", name)
		}
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	for _, buf := range []*bytes.Buffer{&a, &b} {
		m, err := Train(toy, Options{Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Write(buf); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two trainings with the same seed wrote different models")
	}
}

func TestPredictSurvivesHostileText(t *testing.T) {
	m, err := Train(toy, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"empty":    "",
		"huge":     strings.Repeat("card pin balance ", 7000),
		"cyrillic": "моя карта не пришла",
		"control":  "\x1b[31mcard\x00\x07 arrived?\x1b]0;pwn\x07",
		"invalid":  "\xff\xfe card",
	} {
		p := m.Predict(text)
		if len(p) != 3 || math.IsNaN(p[0].Prob) {
			t.Errorf("%s: Predict = %v", name, p)
		}
	}
	// Text the model has never seen anything of gets a flat distribution.
	if p := m.Predict("моя карта не пришла"); p[0].Prob > 0.5 {
		t.Errorf("unknown script got a confident %s (%.2f)", p[0].Label, p[0].Prob)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m, err := Train(toy, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m.Fingerprint = "abc"
	path := filepath.Join(t.TempDir(), "intents.model")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint != "abc" {
		t.Errorf("fingerprint = %q", got.Fingerprint)
	}
	for _, ex := range toy {
		a, b := m.Predict(ex.Text), got.Predict(ex.Text)
		if a[0] != b[0] {
			t.Errorf("%q: saved model says %v, loaded %v", ex.Text, a[0], b[0])
		}
	}
}

func TestReadRejectsBrokenFiles(t *testing.T) {
	m, err := Train(toy, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	for name, data := range map[string][]byte{
		"empty":     nil,
		"garbage":   []byte("not a model at all"),
		"truncated": good[:len(good)/2],
	} {
		if _, err := Read(bytes.NewReader(data)); err == nil {
			t.Errorf("%s: Read succeeded", name)
		}
	}
	old := *m
	old.labels = old.labels[:1]
	buf.Reset()
	if err := old.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(&buf); err == nil {
		t.Error("Read accepted a model whose sizes disagree")
	}
	if err := errors.Unwrap(ErrVersion); err != nil {
		t.Fatal(err)
	}
}

func TestPredictTopMatchesPredict(t *testing.T) {
	m, err := Train(toy, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"my pin", "card arrive balance", "", "zzz"} {
		all := m.Predict(q)
		for k := 0; k <= 4; k++ {
			top := m.PredictTop(q, k)
			if len(top) != min(k, 3) {
				t.Fatalf("PredictTop(%q, %d) has %d labels", q, k, len(top))
			}
			for i := range top {
				if top[i] != all[i] {
					t.Errorf("PredictTop(%q, %d)[%d] = %v, Predict has %v", q, k, i, top[i], all[i])
				}
			}
		}
	}
}

func TestPredictEachMatchesPredict(t *testing.T) {
	plain, err := Train(toy, Options{})
	if err != nil {
		t.Fatal(err)
	}
	negated, err := Train(toy, Options{Negation: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"I do not want a new pin", "card not arrived", ""} {
		got := PredictEach(q, plain, negated, plain)
		for i, m := range []*Model{plain, negated, plain} {
			want := m.Predict(q)
			for j := range want {
				if got[i][j] != want[j] {
					t.Errorf("%q model %d: PredictEach %v, Predict %v", q, i, got[i], want)
					break
				}
			}
		}
	}
}
