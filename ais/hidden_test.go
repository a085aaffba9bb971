package ais

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// One sweep of the hidden path at β leaves f_β(h) = exp(−(1−β)·E_A(h) − β·F_B(h))
// invariant: 6000 independent chains, started from the base hidden layer and swept 30 times
// at β = 0.37, end in each of the 2^4 hidden states with the exact frequency of f_β, within
// 4.5 binomial standard errors.
func TestHiddenSweepInvariant(t *testing.T) {
	m := oracle.RandomLayerModel(rbm.NewGaussian(5, false), rbm.NewBernoulli(4), 0.8, 0.5, 0.3, 0.9,
		rand.New(rand.NewPCG(3, 1)))
	x := exactSamples(m, 50, 4)
	p := newHiddenPath(m, x)
	const beta, n, sweeps = 0.37, 6000, 30
	nh := m.NH()
	logf := make([]float64, 1<<nh)
	h := make([]float64, nh)
	top := math.Inf(-1)
	for s := range logf {
		for j := range h {
			h[j] = float64(s >> j & 1)
		}
		logf[s] = -(1-beta)*p.hidA.Energy(h) - beta*m.FreeEnergyHidden(h)
		top = math.Max(top, logf[s])
	}
	var tot float64
	for _, l := range logf {
		tot += math.Exp(l - top)
	}
	g := newGenericRuns(m, 9, nil, 0, n)
	for r := 0; r < n; r++ {
		p.hidA.Sample(g.h.Row(r), p.hidA.Bias(), g.rngs[r])
	}
	p.set(p.cur, beta)
	for k := 0; k < sweeps; k++ {
		g.xv = m.VisibleInputBatch(g.xv, g.h)
		g.hiddenSweep(p, p.cur, beta)
	}
	count := make([]float64, 1<<nh)
	for r := 0; r < n; r++ {
		s := 0
		for j, v := range g.h.Row(r) {
			s |= int(v) << j
		}
		count[s]++
	}
	for s := range count {
		want := math.Exp(logf[s]-top) / tot
		se := math.Sqrt(want * (1 - want) / n)
		if got := count[s] / n; math.Abs(got-want) > 4.5*se+1e-9 {
			t.Errorf("state %04b: frequency %.4f, f_β gives %.4f (se %.4f)", s, got, want, se)
		}
	}
}

// On a Gaussian–Bernoulli model with small σ (strong coupling between the hidden units
// through the visible ones), the hidden path brackets the exact log Z within 0.1 nats, with
// the reverse runs started at exact samples.
func TestHiddenPathSmallSigma(t *testing.T) {
	m := oracle.RandomLayerModel(rbm.NewGaussian(12, false), rbm.NewBernoulli(10), 0.3, 0.3, 0.15, 0.4,
		rand.New(rand.NewPCG(5, 1)))
	if !hiddenSide(m) {
		t.Fatal("a Gaussian–Bernoulli model does not take the hidden path")
	}
	bracketsExact(t, m, exactSamples(m, 200, 6), &Options{Runs: 64, Betas: Schedule(2000), Seed: 7})
}

// TemperHidden reaches both modes of a model whose hidden marginal has two, separated by a
// barrier that block Gibbs sampling at β = 1 does not cross in the sweeps given: all chains
// start in one mode, and the mean of the returned visible states matches the exact E[v]
// (a mixture over the four hidden states) within 4.5 standard errors.
func TestTemperHiddenCrossesModes(t *testing.T) {
	g := rbm.NewGaussian(3, false)
	for i := range g.Sigma {
		g.Sigma[i] = 0.2
	}
	m := rbm.NewWithLayers(g, rbm.NewBernoulli(2))
	// h = (1,0) puts v near (+1,+1,+1)·0.8, h = (0,1) near (−1,−1,−1)·0.8; both on is penalised.
	for i := 0; i < 3; i++ {
		m.W.Set(i, 0, 0.8)
		m.W.Set(i, 1, -0.8)
	}
	c := m.C()
	c[0], c[1] = -0.4, -0.2
	const n = 3000
	start := matrix.NewDense(n, 3)
	for i := range start.Data {
		start.Data[i] = 0.8 // every chain in the first mode
	}
	v, err := TemperHidden(context.Background(), m, nil, start, n, 60, 12, 3)
	if err != nil {
		t.Fatal(err)
	}
	// exact moments of v: a mixture of N(b + Wh, σ²) over p(h) ∝ exp(−F(h)).
	var z float64
	mean, second := make([]float64, 3), make([]float64, 3)
	h := make([]float64, 2)
	for s := 0; s < 4; s++ {
		h[0], h[1] = float64(s&1), float64(s>>1)
		w := math.Exp(-m.FreeEnergyHidden(h))
		z += w
		x := m.VisibleInput(nil, h)
		for i := range x {
			mean[i] += w * x[i]
			second[i] += w * (x[i]*x[i] + g.Sigma[i]*g.Sigma[i])
		}
	}
	for i := range mean {
		mu := mean[i] / z
		se := math.Sqrt((second[i]/z - mu*mu) / n)
		var got float64
		for r := 0; r < n; r++ {
			got += v.At(r, i)
		}
		got /= n
		if math.Abs(got-mu) > 4.5*se {
			t.Errorf("E[v_%d]: tempered chains %.4f, exact %.4f (se %.4f)", i, got, mu, se)
		}
	}
}

// Forward with Options.BaseRows fits the hidden path's base to the rows' hidden means, as
// Sandwich does: its estimate matches Sandwich's forward estimate bit for bit (same seed,
// same base) and lies within 0.1 nats of exact log Z; rows of the wrong width are refused.
func TestForwardBaseRows(t *testing.T) {
	m := oracle.RandomLayerModel(rbm.NewGaussian(12, false), rbm.NewBernoulli(10), 0.3, 0.3, 0.15, 0.4,
		rand.New(rand.NewPCG(5, 1)))
	want, err := exact.LogZ(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := exactSamples(m, 200, 6)
	opts := Options{Runs: 64, Betas: Schedule(2000), Seed: 7}
	br, err := Sandwich(context.Background(), m, x, &opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.BaseRows = x
	fwd, err := Forward(context.Background(), m, &opts)
	if err != nil {
		t.Fatal(err)
	}
	if fwd.LogZ != br.Forward.LogZ || math.Abs(fwd.LogZ-want) > 0.1 {
		t.Errorf("Forward with BaseRows %v, Sandwich's forward %v, exact %v", fwd.LogZ, br.Forward.LogZ, want)
	}
	opts.BaseRows = exactSamples(m, 5, 1)
	opts.BaseRows.Cols, opts.BaseRows.Rows = 6, 10
	if _, err := Forward(context.Background(), m, &opts); err == nil {
		t.Error("BaseRows of 6 columns accepted for a 12-unit visible layer")
	}
}

// quadratureLogZ returns log Z of a model with one or two continuous hidden units by the
// trapezoid rule over h on [lo, hi] per unit (n intervals each), the visible layer
// integrated out exactly: Z = ∫ exp(−F(h)) dh, F the hidden-side free energy.
func quadratureLogZ(m *rbm.RBM, lo, hi float64, n int) float64 {
	nh := m.NH()
	step := (hi - lo) / float64(n)
	h := make([]float64, nh)
	top := -m.FreeEnergyHidden(h)
	var sum float64
	idx := make([]int, nh)
	for {
		w := 1.0
		for j, k := range idx {
			h[j] = lo + float64(k)*step
			if k == 0 || k == n {
				w /= 2
			}
		}
		sum += w * math.Exp(-m.FreeEnergyHidden(h)-top)
		j := 0
		for ; j < nh; j++ {
			if idx[j]++; idx[j] <= n {
				break
			}
			idx[j] = 0
		}
		if j == nh {
			break
		}
	}
	return top + math.Log(sum) + float64(nh)*math.Log(step)
}

// The hidden path with continuous hidden units: Gaussian–ReLU and Gaussian–dReLU models with
// two hidden units (whose log Z neither layer can enumerate) against quadrature over h.
// Forward AIS from Forward's own base and the bracket of Sandwich, its reverse runs started
// at ReverseStart's states, are within 0.05 nats of it.
func TestHiddenPathReLUQuadrature(t *testing.T) {
	for _, hid := range []rbm.Layer{rbm.NewReLU(2), rbm.NewDReLU(2)} {
		m := oracle.RandomLayerModel(rbm.NewGaussian(5, false), hid, 0.25, 0.3, 0.7, 1.3,
			rand.New(rand.NewPCG(11, 1)))
		if err := m.CheckNormalizable(); err != nil {
			t.Fatal(err)
		}
		if !hiddenSide(m) {
			t.Fatalf("%s: Gaussian visible units do not take the hidden path", hid.Name())
		}
		lo := 0.0
		if _, ok := hid.(*rbm.DReLU); ok {
			lo = -12
		}
		want := quadratureLogZ(m, lo, 12, 1200)
		opts := &Options{Runs: 64, Betas: Schedule(2000), Seed: 2}
		fwd, err := Forward(context.Background(), m, opts)
		if err != nil {
			t.Fatal(err)
		}
		x := matrix.NewDense(50, 5)
		start, err := ReverseStart(context.Background(), m, x, 64, 500, 3, Float64)
		if err != nil {
			t.Fatal(err)
		}
		br, err := Sandwich(context.Background(), m, start, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []Result{*fwd, br.Forward, br.Reverse} {
			if math.Abs(r.LogZ-want) > 0.05 {
				t.Errorf("%s: AIS log Z %v ± %v, quadrature %v", hid.Name(), r.LogZ, r.LogZStderr, want)
			}
		}
		t.Logf("%s: quadrature %.5f forward %.5f bracket [%.5f, %.5f]", hid.Name(), want, fwd.LogZ, br.Forward.LogZ, br.Reverse.LogZ)
	}
}
