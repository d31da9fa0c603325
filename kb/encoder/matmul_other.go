//go:build !amd64

package encoder

var hasFMA = false

func mulAddStrips(y, x, strips []float32, n, in, out int) {
	panic("encoder: no FMA kernels on this architecture")
}
