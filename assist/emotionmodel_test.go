package assist

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func embedded(t testing.TB) *EmotionModel {
	t.Helper()
	m, err := EmbeddedEmotionModel()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEmotionModelReadsCustomers(t *testing.T) {
	m := embedded(t)
	for _, tc := range []struct {
		text    string
		sign    int
		emotion string
	}{
		{"This is ridiculous, I'm furious that you charged me twice!", -1, ""},
		{"Thank you so much, that's wonderful news", 1, EmotionJoy},
		{"I'm really worried someone has stolen my identity", -1, EmotionFear},
		{"I don't understand what this charge is, I'm confused", 0, EmotionConfusion},
		{"I'm not happy with this at all", -1, ""},
	} {
		s := m.Analyze(tc.text)
		switch {
		case tc.sign < 0 && s.Polarity > -0.2, tc.sign > 0 && s.Polarity < 0.2:
			t.Errorf("%q: polarity %.2f, want sign %d", tc.text, s.Polarity, tc.sign)
		}
		if tc.emotion != "" && top(s.Emotions) != tc.emotion {
			t.Errorf("%q: top emotion %s (%v), want %s", tc.text, top(s.Emotions), s.Emotions, tc.emotion)
		}
	}
	if a, b := m.Analyze("I am happy with this").Polarity, m.Analyze("I am not happy with this").Polarity; b >= a {
		t.Errorf("negation ignored: happy %.2f, not happy %.2f", a, b)
	}
}

func TestEmotionModelDefinesBadInput(t *testing.T) {
	m := embedded(t)
	for name, text := range map[string]string{
		"empty":   "",
		"spaces":  "   \t\n",
		"emoji":   "😡😡😡",
		"caps":    "WHY IS MY CARD BLOCKED AGAIN",
		"long":    strings.Repeat("the fee is too high and I want it back ", 3000),
		"russian": "Я очень недоволен вашим обслуживанием",
		"control": "\x1b[31mangry\x00\x07",
		"invalid": "\xff\xfe",
	} {
		s := m.Analyze(text)
		if math.IsNaN(s.Polarity) || s.Polarity < -1 || s.Polarity > 1 || s.Confidence < 0 || s.Confidence > 1 {
			t.Errorf("%s: score %+v", name, s)
		}
		var sum float64
		for _, e := range Emotions {
			v, ok := s.Emotions[e]
			if !ok || v < 0 {
				t.Errorf("%s: gauge %s = %v, %v", name, e, v, ok)
			}
			sum += v
		}
		if math.Abs(sum-1) > 1e-6 {
			t.Errorf("%s: gauges sum to %v", name, sum)
		}
	}
	for _, text := range []string{"", "😡😡😡", "…!!"} {
		if s := m.Analyze(text); s.Confidence != 0 || s.Polarity != 0 || s.Emotions[EmotionNeutral] != 1 {
			t.Errorf("%q: want neutral with no confidence, got %+v", text, s)
		}
	}
}

// TestEmotionModelBeatsVaderOnGoEmotionsDev pins the shipped model's quality
// on a split it was not trained on.
func TestEmotionModelBeatsVaderOnGoEmotionsDev(t *testing.T) {
	ge, err := ReadGoEmotions(filepath.Join(sharedData(t), "goemotions", "dev.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var texts, gold []string
	for _, r := range ge.Rows {
		if c, ok := ge.Polarity(r); ok {
			texts, gold = append(texts, r.Text), append(gold, c)
		}
	}
	ours, err := EvalSentiment(embedded(t), texts, gold)
	if err != nil {
		t.Fatal(err)
	}
	vader, err := EvalSentiment(NewVader(), texts, gold)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("GoEmotions dev: model macro-F1 %.4f, VADER %.4f", ours.MacroF1, vader.MacroF1)
	if ours.MacroF1 < 0.70 || ours.MacroF1 < vader.MacroF1+0.09 {
		t.Errorf("macro-F1 %.4f (VADER %.4f): want at least 0.70 and 0.09 above VADER", ours.MacroF1, vader.MacroF1)
	}
}

func TestTrainEmotionIsDeterministic(t *testing.T) {
	ge, err := ReadGoEmotions(filepath.Join(sharedData(t), "goemotions", "dev.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	ge.Rows = ge.Rows[:1500]
	var files [2][]byte
	for i := range files {
		m, err := TrainEmotion(ge, EmotionTrainOptions{Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := m.Save(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadEmotionModel(dir); err != nil {
			t.Fatal(err)
		}
		files[i], _ = os.ReadFile(filepath.Join(dir, PolarityModelFile))
	}
	if string(files[0]) != string(files[1]) {
		t.Error("two trainings with one seed differ")
	}
}

func TestGoEmotionsGroupsAndGauges(t *testing.T) {
	ge := &GoEmotions{Group: map[string]string{
		"joy": Positive, "anger": Negative, "surprise": "ambiguous", Neutral: Neutral,
	}}
	for _, tc := range []struct {
		labels []string
		class  string
		gauge  string
	}{
		{[]string{"joy"}, Positive, EmotionJoy},
		{[]string{"anger"}, Negative, EmotionAnger},
		{[]string{"neutral"}, Neutral, EmotionNeutral},
		{[]string{"joy", "anger"}, "", ""},
		{[]string{"surprise"}, "", ""},
		{[]string{"joy", "surprise"}, "", EmotionJoy},
	} {
		c, _ := ge.Polarity(LabelledText{Labels: tc.labels})
		g, _ := Gauge(LabelledText{Labels: tc.labels})
		if c != tc.class || g != tc.gauge {
			t.Errorf("%v: class %q gauge %q, want %q %q", tc.labels, c, g, tc.class, tc.gauge)
		}
	}
}

func TestReadersRejectBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("labels.txt", "joy\nneutral\n")
	write("sentiment_dict.json", `{"positive": ["joy"], "negative": [], "ambiguous": []}`)
	good := write("good.tsv", "yay\t0\tid1\nmeh\t1\tid2\n")
	ge, err := ReadGoEmotions(good)
	if err != nil || len(ge.Rows) != 2 || ge.Rows[0].Labels[0] != "joy" {
		t.Fatalf("ReadGoEmotions = %+v, %v", ge, err)
	}
	for _, text := range []string{"no tabs here\n", "x\t7\tid\n", "x\tjoy\tid\n"} {
		if _, err := ReadGoEmotions(write("bad.tsv", text)); err == nil {
			t.Errorf("%q: no error", text)
		}
	}
	air := write("air.csv", "tweet_id,airline_sentiment,text\n1,negative,\"@united late, again\"\n2,positive,thanks!\n")
	rows, err := ReadAirline(air)
	if err != nil || len(rows) != 2 || rows[0].Labels[0] != Negative || !strings.Contains(rows[0].Text, "late") {
		t.Errorf("ReadAirline = %+v, %v", rows, err)
	}
	for _, text := range []string{"id,text\n1,hi\n", "airline_sentiment,text\nangry,hi\n"} {
		if _, err := ReadAirline(write("bad.csv", text)); err == nil {
			t.Errorf("%q: no error", text)
		}
	}
}

func top(m map[string]float64) string {
	best, bk := -1.0, ""
	for _, k := range Emotions {
		if m[k] > best {
			best, bk = m[k], k
		}
	}
	return bk
}

// sharedData returns the shared data folder beside the repository, skipping
// the test when it is absent, except in CI where it must be there.
func sharedData(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared data missing in CI: %v", err)
		}
		t.Skipf("shared data not found at %s", dir)
	}
	return dir
}
