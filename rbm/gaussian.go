package rbm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/matrix"
)

// Gaussian is a layer of real-valued units with a learned (or fixed) standard deviation per
// unit, in the parametrisation of Cho, Ilin & Raiko (2011), "Improved learning of
// Gaussian-Bernoulli restricted Boltzmann machines":
//
//	E(v, h) = Σ_i (v_i − b_i)²/(2σ_i²) − Σ_ij (v_i/σ_i²) W_ij h_j + E_hid(h),
//
// so the units couple to the weights through t(v_i) = v_i/σ_i² (Coupling), the hidden
// input is c + Wᵀ(v/σ²), and given the other layer
//
//	v_i | x_i ~ N(x_i, σ_i²),   x = b + Wh,
//	A(x) = Σ_i (x_i² − b_i²)/(2σ_i²) + ½ log(2πσ_i²).
//
// Its parameters are the bias b ("bias", stored as b) and σ ("sigma", stored as
// visible_sigma). σ is learned directly, by the gradient of the log-likelihood with respect
// to σ itself, with the statistics
//
//	−∂E/∂b_i = (v_i − b_i)/σ_i²,   −∂E/∂σ_i = (v_i − b_i)²/σ_i³ − 2 v_i (Wh)_i/σ_i³,
//
// and kept at or above SigmaFloor by Constrain after every update. Built as
// "gaussian:fixed", σ is not learned: its statistic is zero, so every optimiser leaves it
// where it was set (1 by default). The layer is visible-only (its coupling is supported on
// the visible side) and cannot be tempered by scaling inputs.
type Gaussian struct {
	B     []float64 // the bias b: the mean of v_i when the other layer sends nothing
	Sigma []float64 // the standard deviation σ_i > 0 of v_i given the other layer
	Fixed bool      // σ is not learned
}

// SigmaFloor is the smallest σ the training keeps (Gaussian.Constrain): 1/σ² ≤ 10⁴ bounds
// how strongly a unit can couple, so a unit whose data are nearly constant (an MNIST border
// pixel) cannot drive the weights' inputs to overflow.
const SigmaFloor = 1e-2

// NewGaussian returns a layer of n Gaussian units with zero biases and σ = 1.
func NewGaussian(n int, fixed bool) *Gaussian {
	g := &Gaussian{B: make([]float64, n), Sigma: make([]float64, n), Fixed: fixed}
	for i := range g.Sigma {
		g.Sigma[i] = 1
	}
	return g
}

func init() {
	RegisterLayer("gaussian", func(spec string, n int) (Layer, error) {
		switch spec {
		case "gaussian":
			return NewGaussian(n, false), nil
		case "gaussian:fixed":
			return NewGaussian(n, true), nil
		}
		return nil, fmt.Errorf("unit type %q: the gaussian argument can only be \"fixed\" (gaussian:fixed)", spec)
	})
}

// Name returns "gaussian", or "gaussian:fixed" when σ is not learned.
func (l *Gaussian) Name() string {
	if l.Fixed {
		return "gaussian:fixed"
	}
	return "gaussian"
}

// Len returns the number of units.
func (l *Gaussian) Len() int { return len(l.B) }

// Bias returns b.
func (l *Gaussian) Bias() []float64 { return l.B }

// Params returns "bias" and "sigma".
func (l *Gaussian) Params() []Param {
	return []Param{{Name: "bias", Data: l.B}, {Name: "sigma", Data: l.Sigma}}
}

// Clone returns a deep copy.
func (l *Gaussian) Clone() Layer {
	return &Gaussian{B: append([]float64(nil), l.B...), Sigma: append([]float64(nil), l.Sigma...), Fixed: l.Fixed}
}

// Energy returns Σ_i (v_i − b_i)²/(2σ_i²).
func (l *Gaussian) Energy(s []float64) float64 {
	mustSameLen("Gaussian.Energy", len(s), len(l.B))
	var e float64
	for i, v := range s {
		d := (v - l.B[i]) / l.Sigma[i]
		e += d * d / 2
	}
	return e
}

// LogNormalizer returns Σ_i (x_i² − b_i²)/(2σ_i²) + ½ log(2πσ_i²): the log of
// ∫ exp(t(v)·x − φ(v)) dv with t(v) = v/σ² and φ(v) = (v² + b²)/(2σ²).
func (l *Gaussian) LogNormalizer(x []float64) float64 {
	mustSameLen("Gaussian.LogNormalizer", len(x), len(l.B))
	var a float64
	for i, xi := range x {
		s2 := l.Sigma[i] * l.Sigma[i]
		b := l.B[i]
		a += (xi-b)*(xi+b)/(2*s2) + 0.5*math.Log(2*math.Pi*s2)
	}
	return a
}

// Means sets dst = x: the conditional mean of v_i is its input b_i + (Wh)_i. x may hold
// several rows back to back.
func (l *Gaussian) Means(dst, x []float64) {
	mustSameLen("Gaussian.Means", len(dst), len(x))
	copy(dst, x)
}

// Sample sets dst_i = x_i + σ_i·z_i with z_i ~ N(0, 1) from r.NormFloat64. x may hold
// several rows back to back.
func (l *Gaussian) Sample(dst, x []float64, r *rand.Rand) {
	mustSameLen("Gaussian.Sample", len(dst), len(x))
	n := len(l.B)
	for i, xi := range x {
		dst[i] = xi + l.Sigma[i%n]*r.NormFloat64()
	}
}

// Means32 sets dst_i = scale·(x_i + bias_i) in single precision: the conditional means of
// one row of units given their inputs without the field, x, and the field b as bias. It
// panics unless dst, x and bias hold Len values.
func (l *Gaussian) Means32(dst []float32, scale float32, x, bias []float32) {
	mustSameLen("Gaussian.Means32", len(x), len(l.B))
	dst, bias = dst[:len(x)], bias[:len(x)]
	for i, xi := range x {
		dst[i] = scale * (xi + bias[i])
	}
}

// Sample32 sets dst_i = float32(μ_i + σ_i·z_i) for one row of units, with μ_i = x_i + bias_i
// in float32 and the rest in float64, z_i ~ N(0, 1) drawn from src as Sample draws them from
// a rand.Rand over it (NormFloat64, unit after unit), so a chain's stream advances the same
// way in either precision; when mean is not nil, mean_i = scale·μ_i. It panics unless dst,
// x, bias and a non-nil mean hold Len values.
func (l *Gaussian) Sample32(dst, mean []float32, scale float32, x, bias []float32, src *rand.PCG) {
	mustSameLen("Gaussian.Sample32", len(x), len(l.B))
	mustSameLen("Gaussian.Sample32", len(dst), len(x))
	mustSameLen("Gaussian.Sample32", len(bias), len(x))
	if mean != nil {
		mustSameLen("Gaussian.Sample32", len(mean), len(x))
	}
	r := rand.New(src)
	sigma := l.Sigma[:len(x)]
	for i, xi := range x {
		mu := xi + bias[i]
		if mean != nil {
			mean[i] = scale * mu
		}
		dst[i] = float32(float64(mu) + sigma[i]*r.NormFloat64())
	}
}

// Couple sets dst_i = s_i/σ_i², one row of Len values at a time.
func (l *Gaussian) Couple(dst, s []float64) {
	mustSameLen("Gaussian.Couple", len(dst), len(s))
	n := len(l.B)
	prec := make([]float64, n)
	for i, sg := range l.Sigma {
		prec[i] = 1 / (sg * sg)
	}
	for start := 0; start < len(s); start += n {
		d, x := dst[start:start+n], s[start:start+n]
		for i, p := range prec {
			d[i] = x[i] * p
		}
	}
}

// Stats sets dst[0]_i = ⟨(v_i − b_i)/σ_i²⟩ and dst[1]_i = ⟨(v_i − b_i)²/σ_i³⟩ (0 when σ is
// fixed), the means over the rows of s; CouplingStats adds the coupling part of σ's.
func (l *Gaussian) Stats(dst [][]float64, s *matrix.Dense) {
	mustSameLen("Gaussian.Stats", len(dst[0]), s.Cols)
	l.sumStats(dst, s, false)
}

// MeanStats sets dst to the means over the rows of x of E[statistic | x]: with
// E[v_i] = x_i and E[(v_i − b_i)²] = σ_i² + (x_i − b_i)²,
//
//	dst[0]_i = ⟨(x_i − b_i)⟩/σ_i²,   dst[1]_i = ⟨σ_i² + (x_i − b_i)²⟩/σ_i³.
func (l *Gaussian) MeanStats(dst [][]float64, x *matrix.Dense) {
	mustSameLen("Gaussian.MeanStats", len(dst[0]), x.Cols)
	l.sumStats(dst, x, true)
}

// sumStats sets dst to the statistics of the rows of s, taken as states, or with
// conditional the conditional expectations given the rows as inputs (the variance σ² added
// to the square).
func (l *Gaussian) sumStats(dst [][]float64, s *matrix.Dense, conditional bool) {
	n := len(l.B)
	d0, d1, b, sigma := dst[0][:n], dst[1][:n], l.B, l.Sigma[:n]
	clear(d0)
	clear(d1)
	for r := 0; r < s.Rows; r++ {
		for i, v := range s.Row(r)[:n] {
			d := v - b[i]
			d0[i] += d
			if conditional {
				d1[i] += sigma[i] * sigma[i]
			}
			d1[i] += d * d
		}
	}
	l.finishStats(dst, s.Rows)
}

// finishStats divides the sums by the number of rows and the powers of σ.
func (l *Gaussian) finishStats(dst [][]float64, rows int) {
	inv := 1 / float64(rows)
	for i, sg := range l.Sigma {
		dst[0][i] *= inv / (sg * sg)
		dst[1][i] *= inv / (sg * sg * sg)
		if l.Fixed {
			dst[1][i] = 0
		}
	}
}

// CouplingStats adds ⟨−2 v_i y_i⟩/σ_i³ to σ's statistic (nothing when σ is fixed): the
// derivative of the coupling term t(v_i)·y_i = v_i y_i/σ_i² with respect to σ_i.
func (l *Gaussian) CouplingStats(dst [][]float64, s, y *matrix.Dense) {
	if l.Fixed {
		return
	}
	inv := 1 / float64(s.Rows)
	for r := 0; r < s.Rows; r++ {
		yr := y.Row(r)
		for i, v := range s.Row(r) {
			sg := l.Sigma[i]
			dst[1][i] -= 2 * v * yr[i] * inv / (sg * sg * sg)
		}
	}
}

// InitFromData sets b to the column means of x and, unless σ is fixed, σ to the column
// standard deviations, floored at SigmaFloor: the independent Gaussian that fits the data,
// which the model is when W = 0.
func (l *Gaussian) InitFromData(x *matrix.Dense) {
	mustSameLen("Gaussian.InitFromData", len(l.B), x.Cols)
	ColMeans(l.B, x)
	if l.Fixed {
		return
	}
	ColStds(l.Sigma, l.B, x)
	l.Constrain()
}

// ColStds sets dst to the standard deviations of the columns of x about the column means
// mean (divided by the number of rows).
func ColStds(dst, mean []float64, x *matrix.Dense) {
	clear(dst)
	for r := 0; r < x.Rows; r++ {
		for j, v := range x.Row(r) {
			d := v - mean[j]
			dst[j] += d * d
		}
	}
	for j := range dst {
		dst[j] = math.Sqrt(dst[j] / float64(x.Rows))
	}
}

// Frozen reports true for "sigma" when σ is fixed.
func (l *Gaussian) Frozen(name string) bool { return l.Fixed && name == "sigma" }

// Constrain raises every σ_i below SigmaFloor to it.
func (l *Gaussian) Constrain() {
	for i, s := range l.Sigma {
		if !(s >= SigmaFloor) {
			l.Sigma[i] = SigmaFloor
		}
	}
}

// CheckParams returns an error unless every σ_i is positive.
func (l *Gaussian) CheckParams() error {
	for i, s := range l.Sigma {
		if !(s > 0) {
			return fmt.Errorf("parameter sigma: value %v at index %d; a standard deviation must be positive", s, i)
		}
	}
	return nil
}

// Values returns nil: the units are continuous.
func (*Gaussian) Values() []float64 { return nil }

// Check returns an error for the first value that is NaN or ±Inf.
func (*Gaussian) Check(s []float64) error {
	return checkValues(s, "gaussian", "a finite number", finiteValue)
}
