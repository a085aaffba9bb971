package rbm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/matrix"
)

// A dReLU unit's log-normaliser, mean and quadratic statistics agree with quadrature of
// exp(x·h − φ(h)) over the real line.
func TestDReLUAgainstQuadrature(t *testing.T) {
	l := NewDReLU(1)
	l.Delta[0], l.GammaPos[0], l.GammaNeg[0] = 0.7, 0.5, 2
	for _, x := range []float64{-2, 0, 1.5} {
		l.Theta[0] = 0.3
		a := l.LogNormalizer([]float64{x})
		const lo, hi, n = -40.0, 40.0, 800_000
		dh := (hi - lo) / n
		var z, m1, abs float64
		for k := 0; k <= n; k++ {
			h := lo + float64(k)*dh
			// Energy includes −θh; the unit's law given input x is exp(xh − φ(h)), φ the
			// energy without the field.
			f := math.Exp(x*h - (l.Energy([]float64{h}) + l.Theta[0]*h) - a)
			if k == 0 || k == n {
				f /= 2
			}
			z += f * dh
			m1 += h * f * dh
			abs += math.Abs(h) * f * dh
		}
		mean := make([]float64, 1)
		l.Means(mean, []float64{x})
		st := [][]float64{{0}, {0}, {0}, {0}}
		l.MeanStats(st, &matrix.Dense{Rows: 1, Cols: 1, Data: []float64{x}})
		if math.Abs(z-1) > 1e-7 || math.Abs(mean[0]-m1) > 1e-7 || math.Abs(st[1][0]-abs) > 1e-7 {
			t.Errorf("x=%v: ∫ = %v, mean %v (quadrature %v), E|h| %v (quadrature %v)", x, z, mean[0], m1, st[1][0], abs)
		}
	}
}

// ReLU and dReLU log-normalisers and means are finite for inputs of ±1e3.
func TestReLUExtremeInputs(t *testing.T) {
	x := []float64{-1e3, 1e3, -1e3, 1e3}
	for _, l := range []Layer{NewReLU(4), NewDReLU(4)} {
		if a := l.LogNormalizer(x); math.IsNaN(a) || math.IsInf(a, 0) {
			t.Errorf("%s: A = %v", l.Name(), a)
		}
		m := make([]float64, 4)
		l.Means(m, x)
		l.Sample(m, x, rand.New(rand.NewPCG(1, 1)))
		for _, v := range m {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s: means or samples %v", l.Name(), m)
			}
		}
	}
}

// dReLU draws have the conditional mean, within 4 standard errors.
func TestDReLUSample(t *testing.T) {
	l := NewDReLU(3)
	copy(l.Delta, []float64{0.5, -0.5, 2})
	copy(l.GammaNeg, []float64{3, 0.5, 1})
	x := []float64{0.2, -1, 0}
	r := rand.New(rand.NewPCG(5, 6))
	const n = 20_000
	var sum, sq [3]float64
	dst := make([]float64, 3)
	for range n {
		l.Sample(dst, x, r)
		for i, h := range dst {
			sum[i] += h
			sq[i] += h * h
		}
	}
	mean := make([]float64, 3)
	l.Means(mean, x)
	for i := range x {
		sd := math.Sqrt(sq[i]/n - (sum[i]/n)*(sum[i]/n))
		if d := sum[i]/n - mean[i]; math.Abs(d) > 4*sd/math.Sqrt(n) {
			t.Errorf("unit %d: sample mean off by %v (SE %v)", i, d, sd/math.Sqrt(n))
		}
	}
}

// A one-by-one Gaussian–ReLU model is proper exactly when w² < σ²γ: exp(−F(v)) then decays
// like exp(−(1/σ² − w²/(σ⁴γ))v²/2) for large v.
func TestCheckNormalizable(t *testing.T) {
	for _, c := range []struct {
		w, sigma, gamma float64
		proper          bool
	}{{0.9, 1, 1, true}, {1.1, 1, 1, false}, {1.1, 1.2, 1, true}, {0.9, 1, 0.5, false}} {
		m := NewWithLayers(NewGaussian(1, false), NewReLU(1))
		m.W.Data[0], m.Visible.(*Gaussian).Sigma[0], m.Hidden.(*ReLU).Gamma[0] = c.w, c.sigma, c.gamma
		err := m.CheckNormalizable()
		if (err == nil) != c.proper {
			t.Errorf("%+v: %v", c, err)
		}
	}
	if err := New(3, 2).CheckNormalizable(); err != nil {
		t.Errorf("Bernoulli model: %v", err)
	}
}
