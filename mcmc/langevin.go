package mcmc

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// LangevinResult reports a run of GibbsLangevin.
type LangevinResult struct {
	Samples    *matrix.Dense // the chains' final visible states, one row per chain
	Acceptance float64       // the fraction of Langevin proposals accepted
}

// GibbsLangevin samples the visible units of a model with Gaussian visible units (rbm.Gaussian,
// Cho–Ilin–Raiko) by n independent chains that alternate one block Gibbs sweep (h ~ p(h|v),
// v ~ p(v|h)) with langevin steps of the Metropolis-adjusted Langevin algorithm on the
// marginal p(v) ∝ exp(−F(v)), for rounds rounds, after Liao, Kornblith, Ren, Fleet & Hinton
// (2022, "Gaussian-Bernoulli RBMs without tears"), who pair Gibbs sweeps with Langevin moves
// so that chains started from noise cross between modes that block Gibbs alone leaves
// slowly. A Langevin step is preconditioned by the units' variances Σ = diag(σ²), so that ε
// is a fraction of each unit's own scale (units with σ near its floor would otherwise force
// a step too small for the rest): it proposes
//
//	v′ = v − εΣ∇F(v) + √(2ε)·σ⊙ξ,   ξ ~ N(0, I),   (Σ∇F(v))_i = v_i − (b + W·E[h|v])_i,
//
// and accepts it with probability min(1, exp(F(v) − F(v′) − ‖v − v′ + εΣ∇F(v′)‖²/(4ε) +
// ‖v′ − v + εΣ∇F(v)‖²/(4ε))), the norms weighted by Σ⁻¹, so every step leaves p(v)
// invariant whatever ε is; ε trades the length of a move for its acceptance. Both kinds of step leave the model's distribution
// invariant, so their alternation does too. Chains start from N(0, 1) noise; chain k draws
// from the stream PCG(seed, k).
//
// It returns an *rbm.UnsupportedError unless the visible layer is Gaussian. It panics unless
// n ≥ 1, rounds ≥ 0, langevin ≥ 0 and eps > 0.
func GibbsLangevin(m *rbm.RBM, n, rounds, langevin int, eps float64, seed uint64) (*LangevinResult, error) {
	return gibbsLangevin(m, n, rounds, langevin, eps, seed, true)
}

// GibbsLangevinFrom continues Gibbs–Langevin chains (GibbsLangevin) at the rows of v, in
// place, for rounds rounds: chain k draws from a stream of (seed, stream, k), apart from
// GibbsLangevin's streams of the same seed. It
// returns the fraction of Langevin proposals accepted (0 when none were made). The chains
// run in parallel, each on its own stream, so the result does not depend on the number of
// threads. Errors and panics as GibbsLangevin; it also panics unless v has the model's nv
// columns. It returns ctx's error, with v part-way, if ctx is cancelled.
func GibbsLangevinFrom(ctx context.Context, m *rbm.RBM, v *matrix.Dense, rounds, langevin int, eps float64, seed, stream uint64) (float64, error) {
	if v.Cols != m.NV() {
		panic(fmt.Sprintf("boltz/mcmc: GibbsLangevinFrom: states have %d columns, model has %d visible units", v.Cols, m.NV()))
	}
	rs := make([]*rand.Rand, v.Rows)
	for k := range rs {
		rs[k] = rand.New(rng.PCG(seed, stream, uint64(k)))
	}
	return gibbsLangevinRun(ctx, m, v, rs, rounds, langevin, eps, true)
}

// gibbsLangevin is GibbsLangevin, without the Gibbs sweeps when gibbs is false (the test of
// the Langevin steps alone).
func gibbsLangevin(m *rbm.RBM, n, rounds, langevin int, eps float64, seed uint64, gibbs bool) (*LangevinResult, error) {
	if n < 1 {
		panic("boltz/mcmc: GibbsLangevin: want n ≥ 1, rounds ≥ 0, langevin ≥ 0 and eps > 0")
	}
	v := matrix.NewDense(n, m.NV())
	rs := make([]*rand.Rand, n)
	for k := range rs {
		rs[k] = rand.New(rand.NewPCG(seed, uint64(k)))
		for i := range v.Row(k) {
			v.Row(k)[i] = rs[k].NormFloat64()
		}
	}
	acc, err := gibbsLangevinRun(context.Background(), m, v, rs, rounds, langevin, eps, gibbs)
	if err != nil {
		return nil, err
	}
	return &LangevinResult{Samples: v, Acceptance: acc}, nil
}

// gibbsLangevinRun runs the chains at the rows of v, chain k drawing from rs[k], and returns
// the fraction of Langevin proposals accepted.
func gibbsLangevinRun(ctx context.Context, m *rbm.RBM, v *matrix.Dense, rs []*rand.Rand, rounds, langevin int, eps float64, gibbs bool) (float64, error) {
	g, ok := m.Visible.(*rbm.Gaussian)
	if !ok {
		return 0, &rbm.UnsupportedError{Op: "Gibbs–Langevin sampling", Want: "gaussian visible units", Layer: m.Visible.Name() + " visible"}
	}
	if rounds < 0 || langevin < 0 || !(eps > 0) {
		panic("boltz/mcmc: GibbsLangevin: want n ≥ 1, rounds ≥ 0, langevin ≥ 0 and eps > 0")
	}
	accepted := make([]int, v.Rows)
	par.Each(v.Rows, func(k int) {
		accepted[k] = langevinChain(ctx, m, g, v.Row(k), rs[k], rounds, langevin, eps, gibbs)
	})
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	proposed := v.Rows * rounds * langevin
	if proposed == 0 {
		return 0, nil
	}
	total := 0
	for _, a := range accepted {
		total += a
	}
	return float64(total) / float64(proposed), nil
}

// langevinChain runs one chain at row for rounds rounds, drawing from r, and returns the
// number of Langevin proposals it accepted.
func langevinChain(ctx context.Context, m *rbm.RBM, g *rbm.Gaussian, row []float64, r *rand.Rand, rounds, langevin int, eps float64, gibbs bool) int {
	nv, nh := m.NV(), m.NH()
	h := make([]float64, nh)
	grad := func(dst, x []float64) float64 { // dst = Σ∇F(x); returns F(x)
		hin := m.HiddenInput(h, x)
		f := m.Visible.Energy(x) - m.Hidden.LogNormalizer(hin)
		m.Hidden.Means(h, hin)
		m.VisibleInput(dst, h)
		for i, xi := range x {
			dst[i] = xi - dst[i]
		}
		return f
	}
	cur, prop := make([]float64, nv), make([]float64, nv)
	gc, gp := make([]float64, nv), make([]float64, nv)
	accepted := 0
	noise := math.Sqrt(2 * eps)
	for range rounds {
		if ctx.Err() != nil {
			return accepted
		}
		if gibbs {
			m.Gibbs(row, h, r)
		}
		copy(cur, row)
		fc := grad(gc, cur)
		for range langevin {
			for i := range prop {
				prop[i] = cur[i] - eps*gc[i] + noise*g.Sigma[i]*r.NormFloat64()
			}
			fp := grad(gp, prop)
			var fwd, back float64 // ‖v′ − v + εΣ∇F(v)‖², ‖v − v′ + εΣ∇F(v′)‖², weighted by Σ⁻¹
			for i := range prop {
				a := prop[i] - cur[i] + eps*gc[i]
				b := cur[i] - prop[i] + eps*gp[i]
				w := 1 / (g.Sigma[i] * g.Sigma[i])
				fwd += a * a * w
				back += b * b * w
			}
			if logA := fc - fp - back/(4*eps) + fwd/(4*eps); logA >= 0 || r.Float64() < math.Exp(logA) {
				accepted++
				copy(cur, prop)
				copy(gc, gp)
				fc = fp
			}
		}
		copy(row, cur)
	}
	return accepted
}
