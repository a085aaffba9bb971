package rbm

import (
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/numeric"
)

// BernoulliMeans32 sets dst_i = scale·σ(x_i + bias_i) in single precision: the means of
// Bernoulli units given their inputs without the bias, the bias added in the same pass so
// that the matrix product that made x need not start from copies of it. The arithmetic is
// numeric.Bernoulli32's. It panics if the lengths differ.
func BernoulliMeans32(dst []float32, scale float32, x, bias []float32) {
	mustSameLen("BernoulliMeans32", len(dst), len(x))
	mustSameLen("BernoulliMeans32", len(bias), len(x))
	numeric.Bernoulli32(nil, dst, scale, x, bias, nil)
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
// 10¹⁵ draws of one unit; a long MNIST run makes about 10¹¹ draws in all. The uniforms are
// drawn here, a chunk at a time, and the rest is numeric.Bernoulli32 (AVX-512 assembly
// where the CPU has it). It panics if the lengths differ.
func SampleBernoulli32(dst, mean []float32, scale float32, x, bias []float32, src *rand.PCG) {
	mustSameLen("SampleBernoulli32", len(dst), len(x))
	mustSameLen("SampleBernoulli32", len(bias), len(x))
	if mean != nil {
		mustSameLen("SampleBernoulli32", len(mean), len(x))
	}
	var ub [sampleChunk]uint32
	for start := 0; start < len(x); start += sampleChunk {
		end := min(start+sampleChunk, len(x))
		u := ub[:end-start]
		i := 0
		for ; i+2 <= len(u); i += 2 {
			w := src.Uint64()
			u[i], u[i+1] = uint32(w>>32), uint32(w)
		}
		if i < len(u) {
			u[i] = uint32(src.Uint64() >> 32)
		}
		var mc []float32
		if mean != nil {
			mc = mean[start:end]
		}
		numeric.Bernoulli32(dst[start:end], mc, scale, x[start:end], bias[start:end], u)
	}
}
