package numeric

import "math"

// Exp returns eˣ within 2 ulp of the exact value (TestExpAccuracy measures 1.5 ulp at
// most; math.Exp is within 1 ulp). It is a pure function of x, with the same bits on every
// platform for x in [−707.7, ln MaxFloat64], and over a slice (Exps) about twice as fast as
// math.Exp: no branch on the common path and no call. The method is table-driven
// (Tang 1989):
//
//	x = n·ln2/64 + r,   |r| ≤ ln2/128,   n = 64k + j,  0 ≤ j < 64
//	eˣ = 2^k · 2^(j/64) · eʳ,   eʳ ≈ 1 + r + r²/2 + r³/6 + r⁴/24 + r⁵/120
//
// n·ln2/64 is subtracted in two parts (Cody & Waite 1980) so r is exact to about 2⁻¹⁰⁰;
// the Taylor polynomial's truncation error is below r⁶/720 < 4e-17 (0.2 ulp); the table
// holds 2^(j/64) correctly rounded (TestExpTable); 2^k goes straight into the exponent bits,
// as 2·2^(k−1), which keeps the scale a normal float64 up to the overflow threshold. Results below 2⁻¹⁰²¹ (x < −707.7), overflow, NaN and ±Inf go to math.Exp.
func Exp(x float64) float64 {
	a := [1]float64{x}
	Exps(a[:], a[:])
	return a[0]
}

// Exps sets dst_i = Exp(x_i). dst and x may be the same slice. It panics if the lengths
// differ. Cost: about 20 floating-point operations and one table load per element, and no
// branch that is not almost always taken the same way.
func Exps(dst, x []float64) {
	if len(dst) != len(x) {
		panic("boltz/numeric: Exps length mismatch")
	}
	for i, v := range x {
		if !(v >= expMin && v <= expOverflow) {
			dst[i] = math.Exp(v)
			continue
		}
		// Every product is rounded on its own (float64(a*b)) so that no platform fuses it
		// into a multiply-add and the result is the same everywhere.
		kd := float64(v*expInvLn2N) + expShift
		n := int64(math.Float64bits(kd) - math.Float64bits(expShift)) // round(x·64/ln2)
		kd -= expShift
		r := (v - float64(kd*expLn2NHi)) - float64(kd*expLn2NLo)
		r2 := float64(r * r)
		// eʳ − 1 = r + r²·(1/2 + r/6) + r⁴·(1/24 + r/120), Estrin's scheme for a short chain.
		q := r + (float64(r2*(0.5+float64(r*(1.0/6)))) + float64(float64(r2*r2)*(1.0/24+float64(r*(1.0/120)))))
		half := math.Float64frombits(exp2Table[n&63] + uint64(n>>6-1)<<52) // 2^(k−1)·2^(j/64)
		dst[i] = 2 * (half + float64(half*q))
	}
}

const (
	// expMin is the smallest x handled by the table: e^−707.7 > 2⁻¹⁰²¹, so 2^(k−1) is a
	// normal float64.
	expMin = -707.7
	// expOverflow is ln(MaxFloat64) rounded down (math.Exp's threshold): eˣ is +Inf above.
	expOverflow = 7.09782712893383973096e+02

	expInvLn2N = 0x1.71547652b82fep+06 // 64/ln2, rounded
	// expLn2NHi + expLn2NLo = ln2/64 to 2⁻¹⁰⁰; expLn2NHi has 36 significant bits, so
	// n·expLn2NHi is exact for |n| < 2¹⁷ (|n| ≤ 65 536 on [expMin, expOverflow]).
	expLn2NHi = 0x1.62e42fefap-07
	expLn2NLo = 0x1.cf79abc9e3b3ap-46
	// expShift is 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits.
	expShift = 0x1.8p52
)

// exp2Table[j] is the bit pattern of 2^(j/64), correctly rounded.
var exp2Table = [64]uint64{
	0x3ff0000000000000, 0x3ff02c9a3e778061, 0x3ff059b0d3158574, 0x3ff0874518759bc8,
	0x3ff0b5586cf9890f, 0x3ff0e3ec32d3d1a2, 0x3ff11301d0125b50, 0x3ff1429aaea92de0,
	0x3ff172b83c7d517b, 0x3ff1a35beb6fcb75, 0x3ff1d4873168b9aa, 0x3ff2063b88628cd6,
	0x3ff2387a6e756238, 0x3ff26b4565e27cdd, 0x3ff29e9df51fdee1, 0x3ff2d285a6e4030b,
	0x3ff306fe0a31b715, 0x3ff33c08b26416ff, 0x3ff371a7373aa9cb, 0x3ff3a7db34e59ff7,
	0x3ff3dea64c123422, 0x3ff4160a21f72e2a, 0x3ff44e086061892d, 0x3ff486a2b5c13cd0,
	0x3ff4bfdad5362a27, 0x3ff4f9b2769d2ca7, 0x3ff5342b569d4f82, 0x3ff56f4736b527da,
	0x3ff5ab07dd485429, 0x3ff5e76f15ad2149, 0x3ff6247eb03a5585, 0x3ff6623882552224,
	0x3ff6a09e667f3bcd, 0x3ff6dfb23c651a2f, 0x3ff71f75e8ec5f74, 0x3ff75feb564267c8,
	0x3ff7a11473eb0187, 0x3ff7e2f336cf4e62, 0x3ff82589994cce12, 0x3ff868d99b4492ec,
	0x3ff8ace5422aa0db, 0x3ff8f1ae99157736, 0x3ff93737b0cdc5e5, 0x3ff97d829fde4e50,
	0x3ff9c49182a3f090, 0x3ffa0c667b5de565, 0x3ffa5503b23e255c, 0x3ffa9e6b5579fdbf,
	0x3ffae89f995ad3ae, 0x3ffb33a2b84f15fb, 0x3ffb7f76f2fb5e47, 0x3ffbcc1e904bc1d2,
	0x3ffc199bdd85529c, 0x3ffc67f12e57d14b, 0x3ffcb720dcef9069, 0x3ffd072d4a07897b,
	0x3ffd5818dcfba487, 0x3ffda9e603db3285, 0x3ffdfc97337b9b5f, 0x3ffe502ee78b3ff6,
	0x3ffea4afa2a490d9, 0x3ffefa1bee615a28, 0x3fff50765b6e4540, 0x3fffa7c1819e90d8,
}
