package rbm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/numeric"
)

// Layer is a unit type: the law of one layer's units given their total inputs. Every unit
// type boltz knows is an exponential family in which a unit with state s and total input x
// (bias included) has unnormalised log-probability s·x − φ(s), with φ the unit's base
// measure (φ = 0 for Bernoulli units). The free energy, the samplers and the estimators are
// written against this interface only, so a new unit type is one implementation of it.
//
// Implementations must be safe for concurrent use; randomness comes from the caller.
type Layer interface {
	// Name is the unit type's name in model files and on the command line ("bernoulli").
	Name() string
	// Energy returns the layer's own term of the energy, Σ_i φ(s_i) − Σ_i bias_i s_i.
	Energy(s, bias []float64) float64
	// LogNormalizer returns Σ_i A(x_i), A(x) = log Σ_s exp(s·x − φ(s)): the log-normaliser of
	// the units' conditional law given their inputs x. It is the term a layer contributes
	// to −F when it is summed out.
	LogNormalizer(x []float64) float64
	// Means sets dst_i = E[s_i | x_i] = A′(x_i).
	Means(dst, x []float64)
	// Sample sets dst_i to a draw of s_i given x_i, using r.
	Sample(dst, x []float64, r *rand.Rand)
	// Values returns the states one unit can take when they are finitely many (Bernoulli:
	// 0 and 1), so the layer can be enumerated; nil for continuous units.
	Values() []float64
	// Check returns an error naming the first element of s outside the units' support.
	Check(s []float64) error
}

// Bernoulli is the binary unit, s ∈ {0, 1}:
//
//	p(s = 1 | x) = σ(x),   A(x) = softplus(x) = log(1 + eˣ),   φ = 0.
type Bernoulli struct{}

// Name returns "bernoulli".
func (Bernoulli) Name() string { return "bernoulli" }

// Energy returns −Σ_i bias_i s_i.
func (Bernoulli) Energy(s, bias []float64) float64 {
	mustSameLen("Bernoulli.Energy", len(s), len(bias))
	return -numeric.Dot(s, bias)
}

// LogNormalizer returns Σ_i softplus(x_i).
func (Bernoulli) LogNormalizer(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += numeric.Softplus(v)
	}
	return s
}

// Means sets dst_i = σ(x_i) (numeric.Sigmoids). dst and x may be the same slice.
func (Bernoulli) Means(dst, x []float64) {
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
// the sign of x, and σ is evaluated once per unit with numeric.NegAbsExps.
func (Bernoulli) Sample(dst, x []float64, r *rand.Rand) {
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
func (Bernoulli) Values() []float64 { return bernoulliValues }

// Check returns an error for the first value that is not 0 or 1.
func (Bernoulli) Check(s []float64) error {
	for i, v := range s {
		if v != 0 && v != 1 {
			return &ValueError{Index: i, Value: v, Unit: "bernoulli", Want: "0 or 1"}
		}
	}
	return nil
}

// ValueError reports a state outside a unit type's support.
type ValueError struct {
	Index int // 0-based position in the state; the message counts columns from 1
	Value float64
	Unit  string
	Want  string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("value %v at column %d is not a %s state (want %s)", e.Value, e.Index+1, e.Unit, e.Want)
}

// LayerByName returns the unit type with the given name.
func LayerByName(name string) (Layer, error) {
	switch name {
	case "bernoulli":
		return Bernoulli{}, nil
	}
	return nil, fmt.Errorf("unknown unit type %q (known: bernoulli)", name)
}

func mustSameLen(op string, a, b int) {
	if a != b {
		panic(fmt.Sprintf("boltz/rbm: %s: lengths %d and %d differ", op, a, b))
	}
}

// finite reports whether every element of x is finite: v − v is 0 for a finite v and NaN
// for NaN or ±Inf, so the sum is 0 exactly when all are finite. One branch-free pass, cheap
// enough to run after every parameter update.
func finite(x []float64) bool {
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(x); i += 2 {
		s0 += x[i] - x[i]
		s1 += x[i+1] - x[i+1]
	}
	for ; i < len(x); i++ {
		s0 += x[i] - x[i]
	}
	return s0+s1 == 0
}
