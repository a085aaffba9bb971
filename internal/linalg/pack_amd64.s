//go:build amd64 && !purego

#include "textflag.h"

// func transpose4PD(dst *float64, w int, src *float64, ld int, kc int)
//
// For p < kc (a multiple of 4) and r < 4, dst[p·w + r] = src[r·ld + p]: four rows of a
// row-major matrix become four columns of a micro-panel of width w. Each 4×4 block is
// transposed in registers: unpack pairs of rows, then swap 128-bit halves.
TEXT ·transpose4PD(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ w+8(FP), R8
	SHLQ $3, R8
	MOVQ src+16(FP), SI
	MOVQ ld+24(FP), R9
	SHLQ $3, R9
	MOVQ kc+32(FP), CX
	LEAQ (R9)(R9*2), R10
	LEAQ (R8)(R8*2), R11
	SHRQ $2, CX
	JZ   done
loop:
	VMOVUPD    (SI), Y0                // row 0: p0 p1 p2 p3
	VMOVUPD    (SI)(R9*1), Y1
	VMOVUPD    (SI)(R9*2), Y2
	VMOVUPD    (SI)(R10*1), Y3
	VUNPCKLPD  Y1, Y0, Y4              // r0p0 r1p0 r0p2 r1p2
	VUNPCKHPD  Y1, Y0, Y5              // r0p1 r1p1 r0p3 r1p3
	VUNPCKLPD  Y3, Y2, Y6              // r2p0 r3p0 r2p2 r3p2
	VUNPCKHPD  Y3, Y2, Y7              // r2p1 r3p1 r2p3 r3p3
	VPERM2F128 $0x20, Y6, Y4, Y0       // p0: r0 r1 r2 r3
	VPERM2F128 $0x20, Y7, Y5, Y1       // p1
	VPERM2F128 $0x31, Y6, Y4, Y2       // p2
	VPERM2F128 $0x31, Y7, Y5, Y3       // p3
	VMOVUPD    Y0, (DI)
	VMOVUPD    Y1, (DI)(R8*1)
	VMOVUPD    Y2, (DI)(R8*2)
	VMOVUPD    Y3, (DI)(R11*1)
	ADDQ       $32, SI
	LEAQ       (DI)(R8*4), DI
	DECQ       CX
	JNZ        loop
done:
	VZEROUPPER
	RET

// func transpose4PS(dst *float32, w int, src *float32, ld int, kc int)
//
// transpose4PD for float32, with kc a multiple of 8: each 128-bit lane of a row holds four
// steps of p, and the lanes are transposed as two 4×4 blocks side by side.
TEXT ·transpose4PS(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ w+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ ld+24(FP), R9
	SHLQ $2, R9
	MOVQ kc+32(FP), CX
	LEAQ (R9)(R9*2), R10
	LEAQ (R8)(R8*2), R11
	SHRQ $3, CX
	JZ   done
loop:
	VMOVUPS      (SI), Y0              // row 0: p0 … p7
	VMOVUPS      (SI)(R9*1), Y1
	VMOVUPS      (SI)(R9*2), Y2
	VMOVUPS      (SI)(R10*1), Y3
	VUNPCKLPS    Y1, Y0, Y4            // per lane: r0p0 r1p0 r0p1 r1p1
	VUNPCKHPS    Y1, Y0, Y5            // per lane: r0p2 r1p2 r0p3 r1p3
	VUNPCKLPS    Y3, Y2, Y6            // per lane: r2p0 r3p0 r2p1 r3p1
	VUNPCKHPS    Y3, Y2, Y7            // per lane: r2p2 r3p2 r2p3 r3p3
	VSHUFPS      $0x44, Y6, Y4, Y0     // per lane: p0 (lane 1: p4)
	VSHUFPS      $0xEE, Y6, Y4, Y1     // p1 (p5)
	VSHUFPS      $0x44, Y7, Y5, Y2     // p2 (p6)
	VSHUFPS      $0xEE, Y7, Y5, Y3     // p3 (p7)
	VMOVUPS      X0, (DI)
	VMOVUPS      X1, (DI)(R8*1)
	VMOVUPS      X2, (DI)(R8*2)
	VMOVUPS      X3, (DI)(R11*1)
	LEAQ         (DI)(R8*4), DI
	VEXTRACTF128 $1, Y0, (DI)
	VEXTRACTF128 $1, Y1, (DI)(R8*1)
	VEXTRACTF128 $1, Y2, (DI)(R8*2)
	VEXTRACTF128 $1, Y3, (DI)(R11*1)
	LEAQ         (DI)(R8*4), DI
	ADDQ         $32, SI
	DECQ         CX
	JNZ          loop
done:
	VZEROUPPER
	RET
