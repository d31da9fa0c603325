#include "textflag.h"

// func kernelQ4x16(groups int, a *int8, lda int, b *int8, c *float32, ldc int, rs *float32, cs *float32)
//
// c[0:4][0:16] += (a[0:4][0:4·groups] · b) · rs[row] · cs[col], where b is
// one int8 strip of quantDense (64 bytes a group of four inputs) and a is
// int8, lda in bytes, ldc in floats. AVX2 has no signed-by-signed byte
// product, so each weight takes the sign of its activation (VPSIGNB) and
// meets the activation's magnitude (VPMADDUBSW, unsigned by signed): at
// most 2·127·127 in an int16, so nothing saturates. VPMADDWD by ones then
// sums the pairs into int32, four inputs a column.
TEXT ·kernelQ4x16(SB), NOSPLIT, $0-64
	MOVQ groups+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	MOVQ b+24(FP), DI
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R10
	MOVQ rs+48(FP), R14
	MOVQ cs+56(FP), R15
	SHLQ $2, R10
	LEAQ (SI)(R8*1), R11
	LEAQ (SI)(R8*2), R12
	LEAQ (R11)(R8*2), R13
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	MOVL $0x00010001, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	XORQ BX, BX
	TESTQ CX, CX
	JZ   storekernelQ4x16
loopkernelQ4x16:
	VMOVDQU (DI), Y8
	VMOVDQU 32(DI), Y9
	VPBROADCASTD (SI)(BX*1), Y10
	VPABSB       Y10, Y11
	VPSIGNB      Y10, Y8, Y12
	VPSIGNB      Y10, Y9, Y13
	VPMADDUBSW   Y12, Y11, Y12
	VPMADDUBSW   Y13, Y11, Y13
	VPMADDWD     Y15, Y12, Y12
	VPMADDWD     Y15, Y13, Y13
	VPADDD       Y12, Y0, Y0
	VPADDD       Y13, Y1, Y1
	VPBROADCASTD (R11)(BX*1), Y10
	VPABSB       Y10, Y11
	VPSIGNB      Y10, Y8, Y12
	VPSIGNB      Y10, Y9, Y13
	VPMADDUBSW   Y12, Y11, Y12
	VPMADDUBSW   Y13, Y11, Y13
	VPMADDWD     Y15, Y12, Y12
	VPMADDWD     Y15, Y13, Y13
	VPADDD       Y12, Y2, Y2
	VPADDD       Y13, Y3, Y3
	VPBROADCASTD (R12)(BX*1), Y10
	VPABSB       Y10, Y11
	VPSIGNB      Y10, Y8, Y12
	VPSIGNB      Y10, Y9, Y13
	VPMADDUBSW   Y12, Y11, Y12
	VPMADDUBSW   Y13, Y11, Y13
	VPMADDWD     Y15, Y12, Y12
	VPMADDWD     Y15, Y13, Y13
	VPADDD       Y12, Y4, Y4
	VPADDD       Y13, Y5, Y5
	VPBROADCASTD (R13)(BX*1), Y10
	VPABSB       Y10, Y11
	VPSIGNB      Y10, Y8, Y12
	VPSIGNB      Y10, Y9, Y13
	VPMADDUBSW   Y12, Y11, Y12
	VPMADDUBSW   Y13, Y11, Y13
	VPMADDWD     Y15, Y12, Y12
	VPMADDWD     Y15, Y13, Y13
	VPADDD       Y12, Y6, Y6
	VPADDD       Y13, Y7, Y7
	ADDQ $4, BX
	ADDQ $64, DI
	DECQ CX
	JNZ  loopkernelQ4x16
storekernelQ4x16:
	VMOVUPS (R15), Y8
	VMOVUPS 32(R15), Y9
	MOVQ DX, AX
	VBROADCASTSS 0(R14), Y10
	VMULPS Y8, Y10, Y11
	VMULPS Y9, Y10, Y12
	VCVTDQ2PS Y0, Y0
	VCVTDQ2PS Y1, Y1
	VMULPS Y11, Y0, Y0
	VMULPS Y12, Y1, Y1
	VADDPS (AX), Y0, Y0
	VADDPS 32(AX), Y1, Y1
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, 32(AX)
	ADDQ R10, AX
	VBROADCASTSS 4(R14), Y10
	VMULPS Y8, Y10, Y11
	VMULPS Y9, Y10, Y12
	VCVTDQ2PS Y2, Y2
	VCVTDQ2PS Y3, Y3
	VMULPS Y11, Y2, Y2
	VMULPS Y12, Y3, Y3
	VADDPS (AX), Y2, Y2
	VADDPS 32(AX), Y3, Y3
	VMOVUPS Y2, (AX)
	VMOVUPS Y3, 32(AX)
	ADDQ R10, AX
	VBROADCASTSS 8(R14), Y10
	VMULPS Y8, Y10, Y11
	VMULPS Y9, Y10, Y12
	VCVTDQ2PS Y4, Y4
	VCVTDQ2PS Y5, Y5
	VMULPS Y11, Y4, Y4
	VMULPS Y12, Y5, Y5
	VADDPS (AX), Y4, Y4
	VADDPS 32(AX), Y5, Y5
	VMOVUPS Y4, (AX)
	VMOVUPS Y5, 32(AX)
	ADDQ R10, AX
	VBROADCASTSS 12(R14), Y10
	VMULPS Y8, Y10, Y11
	VMULPS Y9, Y10, Y12
	VCVTDQ2PS Y6, Y6
	VCVTDQ2PS Y7, Y7
	VMULPS Y11, Y6, Y6
	VMULPS Y12, Y7, Y7
	VADDPS (AX), Y6, Y6
	VADDPS 32(AX), Y7, Y7
	VMOVUPS Y6, (AX)
	VMOVUPS Y7, 32(AX)
	VZEROUPPER
	RET

// func kernelQ1x16(groups int, a *int8, lda int, b *int8, c *float32, ldc int, rs *float32, cs *float32)
//
// kernelQ4x16 for one row: the pooled rows and the last rows of a batch.
TEXT ·kernelQ1x16(SB), NOSPLIT, $0-64
	MOVQ groups+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	MOVQ b+24(FP), DI
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R10
	MOVQ rs+48(FP), R14
	MOVQ cs+56(FP), R15
	SHLQ $2, R10
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	MOVL $0x00010001, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	XORQ BX, BX
	TESTQ CX, CX
	JZ   storekernelQ1x16
loopkernelQ1x16:
	VMOVDQU (DI), Y8
	VMOVDQU 32(DI), Y9
	VPBROADCASTD (SI)(BX*1), Y10
	VPABSB       Y10, Y11
	VPSIGNB      Y10, Y8, Y12
	VPSIGNB      Y10, Y9, Y13
	VPMADDUBSW   Y12, Y11, Y12
	VPMADDUBSW   Y13, Y11, Y13
	VPMADDWD     Y15, Y12, Y12
	VPMADDWD     Y15, Y13, Y13
	VPADDD       Y12, Y0, Y0
	VPADDD       Y13, Y1, Y1
	ADDQ $4, BX
	ADDQ $64, DI
	DECQ CX
	JNZ  loopkernelQ1x16
storekernelQ1x16:
	VMOVUPS (R15), Y8
	VMOVUPS 32(R15), Y9
	MOVQ DX, AX
	VBROADCASTSS 0(R14), Y10
	VMULPS Y8, Y10, Y11
	VMULPS Y9, Y10, Y12
	VCVTDQ2PS Y0, Y0
	VCVTDQ2PS Y1, Y1
	VMULPS Y11, Y0, Y0
	VMULPS Y12, Y1, Y1
	VADDPS (AX), Y0, Y0
	VADDPS 32(AX), Y1, Y1
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, 32(AX)
	VZEROUPPER
	RET

// func maxAbsAVX(x *float32, n int) float32
//
// The largest magnitude of x[0:n], n a multiple of 8.
TEXT ·maxAbsAVX(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	MOVL $0x7fffffff, AX
	VMOVD AX, X2
	VPBROADCASTD X2, Y2
	VXORPS Y0, Y0, Y0
	TESTQ CX, CX
	JZ   maxdone
maxloop:
	VANDPS (SI), Y2, Y1
	VMAXPS Y1, Y0, Y0
	ADDQ $32, SI
	DECQ CX
	JNZ  maxloop
maxdone:
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0
	VZEROUPPER
	MOVSS X0, ret+16(FP)
	RET

// func quantizeAVX(q *int8, x *float32, n int, inv float32)
//
// q[i] = x[i]·inv rounded to the nearest integer, ties to even, for n a
// multiple of 32 and |x[i]·inv| ≤ 127.
TEXT ·quantizeAVX(SB), NOSPLIT, $0-28
	MOVQ q+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS inv+24(FP), Y8
	SHRQ $5, CX
	TESTQ CX, CX
	JZ   qdone
qloop:
	VMULPS (SI), Y8, Y0
	VMULPS 32(SI), Y8, Y1
	VMULPS 64(SI), Y8, Y2
	VMULPS 96(SI), Y8, Y3
	VCVTPS2DQ Y0, Y0
	VCVTPS2DQ Y1, Y1
	VCVTPS2DQ Y2, Y2
	VCVTPS2DQ Y3, Y3
	// Packing works within 128-bit lanes: the words come out as
	// 0-3 4-7 8-11 12-15 | ... interleaved by lane, the permutes put
	// them back in order.
	VPACKSSDW Y1, Y0, Y0
	VPACKSSDW Y3, Y2, Y2
	VPACKSSWB Y2, Y0, Y0
	// Dwords after the packs: lane0 = [a0-3 b0-3 c0-3 d0-3], lane1 =
	// [a4-7 b4-7 c4-7 d4-7] where a..d are Y0..Y3's groups of four:
	// the order wanted is a0-3 a4-7 b0-3 b4-7 ..., dwords 0 4 1 5 2 6 3 7.
	VMOVDQU permq<>(SB), Y9
	VPERMD Y0, Y9, Y0
	VMOVDQU Y0, (DI)
	ADDQ $128, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  qloop
qdone:
	VZEROUPPER
	RET

DATA permq<>+0(SB)/4, $0
DATA permq<>+4(SB)/4, $4
DATA permq<>+8(SB)/4, $1
DATA permq<>+12(SB)/4, $5
DATA permq<>+16(SB)/4, $2
DATA permq<>+20(SB)/4, $6
DATA permq<>+24(SB)/4, $3
DATA permq<>+28(SB)/4, $7
GLOBL permq<>(SB), RODATA|NOPTR, $32
