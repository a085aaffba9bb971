package rbm

import (
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
)

// Bernoulli is a layer of binary units, s ∈ {0, 1}, with field (bias) θ:
//
//	p(s = 1 | x) = σ(x),   A(x) = softplus(x) = log(1 + eˣ),   φ = 0,   E_layer(s) = −θ·s.
//
// Its one parameter is the bias; its sufficient statistic is the state. It offers the
// single-precision kernels of the fast route (Float32).
type Bernoulli struct {
	B []float64 // the field θ, one per unit
}

// NewBernoulli returns a layer of n Bernoulli units with zero biases.
func NewBernoulli(n int) *Bernoulli { return &Bernoulli{B: make([]float64, n)} }

// Name returns "bernoulli".
func (*Bernoulli) Name() string { return "bernoulli" }

// Len returns the number of units.
func (l *Bernoulli) Len() int { return len(l.B) }

// Bias returns the biases.
func (l *Bernoulli) Bias() []float64 { return l.B }

// Params returns the one parameter, "bias".
func (l *Bernoulli) Params() []Param { return []Param{{Name: "bias", Data: l.B}} }

// Clone returns a deep copy.
func (l *Bernoulli) Clone() Layer { return &Bernoulli{B: append([]float64(nil), l.B...)} }

// Energy returns −θ·s.
func (l *Bernoulli) Energy(s []float64) float64 {
	mustSameLen("Bernoulli.Energy", len(s), len(l.B))
	return -numeric.Dot(s, l.B)
}

// InitFromData sets the biases to the log-odds log(p̄_i/(1−p̄_i)) of the column means of x
// (Hinton 2010, "A practical guide", §8), with a pseudo-count of one half on each side so
// that constant columns give finite biases (a Jeffreys-style smoothing; the guide does not
// say how to clamp).
func (l *Bernoulli) InitFromData(x *matrix.Dense) {
	mustSameLen("Bernoulli.InitFromData", len(l.B), x.Cols)
	ColMeans(l.B, x)
	n := float64(x.Rows)
	for i, p := range l.B {
		q := (p*n + 0.5) / (n + 1)
		l.B[i] = math.Log(q / (1 - q))
	}
}

// Temperable returns true: Bernoulli units have no base measure.
func (*Bernoulli) Temperable() bool { return true }

// Stats sets dst[0] to the column means of s: the bias's statistic is the state.
func (l *Bernoulli) Stats(dst [][]float64, s *matrix.Dense) {
	mustSameLen("Bernoulli.Stats", len(dst[0]), s.Cols)
	ColMeans(dst[0], s)
}

// LogNormalizer returns Σ_i softplus(x_i).
func (*Bernoulli) LogNormalizer(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += numeric.Softplus(v)
	}
	return s
}

// Means sets dst_i = σ(x_i). dst and x may be the same slice.
func (*Bernoulli) Means(dst, x []float64) {
	mustSameLen("Bernoulli.Means", len(dst), len(x))
	numeric.Sigmoids(dst, x)
}

// Sample sets dst_i = 1 with probability σ(x_i), else 0; dst and x may be the same slice.
// Each draw r.Uint64() serves two units, one 32-bit uniform U ∈ {0, …, 2³²−1} each: with
// p = σ(−|x|) ≤ ½,
//
//	s = [U < ⌊p·2³²⌋]  for x < 0,   s = [U ≥ ⌊p·2³²⌋]  for x ≥ 0,
//
// so P(s = 1) is σ(x) to within 2⁻³² (2.3e-10). That is far below anything a run can
// resolve: telling a bias of 2⁻³² from sampling noise takes about 2⁶⁴ draws, while a long
// MNIST run makes about 10¹¹. The comparison is made on integers, without a branch on
// the sign of x, and σ is evaluated once per unit (a vectorised exp(−|x|)).
func (*Bernoulli) Sample(dst, x []float64, r *rand.Rand) {
	mustSameLen("Bernoulli.Sample", len(dst), len(x))
	var t [sampleChunk]float64
	for start := 0; start < len(x); start += sampleChunk {
		xc := x[start:min(start+sampleChunk, len(x))]
		tc := numeric.NegAbsExps(t[:len(xc)], xc)
		dc := dst[start : start+len(xc)]
		i := 0
		for ; i+2 <= len(xc); i += 2 {
			u := r.Uint64()
			dc[i] = bernoulliBit(xc[i], tc[i], u>>32)
			dc[i+1] = bernoulliBit(xc[i+1], tc[i+1], u&(1<<32-1))
		}
		if i < len(xc) {
			dc[i] = bernoulliBit(xc[i], tc[i], r.Uint64()>>32)
		}
	}
}

// sampleChunk is how many units Sample handles per call of numeric.NegAbsExps; it is even,
// so the pairing of units over draws does not depend on the chunking.
const sampleChunk = 128

// bernoulliBit returns 1 with probability σ(x) to within 2⁻³², given t = exp(−|x|) and a
// uniform u ∈ [0, 2³²).
func bernoulliBit(x, t float64, u uint64) float64 {
	thr := int64(t / (1 + t) * (1 << 32))                 // ⌊σ(−|x|)·2³²⌋ ∈ [0, 2³¹]
	below := uint64(int64(u)-thr) >> 63                   // 1 when u < thr
	pos := math.Float64bits(x)>>63 ^ 1                    // 1 when x ≥ 0
	return math.Float64frombits(-(below ^ pos) & oneBits) // s = below for x < 0, 1 − below for x ≥ 0
}

const oneBits = 0x3ff0000000000000 // math.Float64bits(1)

var bernoulliValues = []float64{0, 1}

// Values returns {0, 1}.
func (*Bernoulli) Values() []float64 { return bernoulliValues }

// Check returns an error for the first value that is not 0 or 1.
func (*Bernoulli) Check(s []float64) error {
	for i, v := range s {
		if v != 0 && v != 1 {
			return &ValueError{Index: i, Value: v, Unit: "bernoulli", Want: "0 or 1"}
		}
	}
	return nil
}

// Means32 sets dst_i = scale·σ(x_i + bias_i) in single precision: the means of
// Bernoulli units given their inputs without the bias, the bias added in the same pass so
// that the matrix product that made x need not start from copies of it. The arithmetic is
// numeric.Bernoulli32's. It panics if the lengths differ.
func (*Bernoulli) Means32(dst []float32, scale float32, x, bias []float32) {
	mustSameLen("Bernoulli.Means32", len(dst), len(x))
	mustSameLen("Bernoulli.Means32", len(bias), len(x))
	numeric.Bernoulli32(nil, dst, scale, x, bias, nil)
}

// Sample32 sets dst_i to 1 with probability σ(x_i + bias_i), else 0, and, when mean
// is not nil, mean_i = scale·σ(x_i + bias_i) from the same exponential. It draws from src as
// Sample draws from a rand.Rand over src: one Uint64 per two units, the high half
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
func (*Bernoulli) Sample32(dst, mean []float32, scale float32, x, bias []float32, src *rand.PCG) {
	mustSameLen("Bernoulli.Sample32", len(dst), len(x))
	mustSameLen("Bernoulli.Sample32", len(bias), len(x))
	if mean != nil {
		mustSameLen("Bernoulli.Sample32", len(mean), len(x))
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

// ColMeans sets dst to the means of the columns of x over its rows, summed in row order.
func ColMeans(dst []float64, x *matrix.Dense) {
	clear(dst)
	for r := 0; r < x.Rows; r++ {
		for j, v := range x.Row(r) {
			dst[j] += v
		}
	}
	inv := 1 / float64(x.Rows)
	for j := range dst {
		dst[j] *= inv
	}
}
