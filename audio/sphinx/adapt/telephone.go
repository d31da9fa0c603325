package adapt

import (
	"math"
	"math/rand/v2"

	"github.com/larkspur-labs/assist/audio"
)

// Padding is the silence Telephone puts around a clip: 50 ms. FSDD's
// clips are trimmed close to their speech, and the decoder estimates the
// cepstral mean over the whole of a short utterance, so the padding
// weighs on every frame's features. Speaker-held-out on recordings 5–14
// (600 clips), transforms trained with 200, 100, 50 and 25 ms of padding
// gave the endpointer's decoding (which adds none) word error rates of
// 0.427, 0.407, 0.405 and 0.403; with none, the front end finds no speech
// in some clips at all.
const Padding = audio.SampleRate / 20

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
