// Package audio turns telephony and microphone audio into speech the
// engine can use. This file holds the G.711 codecs that telephony media
// streams (Twilio Media Streams, Genesys AudioHook, telephony WAV
// recorders) carry: 8-bit μ-law and A-law samples at 8 kHz, expanded to
// 16-bit linear PCM and back, as ITU-T G.711 specifies.
package audio

// MulawDecode expands one G.711 μ-law byte to a 16-bit linear sample.
func MulawDecode(b byte) int16 { return mulawTable[b] }

// AlawDecode expands one G.711 A-law byte to a 16-bit linear sample.
func AlawDecode(b byte) int16 { return alawTable[b] }

// DecodeMulaw expands a μ-law payload into dst (grown as needed) and
// returns it.
func DecodeMulaw(dst []int16, src []byte) []int16 {
	dst = grow(dst, len(src))
	for i, b := range src {
		dst[i] = mulawTable[b]
	}
	return dst
}

// DecodeAlaw expands an A-law payload into dst (grown as needed) and
// returns it.
func DecodeAlaw(dst []int16, src []byte) []int16 {
	dst = grow(dst, len(src))
	for i, b := range src {
		dst[i] = alawTable[b]
	}
	return dst
}

func grow(s []int16, n int) []int16 {
	if cap(s) < n {
		return make([]int16, n)
	}
	return s[:n]
}

const (
	mulawBias = 0x84 // 132: shifts the segment boundaries to powers of two
	mulawClip = 32635
)

// MulawEncode compresses a 16-bit linear sample to G.711 μ-law.
func MulawEncode(s int16) byte {
	x := int(s)
	sign := 0
	if x < 0 {
		x = -x
		sign = 0x80
	}
	x = min(x, mulawClip) + mulawBias
	exp := 7
	for mask := 0x4000; x&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (x >> (exp + 3)) & 0x0F
	return ^byte(sign | exp<<4 | mant)
}

// AlawEncode compresses a 16-bit linear sample to G.711 A-law.
func AlawEncode(s int16) byte {
	x := int(s) >> 3 // A-law works on 13-bit magnitudes
	sign := 0x80
	if x < 0 {
		x = -x - 1
		sign = 0
	}
	var b int
	if x < 32 {
		b = x >> 1
	} else {
		exp := 1
		for v := x >> 5; v > 1 && exp < 7; v >>= 1 {
			exp++
		}
		b = exp<<4 | (x>>exp)&0x0F
	}
	return byte(sign|b) ^ 0x55
}

var mulawTable, alawTable = func() (mu, al [256]int16) {
	for i := range 256 {
		mu[i] = mulawExpand(byte(i))
		al[i] = alawExpand(byte(i))
	}
	return
}()

func mulawExpand(b byte) int16 {
	b = ^b
	exp := int(b>>4) & 0x07
	mant := int(b & 0x0F)
	x := ((mant << 3) + mulawBias) << exp
	x -= mulawBias
	if b&0x80 != 0 {
		return int16(-x)
	}
	return int16(x)
}

func alawExpand(b byte) int16 {
	b ^= 0x55
	exp := int(b>>4) & 0x07
	mant := int(b & 0x0F)
	var x int
	if exp == 0 {
		x = mant<<4 + 8
	} else {
		x = (mant<<4 + 0x108) << (exp - 1)
	}
	if b&0x80 == 0 {
		return int16(-x)
	}
	return int16(x)
}
