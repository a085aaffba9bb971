package rbm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/matrix"
)

// randomGaussianModel returns a Gaussian–Bernoulli model with random weights, biases and σ.
func randomGaussianModel(nv, nh int, seed uint64) *RBM {
	r := rand.New(rand.NewPCG(seed, 7))
	m := NewWithLayers(NewGaussian(nv, false), NewBernoulli(nh))
	m.InitNormalWithBiases(0.5, 0.5, r)
	for i := range m.Visible.(*Gaussian).Sigma {
		m.Visible.(*Gaussian).Sigma[i] = 0.5 + r.Float64()
	}
	return m
}

// The log-normaliser is the log of the integral of exp(t(v)·x − φ(v)) (identity: a
// trapezoid sum on a fine grid), and the free energy sums the hidden layer out of the
// energy (identity: enumeration of h).
func TestGaussianLogNormalizerAndFreeEnergy(t *testing.T) {
	m := randomGaussianModel(3, 4, 1)
	g := m.Visible.(*Gaussian)
	x := []float64{-1.3, 0.2, 2.5}
	var want float64
	for i, xi := range x {
		s2 := g.Sigma[i] * g.Sigma[i]
		const lo, hi, n = -30.0, 30.0, 200_000
		dv := (hi - lo) / n
		var sum float64
		for k := 0; k <= n; k++ {
			v := lo + float64(k)*dv
			f := math.Exp(v/s2*xi - (v*v+g.B[i]*g.B[i])/(2*s2))
			if k == 0 || k == n {
				f /= 2
			}
			sum += f * dv
		}
		want += math.Log(sum)
	}
	if got := g.LogNormalizer(x); math.Abs(got-want) > 1e-9 {
		t.Errorf("LogNormalizer = %v, quadrature %v", got, want)
	}
	v := []float64{0.3, -1.1, 2}
	h := make([]float64, 4)
	var acc []float64
	for idx := 0; idx < 16; idx++ {
		for j := range h {
			h[j] = float64(idx >> j & 1)
		}
		acc = append(acc, -m.Energy(v, h))
	}
	mx := math.Inf(-1)
	for _, a := range acc {
		mx = math.Max(mx, a)
	}
	var s float64
	for _, a := range acc {
		s += math.Exp(a - mx)
	}
	if got, want := m.FreeEnergy(v), -(mx + math.Log(s)); math.Abs(got-want) > 1e-12 {
		t.Errorf("FreeEnergy = %v, enumeration %v", got, want)
	}
}

// Draws of v given h have mean x and standard deviation σ, within 4 standard errors.
func TestGaussianSample(t *testing.T) {
	g := NewGaussian(2, false)
	g.Sigma[0], g.Sigma[1] = 0.5, 2
	x := []float64{1, -3, 1, -3} // two rows back to back
	r := rand.New(rand.NewPCG(3, 4))
	const n = 20_000
	var sum, sq [4]float64
	dst := make([]float64, 4)
	for range n {
		g.Sample(dst, x, r)
		for i, v := range dst {
			sum[i] += v
			sq[i] += (v - x[i]) * (v - x[i])
		}
	}
	for i := range x {
		sg := g.Sigma[i%2]
		if d := sum[i]/n - x[i]; math.Abs(d) > 4*sg/math.Sqrt(n) {
			t.Errorf("unit %d: mean off by %v", i, d)
		}
		// The variance of a sample variance of a normal is 2σ⁴/n.
		if d := sq[i]/n - sg*sg; math.Abs(d) > 4*sg*sg*math.Sqrt(2.0/n) {
			t.Errorf("unit %d: variance off by %v", i, d)
		}
	}
}

// Model files keep σ (visible_sigma) and the fixed flag; a non-positive σ is rejected.
func TestGaussianFileRoundTrip(t *testing.T) {
	m := randomGaussianModel(3, 2, 5)
	m.Visible.(*Gaussian).Fixed = true
	a, err := m.Archive(nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Arrays["visible_sigma"] == nil {
		t.Fatal("no visible_sigma array")
	}
	got, _, err := FromArchive(a)
	if err != nil {
		t.Fatal(err)
	}
	g := got.Visible.(*Gaussian)
	if !g.Fixed || g.Sigma[2] != m.Visible.(*Gaussian).Sigma[2] {
		t.Errorf("round trip: %+v", g)
	}
	a.Arrays["visible_sigma"].Data[1] = -1
	if _, _, err := FromArchive(a); err == nil {
		t.Error("negative sigma accepted")
	}
}

// Statistics' W block is ⟨t(v) E[h|v]ᵀ⟩ and its σ block the derivative of −F(v): checked
// against central differences of the mean free energy.
func TestGaussianStatisticsAreFreeEnergyGradient(t *testing.T) {
	m := randomGaussianModel(3, 4, 9)
	r := rand.New(rand.NewPCG(9, 9))
	vs := matrix.NewDense(5, 3)
	for i := range vs.Data {
		vs.Data[i] = r.NormFloat64()
	}
	g := GradLike(m)
	m.Statistics(g, vs, nil)
	meanNegF := func() float64 {
		var s float64
		for k := 0; k < vs.Rows; k++ {
			s -= m.FreeEnergy(vs.Row(k))
		}
		return s / float64(vs.Rows)
	}
	params := [][]float64{m.W.Data, m.B(), m.C(), m.Visible.(*Gaussian).Sigma}
	for k, p := range g.Parts() {
		for i := range p.X {
			orig := params[k][i]
			const eps = 1e-5
			params[k][i] = orig + eps
			fp := meanNegF()
			params[k][i] = orig - eps
			fm := meanNegF()
			params[k][i] = orig
			if d := (fp - fm) / (2 * eps); math.Abs(d-p.X[i]) > 1e-7*math.Max(1, math.Abs(d)) {
				t.Errorf("%s[%d]: statistic %v, finite difference %v", p.Name, i, p.X[i], d)
			}
		}
	}
}

// Gaussian.Sample32 draws what Sample draws from the same stream, rounded to float32: with
// μ = x + bias formed in float32, the float64 sample at inputs μ rounds to the float32 one
// bit for bit, the stream is left in the same state, and the means are scale·μ (Means32
// too).
func TestGaussianSample32MatchesSample(t *testing.T) {
	const n = 37
	l := NewGaussian(n, false)
	r := rand.New(rand.NewPCG(5, 6))
	x, bias, mu := make([]float32, n), make([]float32, n), make([]float64, n)
	for i := range x {
		l.Sigma[i] = 0.1 + r.Float64()
		x[i], bias[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
		mu[i] = float64(x[i] + bias[i])
	}
	src64, src32 := rand.NewPCG(7, 8), rand.NewPCG(7, 8)
	want := make([]float64, n)
	l.Sample(want, mu, rand.New(src64))
	got, mean, means := make([]float32, n), make([]float32, n), make([]float32, n)
	l.Sample32(got, mean, 0.5, x, bias, src32)
	l.Means32(means, 0.5, x, bias)
	for i := range got {
		if got[i] != float32(want[i]) {
			t.Fatalf("unit %d: Sample32 %v, Sample %v", i, got[i], want[i])
		}
		if m := 0.5 * (x[i] + bias[i]); mean[i] != m || means[i] != m {
			t.Fatalf("unit %d: means %v and %v, want %v", i, mean[i], means[i], m)
		}
	}
	if src64.Uint64() != src32.Uint64() {
		t.Fatal("Sample32 and Sample leave their streams in different states")
	}
}
