package intent

import (
	"hash/fnv"
	"testing"
)

func TestFNVMatchesStdlib(t *testing.T) {
	for _, s := range []string{"", "card", "çà é", " ca"} {
		h := fnv.New64a()
		h.Write([]byte("c" + s))
		if got := fnv1a(fnv1a(fnvOffset, "c"), s); got != h.Sum64() {
			t.Errorf("%q: %x, want %x", s, got, h.Sum64())
		}
	}
}
