package adapt

import (
	"math"
	"math/rand/v2"

	"github.com/larkspur-labs/assist/audio"
)

// Padding is the silence Telephone puts around a clip: 200 ms, the
// endpointer's pre-roll, so a clip trimmed close to its speech reaches the
// decoder with the lead-in a live utterance has.
const Padding = audio.SampleRate / 5

// Telephone returns samples at rate as the decoder gets them from a
// telephone channel: resampled to 16 kHz with audio.Resample (the filter
// audio.ChannelDecoder streams through), padded with Padding of silence at
// each end, and with one least significant bit of seeded noise added, as
// ChannelDecoder adds to narrowband audio so that the empty band above
// 4 kHz is not exact zeros. Training features and whole-clip scoring both
// come from this one function, so they see the same audio.
func Telephone(samples []int16, rate int, seed uint64) []int16 {
	wide := audio.Resample(nil, samples, rate, audio.SampleRate)
	out := make([]int16, len(wide)+2*Padding)
	copy(out[Padding:], wide)
	rng := rand.New(rand.NewPCG(1, seed))
	for i, s := range out {
		n := int32(rng.IntN(3)) - 1
		out[i] = int16(max(min(int32(s)+n, math.MaxInt16), math.MinInt16))
	}
	return out
}
