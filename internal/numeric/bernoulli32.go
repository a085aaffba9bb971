package numeric

import "math"

// Bernoulli32 is the element-wise part of sampling Bernoulli units in single precision.
// With y_i = x_i + bias_i and t_i = exp(−|y_i|) (NegAbsExps32's), it sets
//
//	mean_i = scale·σ(y_i),   σ(y) = 1/(1+t) for y ≥ 0, t/(1+t) for y < 0   (if mean is not nil)
//	dst_i  = [u_i < ⌊p_i·2³²⌋] for y_i < 0,   [u_i ≥ ⌊p_i·2³²⌋] for y_i ≥ 0   (if dst is not nil)
//
// where p_i = t_i/(1+t_i) = σ(−|y_i|) ≤ ½ in float32 and u_i is a uniform on [0, 2³²), so
// P(dst_i = 1) is σ(y_i) to within the float32 rounding of p (about 3e-8 absolute). "y < 0"
// means the sign bit of y is set (so −0 counts as negative); either way σ(±0) = ½. The
// caller draws u (rbm.SampleBernoulli32 takes it from a chain's stream) and may pass nil for
// it when dst is nil. It panics if the lengths differ.
//
// On amd64 with AVX-512 the whole pass runs in assembly, 16 elements at a time; elsewhere
// the exponential is NegAbsExps32's and the rest Go. Both do the same float32 operations in
// the same order (IEEE division, no fused multiply-add), so they give the same bits
// (TestBernoulli32Kernels); for NaN inputs the means are NaN and the samples unspecified.
func Bernoulli32(dst, mean []float32, scale float32, x, bias []float32, u []uint32) {
	n := len(x)
	if len(bias) != n || (dst != nil && (len(dst) != n || len(u) != n)) || (mean != nil && len(mean) != n) {
		panic("boltz/numeric: Bernoulli32 length mismatch")
	}
	done := bernoulli32Vec(dst, mean, scale, x, bias, u)
	if done == n {
		return
	}
	if dst != nil {
		dst, u = dst[done:], u[done:]
	}
	if mean != nil {
		mean = mean[done:]
	}
	bernoulli32Go(dst, mean, scale, x[done:], bias[done:], u)
}

// bernoulli32Go is Bernoulli32 with NegAbsExps32 for the exponential and Go for the rest: the
// kernel of CPUs without AVX-512, the tail of the vector kernel and its reference in tests.
func bernoulli32Go(dst, mean []float32, scale float32, x, bias []float32, u []uint32) {
	const chunk = 128
	var yb, tb [chunk]float32
	for start := 0; start < len(x); start += chunk {
		end := min(start+chunk, len(x))
		y, t := yb[:end-start], tb[:end-start]
		xc, bc := x[start:end], bias[start:end]
		for i := range y {
			y[i] = xc[i] + bc[i]
		}
		NegAbsExps32(t, y)
		if mean != nil {
			mc := mean[start:end]
			for i, v := range y {
				mc[i] = scale * sigmoid32(v, t[i])
			}
		}
		if dst != nil {
			dc, uc := dst[start:end], u[start:end]
			for i, v := range y {
				dc[i] = bernoulliBit32(v, t[i], uc[i])
			}
		}
	}
}

// sigmoid32 returns σ(y) given t = exp(−|y|): 1/(1+t) for y ≥ 0, t/(1+t) for y < 0, chosen
// on the sign bit without a branch.
func sigmoid32(y, t float32) float32 {
	neg := uint32(int32(math.Float32bits(y)) >> 31) // all ones when the sign bit is set
	num := math.Float32frombits(one32Bits ^ (one32Bits^math.Float32bits(t))&neg)
	return num / (1 + t)
}

// bernoulliBit32 returns 1 with probability σ(y) given t = exp(−|y|) and a uniform u on
// [0, 2³²), else 0.
func bernoulliBit32(y, t float32, u uint32) float32 {
	thr := int64(t / (1 + t) * (1 << 32))                   // ⌊σ(−|y|)·2³²⌋ ∈ [0, 2³¹]
	below := uint32(uint64(int64(u)-thr) >> 63)             // 1 when u < thr
	pos := math.Float32bits(y)>>31 ^ 1                      // 1 when the sign bit is clear
	return math.Float32frombits(-(below ^ pos) & one32Bits) // s = below for y < 0, 1 − below for y ≥ 0
}

const one32Bits = 0x3f800000 // math.Float32bits(1)
