package assist

import (
	"math"
	"testing"
)

func TestVaderPolarity(t *testing.T) {
	v := NewVader()
	for _, tc := range []struct {
		text string
		sign int
	}{
		{"Thank you so much, that's wonderful!", 1},
		{"This is ridiculous, I'm furious about these fees.", -1},
		{"The branch is on Main Street.", 0},
		{"I am not happy with this at all.", -1},
	} {
		s := v.Analyze(tc.text)
		got := 0
		if s.Polarity >= NeutralBand {
			got = 1
		} else if s.Polarity <= -NeutralBand {
			got = -1
		}
		if got != tc.sign {
			t.Errorf("%q: polarity %.3f, want sign %d", tc.text, s.Polarity, tc.sign)
		}
		if s.Confidence < 0 || s.Confidence > 1 {
			t.Errorf("%q: confidence %v out of range", tc.text, s.Confidence)
		}
	}
}

func TestEmotionMix(t *testing.T) {
	for _, tc := range []struct {
		text     string
		polarity float64
		want     string // the strongest gauge
	}{
		{"This is outrageous, I'm absolutely furious", -0.8, EmotionAnger},
		{"I've been on hold for an hour, this is the third time I call", -0.3, EmotionFrustration},
		{"I don't understand, which button do I press? I'm confused", -0.2, EmotionConfusion},
		{"I'm worried someone stole my card, what if they use it", -0.5, EmotionFear},
		{"Thank you so much, that's a relief, you've been wonderful", 0.9, EmotionJoy},
		{"I'm not happy about this, it's disappointing", -0.4, EmotionSadness},
		{"My account number ends in 4411", 0, EmotionNeutral},
	} {
		mix := emotionMix(tc.text, tc.polarity)
		var sum float64
		best, bestW := "", -1.0
		for _, e := range Emotions {
			w, ok := mix[e]
			if !ok {
				t.Fatalf("%q: gauge %s missing", tc.text, e)
			}
			sum += w
			if w > bestW {
				best, bestW = e, w
			}
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("%q: weights sum to %v", tc.text, sum)
		}
		if best != tc.want {
			t.Errorf("%q: strongest %s (%v), want %s", tc.text, best, mix, tc.want)
		}
	}
}

func TestTokensKeepsContractions(t *testing.T) {
	got := tokens("I DON’T know—what's this? 42!")
	want := []string{"i", "don't", "know", "what's", "this", "42"}
	if len(got) != len(want) {
		t.Fatalf("tokens = %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tokens = %q, want %q", got, want)
		}
	}
}

func TestMoodRollingAndTrend(t *testing.T) {
	var m Mood
	if m.Rolling() != 0 || m.Trend() != 0 {
		t.Fatal("empty mood not neutral")
	}
	r, tr := m.Add(0.5)
	if r != 0.5 || tr != 0 {
		t.Fatalf("first add: %v %v", r, tr)
	}
	for range 4 {
		r, tr = m.Add(-0.8)
	}
	if r >= 0 || tr >= 0 {
		t.Errorf("after four negative turns: rolling %v trend %v, want both negative", r, tr)
	}
	if r < -0.8 || r > 0.5 {
		t.Errorf("rolling %v outside the scores' range", r)
	}
	for range 600 {
		m.Add(0.1)
	}
	if len(m.Scores()) != maxMoodHistory {
		t.Errorf("history %d, want bounded at %d", len(m.Scores()), maxMoodHistory)
	}
}
