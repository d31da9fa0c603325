//go:build !amd64

package encoder

var hasFMA = false

func mulAddStrips(y, x, strips []float32, n, in, out int) {
	panic("encoder: no FMA kernels on this architecture")
}

func dot(a, b []float32) float32 { return dotGo(a, b) }

func axpy(alpha float32, x, y []float32) { axpyGo(alpha, x, y) }
