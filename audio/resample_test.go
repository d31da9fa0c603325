package audio

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// tone returns n samples of a sine at freq Hz sampled at rate Hz.
func tone(freq float64, amp float64, rate, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(math.Round(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
	}
	return s
}

// middle drops the first and last tenth, where the filter sees the clip's
// edges rather than the steady tone.
func middle(s []int16) []int16 { return s[len(s)/10 : len(s)-len(s)/10] }

// amplitudeAt measures the amplitude of the freq Hz component of s by
// correlating with a sine and a cosine (a one-bin DFT).
func amplitudeAt(s []int16, freq float64, rate int) float64 {
	var re, im float64
	for i, v := range s {
		ph := 2 * math.Pi * freq * float64(i) / float64(rate)
		re += float64(v) * math.Cos(ph)
		im += float64(v) * math.Sin(ph)
	}
	return 2 * math.Hypot(re, im) / float64(len(s))
}

func rms(s []int16) float64 {
	var sum float64
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(max(len(s), 1)))
}

func dB(ratio float64) float64 { return 20 * math.Log10(ratio) }

func TestResampleToneRoundTrip8k16k8k(t *testing.T) {
	in := tone(1000, 10000, 8000, 8000)
	up := Resample(nil, in, 8000, 16000)
	back := Resample(nil, up, 16000, 8000)
	if len(up) != 16000 || len(back) != 8000 {
		t.Fatalf("lengths %d, %d; want 16000, 8000", len(up), len(back))
	}
	diff := make([]int16, len(in))
	for i := range in {
		diff[i] = in[i] - back[i]
	}
	snr := dB(rms(middle(in)) / rms(middle(diff)))
	t.Logf("8k→16k→8k SNR %.1f dB", snr)
	if snr < 50 {
		t.Errorf("1 kHz tone 8k→16k→8k: SNR %.1f dB, want ≥ 50 dB", snr)
	}
}

func TestResampleSuppressesAliasing(t *testing.T) {
	// Tones above 4 kHz have no place at 8 kHz; without a filter they fold
	// back into the voice band at full strength (6 → 2 kHz, 4.5 → 3.5 kHz,
	// the latter just past the transition band).
	for _, freq := range []float64{6000, 4500} {
		in := tone(freq, 10000, 16000, 16000)
		out := Resample(nil, in, 16000, 8000)
		att := dB(max(rms(middle(out)), 0.5) / rms(middle(in)))
		t.Logf("%.0f Hz 16k→8k: %.1f dB", freq, att)
		if att > -40 {
			t.Errorf("%.0f Hz tone 16k→8k is %.1f dB, want ≤ -40 dB", freq, att)
		}
	}
}

func TestResamplePassesVoiceBandAndRejectsImages(t *testing.T) {
	in := tone(3400, 10000, 8000, 8000)
	out := Resample(nil, in, 8000, 16000)
	gain := dB(amplitudeAt(middle(out), 3400, 16000) / 10000)
	img := dB(amplitudeAt(middle(out), 4600, 16000) / 10000)
	t.Logf("8k→16k: 3.4 kHz gain %.3f dB, 4.6 kHz image %.1f dB", gain, img)
	if math.Abs(gain) > 1 {
		t.Errorf("3.4 kHz tone 8k→16k: gain %.2f dB, want within ±1 dB", gain)
	}
	// Upsampling without a filter leaves a mirror image at 8000−3400 Hz.
	if img > -40 {
		t.Errorf("4.6 kHz image: %.1f dB, want ≤ -40 dB", img)
	}
}

// Recordings come in at 44.1 and 48 kHz: speech-band content must pass and
// everything above the 8 kHz Nyquist must go.
func TestResampleRecordingRatesTo16k(t *testing.T) {
	for _, from := range []int{44100, 48000} {
		pass := Resample(nil, tone(1000, 10000, from, from), from, 16000)
		if len(pass) != 16000 {
			t.Errorf("%d → 16000: %d samples, want 16000", from, len(pass))
		}
		if gain := dB(amplitudeAt(middle(pass), 1000, 16000) / 10000); math.Abs(gain) > 0.1 {
			t.Errorf("%d → 16000: 1 kHz gain %.2f dB, want within ±0.1 dB", from, gain)
		}
		stop := Resample(nil, tone(11000, 10000, from, from), from, 16000)
		if att := dB(rms(middle(stop)) / (10000 / math.Sqrt2)); att > -40 {
			t.Errorf("%d → 16000: 11 kHz tone at %.1f dB, want ≤ -40 dB", from, att)
		}
	}
}

func TestResampleDCIsExact(t *testing.T) {
	in := slices.Repeat([]int16{1234}, 4410)
	for _, to := range []int{8000, 16000, 48000} {
		for _, v := range middle(Resample(nil, in, 44100, to)) {
			if v != 1234 {
				t.Fatalf("44100 → %d: DC 1234 came out as %d", to, v)
			}
		}
	}
}

func TestResamplerChunkedEqualsWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([]int16, 20000)
	for i := range src {
		src[i] = int16(rng.IntN(40000) - 20000)
	}
	// 44101 → 16000 needs 16000 phases, so it exercises the rounded-phase
	// path as well.
	for _, rates := range [][2]int{{8000, 16000}, {16000, 8000}, {44100, 16000}, {48000, 16000}, {16000, 44100}, {44101, 16000}, {16000, 16000}} {
		from, to := rates[0], rates[1]
		whole := Resample(nil, src, from, to)
		r, err := NewResampler(from, to)
		if err != nil {
			t.Fatal(err)
		}
		var chunked []int16
		for rest := src; len(rest) > 0; {
			n := min(len(rest), rng.IntN(700))
			chunked = r.Process(chunked, rest[:n])
			rest = rest[n:]
		}
		chunked = r.Flush(chunked)
		if !slices.Equal(chunked, whole) {
			t.Errorf("%d → %d: chunked output (%d samples) differs from whole (%d)", from, to, len(chunked), len(whole))
		}
		// After Flush the Resampler starts afresh.
		if again := r.Flush(r.Process(nil, src)); !slices.Equal(again, whole) {
			t.Errorf("%d → %d: reuse after Flush differs", from, to)
		}
	}
}

func TestResampleLength(t *testing.T) {
	for _, tc := range []struct{ n, from, to, want int }{
		{0, 8000, 16000, 0},
		{1, 8000, 16000, 2},
		{3, 16000, 8000, 2},
		{441, 44100, 16000, 160},
		{442, 44100, 16000, 161},
		{7, 48000, 16000, 3},
	} {
		if got := len(Resample(nil, make([]int16, tc.n), tc.from, tc.to)); got != tc.want {
			t.Errorf("%d samples %d → %d: %d out, want %d", tc.n, tc.from, tc.to, got, tc.want)
		}
	}
}

func TestNewResamplerRejectsBadRates(t *testing.T) {
	for _, rates := range [][2]int{{0, 16000}, {8000, 0}, {-8000, 16000}, {8000, -1}, {2_000_000, 16000}} {
		if _, err := NewResampler(rates[0], rates[1]); err == nil {
			t.Errorf("NewResampler(%d, %d): no error", rates[0], rates[1])
		}
	}
}

func TestResampleSameRateCopies(t *testing.T) {
	src := []int16{1, -2, 3}
	dst := Resample(nil, src, 16000, 16000)
	if !slices.Equal(dst, src) {
		t.Fatalf("got %v, want %v", dst, src)
	}
	dst[0] = 99
	if src[0] != 1 {
		t.Error("Resample at the same rate aliased its input")
	}
}

func TestResampleClampsInsteadOfWrapping(t *testing.T) {
	// A full-scale square wave rings past full scale (Gibbs); the overshoot
	// must saturate, not wrap to the opposite sign.
	in := make([]int16, 800)
	for i := range in {
		in[i] = math.MaxInt16
		if i/40%2 == 1 {
			in[i] = math.MinInt16
		}
	}
	out := Resample(nil, in, 8000, 16000)
	for i := 2; i+2 < len(out); i++ {
		if (in[i/2] > 0) != (out[i] > 0) && (in[(i-1)/2] == in[(i+2)/2]) {
			t.Fatalf("sample %d flipped sign: in %d, out %d", i, in[i/2], out[i])
		}
	}
}

// BenchmarkResample8kTo16k converts 10 s of telephony audio; real-time
// factor = 10 s / (ns/op).
func BenchmarkResample8kTo16k(b *testing.B) {
	src := tone(440, 8000, 8000, 10*8000)
	dst := make([]int16, 0, 10*16000)
	b.SetBytes(int64(2 * len(src)))
	for b.Loop() {
		dst = Resample(dst, src, 8000, 16000)
	}
	b.ReportMetric(10e9/(float64(b.Elapsed().Nanoseconds())/float64(b.N)), "x-realtime")
}

// BenchmarkResample44kTo16k converts 10 s of a CD-rate recording, the
// costliest common ratio (160 phases, 190 taps).
func BenchmarkResample44kTo16k(b *testing.B) {
	src := tone(440, 8000, 44100, 10*44100)
	dst := make([]int16, 0, 10*16000)
	for b.Loop() {
		dst = Resample(dst, src, 44100, 16000)
	}
	b.ReportMetric(10e9/(float64(b.Elapsed().Nanoseconds())/float64(b.N)), "x-realtime")
}
