package rbm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/matrix"
)

func randomModel(nv, nh int, std float64, seed uint64) *RBM {
	r := rand.New(rand.NewPCG(seed, 1))
	m := New(nv, nh)
	m.InitNormalWithBiases(std, std, r)
	return m
}

// states returns every binary vector of length n, in counting order.
func states(n int) [][]float64 {
	out := make([][]float64, 1<<n)
	for s := range out {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(s >> i & 1)
		}
		out[s] = x
	}
	return out
}

// The free energy sums out one layer: exp(−F(v)) = Σ_h exp(−E(v,h)) and
// exp(−F(h)) = Σ_v exp(−E(v,h)), checked by brute force.
func TestFreeEnergyIsMarginalOfEnergy(t *testing.T) {
	m := randomModel(4, 3, 1, 7)
	for _, v := range states(4) {
		var s float64
		for _, h := range states(3) {
			s += math.Exp(-m.Energy(v, h))
		}
		if got, want := m.FreeEnergy(v), -math.Log(s); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("F(%v) = %v, brute force %v", v, got, want)
		}
	}
	for _, h := range states(3) {
		var s float64
		for _, v := range states(4) {
			s += math.Exp(-m.Energy(v, h))
		}
		if got, want := m.FreeEnergyHidden(h), -math.Log(s); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("F(h=%v) = %v, brute force %v", h, got, want)
		}
	}
}

// The conditional means are the exact conditional probabilities p(h_j=1|v) obtained by
// summing the joint.
func TestConditionalMeansMatchJoint(t *testing.T) {
	m := randomModel(3, 4, 1.5, 3)
	for _, v := range states(3) {
		mean := m.HiddenMeans(nil, v)
		var z float64
		want := make([]float64, 4)
		for _, h := range states(4) {
			p := math.Exp(-m.Energy(v, h))
			z += p
			for j := range h {
				want[j] += p * h[j]
			}
		}
		for j := range want {
			if math.Abs(mean[j]-want[j]/z) > 1e-12 {
				t.Errorf("E[h_%d|v=%v] = %v, joint gives %v", j, v, mean[j], want[j]/z)
			}
		}
	}
}

func TestExtremeBiasesStayFinite(t *testing.T) {
	m := New(3, 2)
	copy(m.B(), []float64{1e3, -1e3, 1e3})
	copy(m.C(), []float64{-1e3, 1e3})
	m.W.Data[0] = 1e3
	for _, v := range states(3) {
		f := m.FreeEnergy(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			t.Fatalf("F(%v) = %v", v, f)
		}
		for _, x := range m.HiddenMeans(nil, v) {
			if x < 0 || x > 1 || math.IsNaN(x) {
				t.Fatalf("E[h|v=%v] has %v", v, x)
			}
		}
	}
	for _, h := range states(2) {
		if f := m.FreeEnergyHidden(h); math.IsNaN(f) || math.IsInf(f, 0) {
			t.Fatalf("F(h=%v) = %v", h, f)
		}
	}
}

func TestBatchMatchesSingle(t *testing.T) {
	m := randomModel(5, 4, 1, 11)
	vs := matrix.NewDense(7, 5)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range vs.Data {
		vs.Data[i] = float64(r.IntN(2))
	}
	hm := m.HiddenMeansBatch(nil, vs)
	fe := m.FreeEnergyBatch(nil, vs, nil)
	for i := 0; i < vs.Rows; i++ {
		want := m.HiddenMeans(nil, vs.Row(i))
		for j, w := range want {
			if math.Abs(hm.At(i, j)-w) > 1e-14 {
				t.Errorf("row %d unit %d: batch %v single %v", i, j, hm.At(i, j), w)
			}
		}
		if math.Abs(fe[i]-m.FreeEnergy(vs.Row(i))) > 1e-12 {
			t.Errorf("row %d: batch F %v single %v", i, fe[i], m.FreeEnergy(vs.Row(i)))
		}
	}
	vm := m.VisibleMeansBatch(nil, hm)
	for i := 0; i < hm.Rows; i++ {
		want := m.VisibleMeans(nil, hm.Row(i))
		for j, w := range want {
			if math.Abs(vm.At(i, j)-w) > 1e-14 {
				t.Errorf("row %d visible %d: batch %v single %v", i, j, vm.At(i, j), w)
			}
		}
	}
}

// Sampling h given v: the empirical frequency of h_j = 1 must match σ(input) within 4
// standard errors √(p(1−p)/n).
func TestSampleHiddenFrequencies(t *testing.T) {
	m := randomModel(3, 4, 1, 5)
	v := []float64{1, 0, 1}
	p := m.HiddenMeans(nil, v)
	r := rand.New(rand.NewPCG(9, 9))
	const n = 20000
	counts := make([]float64, 4)
	h := make([]float64, 4)
	for range n {
		m.SampleHidden(h, v, r)
		for j, x := range h {
			counts[j] += x
		}
	}
	for j := range p {
		se := math.Sqrt(p[j] * (1 - p[j]) / n)
		if d := math.Abs(counts[j]/n - p[j]); d > 4*se {
			t.Errorf("unit %d: frequency %v, probability %v (4 SE = %v)", j, counts[j]/n, p[j], 4*se)
		}
	}
}

func TestBernoulliCheck(t *testing.T) {
	if err := (&Bernoulli{}).Check([]float64{0, 1, 1}); err != nil {
		t.Fatal(err)
	}
	err := (&Bernoulli{}).Check([]float64{0, 0.5})
	if err == nil || err.Error() != "value 0.5 at column 2 is not a bernoulli state (want 0 or 1)" {
		t.Fatalf("Check: %v", err)
	}
}

func TestGradArithmetic(t *testing.T) {
	a, b := NewGrad(2, 3), NewGrad(2, 3)
	for k, p := range a.Parts() {
		for i := range p.X {
			p.X[i] = float64(i + k)
			b.Parts()[k].X[i] = 1
		}
	}
	d := NewGrad(2, 3)
	d.Sub(a, b)
	if got, want := d.Dot(b), a.Dot(b)-b.Dot(b); math.Abs(got-want) > 1e-12 {
		t.Fatalf("(a−b)·b = %v, want %v", got, want)
	}
	m := New(2, 3)
	b.ApplyTo(m, 2)
	if m.W.At(1, 2) != 2 || m.B()[1] != 2 || m.C()[2] != 2 {
		t.Fatalf("ApplyTo: %v %v %v", m.W.Data, m.B(), m.C())
	}
}

// The pseudo-log-likelihood from free-energy differences equals the log-conditionals
// computed from the marginal p(v) ∝ exp(−F(v)) by brute force.
func TestPseudoLogLikelihood(t *testing.T) {
	m := randomModel(4, 3, 1, 21)
	for _, v := range states(4) {
		var want float64
		for i := range v {
			flip := append([]float64(nil), v...)
			flip[i] = 1 - flip[i]
			a, b := -m.FreeEnergy(v), -m.FreeEnergy(flip)
			want += a - math.Log(math.Exp(a)+math.Exp(b))
		}
		if got := m.PseudoLogLikelihood(v); math.Abs(got-want) > 1e-12 {
			t.Errorf("PLL(%v) = %v, want %v", v, got, want)
		}
	}
	vs := matrix.NewDense(len(states(4)), 4)
	for k, v := range states(4) {
		copy(vs.Row(k), v)
	}
	var mean float64
	for _, v := range states(4) {
		mean += m.PseudoLogLikelihood(v) / 16
	}
	if got := m.PseudoLogLikelihoodBatch(vs, nil); math.Abs(got-mean) > 1e-12 {
		t.Errorf("batch PLL %v, want %v", got, mean)
	}
}

func nan() float64 { return math.NaN() }
