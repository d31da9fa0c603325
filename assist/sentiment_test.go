package assist

import "testing"

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
		want := map[int]string{1: Positive, -1: Negative, 0: Neutral}[tc.sign]
		if got := v.Class(tc.text); got != want {
			t.Errorf("%q: %s, want %s", tc.text, got, want)
		}
	}
}
