package mcmc

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// gaussianModel returns a 3×4 Gaussian–Bernoulli model whose visible means sit far from the
// N(0, 1) noise the chains start from.
func gaussianModel() *rbm.RBM {
	g := rbm.NewGaussian(3, false)
	m := rbm.NewWithLayers(g, rbm.NewBernoulli(4))
	r := rand.New(rand.NewPCG(7, 8))
	m.InitNormalWithBiases(0.8, 0.5, r)
	copy(g.B, []float64{2, -1.5, 3})
	copy(g.Sigma, []float64{0.7, 1.2, 0.5})
	return m
}

// exactVisibleMoments returns ⟨v_i⟩ and ⟨v_i²⟩ under m by enumerating the hidden states:
// p(h) ∝ exp(−F(h)), v | h ~ N(b + Wh, σ²).
func exactVisibleMoments(m *rbm.RBM) (mean, sq []float64) {
	g := m.Visible.(*rbm.Gaussian)
	nv, nh := m.NV(), m.NH()
	mean, sq = make([]float64, nv), make([]float64, nv)
	h, mu := make([]float64, nh), make([]float64, nv)
	var z float64
	for s := 0; s < 1<<nh; s++ {
		for j := range h {
			h[j] = float64(s >> j & 1)
		}
		w := math.Exp(-m.FreeEnergyHidden(h))
		m.VisibleMeans(mu, h)
		z += w
		for i, x := range mu {
			mean[i] += w * x
			sq[i] += w * (x*x + g.Sigma[i]*g.Sigma[i])
		}
	}
	for i := range mean {
		mean[i] /= z
		sq[i] /= z
	}
	return mean, sq
}

// The Langevin steps alone, and alternated with Gibbs sweeps, reach the model's exact
// visible moments from noise, within 4 standard errors of the chains' means (independent
// chains, so the standard error is the spread over √n).
func TestGibbsLangevinMoments(t *testing.T) {
	m := gaussianModel()
	mean, sq := exactVisibleMoments(m)
	for _, gibbs := range []bool{false, true} {
		res, err := gibbsLangevin(m, 4000, 40, 5, 0.05, 3, gibbs)
		if err != nil {
			t.Fatal(err)
		}
		if res.Acceptance < 0.3 || res.Acceptance > 1 {
			t.Errorf("gibbs %v: acceptance %v", gibbs, res.Acceptance)
		}
		n := float64(res.Samples.Rows)
		for i := range mean {
			var s1, s2, s4 float64
			for r := range res.Samples.Rows {
				x := res.Samples.At(r, i)
				s1 += x
				s2 += x * x
				s4 += x * x * x * x
			}
			m1, m2 := s1/n, s2/n
			se1 := math.Sqrt((m2 - m1*m1) / n)
			se2 := math.Sqrt((s4/n - m2*m2) / n)
			if math.Abs(m1-mean[i]) > 4*se1 || math.Abs(m2-sq[i]) > 4*se2 {
				t.Errorf("gibbs %v, unit %d: ⟨v⟩ %v ± %v (exact %v), ⟨v²⟩ %v ± %v (exact %v)",
					gibbs, i, m1, se1, mean[i], m2, se2, sq[i])
			}
		}
	}
}

// Only Gaussian visible units are taken.
func TestGibbsLangevinRefusesBinary(t *testing.T) {
	_, err := GibbsLangevin(rbm.New(3, 2), 2, 1, 1, 0.1, 1)
	if !errors.Is(err, rbm.ErrUnsupported) {
		t.Errorf("err = %v", err)
	}
}

// GibbsLangevinFrom keeps the states of chains already at the model's law there (the exact
// moments, from chains started at exact samples), gives the same bits on one thread as on
// several, and stops with ctx's error when ctx is cancelled.
func TestGibbsLangevinFrom(t *testing.T) {
	m := gaussianModel()
	mean, sq := exactVisibleMoments(m)
	const n = 3000
	v := Sample(m, n, 200, 5, nil) // block Gibbs from zero inputs: at the model's law by now
	run := func(threads int) *matrix.Dense {
		defer par.SetThreads(par.SetThreads(threads))
		w := v.Clone()
		acc, err := GibbsLangevinFrom(context.Background(), m, w, 10, 20, 0.5, 9, 1)
		if err != nil {
			t.Fatal(err)
		}
		if acc < 0.2 || acc > 1 {
			t.Errorf("acceptance %v", acc)
		}
		return w
	}
	one, two := run(1), run(2)
	for i, x := range one.Data {
		if x != two.Data[i] {
			t.Fatalf("element %d: %v on one thread, %v on two", i, x, two.Data[i])
		}
	}
	for i := range mean {
		var s1, s2, s4 float64
		for r := range n {
			x := one.At(r, i)
			s1 += x
			s2 += x * x
			s4 += x * x * x * x
		}
		m1, m2 := s1/n, s2/n
		se1 := math.Sqrt((m2 - m1*m1) / n)
		se2 := math.Sqrt((s4/n - m2*m2) / n)
		if math.Abs(m1-mean[i]) > 4*se1 || math.Abs(m2-sq[i]) > 4*se2 {
			t.Errorf("unit %d: ⟨v⟩ %v ± %v (exact %v), ⟨v²⟩ %v ± %v (exact %v)", i, m1, se1, mean[i], m2, se2, sq[i])
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := GibbsLangevinFrom(ctx, m, v.Clone(), 10, 5, 0.05, 9, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}
