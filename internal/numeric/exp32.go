package numeric

import "math"

// NegAbsExps32 sets t_i = exp(−|x_i|) in single precision, the quantity σ is built from in
// the float32 minibatch kernels, and returns t. It panics if the lengths differ.
//
// The method is Cephes' expf (Moshier 1984–2000): with n = round(y/ln2) and y = −|x|,
//
//	y = n·ln2 + r,   |r| ≤ ln2/2,   eʸ = 2ⁿ·(1 + r + r²·P(r)),   P of degree 5
//
// where n·ln2 is subtracted in two parts (Cody & Waite 1980) and 2ⁿ goes straight into the
// exponent bits. The relative error against math.Exp is below one float32 ulp
// (TestNegAbsExps32 measures 8e-8 and allows 2.5e-7). Inputs with |x| > 87 give e^−87 ≈ 1.6e-38 (the smallest
// power the exponent trick keeps normal) instead of a smaller number or 0; σ built from it
// is off by less than 2e-38 in absolute terms, and a Bernoulli threshold ⌊σ·2³²⌋ not at
// all. Every operation is a single float32 operation (no fused multiply-add), so the bits
// are the same on every platform and in every kernel: on amd64 16 (AVX-512) or 8 (AVX2)
// elements at a time in assembly, elsewhere and with -tags purego in Go (negAbsExps32Go).
// NaN inputs give NaN.
func NegAbsExps32(t, x []float32) []float32 {
	if len(t) != len(x) {
		panic("boltz/numeric: NegAbsExps32 length mismatch")
	}
	done := negAbsExps32Vec(t, x)
	negAbsExps32Go(t[done:], x[done:])
	return t
}

// negAbsExps32Go is NegAbsExps32 in Go, one element at a time: the portable kernel, the
// tail the vector kernels leave, and the reference they are tested against. Every product
// is rounded on its own (float32(a*b)) so that no compiler fuses it into a multiply-add.
func negAbsExps32Go(t, x []float32) {
	t = t[:len(x)]
	for i, v := range x {
		y := -float32(math.Abs(float64(v)))
		y = max(y, exp32Min)
		kd := float32(y*exp32Log2e) + exp32Shift
		n := int32(math.Float32bits(kd) - math.Float32bits(exp32Shift)) // round(y/ln2)
		kd -= exp32Shift
		r := (y - float32(kd*exp32Ln2Hi)) - float32(kd*exp32Ln2Lo)
		p := float32(exp32P0*r) + exp32P1
		p = float32(p*r) + exp32P2
		p = float32(p*r) + exp32P3
		p = float32(p*r) + exp32P4
		p = float32(p*r) + exp32P5
		e := float32(float32(p*float32(r*r))+r) + 1
		t[i] = math.Float32frombits(uint32(int32(math.Float32bits(e)) + n<<23))
	}
}

// exp32Table holds the constants of negAbsExps32Go (and, in its last row, bernoulliBit32's
// 2³²) for the vector kernels, each rounded to float32 as Go rounds them in the scalar code
// and repeated across a 64-byte row, in the order the assembly loads them.
var exp32Table = func() (c [14][16]float32) {
	row := [14]float32{
		math.Float32frombits(1 << 31), // sign bit, ORed in for −|x|
		exp32Min, exp32Log2e, exp32Shift, exp32Ln2Hi, exp32Ln2Lo,
		exp32P0, exp32P1, exp32P2, exp32P3, exp32P4, exp32P5,
		1, 1 << 32,
	}
	for i, v := range row {
		for j := range c[i] {
			c[i][j] = v
		}
	}
	return c
}()

const (
	exp32Min   = -87                 // e^−87 is above the smallest normal float32, 1.18e-38
	exp32Log2e = 1.44269504088896341 // 1/ln2
	exp32Shift = 0x1.8p23            // 1.5·2²³: adding it rounds to an integer held in the low mantissa bits
	// exp32Ln2Hi + exp32Ln2Lo = ln2 (Cephes' C1, C2); exp32Ln2Hi has 9 significant bits, so
	// n·exp32Ln2Hi is exact for the |n| ≤ 126 used here.
	exp32Ln2Hi = 0.693359375
	exp32Ln2Lo = -2.12194440e-4
	// Cephes expf's minimax coefficients of (eʳ − 1 − r)/r².
	exp32P0 = 1.9875691500e-4
	exp32P1 = 1.3981999507e-3
	exp32P2 = 8.3334519073e-3
	exp32P3 = 4.1665795894e-2
	exp32P4 = 1.6666665459e-1
	exp32P5 = 5.0000001201e-1
)
