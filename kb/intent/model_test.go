package intent

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"os"
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

// TestBanking77HeldOut trains on four fifths of BANKING77's training file and
// pins accuracy and calibration on the held-out fifth.
func TestBanking77HeldOut(t *testing.T) {
	rows := readCSV(t, filepath.Join(sharedData(t), "banking77", "train.csv"))
	if raceEnabled {
		rows = firstLabels(rows, 15)
	}
	train, test := splitEveryFifth(rows)
	m, err := Train(train, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var top1, top3 int
	var bins [10]struct {
		n, right int
		conf     float64
	}
	for _, ex := range test {
		p := m.Predict(ex.Text)
		right := p[0].Label == ex.Label
		if right {
			top1++
		}
		for _, q := range p[:3] {
			if q.Label == ex.Label {
				top3++
			}
		}
		b := &bins[min(int(p[0].Prob*10), 9)]
		b.n++
		b.conf += p[0].Prob
		if right {
			b.right++
		}
	}
	n := float64(len(test))
	var ece float64
	for _, b := range bins {
		if b.n > 0 {
			ece += math.Abs(float64(b.right)-b.conf) / n
		}
	}
	t.Logf("BANKING77 held-out fifth: n %d, top-1 %.4f, top-3 %.4f, ECE %.3f, temperature %.2f",
		len(test), float64(top1)/n, float64(top3)/n, ece, m.Temperature())
	if acc := float64(top1) / n; acc < 0.89 {
		t.Errorf("top-1 %.4f, want >= 0.89", acc)
	}
	if acc := float64(top3) / n; acc < 0.95 {
		t.Errorf("top-3 %.4f, want >= 0.95", acc)
	}
	if ece > 0.05 {
		t.Errorf("expected calibration error %.3f, want <= 0.05", ece)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

// firstLabels keeps the rows of the first n labels to appear.
func firstLabels(rows [][]string, n int) [][]string {
	keep := map[string]bool{}
	var out [][]string
	for _, r := range rows {
		if !keep[r[1]] && len(keep) < n {
			keep[r[1]] = true
		}
		if keep[r[1]] {
			out = append(out, r)
		}
	}
	return out
}

// splitEveryFifth holds out every fifth example of each label.
func splitEveryFifth(rows [][]string) (train, test []Example) {
	seen := map[string]int{}
	for _, r := range rows {
		ex := Example{Text: r[0], Label: r[1]}
		if seen[ex.Label]%5 == 4 {
			test = append(test, ex)
		} else {
			train = append(train, ex)
		}
		seen[ex.Label]++
	}
	return train, test
}

// sharedData returns the shared data folder beside the repository, skipping
// the test when it is absent, except in CI where it must be there.
func sharedData(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared data missing in CI: %v", err)
		}
		t.Skipf("shared data not found at %s", dir)
	}
	return dir
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
