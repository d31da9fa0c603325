//go:build !amd64

package encoder

var hasAVX2 = false

func mulAddQuant(y []float32, xq []uint8, rs []float32, q *quantDense, n, in, out int) {
	mulAddQuantGo(y, xq, rs, q, n, in, out)
}

func maxAbs(x []float32) float32 { return maxAbsGo(x) }

func quantizeRow(q []uint8, x []float32, inv float32) { quantizeRowGo(q, x, inv) }
