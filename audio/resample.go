package audio

// This file converts sample rates: telephony audio arrives at 8 kHz,
// recordings at 44.1 or 48 kHz, and recognizers take SampleRate (16 kHz).
//
// The converter is a polyphase windowed-sinc filter. For a rate ratio
// to/from = up/down (reduced), output sample n sits at input time
// n·down/up; its value is the input convolved with a Kaiser-windowed sinc
// centred on that instant. The sinc's cutoff sits a little below the lower
// of the two Nyquist frequencies, so downsampling removes what would alias
// and upsampling removes the spectral images. Because the kernel is
// centred, output is time-aligned with input (no group delay to undo); a
// streaming Resampler pays for that with kernelHalfWidth input samples of
// latency.

import (
	"errors"
	"fmt"
	"math"
)

const (
	// cutoffRatio places the cutoff at 93.75% of the lower Nyquist: 3.75 kHz
	// for telephony, keeping the 300–3400 Hz voice band flat while the
	// transition band is over before Nyquist.
	cutoffRatio = 0.9375
	// zeroCrossings is how many sinc lobes each side of the centre the
	// kernel keeps; with the window below it gives a ~0.5 kHz transition at
	// 8 kHz and ~70 dB stopband.
	zeroCrossings = 32
	// kaiserBeta trades stopband depth (≈ 72 dB) against transition width.
	kaiserBeta = 7.0
	// maxPhases bounds the coefficient table. Every common audio ratio
	// (8/16/22.05/44.1/48 kHz among themselves) needs at most 441 phases;
	// rarer ratios round each output's position to the nearest of
	// maxPhases, a timing error under 1/2048 sample (below 16-bit noise for
	// speech).
	maxPhases = 1024
	// maxResampleRate rejects rates that are garbage rather than audio.
	maxResampleRate = 1_000_000
)

// Resampler converts a stream of 16-bit mono samples from one rate to
// another, keeping filter state across calls: feeding a clip in chunks of
// any size gives the same output as feeding it whole. A Resampler is used
// from one goroutine.
type Resampler struct {
	from, to int
	up, down int // to/from reduced
	same     bool

	phases int       // rows of coefs: up, or maxPhases when up is larger
	half   int       // kernel half-width in input samples
	taps   int       // 2·half coefficients per phase
	coefs  []float32 // phases × taps

	buf      []float32 // input history; buf[0] is input sample bufStart
	bufStart int64
	nIn      int64 // input samples accepted since the last Flush
	nOut     int64 // output samples produced since the last Flush
	base     int64 // floor(nOut·down/up): the input sample output nOut sits at or after
	rem      int   // (nOut·down) mod up: how far past base, in 1/up samples
}

// NewResampler returns a Resampler from one rate to another, in Hz. Rates
// must be positive and at most 1 MHz.
func NewResampler(from, to int) (*Resampler, error) {
	if from <= 0 || to <= 0 || from > maxResampleRate || to > maxResampleRate {
		return nil, fmt.Errorf("new resampler %d → %d Hz: %w", from, to, errBadRate)
	}
	g := gcd(from, to)
	r := &Resampler{from: from, to: to, up: to / g, down: from / g, same: from == to}
	if !r.same {
		r.design()
		r.reset()
	}
	return r, nil
}

var errBadRate = errors.New("rates must be between 1 Hz and 1 MHz")

// Resample converts a whole clip of 16-bit mono samples from one rate to
// another, into dst (grown as needed), and returns it. The output has
// ceil(len(src)·to/from) samples. Equal rates copy. It panics on rates
// NewResampler rejects, which only a programming error produces (WAV
// rates are validated when read).
func Resample(dst, src []int16, from, to int) []int16 {
	r, err := NewResampler(from, to)
	if err != nil {
		panic("audio.Resample: " + err.Error())
	}
	return r.Flush(r.Process(dst[:0], src))
}

// Process feeds src and appends to dst every output sample that src makes
// computable, returning the extended slice (pass buf[:0] to reuse storage).
// Output lags input by the filter's half-width; Flush drains it.
func (r *Resampler) Process(dst, src []int16) []int16 {
	if r.same {
		return append(dst, src...)
	}
	// Work through src a block at a time so the float history stays a few
	// kilobytes (cache-resident) however long src is.
	for len(src) > 0 {
		n := min(len(src), processBlock)
		for _, s := range src[:n] {
			r.buf = append(r.buf, float32(s))
		}
		r.nIn += int64(n)
		src = src[n:]
		dst = r.drain(dst, r.nIn)
		r.discardHistory()
	}
	return dst
}

// processBlock is how many input samples Process converts at a time.
const processBlock = 2048

// Flush appends the outputs still held back, computed as if silence
// followed the input, and resets the Resampler for a new stream. After
// Flush the stream has produced ceil(inputs·to/from) samples in all.
func (r *Resampler) Flush(dst []int16) []int16 {
	if r.same {
		return dst
	}
	// Pad with enough silence for the last output's kernel.
	for range r.half + 1 {
		r.buf = append(r.buf, 0)
	}
	total := (r.nIn*int64(r.up) + int64(r.down) - 1) / int64(r.down)
	for r.nOut < total {
		dst = append(dst, r.next())
	}
	r.reset()
	return dst
}

// reset empties the history, priming it with half−1 zeros so the first
// outputs' kernels read silence before the stream starts.
func (r *Resampler) reset() {
	r.buf = append(r.buf[:0], make([]float32, r.half-1)...)
	r.bufStart = -int64(r.half - 1)
	r.nIn, r.nOut, r.base, r.rem = 0, 0, 0, 0
}

// drain appends outputs while their whole kernel lies below input index
// limit.
func (r *Resampler) drain(dst []int16, limit int64) []int16 {
	for {
		base, _ := r.position()
		if base+int64(r.half) >= limit {
			return dst
		}
		dst = append(dst, r.next())
	}
}

// position returns the input sample and coefficient phase of the next
// output. When phases are quantised, rounding up to a whole sample moves to
// the next input sample at phase 0.
func (r *Resampler) position() (base int64, phase int) {
	if r.phases == r.up {
		return r.base, r.rem
	}
	phase = int((int64(r.rem)*int64(r.phases) + int64(r.up)/2) / int64(r.up))
	if phase == r.phases {
		return r.base + 1, 0
	}
	return r.base, phase
}

// next computes the next output and advances the output clock.
func (r *Resampler) next() int16 {
	base, phase := r.position()
	off := int(base - int64(r.half) + 1 - r.bufStart)
	x := r.buf[off : off+r.taps]
	c := r.coefs[phase*r.taps : (phase+1)*r.taps]
	acc := dot(x, c)
	r.rem += r.down
	r.base += int64(r.rem / r.up)
	r.rem %= r.up
	r.nOut++
	return clamp16(acc)
}

// dot is the kernel's inner product. Four accumulators break the
// add-latency chain (≈2× faster than one); taps is even, so at most two
// products are left for the tail.
func dot(x, c []float32) float32 {
	c = c[:len(x)]
	var a0, a1, a2, a3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		a0 += x[i] * c[i]
		a1 += x[i+1] * c[i+1]
		a2 += x[i+2] * c[i+2]
		a3 += x[i+3] * c[i+3]
	}
	for ; i < len(x); i++ {
		a0 += x[i] * c[i]
	}
	return (a0 + a1) + (a2 + a3)
}

// discardHistory drops input no future output's kernel reaches.
func (r *Resampler) discardHistory() {
	base, _ := r.position()
	drop := int(base - int64(r.half) + 1 - r.bufStart)
	if drop <= 0 {
		return
	}
	n := copy(r.buf, r.buf[drop:])
	r.buf = r.buf[:n]
	r.bufStart += int64(drop)
}

// design fills the coefficient table: for each phase p (the output sitting
// p/phases of a sample after its base input), taps coefficients for inputs
// base−half+1 … base+half. Each row is normalised to unit sum so DC and
// low frequencies pass at exactly unity gain whatever the phase.
func (r *Resampler) design() {
	r.phases = min(r.up, maxPhases)
	// Cutoff in cycles per input sample: below the output's Nyquist when
	// downsampling, below the input's when upsampling.
	fc := cutoffRatio * 0.5 * float64(min(r.from, r.to)) / float64(r.from)
	r.half = int(math.Ceil(zeroCrossings / (2 * fc)))
	r.taps = 2 * r.half
	r.coefs = make([]float32, r.phases*r.taps)
	for p := range r.phases {
		row := r.coefs[p*r.taps : (p+1)*r.taps]
		frac := float64(p) / float64(r.phases)
		var sum float64
		w := make([]float64, r.taps)
		for k := range w {
			d := frac + float64(r.half-1-k) // output time minus input time
			w[k] = windowedSinc(d, fc, float64(r.half))
			sum += w[k]
		}
		for k, v := range w {
			row[k] = float32(v / sum)
		}
	}
}

// windowedSinc is the low-pass kernel with cutoff fc (cycles per sample)
// at distance d samples, Kaiser-windowed to zero at ±half.
func windowedSinc(d, fc, half float64) float64 {
	x := d / half
	if x <= -1 || x >= 1 {
		return 0
	}
	sinc := 1.0
	if d != 0 {
		a := 2 * math.Pi * fc * d
		sinc = math.Sin(a) / a
	}
	return 2 * fc * sinc * besselI0(kaiserBeta*math.Sqrt(1-x*x)) / besselI0(kaiserBeta)
}

// besselI0 is the modified Bessel function of the first kind, order 0, by
// its power series (converges fast for the arguments a Kaiser window uses).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; term > 1e-12*sum; k++ {
		term *= q / float64(k*k)
		sum += term
	}
	return sum
}

func clamp16(v float32) int16 {
	switch {
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	}
	return int16(math.Round(float64(v)))
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
