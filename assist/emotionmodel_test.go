package assist

import (
	"math"
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
		{"Thank you so much, that's wonderful news", 1, EmotionSatisfaction},
		{"I'm really worried someone has stolen my identity", -1, EmotionAnxiety},
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

func top(m map[string]float64) string {
	best, bk := -1.0, ""
	for _, k := range Emotions {
		if m[k] > best {
			best, bk = m[k], k
		}
	}
	return bk
}
