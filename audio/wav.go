package audio

// This file reads and writes RIFF/WAVE files: the recordings call-centre
// platforms export (16-bit PCM, or G.711 μ-law/A-law straight off the
// line) and the test fixtures the evals replay.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Clip is a decoded recording: its sample rate and one slice of 16-bit
// samples per channel (de-interleaved; stereo call recordings usually put
// the agent on one channel and the customer on the other).
type Clip struct {
	Rate     int
	Channels [][]int16
}

// Duration returns the clip's length in audio time.
func (c *Clip) Duration() time.Duration {
	if c.Rate <= 0 || len(c.Channels) == 0 {
		return 0
	}
	return time.Duration(len(c.Channels[0])) * time.Second / time.Duration(c.Rate)
}

// ErrNotWAV is wrapped by every error about a file that is not a well-formed
// WAV file; ErrUnsupportedWAV by every error about a well-formed one whose
// encoding this package does not decode. Callers tell "bad file" from "needs
// converting" with errors.Is.
var (
	ErrNotWAV         = errors.New("not a valid WAV file")
	ErrUnsupportedWAV = errors.New("unsupported WAV encoding")
)

// WAVE format tags (mmreg.h).
const (
	formatPCM        = 1
	formatFloat      = 3
	formatAlaw       = 6
	formatMulaw      = 7
	formatExtensible = 0xFFFE
)

const (
	maxWAVChannels = 2
	// maxWAVRate rejects headers whose rate is garbage rather than audio:
	// nothing a contact centre records is above 384 kHz.
	maxWAVRate = 384000
	// maxWAVFmtSize bounds the fmt chunk we read into memory; real ones are
	// 16, 18 or 40 bytes.
	maxWAVFmtSize = 1 << 10
	// wavStreamingSize is the data size streaming writers put in the header
	// when they do not know the length (alongside 0).
	wavStreamingSize = 0xFFFFFFFF
)

// ksdataformatSubtypeTail is bytes 2..15 of every KSDATAFORMAT_SUBTYPE GUID
// used with WAVE_FORMAT_EXTENSIBLE; bytes 0..1 hold the plain format tag.
var ksdataformatSubtypeTail = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// LoadWAV reads the WAV file at path.
func LoadWAV(path string) (*Clip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load wav: %w", err)
	}
	defer f.Close()
	clip, err := ReadWAV(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return clip, nil
}

// ReadWAV decodes a RIFF/WAVE stream: PCM 8-bit unsigned or 16-bit signed,
// G.711 A-law or μ-law, plain or wrapped in WAVE_FORMAT_EXTENSIBLE; mono
// or stereo; any rate. Chunks other than fmt and data are skipped. A data
// size of 0 or 0xFFFFFFFF (written by streaming recorders that never went
// back to patch the header) means "to the end of the file", and a data
// chunk that claims more than the file holds is truncated to what is
// there, dropping a final partial frame.
func ReadWAV(r io.Reader) (*Clip, error) {
	if err := readRIFFHeader(r); err != nil {
		return nil, err
	}
	var fmtc *wavFormat
	for {
		id, size, err := readChunkHeader(r)
		if err != nil {
			if fmtc == nil {
				return nil, fmt.Errorf("read wav: no fmt chunk: %w", ErrNotWAV)
			}
			return nil, fmt.Errorf("read wav: no data chunk: %w", ErrNotWAV)
		}
		switch id {
		case "fmt ":
			if fmtc, err = readWAVFormat(r, size); err != nil {
				return nil, err
			}
		case "data":
			if fmtc == nil {
				return nil, fmt.Errorf("read wav: data chunk before fmt chunk: %w", ErrNotWAV)
			}
			data, err := readWAVData(r, size)
			if err != nil {
				return nil, err
			}
			return fmtc.decode(data), nil
		default:
			if err := skipRIFFChunk(r, size); err != nil {
				return nil, fmt.Errorf("read wav: %q chunk truncated before any data chunk: %w (%w)", id, err, ErrNotWAV)
			}
		}
	}
}

func readRIFFHeader(r io.Reader) error {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return fmt.Errorf("read wav: header: %w (%w)", err, ErrNotWAV)
	}
	switch magic := string(hdr[0:4]); magic {
	case "RIFF":
	case "RF64":
		return fmt.Errorf("read wav: RF64 (over-4-GB WAV) is not supported: %w", ErrUnsupportedWAV)
	default:
		return fmt.Errorf("read wav: not a RIFF file (starts with %q): %w", magic, ErrNotWAV)
	}
	if form := string(hdr[8:12]); form != "WAVE" {
		return fmt.Errorf("read wav: RIFF form is %q, not WAVE: %w", form, ErrNotWAV)
	}
	return nil
}

func readChunkHeader(r io.Reader) (id string, size uint32, err error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return "", 0, err
	}
	return string(hdr[0:4]), binary.LittleEndian.Uint32(hdr[4:8]), nil
}

// skipRIFFChunk discards a chunk's body and its pad byte: RIFF chunks start on
// even offsets, so an odd-sized chunk is followed by one byte of padding.
func skipRIFFChunk(r io.Reader, size uint32) error {
	n := int64(size) + int64(size&1)
	_, err := io.CopyN(io.Discard, r, n)
	return err
}

// wavFormat is what the fmt chunk says, reduced to what decoding needs.
type wavFormat struct {
	tag      uint16 // formatPCM, formatAlaw or formatMulaw after unwrapping
	channels int
	rate     int
	bits     int
}

func readWAVFormat(r io.Reader, size uint32) (*wavFormat, error) {
	if size < 16 || size > maxWAVFmtSize {
		return nil, fmt.Errorf("read wav: fmt chunk of %d bytes (want 16 to %d): %w", size, maxWAVFmtSize, ErrNotWAV)
	}
	body := make([]byte, int(size)+int(size&1))
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("read wav: truncated fmt chunk: %w (%w)", err, ErrNotWAV)
	}
	f := &wavFormat{
		tag:      binary.LittleEndian.Uint16(body[0:2]),
		channels: int(binary.LittleEndian.Uint16(body[2:4])),
		rate:     int(binary.LittleEndian.Uint32(body[4:8])),
		bits:     int(binary.LittleEndian.Uint16(body[14:16])),
	}
	if f.tag == formatExtensible {
		if err := f.unwrapExtensible(body[:size]); err != nil {
			return nil, err
		}
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// unwrapExtensible replaces the extensible tag with the plain tag its
// sub-format GUID names. The container's bits per sample stays the storage
// size; valid bits below it (20-in-24 and the like) only matter for depths
// we reject anyway.
func (f *wavFormat) unwrapExtensible(body []byte) error {
	if len(body) < 40 {
		return fmt.Errorf("read wav: WAVE_FORMAT_EXTENSIBLE fmt chunk of %d bytes (want 40): %w", len(body), ErrNotWAV)
	}
	guid := body[24:40]
	if !bytes.Equal(guid[2:], ksdataformatSubtypeTail) {
		return fmt.Errorf("read wav: WAVE_FORMAT_EXTENSIBLE with unknown sub-format GUID % x: %w", guid, ErrUnsupportedWAV)
	}
	f.tag = binary.LittleEndian.Uint16(guid[0:2])
	return nil
}

func (f *wavFormat) validate() error {
	switch {
	case f.channels == 0:
		return fmt.Errorf("read wav: header says 0 channels: %w", ErrNotWAV)
	case f.channels > maxWAVChannels:
		return fmt.Errorf("read wav: %d channels; only mono and stereo are supported (mix down with sox in.wav -c 1 out.wav): %w", f.channels, ErrUnsupportedWAV)
	case f.rate <= 0 || f.rate > maxWAVRate:
		return fmt.Errorf("read wav: header says %d Hz: %w", f.rate, ErrNotWAV)
	}
	switch f.tag {
	case formatPCM:
		if f.bits != 8 && f.bits != 16 {
			return fmt.Errorf("read wav: %d-bit PCM is not supported; convert with sox in.wav -b 16 out.wav: %w", f.bits, ErrUnsupportedWAV)
		}
	case formatAlaw, formatMulaw:
		if f.bits != 8 {
			return fmt.Errorf("read wav: %d-bit G.711 is not valid (G.711 is 8-bit): %w", f.bits, ErrNotWAV)
		}
	case formatFloat:
		return fmt.Errorf("read wav: %d-bit IEEE float is not supported; convert with sox in.wav -b 16 -e signed-integer out.wav: %w", f.bits, ErrUnsupportedWAV)
	default:
		return fmt.Errorf("read wav: format tag %#04x is not supported (PCM, A-law and μ-law are); convert with sox in.wav -b 16 -e signed-integer out.wav: %w", f.tag, ErrUnsupportedWAV)
	}
	return nil
}

// readWAVData reads the data chunk's body. Sizes of 0 and 0xFFFFFFFF mean
// "until EOF"; a short body is kept as far as it goes. io.ReadAll grows its
// buffer as bytes arrive, so a lying header cannot make us allocate 4 GB.
func readWAVData(r io.Reader, size uint32) ([]byte, error) {
	if size != 0 && size != wavStreamingSize {
		r = io.LimitReader(r, int64(size))
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read wav: data chunk: %w", err)
	}
	return data, nil
}

// decode de-interleaves and expands the data bytes, dropping a trailing
// partial frame (a truncated file rarely ends on a frame boundary).
func (f *wavFormat) decode(data []byte) *Clip {
	width := 1
	if f.tag == formatPCM && f.bits == 16 {
		width = 2
	}
	frames := len(data) / (width * f.channels)
	clip := &Clip{Rate: f.rate, Channels: make([][]int16, f.channels)}
	for c := range clip.Channels {
		clip.Channels[c] = make([]int16, frames)
	}
	sample := f.sampleDecoder()
	for i := range frames {
		for c, ch := range clip.Channels {
			off := (i*f.channels + c) * width
			ch[i] = sample(data[off : off+width])
		}
	}
	return clip
}

func (f *wavFormat) sampleDecoder() func([]byte) int16 {
	switch {
	case f.tag == formatAlaw:
		return func(b []byte) int16 { return alawTable[b[0]] }
	case f.tag == formatMulaw:
		return func(b []byte) int16 { return mulawTable[b[0]] }
	case f.bits == 8:
		// 8-bit WAV PCM is unsigned with 128 as silence.
		return func(b []byte) int16 { return int16(int(b[0])-128) << 8 }
	default:
		return func(b []byte) int16 { return int16(binary.LittleEndian.Uint16(b)) }
	}
}

// WriteWAV writes a 16-bit PCM WAV file with one or two channels of equal
// length at the given rate.
func WriteWAV(w io.Writer, rate int, channels ...[]int16) error {
	if err := checkWAVWriteArgs(rate, channels); err != nil {
		return err
	}
	n := len(channels[0])
	nch := len(channels)
	dataSize := uint64(n) * uint64(nch) * 2
	if dataSize > wavStreamingSize-36 {
		return fmt.Errorf("write wav: %d bytes of samples do not fit a RIFF file (4 GB)", dataSize)
	}
	bw := bufio.NewWriter(w)
	writeWAVHeader(bw, rate, nch, uint32(dataSize))
	var buf [2]byte
	for i := range n {
		for _, ch := range channels {
			binary.LittleEndian.PutUint16(buf[:], uint16(ch[i]))
			bw.Write(buf[:]) // the error sticks in bw; Flush reports it
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	return nil
}

func checkWAVWriteArgs(rate int, channels [][]int16) error {
	if rate <= 0 || rate > maxWAVRate {
		return fmt.Errorf("write wav: rate %d Hz out of range", rate)
	}
	if len(channels) == 0 || len(channels) > maxWAVChannels {
		return fmt.Errorf("write wav: %d channels; want 1 or 2", len(channels))
	}
	for c, ch := range channels[1:] {
		if len(ch) != len(channels[0]) {
			return fmt.Errorf("write wav: channel %d has %d samples, channel 0 has %d", c+1, len(ch), len(channels[0]))
		}
	}
	return nil
}

func writeWAVHeader(w io.Writer, rate, nch int, dataSize uint32) {
	const bits = 16
	blockAlign := nch * bits / 8
	var h [44]byte
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], 36+dataSize)
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], formatPCM)
	binary.LittleEndian.PutUint16(h[22:], uint16(nch))
	binary.LittleEndian.PutUint32(h[24:], uint32(rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(rate*blockAlign))
	binary.LittleEndian.PutUint16(h[32:], uint16(blockAlign))
	binary.LittleEndian.PutUint16(h[34:], bits)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], dataSize)
	w.Write(h[:])
}
