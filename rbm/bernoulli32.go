package rbm

import (
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/numeric"
)

// BernoulliMeans32 sets dst_i = scale·σ(x_i + bias_i) in single precision: the means of
// Bernoulli units given their inputs without the bias, the bias added in the same pass so
// that the matrix product that made x need not start from copies of it. The exponential is
// numeric.NegAbsExps32's. It panics if the lengths differ.
func BernoulliMeans32(dst []float32, scale float32, x, bias []float32) {
	mustSameLen("BernoulliMeans32", len(dst), len(x))
	mustSameLen("BernoulliMeans32", len(bias), len(x))
	var in, t [sampleChunk]float32
	for start := 0; start < len(x); start += sampleChunk {
		end := min(start+sampleChunk, len(x))
		xc, tc := addBias32(in[:end-start], x[start:end], bias[start:end]), t[:end-start]
		numeric.NegAbsExps32(tc, xc)
		dc := dst[start:end]
		for i, v := range xc {
			dc[i] = scale * sigmoid32(v, tc[i])
		}
	}
}

// SampleBernoulli32 sets dst_i to 1 with probability σ(x_i + bias_i), else 0, and, when mean
// is not nil, mean_i = scale·σ(x_i + bias_i) from the same exponential. It draws from src as
// Bernoulli.Sample draws from a rand.Rand over src: one Uint64 per two units, the high half
// for the first, so for the same probabilities the two kernels use the same uniforms and a
// chain's stream advances the same way in either precision. With p = σ(−|x|) ≤ ½ in float32,
//
//	s = [U < ⌊p·2³²⌋]  for x < 0,   s = [U ≥ ⌊p·2³²⌋]  for x ≥ 0,
//
// so P(s = 1) is σ(x) to within float32 rounding of p (relative 2⁻²⁴ ≈ 6e-8, about 3e-8
// absolute where p is largest). Resolving a bias that small from sampling noise takes some
// 10¹⁵ draws of one unit; a long MNIST run makes about 10¹¹ draws in all. It panics if the
// lengths differ.
func SampleBernoulli32(dst, mean []float32, scale float32, x, bias []float32, src *rand.PCG) {
	mustSameLen("SampleBernoulli32", len(dst), len(x))
	mustSameLen("SampleBernoulli32", len(bias), len(x))
	if mean != nil {
		mustSameLen("SampleBernoulli32", len(mean), len(x))
	}
	var in, t [sampleChunk]float32
	for start := 0; start < len(x); start += sampleChunk {
		end := min(start+sampleChunk, len(x))
		xc, tc := addBias32(in[:end-start], x[start:end], bias[start:end]), t[:end-start]
		numeric.NegAbsExps32(tc, xc)
		if mean != nil {
			mc := mean[start:end]
			for i, v := range xc {
				mc[i] = scale * sigmoid32(v, tc[i])
			}
		}
		dc := dst[start:end]
		i := 0
		for ; i+2 <= len(xc); i += 2 {
			u := src.Uint64()
			dc[i] = bernoulliBit32(xc[i], tc[i], u>>32)
			dc[i+1] = bernoulliBit32(xc[i+1], tc[i+1], u&(1<<32-1))
		}
		if i < len(xc) {
			dc[i] = bernoulliBit32(xc[i], tc[i], src.Uint64()>>32)
		}
	}
}

// addBias32 sets dst = x + bias and returns dst.
func addBias32(dst, x, bias []float32) []float32 {
	x, bias = x[:len(dst)], bias[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + bias[i]
	}
	return dst
}

// sigmoid32 returns σ(x) given t = exp(−|x|): 1/(1+t) for x ≥ 0, t/(1+t) for x < 0, chosen
// on the sign bit without a branch.
func sigmoid32(x, t float32) float32 {
	neg := uint32(int32(math.Float32bits(x)) >> 31) // all ones when x < 0
	num := math.Float32frombits(one32Bits ^ (one32Bits^math.Float32bits(t))&neg)
	return num / (1 + t)
}

// bernoulliBit32 is bernoulliBit in single precision: 1 with probability σ(x) given
// t = exp(−|x|) and a uniform u ∈ [0, 2³²).
func bernoulliBit32(x, t float32, u uint64) float32 {
	thr := int64(t / (1 + t) * (1 << 32))                   // ⌊σ(−|x|)·2³²⌋ ∈ [0, 2³¹]
	below := uint32(uint64(int64(u)-thr) >> 63)             // 1 when u < thr
	pos := math.Float32bits(x)>>31 ^ 1                      // 1 when x ≥ 0
	return math.Float32frombits(-(below ^ pos) & one32Bits) // s = below for x < 0, 1 − below for x ≥ 0
}

const one32Bits = 0x3f800000 // math.Float32bits(1)
