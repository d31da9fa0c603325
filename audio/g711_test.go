package audio

import (
	"math"
	"testing"
)

// Reference values from ITU-T G.711 (and every implementation of it):
// μ-law 0xFF and A-law 0xD5 are the smallest positive steps; 0x80/0x00 and
// 0xAA/0x2A the extremes.
func TestG711KnownCodes(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  int16
		want int16
	}{
		{"mulaw 0xFF", MulawDecode(0xFF), 0},
		{"mulaw 0x7F", MulawDecode(0x7F), 0},
		{"mulaw 0x80", MulawDecode(0x80), 32124},
		{"mulaw 0x00", MulawDecode(0x00), -32124},
		{"alaw 0xD5", AlawDecode(0xD5), 8},
		{"alaw 0x55", AlawDecode(0x55), -8},
		{"alaw 0xAA", AlawDecode(0xAA), 32256},
		{"alaw 0x2A", AlawDecode(0x2A), -32256},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	if MulawEncode(0) != 0xFF || AlawEncode(0) != 0xD5 {
		t.Errorf("silence encodes to %#x / %#x", MulawEncode(0), AlawEncode(0))
	}
}

// Every code must survive decode → encode, and encoding must stay within
// the codec's quantisation step of the input.
func TestG711RoundTrip(t *testing.T) {
	for i := range 256 {
		b := byte(i)
		if i == 0x7F { // μ-law has two zeros; both encode back to 0xFF
			continue
		}
		if got := MulawEncode(MulawDecode(b)); got != b {
			t.Errorf("mulaw %#02x → %d → %#02x", b, MulawDecode(b), got)
		}
		if got := AlawEncode(AlawDecode(b)); got != b {
			t.Errorf("alaw %#02x → %d → %#02x", b, AlawDecode(b), got)
		}
	}
	for x := -32768; x <= 32767; x += 7 {
		s := int16(x)
		for name, back := range map[string]int16{"mulaw": MulawDecode(MulawEncode(s)), "alaw": AlawDecode(AlawEncode(s))} {
			// Logarithmic companding: the error grows with the magnitude, at
			// most about 1/16 of it plus a small floor.
			if d := math.Abs(float64(back) - float64(s)); d > math.Abs(float64(s))/16+140 {
				t.Fatalf("%s(%d) decodes to %d", name, s, back)
			}
		}
	}
}

func TestDecodeSlices(t *testing.T) {
	src := []byte{0xFF, 0x80, 0x00}
	got := DecodeMulaw(nil, src)
	if len(got) != 3 || got[1] != 32124 || got[2] != -32124 {
		t.Errorf("DecodeMulaw = %v", got)
	}
	buf := make([]int16, 0, 8)
	if got := DecodeAlaw(buf, []byte{0xD5, 0xAA}); len(got) != 2 || &got[0] != &buf[:1][0] || got[1] != 32256 {
		t.Errorf("DecodeAlaw = %v (should reuse dst)", got)
	}
}
