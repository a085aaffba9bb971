package ais

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// continuousModel returns a model on the given layers with W ~ N(0, 0.5²), biases N(0, 0.3²)
// and its further parameters (σ, γ) in [0.6, 1.4].
func continuousModel(vis, hid rbm.Layer, seed uint64) *rbm.RBM {
	return oracle.RandomLayerModel(vis, hid, 0.5, 0.3, 0.6, 1.4, rand.New(rand.NewPCG(seed, 17)))
}

// exactSamples draws n exact samples of v from a model whose hidden layer is Bernoulli and
// small: h from p(h) ∝ exp(−F(h)) by enumeration, then v ~ p(v|h).
func exactSamples(m *rbm.RBM, n int, seed uint64) *matrix.Dense {
	nh := m.NH()
	logp := make([]float64, 1<<nh)
	h := make([]float64, nh)
	for s := range logp {
		for j := range h {
			h[j] = float64(s >> j & 1)
		}
		logp[s] = -m.FreeEnergyHidden(h)
	}
	top := math.Inf(-1)
	for _, l := range logp {
		top = math.Max(top, l)
	}
	cum := make([]float64, len(logp))
	var tot float64
	for s, l := range logp {
		tot += math.Exp(l - top)
		cum[s] = tot
	}
	r := rand.New(rand.NewPCG(seed, 19))
	x := matrix.NewDense(n, m.NV())
	for k := 0; k < n; k++ {
		u := r.Float64() * tot
		s := 0
		for cum[s] < u {
			s++
		}
		for j := range h {
			h[j] = float64(s >> j & 1)
		}
		m.SampleVisible(x.Row(k), h, r)
	}
	return x
}

// The generic path brackets the exact log Z of an enumerable Gaussian–Bernoulli model within
// 0.1 nats from both sides, with a trustworthy verdict; the reverse runs start at exact
// samples, so both bounds hold.
func TestGenericAISGaussianBernoulli(t *testing.T) {
	m := continuousModel(rbm.NewGaussian(6, false), rbm.NewBernoulli(8), 1)
	bracketsExact(t, m, exactSamples(m, 200, 2), &Options{Runs: 64, Betas: Schedule(1000), Seed: 3})
}

// bracketsExact checks that Sandwich of m started at x, with opts, puts both estimates within
// 0.1 nats of the exact log Z (enumerated) and calls the bracket trustworthy.
func bracketsExact(t *testing.T, m *rbm.RBM, x *matrix.Dense, opts *Options) {
	t.Helper()
	want, err := exact.LogZ(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	br, err := Sandwich(context.Background(), m, x, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Result{br.Forward, br.Reverse} {
		if math.Abs(r.LogZ-want) > 0.1 {
			t.Errorf("AIS log Z %v ± %v, exact %v", r.LogZ, r.LogZStderr, want)
		}
	}
	if !br.Trustworthy {
		t.Errorf("verdict %v (gap %v)", br.Verdict, br.Gap)
	}
	t.Logf("exact %.4f forward %.4f±%.4f (ESS %.1f) reverse %.4f±%.4f (ESS %.1f)", want, br.Forward.LogZ,
		br.Forward.LogZStderr, br.Forward.ESS, br.Reverse.LogZ, br.Reverse.LogZStderr, br.Reverse.ESS)
}

// Forward AIS on Bernoulli–ReLU and Bernoulli–dReLU models (the visible layer enumerable
// for the exact answer) is within 0.1 nats of the exact log Z.
func TestGenericAISReLU(t *testing.T) {
	for _, hid := range []rbm.Layer{rbm.NewReLU(5), rbm.NewDReLU(5)} {
		m := continuousModel(rbm.NewBernoulli(8), hid, 4)
		want, err := exact.LogZ(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Forward(context.Background(), m, &Options{Runs: 64, Betas: Schedule(1000), Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(r.LogZ-want) > 0.1 {
			t.Errorf("%s: AIS log Z %v ± %v, exact %v", hid.Name(), r.LogZ, r.LogZStderr, want)
		}
	}
}

// A layer without an AIS path is refused with an *rbm.UnsupportedError.
func TestGenericAISUnsupported(t *testing.T) {
	m := rbm.NewWithLayers(plainLayer{rbm.NewBernoulli(3)}, rbm.NewBernoulli(2))
	_, err := Forward(context.Background(), m, nil)
	var ue *rbm.UnsupportedError
	if !errors.As(err, &ue) {
		t.Errorf("err = %v", err)
	}
}

// plainLayer hides every optional method of the layer it wraps.
type plainLayer struct{ rbm.Layer }

// Spin and Potts layers take the generic path too: forward AIS and reverse AIS from exact
// samples (the hidden layer enumerated) bracket the exact log Z within 0.1 nats, for spin
// visibles with Bernoulli hiddens, Potts visibles with Bernoulli hiddens, and Bernoulli
// visibles with spin hiddens; the base model is fitted to the samples' site frequencies.
func TestGenericAISSpinPotts(t *testing.T) {
	cases := []struct {
		vis, hid rbm.Layer
	}{
		{rbm.NewSpin(9), rbm.NewBernoulli(5)},
		{rbm.NewPotts(5, 3), rbm.NewBernoulli(5)},
		{rbm.NewBernoulli(9), rbm.NewSpin(5)},
	}
	for _, tc := range cases {
		m := continuousModel(tc.vis, tc.hid, 6)
		want, err := exact.LogZ(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		x := mcmcSamples(m, 200, 7)
		br, err := Sandwich(context.Background(), m, x, &Options{Runs: 64, Betas: Schedule(1000), Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		name := tc.vis.Name() + "–" + tc.hid.Name()
		if d := math.Abs(br.Forward.LogZ - want); d > 0.1 {
			t.Errorf("%s: forward AIS log Z %v ± %v, exact %v", name, br.Forward.LogZ, br.Forward.LogZStderr, want)
		}
		if d := math.Abs(br.Reverse.LogZ - want); d > 0.1 {
			t.Errorf("%s: reverse AIS log Z %v ± %v, exact %v", name, br.Reverse.LogZ, br.Reverse.LogZStderr, want)
		}
	}
}

// mcmcSamples returns the visible states of n Gibbs chains after 500 sweeps, close to exact
// draws for these small, weakly coupled models.
func mcmcSamples(m *rbm.RBM, n int, seed uint64) *matrix.Dense {
	r := rand.New(rand.NewPCG(seed, 23))
	v, h := matrix.NewDense(n, m.NV()), matrix.NewDense(n, m.NH())
	m.SampleHiddenBatch(h, v, r)
	for range 500 {
		m.GibbsBatch(v, h, r)
	}
	return v
}

// At the size the exact sums still reach from the visible side, 20 Bernoulli visible units
// with 10 ReLU or dReLU hidden units, forward AIS with the default 14,500 temperatures lands
// within 0.1 nats of the exact log Z.
func TestGenericAISReLU20(t *testing.T) {
	if testing.Short() {
		t.Skip("2^20 visible states and 14,500 temperatures")
	}
	for _, hid := range []rbm.Layer{rbm.NewReLU(10), rbm.NewDReLU(10)} {
		m := continuousModel(rbm.NewBernoulli(20), hid, 8)
		want, err := exact.LogZ(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Forward(context.Background(), m, &Options{Runs: 32, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(r.LogZ-want) > 0.1 {
			t.Errorf("%s: AIS log Z %v ± %v, exact %v", hid.Name(), r.LogZ, r.LogZStderr, want)
		}
		t.Logf("20×10 Bernoulli–%s: AIS %.4f ± %.4f, exact %.4f", hid.Name(), r.LogZ, r.LogZStderr, want)
	}
}

// ReverseStart on Gaussian visible units (Gibbs sweeps, then Gibbs–Langevin rounds) ends at
// the model's law: each unit's ⟨v⟩ and ⟨v²⟩ over its states agree with those of exact samples
// within 4 standard errors of their difference, though the data it starts from sit 5 away.
func TestReverseStartGaussian(t *testing.T) {
	m := continuousModel(rbm.NewGaussian(6, false), rbm.NewBernoulli(8), 4)
	if got := ReverseStartLangevin(m, 100); got != 10 {
		t.Errorf("ReverseStartLangevin = %d, want 10", got)
	}
	if got := ReverseStartLangevin(rbm.New(6, 8), 100); got != 0 {
		t.Errorf("ReverseStartLangevin(Bernoulli) = %d, want 0", got)
	}
	x := matrix.NewDense(20, m.NV())
	for i := range x.Data {
		x.Data[i] = 5
	}
	const n = 4000
	got, err := ReverseStart(context.Background(), m, x, n, 100, 6, Float64)
	if err != nil {
		t.Fatal(err)
	}
	want := exactSamples(m, n, 7)
	moments := func(s *matrix.Dense, i int) (m1, m2, v1, v2 float64) {
		var s1, s2, s4 float64
		for r := range s.Rows {
			x := s.At(r, i)
			s1, s2, s4 = s1+x, s2+x*x, s4+x*x*x*x
		}
		k := float64(s.Rows)
		m1, m2 = s1/k, s2/k
		return m1, m2, (m2 - m1*m1) / k, (s4/k - m2*m2) / k
	}
	for i := range m.NV() {
		a1, a2, av1, av2 := moments(got, i)
		b1, b2, bv1, bv2 := moments(want, i)
		if math.Abs(a1-b1) > 4*math.Sqrt(av1+bv1) || math.Abs(a2-b2) > 4*math.Sqrt(av2+bv2) {
			t.Errorf("unit %d: ⟨v⟩ %.4f vs exact samples' %.4f, ⟨v²⟩ %.4f vs %.4f", i, a1, b1, a2, b2)
		}
	}
}
