package rbm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
)

// ReLU is a layer of non-negative real units with a quadratic energy (Tubiana & Monasson
// 2017, "Emergence of compositional representations in restricted Boltzmann machines"):
//
//	E_layer(h) = Σ_j γ_j h_j²/2 − θ_j h_j,   h_j ≥ 0,
//
// so given the total input x = θ + Wᵀv a unit is a Gaussian N(x/γ, 1/γ) truncated to
// h ≥ 0, with
//
//	A(x) = log ∫₀^∞ exp(−γh²/2 + xh) dh    (numeric.HalfNormalLogZ, finite for all x).
//
// Its parameters are the field θ ("bias", stored as c) and the curvature γ > 0 ("gamma",
// stored as hidden_gamma), with the statistics h and −h²/2. γ is kept at or above
// GammaFloor by Constrain. The layer is meant as a hidden layer; it is not temperable.
type ReLU struct {
	Theta []float64 // the field θ
	Gamma []float64 // the curvature γ > 0
}

// GammaFloor is the smallest curvature the training keeps for ReLU and dReLU units: the
// units' conditional variance is at most 1/GammaFloor = 100, so a unit cannot drift to a
// flat, improper law.
const GammaFloor = 1e-2

// NewReLU returns a layer of n ReLU units with θ = 0 and γ = 1.
func NewReLU(n int) *ReLU {
	return &ReLU{Theta: make([]float64, n), Gamma: ones(n)}
}

func ones(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 1
	}
	return x
}

func init() {
	RegisterLayer("relu", func(spec string, n int) (Layer, error) {
		if spec != "relu" {
			return nil, fmt.Errorf("unit type %q takes no argument", spec)
		}
		return NewReLU(n), nil
	})
}

// Name returns "relu".
func (*ReLU) Name() string { return "relu" }

// Len returns the number of units.
func (l *ReLU) Len() int { return len(l.Theta) }

// Bias returns θ.
func (l *ReLU) Bias() []float64 { return l.Theta }

// Params returns "bias" (θ) and "gamma".
func (l *ReLU) Params() []Param {
	return []Param{{Name: "bias", Data: l.Theta}, {Name: "gamma", Data: l.Gamma}}
}

// Clone returns a deep copy.
func (l *ReLU) Clone() Layer {
	return &ReLU{Theta: append([]float64(nil), l.Theta...), Gamma: append([]float64(nil), l.Gamma...)}
}

// Energy returns Σ_j γ_j h_j²/2 − θ_j h_j.
func (l *ReLU) Energy(s []float64) float64 {
	mustSameLen("ReLU.Energy", len(s), len(l.Theta))
	var e float64
	for j, h := range s {
		e += l.Gamma[j]*h*h/2 - l.Theta[j]*h
	}
	return e
}

// LogNormalizer returns Σ_j numeric.HalfNormalLogZ(x_j, γ_j).
func (l *ReLU) LogNormalizer(x []float64) float64 {
	mustSameLen("ReLU.LogNormalizer", len(x), len(l.Theta))
	var a float64
	for j, xj := range x {
		a += numeric.HalfNormalLogZ(xj, l.Gamma[j])
	}
	return a
}

// Means sets dst_j = E[h_j | x_j] (numeric.HalfNormalMoments); x may hold several rows
// back to back.
func (l *ReLU) Means(dst, x []float64) {
	mustSameLen("ReLU.Means", len(dst), len(x))
	n := len(l.Theta)
	for i, xi := range x {
		dst[i], _ = numeric.HalfNormalMoments(xi, l.Gamma[i%n])
	}
}

// Sample sets dst_j to a draw from the truncated Gaussian (numeric.SampleHalfNormal, a
// bounded expected number of draws from r per unit); x may hold several rows.
func (l *ReLU) Sample(dst, x []float64, r *rand.Rand) {
	mustSameLen("ReLU.Sample", len(dst), len(x))
	n := len(l.Theta)
	for i, xi := range x {
		dst[i] = numeric.SampleHalfNormal(xi, l.Gamma[i%n], r)
	}
}

// Stats sets dst[0] = ⟨h⟩ and dst[1] = ⟨−h²/2⟩ over the rows of s.
func (l *ReLU) Stats(dst [][]float64, s *matrix.Dense) {
	mustSameLen("ReLU.Stats", len(dst[0]), s.Cols)
	meanMoments(dst, s, func(h float64, _ int) (float64, float64) { return h, h * h })
}

// MeanStats sets dst[0] = ⟨E[h|x]⟩ and dst[1] = ⟨−E[h²|x]/2⟩ over the rows of x.
func (l *ReLU) MeanStats(dst [][]float64, x *matrix.Dense) {
	mustSameLen("ReLU.MeanStats", len(dst[0]), x.Cols)
	meanMoments(dst, x, func(in float64, j int) (float64, float64) { return numeric.HalfNormalMoments(in, l.Gamma[j]) })
}

// meanMoments sets dst[0] and dst[1] to the means over the rows of x of m1 and −m2/2, with
// m1, m2 = moments(x_rj, j): a ReLU layer's two statistics.
func meanMoments(dst [][]float64, x *matrix.Dense, moments func(x float64, j int) (m1, m2 float64)) {
	clear(dst[0])
	clear(dst[1])
	for r := 0; r < x.Rows; r++ {
		for j, v := range x.Row(r) {
			m1, m2 := moments(v, j)
			dst[0][j] += m1
			dst[1][j] -= m2 / 2
		}
	}
	scaleAll(dst, 1/float64(x.Rows))
}

func scaleAll(dst [][]float64, a float64) {
	for _, d := range dst {
		for i := range d {
			d[i] *= a
		}
	}
}

// Constrain raises every γ below GammaFloor to it.
func (l *ReLU) Constrain() { floorAt(l.Gamma, GammaFloor) }

// CheckParams returns an error unless every γ is positive.
func (l *ReLU) CheckParams() error { return checkPositive("gamma", l.Gamma) }

func floorAt(x []float64, lo float64) {
	for i, v := range x {
		if !(v >= lo) {
			x[i] = lo
		}
	}
}

func checkPositive(name string, x []float64) error {
	for i, v := range x {
		if !(v > 0) {
			return fmt.Errorf("parameter %s: value %v at index %d; it must be positive", name, v, i)
		}
	}
	return nil
}

// Values returns nil: the units are continuous.
func (*ReLU) Values() []float64 { return nil }

// Check returns an error for the first value that is negative, NaN or +Inf.
func (*ReLU) Check(s []float64) error {
	return checkValues(s, "relu", "a finite number ≥ 0", func(v float64) bool { return v >= 0 && !math.IsInf(v, 1) })
}

// checkValues returns a *ValueError for the first element of s that ok rejects.
func checkValues(s []float64, unit, want string, ok func(float64) bool) error {
	for i, v := range s {
		if !ok(v) {
			return &ValueError{Index: i, Value: v, Unit: unit, Want: want}
		}
	}
	return nil
}

// finiteValue reports whether v is neither NaN nor ±Inf.
func finiteValue(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
