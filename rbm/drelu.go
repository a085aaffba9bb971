package rbm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
)

// DReLU is a layer of real units whose energy is a different quadratic on each side of 0
// (the double ReLU of Tubiana & Monasson 2017; Tubiana, Cocco & Monasson 2019):
//
//	E_layer(h) = Σ_j γ⁺_j (h_j⁺)²/2 + γ⁻_j (h_j⁻)²/2 − θ_j h_j − Δ_j |h_j|,
//
// with h⁺ = max(h, 0), h⁻ = min(h, 0). On each side it is a ReLU: for h ≥ 0 the energy is
// γ⁺h²/2 − θ⁺h and for h < 0 it is γ⁻h²/2 − θ⁻h, with θ± = θ ± Δ. Given the total input
// x = θ + Wᵀv, the positive part is N((x + Δ)/γ⁺, 1/γ⁺) truncated to h ≥ 0 and the negative
// part the mirror image of N((Δ − x)/γ⁻, 1/γ⁻) truncated to −h ≥ 0, mixed in proportion to
// their normalisers:
//
//	A(x) = logaddexp(A₊(x + Δ; γ⁺), A₊(Δ − x; γ⁻)),   A₊ = numeric.HalfNormalLogZ.
//
// Its parameters are the field θ ("bias", stored as c), Δ ("delta", hidden_delta), γ⁺
// ("gamma_pos", hidden_gamma_pos) and γ⁻ ("gamma_neg", hidden_gamma_neg), with statistics
// h, |h|, −(h⁺)²/2 and −(h⁻)²/2. The γs are kept at or above GammaFloor by Constrain. The
// layer is meant as a hidden layer; it is not temperable.
type DReLU struct {
	Theta, Delta, GammaPos, GammaNeg []float64
}

// NewDReLU returns a layer of n dReLU units with θ = Δ = 0 and γ± = 1 (a standard normal
// law at zero input).
func NewDReLU(n int) *DReLU {
	return &DReLU{Theta: make([]float64, n), Delta: make([]float64, n), GammaPos: ones(n), GammaNeg: ones(n)}
}

func init() {
	RegisterLayer("drelu", func(spec string, n int) (Layer, error) {
		if spec != "drelu" {
			return nil, fmt.Errorf("unit type %q takes no argument", spec)
		}
		return NewDReLU(n), nil
	})
}

// Name returns "drelu".
func (*DReLU) Name() string { return "drelu" }

// Len returns the number of units.
func (l *DReLU) Len() int { return len(l.Theta) }

// Bias returns θ.
func (l *DReLU) Bias() []float64 { return l.Theta }

// Params returns "bias" (θ), "delta", "gamma_pos" and "gamma_neg".
func (l *DReLU) Params() []Param {
	return []Param{{Name: "bias", Data: l.Theta}, {Name: "delta", Data: l.Delta},
		{Name: "gamma_pos", Data: l.GammaPos}, {Name: "gamma_neg", Data: l.GammaNeg}}
}

// Clone returns a deep copy.
func (l *DReLU) Clone() Layer {
	c := func(x []float64) []float64 { return append([]float64(nil), x...) }
	return &DReLU{Theta: c(l.Theta), Delta: c(l.Delta), GammaPos: c(l.GammaPos), GammaNeg: c(l.GammaNeg)}
}

// Energy returns Σ_j γ⁺(h⁺)²/2 + γ⁻(h⁻)²/2 − θh − Δ|h|.
func (l *DReLU) Energy(s []float64) float64 {
	mustSameLen("DReLU.Energy", len(s), len(l.Theta))
	var e float64
	for j, h := range s {
		g := l.GammaPos[j]
		if h < 0 {
			g = l.GammaNeg[j]
		}
		e += g*h*h/2 - l.Theta[j]*h - l.Delta[j]*math.Abs(h)
	}
	return e
}

// sides returns the log-normalisers of the two halves of unit j at input x.
func (l *DReLU) sides(x float64, j int) (ap, an float64) {
	return numeric.HalfNormalLogZ(x+l.Delta[j], l.GammaPos[j]), numeric.HalfNormalLogZ(l.Delta[j]-x, l.GammaNeg[j])
}

// LogNormalizer returns Σ_j logaddexp of the two halves' log-normalisers.
func (l *DReLU) LogNormalizer(x []float64) float64 {
	mustSameLen("DReLU.LogNormalizer", len(x), len(l.Theta))
	var a float64
	for j, xj := range x {
		a += numeric.LogAddExp(l.sides(xj, j))
	}
	return a
}

// moments returns P(h ≥ 0), E[h⁺], E[(h⁺)²], E[−h⁻] and E[(h⁻)²] for unit j at input x.
func (l *DReLU) moments(x float64, j int) (pp, m1p, m2p, m1n, m2n float64) {
	ap, an := l.sides(x, j)
	pp = numeric.Sigmoid(ap - an)
	m1p, m2p = numeric.HalfNormalMoments(x+l.Delta[j], l.GammaPos[j])
	m1n, m2n = numeric.HalfNormalMoments(l.Delta[j]-x, l.GammaNeg[j])
	pn := 1 - pp
	return pp, pp * m1p, pp * m2p, pn * m1n, pn * m2n
}

// Means sets dst_j = E[h_j | x_j] = E[h⁺] + E[h⁻]; x may hold several rows back to back.
func (l *DReLU) Means(dst, x []float64) {
	mustSameLen("DReLU.Means", len(dst), len(x))
	n := len(l.Theta)
	for i, xi := range x {
		_, m1p, _, m1n, _ := l.moments(xi, i%n)
		dst[i] = m1p - m1n
	}
}

// Sample picks the positive half with probability σ(A₊ − A₋) (one r.Float64), then draws
// from it (numeric.SampleHalfNormal); x may hold several rows.
func (l *DReLU) Sample(dst, x []float64, r *rand.Rand) {
	mustSameLen("DReLU.Sample", len(dst), len(x))
	n := len(l.Theta)
	for i, xi := range x {
		j := i % n
		ap, an := l.sides(xi, j)
		if r.Float64() < numeric.Sigmoid(ap-an) {
			dst[i] = numeric.SampleHalfNormal(xi+l.Delta[j], l.GammaPos[j], r)
		} else {
			dst[i] = -numeric.SampleHalfNormal(l.Delta[j]-xi, l.GammaNeg[j], r)
		}
	}
}

// Stats sets dst to the means over the rows of s of h, |h|, −(h⁺)²/2 and −(h⁻)²/2.
func (l *DReLU) Stats(dst [][]float64, s *matrix.Dense) {
	mustSameLen("DReLU.Stats", len(dst[0]), s.Cols)
	l.meanStats(dst, s, func(h float64, _ int) (m1p, m2p, m1n, m2n float64) {
		if h >= 0 {
			return h, h * h, 0, 0
		}
		return 0, 0, -h, h * h
	})
}

// MeanStats sets dst to the means over the rows of x of the statistics' conditional
// expectations, E[h], E[|h|], −E[(h⁺)²]/2 and −E[(h⁻)²]/2.
func (l *DReLU) MeanStats(dst [][]float64, x *matrix.Dense) {
	mustSameLen("DReLU.MeanStats", len(dst[0]), x.Cols)
	l.meanStats(dst, x, func(in float64, j int) (m1p, m2p, m1n, m2n float64) {
		_, m1p, m2p, m1n, m2n = l.moments(in, j)
		return m1p, m2p, m1n, m2n
	})
}

// meanStats sets dst to the means over the rows of x of the four statistics made from
// E[h⁺], E[(h⁺)²], E[−h⁻] and E[(h⁻)²] as parts returns them for each element.
func (l *DReLU) meanStats(dst [][]float64, x *matrix.Dense, parts func(x float64, j int) (m1p, m2p, m1n, m2n float64)) {
	for _, d := range dst {
		clear(d)
	}
	for r := 0; r < x.Rows; r++ {
		for j, v := range x.Row(r) {
			m1p, m2p, m1n, m2n := parts(v, j)
			dst[0][j] += m1p - m1n
			dst[1][j] += m1p + m1n
			dst[2][j] -= m2p / 2
			dst[3][j] -= m2n / 2
		}
	}
	scaleAll(dst, 1/float64(x.Rows))
}

// Constrain raises every γ± below GammaFloor to it.
func (l *DReLU) Constrain() {
	floorAt(l.GammaPos, GammaFloor)
	floorAt(l.GammaNeg, GammaFloor)
}

// CheckParams returns an error unless every γ± is positive.
func (l *DReLU) CheckParams() error {
	if err := checkPositive("gamma_pos", l.GammaPos); err != nil {
		return err
	}
	return checkPositive("gamma_neg", l.GammaNeg)
}

// Values returns nil: the units are continuous.
func (*DReLU) Values() []float64 { return nil }

// Check returns an error for the first value that is NaN or ±Inf.
func (*DReLU) Check(s []float64) error {
	return checkValues(s, "drelu", "a finite number", finiteValue)
}
