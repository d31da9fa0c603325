package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

// loadJFK loads jfk.wav, the real 16 kHz mono recording of the bundled
// samples.
func loadJFK(t testing.TB) *Clip {
	t.Helper()
	clip, err := LoadWAV(datasetstest.Sample(t, "speech_jfk/jfk.wav"))
	if err != nil {
		t.Fatal(err)
	}
	return clip
}

// wavSpec describes a WAV file to synthesise, down to the header fields a
// broken writer gets wrong.
type wavSpec struct {
	tag        uint16
	channels   uint16
	rate       uint32
	bits       uint16
	extensible bool   // wrap tag in WAVE_FORMAT_EXTENSIBLE
	guidTail   []byte // overrides the sub-format GUID tail
	before     []byte // raw chunks between fmt and data
	dataSize   *uint32
	data       []byte
	noFmt      bool
	noData     bool
}

func (s wavSpec) bytes() []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(0)) // readers ignore it; so do we
	b.WriteString("WAVE")
	if !s.noFmt {
		s.writeFmt(&b)
	}
	b.Write(s.before)
	if !s.noData {
		b.WriteString("data")
		size := uint32(len(s.data))
		if s.dataSize != nil {
			size = *s.dataSize
		}
		binary.Write(&b, binary.LittleEndian, size)
		b.Write(s.data)
	}
	return b.Bytes()
}

func (s wavSpec) writeFmt(b *bytes.Buffer) {
	le := func(v any) { binary.Write(b, binary.LittleEndian, v) }
	b.WriteString("fmt ")
	tag := s.tag
	if s.extensible {
		le(uint32(40))
		tag = formatExtensible
	} else {
		le(uint32(16))
	}
	align := s.channels * max(s.bits/8, 1)
	le(tag)
	le(s.channels)
	le(s.rate)
	le(s.rate * uint32(align))
	le(align)
	le(s.bits)
	if s.extensible {
		le(uint16(22)) // cbSize
		le(s.bits)     // valid bits
		le(uint32(0))  // channel mask
		le(s.tag)      // GUID bytes 0..1
		tail := s.guidTail
		if tail == nil {
			tail = ksdataformatSubtypeTail
		}
		b.Write(tail)
	}
}

func riffChunk(id string, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString(id)
	binary.Write(&b, binary.LittleEndian, uint32(len(body)))
	b.Write(body)
	if len(body)%2 == 1 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

func pcm16LE(samples ...int16) []byte {
	b := make([]byte, 2*len(samples))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(s))
	}
	return b
}

func sizePtr(v uint32) *uint32 { return &v }

func TestReadWAVFormats(t *testing.T) {
	mu := []byte{MulawEncode(1000), MulawEncode(-1000), 0xFF}
	al := []byte{AlawEncode(1000), AlawEncode(-1000), 0xD5}
	for _, tc := range []struct {
		name string
		spec wavSpec
		want [][]int16
	}{
		{"pcm16 mono", wavSpec{tag: 1, channels: 1, rate: 16000, bits: 16, data: pcm16LE(1, -2, 32767, -32768)},
			[][]int16{{1, -2, 32767, -32768}}},
		{"pcm16 stereo de-interleaved", wavSpec{tag: 1, channels: 2, rate: 8000, bits: 16, data: pcm16LE(1, -1, 2, -2, 3, -3)},
			[][]int16{{1, 2, 3}, {-1, -2, -3}}},
		{"pcm8 unsigned", wavSpec{tag: 1, channels: 1, rate: 44100, bits: 8, data: []byte{0, 128, 255}},
			[][]int16{{-32768, 0, 127 << 8}}},
		{"mulaw", wavSpec{tag: 7, channels: 1, rate: 8000, bits: 8, data: mu},
			[][]int16{{MulawDecode(mu[0]), MulawDecode(mu[1]), 0}}},
		{"alaw stereo", wavSpec{tag: 6, channels: 2, rate: 8000, bits: 8, data: []byte{al[0], al[1], al[2], al[0]}},
			[][]int16{{AlawDecode(al[0]), AlawDecode(al[2])}, {AlawDecode(al[1]), AlawDecode(al[0])}}},
		{"extensible pcm16", wavSpec{tag: 1, extensible: true, channels: 1, rate: 48000, bits: 16, data: pcm16LE(7, 8)},
			[][]int16{{7, 8}}},
		{"extensible mulaw", wavSpec{tag: 7, extensible: true, channels: 1, rate: 8000, bits: 8, data: mu[:1]},
			[][]int16{{MulawDecode(mu[0])}}},
		{"skips LIST, fact and an odd-sized chunk", wavSpec{tag: 1, channels: 1, rate: 16000, bits: 16,
			before: slices.Concat(riffChunk("LIST", []byte("INFOISFT")), riffChunk("odd ", []byte{1, 2, 3}), riffChunk("fact", []byte{2, 0, 0, 0})),
			data:   pcm16LE(5, 6)},
			[][]int16{{5, 6}}},
		{"data size 0 reads to EOF", wavSpec{tag: 1, channels: 1, rate: 16000, bits: 16, dataSize: sizePtr(0), data: pcm16LE(1, 2, 3)},
			[][]int16{{1, 2, 3}}},
		{"data size 0xFFFFFFFF reads to EOF", wavSpec{tag: 1, channels: 1, rate: 16000, bits: 16, dataSize: sizePtr(0xFFFFFFFF), data: pcm16LE(1, 2, 3)},
			[][]int16{{1, 2, 3}}},
		{"data longer than the file is truncated, partial frame dropped", wavSpec{tag: 1, channels: 2, rate: 16000, bits: 16, dataSize: sizePtr(1000), data: pcm16LE(1, 2, 3, 4, 5)},
			[][]int16{{1, 3}, {2, 4}}},
		{"data shorter than the file ignores what follows", wavSpec{tag: 1, channels: 1, rate: 16000, bits: 16, dataSize: sizePtr(4), data: pcm16LE(1, 2, 3)},
			[][]int16{{1, 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clip, err := ReadWAV(bytes.NewReader(tc.spec.bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if clip.Rate != int(tc.spec.rate) {
				t.Errorf("rate = %d, want %d", clip.Rate, tc.spec.rate)
			}
			if !slices.EqualFunc(clip.Channels, tc.want, slices.Equal) {
				t.Errorf("channels = %v, want %v", clip.Channels, tc.want)
			}
		})
	}
}

func TestReadWAVErrors(t *testing.T) {
	good := wavSpec{tag: 1, channels: 1, rate: 16000, bits: 16, data: pcm16LE(1, 2)}
	with := func(f func(*wavSpec)) []byte { s := good; f(&s); return s.bytes() }
	for _, tc := range []struct {
		name     string
		in       []byte
		sentinel error
		mention  string
	}{
		{"empty", nil, ErrNotWAV, "header"},
		{"truncated header", []byte("RIFF\x00\x00"), ErrNotWAV, "header"},
		{"not RIFF", []byte("ID3\x03\x00\x00\x00\x00\x00\x00\x00\x00"), ErrNotWAV, "not a RIFF file"},
		{"not WAVE", []byte("RIFF\x00\x00\x00\x00AVI LIST"), ErrNotWAV, `"AVI "`},
		{"RF64", []byte("RF64\xff\xff\xff\xffWAVE"), ErrUnsupportedWAV, "RF64"},
		{"no fmt chunk", with(func(s *wavSpec) { s.noFmt = true; s.noData = true }), ErrNotWAV, "no fmt chunk"},
		{"data before fmt", with(func(s *wavSpec) { s.noFmt = true }), ErrNotWAV, "before fmt"},
		{"no data chunk", with(func(s *wavSpec) { s.noData = true }), ErrNotWAV, "no data chunk"},
		{"truncated fmt", good.bytes()[:20+10], ErrNotWAV, "truncated fmt"},
		{"truncated LIST", slices.Concat(with(func(s *wavSpec) { s.noData = true }), []byte("LIST\x40\x00\x00\x00abc")), ErrNotWAV, `"LIST" chunk truncated`},
		{"24-bit", with(func(s *wavSpec) { s.bits = 24 }), ErrUnsupportedWAV, "24-bit PCM is not supported; convert with sox in.wav -b 16 out.wav"},
		{"32-bit extensible", with(func(s *wavSpec) { s.bits = 32; s.extensible = true }), ErrUnsupportedWAV, "32-bit PCM"},
		{"float", with(func(s *wavSpec) { s.tag = 3; s.bits = 32 }), ErrUnsupportedWAV, "32-bit IEEE float"},
		{"ADPCM", with(func(s *wavSpec) { s.tag = 2; s.bits = 4 }), ErrUnsupportedWAV, "format tag 0x0002"},
		{"unknown GUID", with(func(s *wavSpec) { s.extensible = true; s.guidTail = make([]byte, 14) }), ErrUnsupportedWAV, "sub-format GUID"},
		{"16-bit mulaw", with(func(s *wavSpec) { s.tag = 7 }), ErrNotWAV, "16-bit G.711"},
		{"3 channels", with(func(s *wavSpec) { s.channels = 3 }), ErrUnsupportedWAV, "3 channels; only mono and stereo"},
		{"0 channels", with(func(s *wavSpec) { s.channels = 0 }), ErrNotWAV, "0 channels"},
		{"0 Hz", with(func(s *wavSpec) { s.rate = 0 }), ErrNotWAV, "0 Hz"},
		{"absurd rate", with(func(s *wavSpec) { s.rate = 0xFFFFFFF0 }), ErrNotWAV, "Hz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clip, err := ReadWAV(bytes.NewReader(tc.in))
			if err == nil {
				t.Fatalf("ReadWAV = %d channels, want an error", len(clip.Channels))
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("error %q does not wrap %v", err, tc.sentinel)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
}

func TestWriteWAVRoundTrip(t *testing.T) {
	left := make([]int16, 4410)
	right := make([]int16, 4410)
	for i := range left {
		left[i] = int16(20000 * math.Sin(2*math.Pi*440*float64(i)/44100))
		right[i] = int16(i*7919) ^ int16(i) // arbitrary bit patterns, incl. extremes
	}
	for _, tc := range []struct {
		name string
		rate int
		chs  [][]int16
	}{
		{"mono 8k", 8000, [][]int16{left[:800]}},
		{"mono 16k", 16000, [][]int16{left}},
		{"stereo 44.1k", 44100, [][]int16{left, right}},
		{"stereo 48k", 48000, [][]int16{right, left}},
		{"empty", 16000, [][]int16{{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteWAV(&buf, tc.rate, tc.chs...); err != nil {
				t.Fatal(err)
			}
			if got, want := buf.Len(), 44+2*len(tc.chs)*len(tc.chs[0]); got != want {
				t.Errorf("file is %d bytes, want %d", got, want)
			}
			clip, err := ReadWAV(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if clip.Rate != tc.rate || !slices.EqualFunc(clip.Channels, tc.chs, slices.Equal) {
				t.Errorf("round trip changed the audio: rate %d, %d channels", clip.Rate, len(clip.Channels))
			}
		})
	}
}

func TestWriteWAVRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		rate int
		chs  [][]int16
	}{
		{"no channels", 16000, nil},
		{"three channels", 16000, [][]int16{{1}, {1}, {1}}},
		{"unequal lengths", 16000, [][]int16{{1, 2}, {1}}},
		{"zero rate", 0, [][]int16{{1}}},
	} {
		if err := WriteWAV(&bytes.Buffer{}, tc.rate, tc.chs...); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestLoadWAVMissingFileNamesIt(t *testing.T) {
	_, err := LoadWAV(filepath.Join(t.TempDir(), "nope.wav"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope.wav") {
		t.Errorf("err = %v, want a not-exist error naming the file", err)
	}
}

func TestLoadWAVJFK(t *testing.T) {
	clip := loadJFK(t)
	if clip.Rate != 16000 || len(clip.Channels) != 1 {
		t.Fatalf("jfk.wav: %d Hz, %d channels; want 16000 Hz mono", clip.Rate, len(clip.Channels))
	}
	if d := clip.Duration(); d < 10900*time.Millisecond || d > 11100*time.Millisecond {
		t.Errorf("duration %v, want about 11 s", d)
	}
	var peak int
	for _, s := range clip.Channels[0] {
		peak = max(peak, wavAbs(int(s)))
	}
	if peak < 3000 {
		t.Errorf("peak %d: decoded audio looks silent or mis-decoded", peak)
	}
}

func wavAbs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// FuzzReadWAV checks ReadWAV never panics and that whatever it accepts is
// self-consistent: equal-length channels, 1 or 2 of them, a sane rate.
func FuzzReadWAV(f *testing.F) {
	seeds := []wavSpec{
		{tag: 1, channels: 1, rate: 16000, bits: 16, data: pcm16LE(1, -1, 300)},
		{tag: 1, channels: 2, rate: 8000, bits: 8, data: []byte{1, 2, 3, 4, 5}},
		{tag: 7, channels: 1, rate: 8000, bits: 8, dataSize: sizePtr(0xFFFFFFFF), data: []byte{1, 2, 3}},
		{tag: 6, extensible: true, channels: 2, rate: 8000, bits: 8, data: []byte{1, 2}},
		{tag: 1, channels: 1, rate: 48000, bits: 16, before: riffChunk("LIST", []byte("odd")), dataSize: sizePtr(99), data: pcm16LE(5)},
	}
	for _, s := range seeds {
		f.Add(s.bytes())
	}
	var buf bytes.Buffer
	if err := WriteWAV(&buf, 44100, []int16{1, 2, 3}, []int16{4, 5, 6}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, in []byte) {
		clip, err := ReadWAV(bytes.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrNotWAV) && !errors.Is(err, ErrUnsupportedWAV) {
				t.Fatalf("error %q wraps neither sentinel", err)
			}
			return
		}
		if n := len(clip.Channels); n < 1 || n > 2 {
			t.Fatalf("%d channels", n)
		}
		if clip.Rate <= 0 || clip.Rate > maxWAVRate {
			t.Fatalf("rate %d", clip.Rate)
		}
		if len(clip.Channels) == 2 && len(clip.Channels[0]) != len(clip.Channels[1]) {
			t.Fatalf("channel lengths %d and %d", len(clip.Channels[0]), len(clip.Channels[1]))
		}
	})
}
