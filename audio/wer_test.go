package audio

import "testing"

func TestWordErrors(t *testing.T) {
	for _, tc := range []struct {
		ref, hyp     string
		edits, words int
	}{
		{"And so, my fellow Americans!", "and so my fellow americans", 0, 5},
		{"ask not what your country", "ask what your country", 1, 5},
		{"ask not", "ask not now", 1, 2},
		{"a b c", "x b y", 2, 3},
		{"", "hello", 1, 0},
		{"don't stop", "dont stop", 1, 2},
	} {
		e, w := WordErrors(tc.ref, tc.hyp)
		if e != tc.edits || w != tc.words {
			t.Errorf("WordErrors(%q, %q) = %d, %d; want %d, %d", tc.ref, tc.hyp, e, w, tc.edits, tc.words)
		}
	}
}
