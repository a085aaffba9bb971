package rbm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
)

// Spin is a layer of Ising spins, s ∈ {−1, +1}, with field (bias) θ:
//
//	p(s | x) = e^{s·x} / (2 cosh x),   p(s = +1 | x) = σ(2x),   E[s | x] = tanh x,
//	A(x) = log(2 cosh x) = |x| + log(1 + e^{−2|x|}),   φ = 0,   E_layer(s) = −θ·s.
//
// Its one parameter is the field; its sufficient statistic is the state. A spin is a
// Bernoulli unit b = (s + 1)/2 with input 2x, up to the constant x that the change of
// variables moves into the energy, so the two layers model the same distributions with
// reparametrised weights; spins are the natural coordinates for Ising data.
type Spin struct {
	H []float64 // the field θ, one per unit
}

// NewSpin returns a layer of n spins with zero fields.
func NewSpin(n int) *Spin { return &Spin{H: make([]float64, n)} }

func init() {
	RegisterLayer("spin", func(spec string, n int) (Layer, error) {
		if spec != "spin" {
			return nil, fmt.Errorf("unit type %q takes no argument", spec)
		}
		return NewSpin(n), nil
	})
}

// Name returns "spin".
func (*Spin) Name() string { return "spin" }

// Len returns the number of spins.
func (l *Spin) Len() int { return len(l.H) }

// Bias returns the fields.
func (l *Spin) Bias() []float64 { return l.H }

// Params returns the one parameter, "bias".
func (l *Spin) Params() []Param { return []Param{{Name: "bias", Data: l.H}} }

// Clone returns a deep copy.
func (l *Spin) Clone() Layer { return &Spin{H: append([]float64(nil), l.H...)} }

// Energy returns −θ·s.
func (l *Spin) Energy(s []float64) float64 {
	mustSameLen("Spin.Energy", len(s), len(l.H))
	return -numeric.Dot(s, l.H)
}

// LogNormalizer returns Σ_i log(2 cosh x_i) = Σ_i log(e^{x_i} + e^{−x_i}), each term as
// |x| + log1p(e^{−2|x|}) so that it neither overflows nor loses the small term for large |x|.
func (*Spin) LogNormalizer(x []float64) float64 {
	var s float64
	for _, v := range x {
		a := math.Abs(v)
		s += a + math.Log1p(math.Exp(-2*a))
	}
	return s
}

// Means sets dst_i = tanh x_i. dst and x may be the same slice.
func (*Spin) Means(dst, x []float64) {
	mustSameLen("Spin.Means", len(dst), len(x))
	for i, v := range x {
		dst[i] = math.Tanh(v)
	}
}

// Sample sets dst_i = +1 with probability σ(2x_i), else −1, exactly as Bernoulli.Sample
// draws a bit at input 2x_i (to within 2⁻³² in probability, from the same uniforms); dst
// and x may be the same slice.
func (*Spin) Sample(dst, x []float64, r *rand.Rand) {
	mustSameLen("Spin.Sample", len(dst), len(x))
	for i, v := range x {
		dst[i] = 2 * v
	}
	(*Bernoulli)(nil).Sample(dst, dst, r)
	for i, b := range dst {
		dst[i] = 2*b - 1
	}
}

// Stats sets dst[0] to the column means of s: the field's statistic is the state.
func (l *Spin) Stats(dst [][]float64, s *matrix.Dense) {
	mustSameLen("Spin.Stats", len(dst[0]), s.Cols)
	ColMeans(dst[0], s)
}

// Temperable returns true: spins have no base measure.
func (*Spin) Temperable() bool { return true }

// InitFromData sets the fields to those of independent spins with the column means of x,
// θ_i = atanh(m̄_i) = ½ log(q_i/(1−q_i)) for the fraction q_i of +1 values, smoothed as
// Bernoulli.InitFromData smooths it (a pseudo-count of one half on each side), so that
// constant columns give finite fields.
func (l *Spin) InitFromData(x *matrix.Dense) {
	mustSameLen("Spin.InitFromData", len(l.H), x.Cols)
	ColMeans(l.H, x)
	n := float64(x.Rows)
	for i, m := range l.H {
		q := ((1+m)/2*n + 0.5) / (n + 1)
		l.H[i] = 0.5 * math.Log(q/(1-q))
	}
}

var spinValues = []float64{-1, 1}

// Values returns {−1, +1}.
func (*Spin) Values() []float64 { return spinValues }

// Check returns an error for the first value that is not −1 or +1.
func (*Spin) Check(s []float64) error {
	for i, v := range s {
		if v != -1 && v != 1 {
			return &ValueError{Index: i, Value: v, Unit: "spin", Want: "-1 or +1"}
		}
	}
	return nil
}
