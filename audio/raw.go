package audio

import (
	"encoding/binary"
	"fmt"
	"io"
)

// maxRawBytes bounds raw audio read in one go: an hour of 16 kHz stereo.
const maxRawBytes = 3600 * 16000 * 2 * 2

// ReadRawPCM reads headerless 16-bit little-endian PCM (interleaved when
// stereo), as `sox … -t raw -e signed -b 16 -` or a telephony gateway
// writes it, at the given rate.
func ReadRawPCM(r io.Reader, rate, channels int) (*Clip, error) {
	if rate < 1000 || rate > 192000 {
		return nil, fmt.Errorf("raw PCM: sample rate %d Hz is not plausible", rate)
	}
	if channels != 1 && channels != 2 {
		return nil, fmt.Errorf("raw PCM: %d channels; want 1 or 2", channels)
	}
	data, err := io.ReadAll(io.LimitReader(r, maxRawBytes+1))
	if err != nil {
		return nil, fmt.Errorf("raw PCM: %w", err)
	}
	if len(data) > maxRawBytes {
		return nil, fmt.Errorf("raw PCM: more than an hour of audio; split it")
	}
	frames := len(data) / (2 * channels)
	clip := &Clip{Rate: rate, Channels: make([][]int16, channels)}
	for ch := range clip.Channels {
		clip.Channels[ch] = make([]int16, frames)
	}
	for i := range frames {
		for ch := range channels {
			off := 2 * (i*channels + ch)
			clip.Channels[ch][i] = int16(binary.LittleEndian.Uint16(data[off:]))
		}
	}
	return clip, nil
}
