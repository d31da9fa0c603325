package encoder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/larkspur-labs/assist/kb/encoder/encodertest"
)

// TestQuantKernelMatchesGo checks the AVX2 int8 kernels against the
// portable one, on every row count the four- and one-row kernels split.
func TestQuantKernelMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2: only the portable kernel runs")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ n, in, out int }{
		{1, 4, 16}, {2, 8, 16}, {3, 256, 32}, {4, 512, 16}, {6, 64, 32}, {7, 1536, 48}, {13, 256, 768},
	} {
		t.Run(fmt.Sprintf("%dx%dx%d", tc.n, tc.in, tc.out), func(t *testing.T) {
			w := make([]float32, tc.in*tc.out)
			for i := range w {
				w[i] = float32(rng.NormFloat64())
			}
			x := make([]float32, tc.n*tc.in)
			for i := range x {
				x[i] = float32(rng.NormFloat64() * 3)
			}
			// Extremes: a weight at -127 and an activation at -63 after
			// scaling.
			w[0], x[0] = -100, -50
			q := quantize(w, tc.in, tc.out)
			xq := make([]uint8, len(x))
			rs := make([]float32, tc.n)
			quantizeRows(xq, rs, x, tc.n, tc.in)
			want := make([]float32, tc.n*tc.out)
			got := make([]float32, tc.n*tc.out)
			for i := range want {
				want[i] = float32(i)
				got[i] = float32(i)
			}
			mulAddQuantGo(want, xq, rs, &q, tc.n, tc.in, tc.out)
			mulAddQuant(got, xq, rs, &q, tc.n, tc.in, tc.out)
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*math.Max(1, math.Abs(float64(want[i]))) {
					t.Fatalf("[%d] = %v, want %v", i, got[i], want[i])
				}
			}
			// And both near the float product.
			var errSum, sum float64
			for r := range tc.n {
				for j := range tc.out {
					var exact float64
					for k := range tc.in {
						exact += float64(x[r*tc.in+k]) * float64(w[k*tc.out+j])
					}
					d := float64(want[r*tc.out+j]) - float64(r*tc.out+j) - exact
					errSum += d * d
					sum += exact * exact
				}
			}
			if rel := math.Sqrt(errSum / sum); rel > 0.03 {
				t.Errorf("relative error of the int8 product %.4f, want under 0.03", rel)
			}
		})
	}
}

// TestQuantizeRowMatchesGo checks the AVX2 quantizer, ties included.
func TestQuantizeRowMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2: only the portable quantizer runs")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, 1536)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	x[5], x[6], x[7], x[100] = 0.5, 1.5, -2.5, -9
	if got, want := maxAbs(x), maxAbsGo(x); got != want {
		t.Fatalf("maxAbs %v, want %v", got, want)
	}
	for _, inv := range []float32{1, 63 / 9} {
		got, want := make([]uint8, len(x)), make([]uint8, len(x))
		quantizeRow(got, x, inv)
		quantizeRowGo(want, x, inv)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("inv %v: q[%d] = %d, want %d (x %v)", inv, i, got[i], want[i], x[i])
			}
		}
	}
}

// TestPortableEncodingMatchesAVX2 encodes as a CPU without AVX2 would,
// through the Go kernels end to end, and compares with the assembly.
func TestPortableEncodingMatchesAVX2(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2: only the portable path runs")
	}
	m, err := Load(encodertest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"my card has not arrived", "how do I top up by bank transfer from another country?"}
	fast := m.EncodeBatch(texts)
	hasAVX2 = false
	defer func() { hasAVX2 = true }()
	portable := m.EncodeBatch(texts)
	for i := range texts {
		for d := range fast[i] {
			if math.Abs(float64(fast[i][d]-portable[i][d])) > 1e-5 {
				t.Fatalf("%q: dimension %d is %v with AVX2, %v without", texts[i], d, fast[i][d], portable[i][d])
			}
		}
	}
}

// TestDotAndAxpyMatchGo checks the attention's AVX2 kernels.
func TestDotAndAxpyMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{16, 64, 128, 7} {
		a, b := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i], b[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		if got, want := dot(a, b), dotGo(a, b); math.Abs(float64(got-want)) > 1e-4 {
			t.Errorf("n=%d: dot %v, want %v", n, got, want)
		}
		y1, y2 := slices.Clone(b), slices.Clone(b)
		axpy(0.5, a, y1)
		axpyGo(0.5, a, y2)
		for i := range y1 {
			if math.Abs(float64(y1[i]-y2[i])) > 1e-6 {
				t.Fatalf("n=%d: axpy [%d] %v, want %v", n, i, y1[i], y2[i])
			}
		}
	}
}
