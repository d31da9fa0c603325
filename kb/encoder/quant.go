package encoder

import "math"

// The dense layers run on int8 weights and 7-bit activations: each weight
// column has its own scale (its largest magnitude maps to 127), each row
// of activations too (its largest maps to 63), and the products add up
// exactly in int32 before one multiplication by both scales turns them
// back into floats. That reads a quarter of the memory float32 weights
// do, and multiplies 32 byte pairs in an instruction where FMA does 8.
//
// AVX2's byte product (VPMADDUBSW) takes one side unsigned and adds pairs
// into an int16 that saturates: activations go in offset by 64, from 1 to
// 127, so a pair is at most 2·127·127, and what the offset adds, 64 times
// each column's sum of weights, is taken off once at the end. Signed
// 8-bit activations would need each weight to take its activation's sign
// first, three more instructions in ten, and BANKING77 did not tell the
// two apart (see README).

// quantDense is a dense layer's weights as int8 strips of 16 columns:
// for each group of four inputs, 64 bytes, columns 0–7 then 8–15, each
// column's four weights side by side, the order the AVX2 kernel reads.
type quantDense struct {
	strips []int8
	scale  []float32 // one a column: its weights are strips × scale
	offset []int32   // one a column: 64 × the sum of its int8 weights
}

// quantize packs w (in × out, row-major; in a multiple of 4, out of 16).
func quantize(w []float32, in, out int) quantDense {
	q := quantDense{strips: make([]int8, in*out), scale: make([]float32, out), offset: make([]int32, out)}
	for j := range out {
		var mx float32
		for k := range in {
			mx = max(mx, abs32(w[k*out+j]))
		}
		if mx > 0 {
			q.scale[j] = mx / 127
		}
	}
	for j := range out {
		s := q.scale[j]
		if s == 0 {
			continue
		}
		strip, half, c := j/16, (j%16)/8, j%8
		for k := range in {
			g, kk := k/4, k%4
			v := int8(math.Round(float64(w[k*out+j] / s)))
			q.strips[strip*in*16+g*64+half*32+c*4+kk] = v
			q.offset[j] += 64 * int32(v)
		}
	}
	return q
}

// quantizeRows writes n rows of x (width in) into xq, offset by 64, with
// each row's scale into rs: the row's largest magnitude maps to 63, and
// values round to the nearest integer, ties to even, as AVX2 rounds. A row
// of zeros gets scale 0, which zeroes its products whatever its bytes.
func quantizeRows(xq []uint8, rs []float32, x []float32, n, in int) {
	for t := range n {
		row, q := x[t*in:t*in+in], xq[t*in:t*in+in]
		mx := maxAbs(row)
		if mx == 0 {
			rs[t] = 0
			clear(q)
			continue
		}
		rs[t] = mx / 63
		quantizeRow(q, row, 63/mx)
	}
}

func maxAbsGo(x []float32) float32 {
	var mx float32
	for _, v := range x {
		mx = max(mx, abs32(v))
	}
	return mx
}

func quantizeRowGo(q []uint8, x []float32, inv float32) {
	for i, v := range x {
		q[i] = uint8(64 + math.RoundToEven(float64(v*inv)))
	}
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

// mulAddQuantGo adds xq (n × in, int8, row scales rs) times q to y
// (n × out): the portable kernel, and the reference the assembly is
// tested against. The int32 sums are the same; the floats can differ in
// their last bit, where the assembly rounds the two scales' product first.
func mulAddQuantGo(y []float32, xq []uint8, rs []float32, q *quantDense, n, in, out int) {
	acc := make([]int32, 16)
	for j := 0; j < out; j += 16 {
		strip := q.strips[j*in : (j+16)*in]
		for t := range n {
			clear(acc)
			row := xq[t*in : t*in+in]
			for g := 0; g < in/4; g++ {
				b := strip[g*64 : g*64+64]
				x0, x1, x2, x3 := int32(row[4*g]), int32(row[4*g+1]), int32(row[4*g+2]), int32(row[4*g+3])
				for c := range 16 {
					w := b[(c/8)*32+(c%8)*4:]
					acc[c] += x0*int32(w[0]) + x1*int32(w[1]) + x2*int32(w[2]) + x3*int32(w[3])
				}
			}
			for c := range 16 {
				y[t*out+j+c] += float32(acc[c]-q.offset[j+c]) * (rs[t] * q.scale[j+c])
			}
		}
	}
}
