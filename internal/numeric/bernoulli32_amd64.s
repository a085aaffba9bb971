//go:build amd64 && !purego

#include "textflag.h"
#include "exp32_amd64.h"

// func bernoulli32AVX512(dst, mean *float32, scale float32, x, bias *float32, u *uint32, n int, c *[14][16]float32)
//
// bernoulli32Go over 16 lanes: y = x + bias, t = exp(−|y|) as in negAbsExps32AVX512,
// mean = scale·(num/(1+t)) with num = t where the sign bit of y is set and 1 elsewhere,
// dst = 1 where [u < ⌊t/(1+t)·2³²⌋] differs from "sign bit clear", else 0. dst or mean may
// be nil (that output is skipped); n is a positive multiple of 16. Same float32 operations
// in the same order as the Go code, no fused multiply-add.
TEXT ·bernoulli32AVX512(SB), NOSPLIT, $0-64
	MOVQ         dst+0(FP), DI
	MOVQ         mean+8(FP), R8
	VBROADCASTSS scale+16(FP), Z30
	MOVQ         x+24(FP), SI
	MOVQ         bias+32(FP), BX
	MOVQ         u+40(FP), DX
	MOVQ         n+48(FP), CX
	MOVQ         c+56(FP), AX
	LOAD_EXP32_TABLE_512
	VMOVUPS      832(AX), Z29
	SHRQ         $4, CX

loop:
	VMOVUPS (SI), Z5
	VADDPS  (BX), Z5, Z5   // y = x + bias
	VPTESTMD Z16, Z5, K1   // K1: sign bit of y set

	NEG_ABS_EXP32_512(Z5) // t = exp(−|y|)

	VADDPS  Z28, Z3, Z6    // d = 1 + t
	TESTQ   R8, R8
	JZ      sample
	VMOVAPS Z28, Z7
	VMOVAPS Z3, K1, Z7     // num = t where y < 0, else 1
	VDIVPS  Z6, Z7, Z7     // σ(y) = num/d
	VMULPS  Z7, Z30, Z7    // scale·σ(y)
	VMOVUPS Z7, (R8)
	ADDQ    $64, R8

sample:
	TESTQ       DI, DI
	JZ          next
	VDIVPS      Z6, Z3, Z8     // p = t/d
	VMULPS      Z29, Z8, Z8    // p·2³²
	VCVTTPS2UDQ Z8, Z8         // thr = ⌊p·2³²⌋
	VMOVDQU32   (DX), Z9
	VPCMPUD     $1, Z8, Z9, K2 // K2: u < thr
	KXNORW      K1, K2, K3     // s = [u < thr] for y < 0, [u ≥ thr] for y ≥ 0
	VMOVUPS.Z   Z28, K3, Z10   // 1 where s, else 0
	VMOVUPS     Z10, (DI)
	ADDQ        $64, DI
	ADDQ        $64, DX

next:
	ADDQ $64, SI
	ADDQ $64, BX
	DECQ CX
	JNZ  loop
	VZEROUPPER
	RET
