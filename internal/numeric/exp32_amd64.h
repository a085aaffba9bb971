// Macros shared by exp32_amd64.s and bernoulli32_amd64.s: the AVX-512 form of
// negAbsExps32Go.

// LOAD_EXP32_TABLE_512 loads rows 0–12 of exp32Table, at the address in AX, into Z16–Z28:
// 0 sign bit, 1 −87, 2 1/ln2, 3 shift 1.5·2²³, 4 ln2 high, 5 ln2 low, 6–11 P0…P5, 12 one.
#define LOAD_EXP32_TABLE_512 \
	VMOVUPS 0(AX), Z16;   \
	VMOVUPS 64(AX), Z17;  \
	VMOVUPS 128(AX), Z18; \
	VMOVUPS 192(AX), Z19; \
	VMOVUPS 256(AX), Z20; \
	VMOVUPS 320(AX), Z21; \
	VMOVUPS 384(AX), Z22; \
	VMOVUPS 448(AX), Z23; \
	VMOVUPS 512(AX), Z24; \
	VMOVUPS 576(AX), Z25; \
	VMOVUPS 640(AX), Z26; \
	VMOVUPS 704(AX), Z27; \
	VMOVUPS 768(AX), Z28

// NEG_ABS_EXP32_512(x) sets Z3 = exp(−|x|) in the 16 float32 lanes of register x, with the
// constants of LOAD_EXP32_TABLE_512 in Z16–Z28, using Z0, Z1, Z2 and Z4 (x may be Z0). The
// float32 operations of negAbsExps32Go in its order, each rounded on its own (no fused
// multiply-add), so every lane gets the Go loop's bits.
#define NEG_ABS_EXP32_512(x) \
	VPORD  Z16, x, Z0;   /* y = −|x| */ \
	VMAXPS Z0, Z17, Z0;  /* y = max(−87, y); a NaN y is kept (VMAXPS returns its second source) */ \
	VMULPS Z18, Z0, Z1;  /* y/ln2 */ \
	VADDPS Z19, Z1, Z1;  /* kd = y/ln2 + shift */ \
	VPSUBD Z19, Z1, Z2;  /* n = bits(kd) − bits(shift) = round(y/ln2) */ \
	VSUBPS Z19, Z1, Z1;  /* kd −= shift */ \
	VMULPS Z20, Z1, Z3;  \
	VSUBPS Z3, Z0, Z0;   /* r = y − kd·ln2hi */ \
	VMULPS Z21, Z1, Z3;  \
	VSUBPS Z3, Z0, Z0;   /* r −= kd·ln2lo */ \
	VMULPS Z22, Z0, Z3;  /* p = P0·r */ \
	VADDPS Z23, Z3, Z3;  /* + P1 */ \
	VMULPS Z0, Z3, Z3;   \
	VADDPS Z24, Z3, Z3;  /* ·r + P2 */ \
	VMULPS Z0, Z3, Z3;   \
	VADDPS Z25, Z3, Z3;  /* ·r + P3 */ \
	VMULPS Z0, Z3, Z3;   \
	VADDPS Z26, Z3, Z3;  /* ·r + P4 */ \
	VMULPS Z0, Z3, Z3;   \
	VADDPS Z27, Z3, Z3;  /* ·r + P5 */ \
	VMULPS Z0, Z0, Z4;   /* r² */ \
	VMULPS Z4, Z3, Z3;   /* p·r² */ \
	VADDPS Z0, Z3, Z3;   /* + r */ \
	VADDPS Z28, Z3, Z3;  /* e = … + 1 */ \
	VPSLLD $23, Z2, Z2;  \
	VPADDD Z2, Z3, Z3    /* e·2ⁿ through the exponent bits */
