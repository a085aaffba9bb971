//go:build amd64 && !purego

#include "textflag.h"
#include "exp32_amd64.h"

// The two kernels below are negAbsExps32Go over 16 (AVX-512) or 8 (AVX2) lanes: the same
// float32 operations in the same order, each rounded on its own (no fused multiply-add),
// so every lane gets the bits the Go loop gives. c points to exp32Table, one constant per
// 64-byte row: 0 sign bit, 1 −87, 2 1/ln2, 3 shift 1.5·2²³, 4 ln2 high, 5 ln2 low,
// 6–11 P0…P5, 12 one, 13 2³² (bernoulli32_amd64.s).

// func negAbsExps32AVX512(t, x *float32, n int, c *[14][16]float32)
// n is a positive multiple of 16.
TEXT ·negAbsExps32AVX512(SB), NOSPLIT, $0-32
	MOVQ    t+0(FP), DI
	MOVQ    x+8(FP), SI
	MOVQ    n+16(FP), CX
	MOVQ    c+24(FP), AX
	LOAD_EXP32_TABLE_512
	SHRQ    $4, CX

loop512:
	VMOVUPS (SI), Z0
	NEG_ABS_EXP32_512(Z0)
	VMOVUPS Z3, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     loop512
	VZEROUPPER
	RET

// func negAbsExps32AVX2(t, x *float32, n int, c *[14][16]float32)
// n is a positive multiple of 8. Sixteen Y registers hold eleven constants; the sign bit
// and one are read from c in the loop.
TEXT ·negAbsExps32AVX2(SB), NOSPLIT, $0-32
	MOVQ    t+0(FP), DI
	MOVQ    x+8(FP), SI
	MOVQ    n+16(FP), CX
	MOVQ    c+24(FP), AX
	VMOVUPS 64(AX), Y5
	VMOVUPS 128(AX), Y6
	VMOVUPS 192(AX), Y7
	VMOVUPS 256(AX), Y8
	VMOVUPS 320(AX), Y9
	VMOVUPS 384(AX), Y10
	VMOVUPS 448(AX), Y11
	VMOVUPS 512(AX), Y12
	VMOVUPS 576(AX), Y13
	VMOVUPS 640(AX), Y14
	VMOVUPS 704(AX), Y15
	SHRQ    $3, CX

loop256:
	VMOVUPS (SI), Y0
	VORPS   0(AX), Y0, Y0
	VMAXPS  Y0, Y5, Y0
	VMULPS  Y6, Y0, Y1
	VADDPS  Y7, Y1, Y1
	VPSUBD  Y7, Y1, Y2
	VSUBPS  Y7, Y1, Y1
	VMULPS  Y8, Y1, Y3
	VSUBPS  Y3, Y0, Y0
	VMULPS  Y9, Y1, Y3
	VSUBPS  Y3, Y0, Y0
	VMULPS  Y10, Y0, Y3
	VADDPS  Y11, Y3, Y3
	VMULPS  Y0, Y3, Y3
	VADDPS  Y12, Y3, Y3
	VMULPS  Y0, Y3, Y3
	VADDPS  Y13, Y3, Y3
	VMULPS  Y0, Y3, Y3
	VADDPS  Y14, Y3, Y3
	VMULPS  Y0, Y3, Y3
	VADDPS  Y15, Y3, Y3
	VMULPS  Y0, Y0, Y4
	VMULPS  Y4, Y3, Y3
	VADDPS  Y0, Y3, Y3
	VADDPS  768(AX), Y3, Y3
	VPSLLD  $23, Y2, Y2
	VPADDD  Y2, Y3, Y3
	VMOVUPS Y3, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop256
	VZEROUPPER
	RET
