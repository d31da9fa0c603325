//go:build !amd64

package encoder

const hasFMA = false

func mulAddStrips(y, x, strips []float32, n, in, out int) {
	panic("encoder: no FMA kernels on this architecture")
}
