package encoder

import "golang.org/x/sys/cpu"

// hasAVX2 says the int8 kernels can run.
var hasAVX2 = cpu.X86.HasAVX2

//go:noescape
func kernelQ4x16(groups int, a *uint8, lda int, b *int8, c *float32, ldc int, rs *float32, cs *float32, cc *int32)

//go:noescape
func kernelQ3x16(groups int, a *uint8, lda int, b *int8, c *float32, ldc int, rs *float32, cs *float32, cc *int32)

//go:noescape
func kernelQ2x16(groups int, a *uint8, lda int, b *int8, c *float32, ldc int, rs *float32, cs *float32, cc *int32)

//go:noescape
func kernelQ1x16(groups int, a *uint8, lda int, b *int8, c *float32, ldc int, rs *float32, cs *float32, cc *int32)

// mulAddQuant adds xq (n × in, int8, row scales rs) times q to y
// (n × out), four rows at a time while a strip is in cache and the last
// one to three in one more pass.
func mulAddQuant(y []float32, xq []uint8, rs []float32, q *quantDense, n, in, out int) {
	if !hasAVX2 {
		mulAddQuantGo(y, xq, rs, q, n, in, out)
		return
	}
	fours := n / 4 * 4
	for j := 0; j < out; j += 16 {
		strip := &q.strips[j*in]
		cs, cc := &q.scale[j], &q.offset[j]
		t := 0
		for ; t < fours; t += 4 {
			kernelQ4x16(in/4, &xq[t*in], in, strip, &y[t*out+j], out, &rs[t], cs, cc)
		}
		switch n - t {
		case 3:
			kernelQ3x16(in/4, &xq[t*in], in, strip, &y[t*out+j], out, &rs[t], cs, cc)
		case 2:
			kernelQ2x16(in/4, &xq[t*in], in, strip, &y[t*out+j], out, &rs[t], cs, cc)
		case 1:
			kernelQ1x16(in/4, &xq[t*in], in, strip, &y[t*out+j], out, &rs[t], cs, cc)
		}
	}
}

//go:noescape
func maxAbsAVX(x *float32, n int) float32

//go:noescape
func quantizeAVX(q *uint8, x *float32, n int, inv float32)

func maxAbs(x []float32) float32 {
	if !hasAVX2 || len(x)%8 != 0 || len(x) == 0 {
		return maxAbsGo(x)
	}
	return maxAbsAVX(&x[0], len(x))
}

func quantizeRow(q []uint8, x []float32, inv float32) {
	if !hasAVX2 || len(x)%32 != 0 || len(x) == 0 {
		quantizeRowGo(q, x, inv)
		return
	}
	quantizeAVX(&q[0], &x[0], len(x), inv)
}
