package rbm

import (
	"math"
	"math/rand/v2"
)

// The methods in this file let annealed importance sampling (package ais) build the path of
// distributions between a model with no weights and the model itself for layers that cannot
// be tempered by scaling their inputs (see ais.Annealable): AISBase gives the base layer and
// Interpolate the layer of the geometric path, whose energy is (1−β)·E_base + β·E_layer.
// For layers whose energy is linear in their parameters (Bernoulli, ReLU, dReLU: E =
// −Σ_k ψ_k·T_k(s)) that is the layer with interpolated parameters.

// interpolateParams sets every parameter of dst to (1−β)·base + β·self.
func interpolateParams(dst, base, self Layer, beta float64) {
	d, b, s := dst.Params(), base.Params(), self.Params()
	for k := range d {
		for i := range d[k].Data {
			d[k].Data[i] = (1-beta)*b[k].Data[i] + beta*s[k].Data[i]
		}
	}
}

// AISBase returns a copy of the layer: with no weights, the model's own biases give a base
// model whose log Z is one softplus per unit. When mean (each unit's mean over the data) is
// given, the biases are the smoothed log-odds log((p_i + α)/(1 − p_i + α)), α = 0.05, of the
// base-rate model (Salakhutdinov & Murray 2008); ais fits the base of a Bernoulli visible
// layer with its own BaseRate, which is the same formula.
func (l *Bernoulli) AISBase(mean, variance []float64) Layer {
	b := l.Clone().(*Bernoulli)
	if mean != nil {
		mustSameLen("Bernoulli.AISBase", len(mean), len(b.B))
		for i, p := range mean {
			b.B[i] = math.Log((p + baseSmoothing) / (1 - p + baseSmoothing))
		}
	}
	return b
}

// Interpolate sets dst's biases to (1−β)·base + β·l.
func (l *Bernoulli) Interpolate(dst, base Layer, beta float64) {
	interpolateParams(dst, base, l, beta)
}

// AISBase returns a copy of the layer (θ and γ as they are): the units' law with no input.
func (l *ReLU) AISBase(mean, variance []float64) Layer { return l.Clone() }

// Interpolate sets dst's θ and γ to (1−β)·base + β·l.
func (l *ReLU) Interpolate(dst, base Layer, beta float64) { interpolateParams(dst, base, l, beta) }

// AISBase returns a copy of the layer: the units' law with no input.
func (l *DReLU) AISBase(mean, variance []float64) Layer { return l.Clone() }

// Interpolate sets dst's parameters to (1−β)·base + β·l.
func (l *DReLU) Interpolate(dst, base Layer, beta float64) { interpolateParams(dst, base, l, beta) }

// AISBase returns the independent Gaussian of the data, N(mean_i, variance_i) with the
// variances floored at SigmaFloor², when mean and variance are given, and a copy of the
// layer (b and σ as they are) when they are nil.
func (l *Gaussian) AISBase(mean, variance []float64) Layer {
	g := l.Clone().(*Gaussian)
	if mean != nil {
		copy(g.B, mean)
		for i, v := range variance {
			g.Sigma[i] = math.Sqrt(v)
		}
		g.Constrain()
	}
	return g
}

// Interpolate sets dst (a *Gaussian) to the layer whose energy is (1−β)·E_base + β·E_l up to
// a constant: the precisions and the precision-weighted means add,
//
//	1/σ_β² = (1−β)/σ_A² + β/σ²,   b_β/σ_β² = (1−β)·b_A/σ_A² + β·b/σ².
func (l *Gaussian) Interpolate(dst, base Layer, beta float64) {
	d, a := dst.(*Gaussian), base.(*Gaussian)
	for i := range d.B {
		pa, pb := 1/(a.Sigma[i]*a.Sigma[i]), 1/(l.Sigma[i]*l.Sigma[i])
		p := (1-beta)*pa + beta*pb
		d.B[i] = ((1-beta)*pa*a.B[i] + beta*pb*l.B[i]) / p
		d.Sigma[i] = 1 / math.Sqrt(p)
	}
}

// baseSmoothing is the pseudo-frequency that keeps the fields of a base layer fitted to data
// finite where a state never occurs: as ais.DefaultBaseRateSmoothing for Bernoulli units.
const baseSmoothing = 0.05

// AISBase returns independent spins fitted to the data when mean (each column's mean spin)
// is given: with p_i = (1 + mean_i)/2 the frequency of +1, θ_i = ½ log((p_i + α)/(1 − p_i + α)),
// α = 0.05, so that the base model's P(s_i = +1) = σ(2θ_i) is the smoothed frequency. Without
// data it is a copy of the layer.
func (l *Spin) AISBase(mean, variance []float64) Layer {
	s := l.Clone().(*Spin)
	if mean != nil {
		mustSameLen("Spin.AISBase", len(mean), len(s.H))
		for i, m := range mean {
			p := (1 + m) / 2
			s.H[i] = 0.5 * math.Log((p+baseSmoothing)/(1-p+baseSmoothing))
		}
	}
	return s
}

// Interpolate sets dst's fields to (1−β)·base + β·l (the energy −θ·s is linear in θ).
func (l *Spin) Interpolate(dst, base Layer, beta float64) { interpolateParams(dst, base, l, beta) }

// AISBase returns independent sites fitted to the data when mean (each one-hot column's
// mean, the frequency of state a at site i) is given: θ_{i,a} = log(f_{i,a} + α), α = 0.05,
// so that each site's law is its smoothed state frequencies. Without data it is a copy of the
// layer.
func (l *Potts) AISBase(mean, variance []float64) Layer {
	p := l.Clone().(*Potts)
	if mean != nil {
		mustSameLen("Potts.AISBase", len(mean), len(p.Field))
		for i, f := range mean {
			p.Field[i] = math.Log(f + baseSmoothing)
		}
	}
	return p
}

// Interpolate sets dst's fields to (1−β)·base + β·l (the energy −θ·s is linear in θ).
func (l *Potts) Interpolate(dst, base Layer, beta float64) { interpolateParams(dst, base, l, beta) }

// SamplePower draws dst from the law proportional to p(v|x)^β, 0 < β ≤ 1: v_i ~ N(x_i,
// σ_i²/β). The integral of p(v|x)^β over v does not depend on x (a Gaussian's location does
// not change its normaliser), which is what lets ais integrate a Gaussian visible layer out
// and anneal the hidden one (ais.PowerSampler). It panics unless dst and x hold Len values.
func (l *Gaussian) SamplePower(dst, x []float64, beta float64, r *rand.Rand) {
	mustSameLen("Gaussian.SamplePower", len(dst), len(l.B))
	mustSameLen("Gaussian.SamplePower", len(x), len(l.B))
	s := 1 / math.Sqrt(beta)
	for i, xi := range x {
		dst[i] = xi + s*l.Sigma[i]*r.NormFloat64()
	}
}
