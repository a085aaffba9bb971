package ais

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// Annealable is what a layer needs for the generic path of AIS, the one that serves models
// the fused Bernoulli annealer does not (Gaussian visible units, ReLU and dReLU hidden units,
// and any unit type that implements it). The path is the geometric one between a base model
// A with no weights and the target B,
//
//	p_β(v, h) ∝ exp(−(1−β)·E_A(v, h) − β·E_B(v, h)),   E_A(v, h) = E_visA(v) + E_hidA(h),
//
// and every p_β is itself an RBM: its layers are the layers of the path (Interpolate), whose
// energies are (1−β)·E_A + β·E_B up to a constant, and its weights are β·W rescaled so that the
// interaction stays β·t_B(v)ᵀWh when the interpolated visible layer couples through a
// different statistic (rbm.Coupling: W_β,ij = β·(a_B,i/a_β,i)·W_ij for t(v_i) = a_i·v_i).
// Constants in the intermediate energies do not matter: AIS weights telescope, and only the
// endpoints, the base (β = 0) and the target (β = 1), are used exactly. Each transition is
// one block Gibbs sweep of p_β, through the layers' Sample; each weight increment is a
// difference of free energies.
//
// A unit type implements it with two methods:
type Annealable interface {
	rbm.Layer
	// AISBase returns the base layer: a layer of the same type and size that the units
	// follow on their own in the base model, fitted to the data when mean and variance (the
	// columns' means and variances) are given, otherwise a choice of the layer's own (a copy
	// of it is a good one). Its log Z is its LogNormalizer at its own field.
	AISBase(mean, variance []float64) rbm.Layer
	// Interpolate sets the parameters of dst, a layer like the receiver (a Clone of it), to
	// those of the layer whose energy is (1−β)·E_base(s) + β·E_receiver(s), up to a
	// constant in s, for 0 < β < 1.
	Interpolate(dst, base rbm.Layer, beta float64)
}

// annealable reports whether both of m's layers implement Annealable.
func annealable(m *rbm.RBM) bool {
	_, v := m.Visible.(Annealable)
	_, h := m.Hidden.(Annealable)
	return v && h
}

// genericPath is the path of distributions of the generic annealer, with the models at the
// current and the previous β.
type genericPath struct {
	target     *rbm.RBM
	visA, hidA rbm.Layer
	logZA      float64
	scale      []float64 // the target's visible coupling scale a_B
	cur, prev  *rbm.RBM
}

// newGenericPath builds the path for m: the base visible layer from the data's column
// moments when x is not nil (Bernoulli visible units take c.baseBias, else the base rates of
// x, as the fused path does; other unit types ignore c.baseBias), the base hidden layer from
// the hidden layer itself.
func newGenericPath(m *rbm.RBM, c *config, x *matrix.Dense) *genericPath {
	var mean, variance []float64
	if x != nil {
		mean, variance = colMoments(x)
	}
	p := &genericPath{target: m,
		visA: m.Visible.(Annealable).AISBase(mean, variance),
		hidA: m.Hidden.(Annealable).AISBase(nil, nil)}
	if _, ok := m.Visible.(*rbm.Bernoulli); ok {
		switch {
		case c.baseBias != nil:
			copy(p.visA.Bias(), c.baseBias)
		case x != nil:
			copy(p.visA.Bias(), BaseRate(x, DefaultBaseRateSmoothing))
		}
	}
	p.logZA = p.visA.LogNormalizer(p.visA.Bias()) + p.hidA.LogNormalizer(p.hidA.Bias())
	p.scale = couplingScale(m.Visible)
	p.cur, p.prev = m.Clone(), m.Clone()
	return p
}

// colMoments returns the means and variances (denominator N) of the columns of x.
func colMoments(x *matrix.Dense) (mean, variance []float64) {
	mean, variance = make([]float64, x.Cols), make([]float64, x.Cols)
	rbm.ColMeans(mean, x)
	rbm.ColStds(variance, mean, x)
	for i, s := range variance {
		variance[i] = s * s
	}
	return mean, variance
}

// couplingScale returns a_i with t(v_i) = a_i·v_i for the layer (rbm.Coupling), 1 without one.
func couplingScale(l rbm.Layer) []float64 {
	a := make([]float64, l.Len())
	for i := range a {
		a[i] = 1
	}
	if c, ok := l.(rbm.Coupling); ok {
		c.Couple(a, a)
	}
	return a
}

// set makes dst the RBM of p_β: the base model at β = 0, the target itself at β = 1.
func (p *genericPath) set(dst *rbm.RBM, beta float64) {
	switch beta {
	case 0:
		copyLayer(dst.Visible, p.visA)
		copyLayer(dst.Hidden, p.hidA)
		clear(dst.W.Data)
		return
	case 1:
		copyLayer(dst.Visible, p.target.Visible)
		copyLayer(dst.Hidden, p.target.Hidden)
		copy(dst.W.Data, p.target.W.Data)
		return
	}
	p.target.Visible.(Annealable).Interpolate(dst.Visible, p.visA, beta)
	p.target.Hidden.(Annealable).Interpolate(dst.Hidden, p.hidA, beta)
	a := couplingScale(dst.Visible)
	for i := range a {
		f := beta * p.scale[i] / a[i]
		w, d := p.target.W.Row(i), dst.W.Row(i)
		for j, x := range w {
			d[j] = f * x
		}
	}
}

func copyLayer(dst, src rbm.Layer) {
	d, s := dst.Params(), src.Params()
	for k := range d {
		copy(d[k].Data, s[k].Data)
	}
}

// step moves the path to β, keeping the model at the previous β.
func (p *genericPath) step(beta float64) {
	p.cur, p.prev = p.prev, p.cur
	p.set(p.cur, beta)
}

// genericRuns holds runs [first, first+n) of the generic annealer: their states and streams.
type genericRuns struct {
	v, h   *matrix.Dense
	xh, xv *matrix.Dense // work: the hidden and visible inputs
	rngs   []*rand.Rand
	logW   []float64
	fa, fb []float64
	first  int
}

func newGenericRuns(m *rbm.RBM, seed uint64, stream []uint64, first, n int) *genericRuns {
	g := &genericRuns{v: matrix.NewDense(n, m.NV()), h: matrix.NewDense(n, m.NH()),
		rngs: make([]*rand.Rand, n), logW: make([]float64, n), first: first}
	for r := range g.rngs {
		path := append(append([]uint64(nil), stream...), uint64(first+r))
		g.rngs[r] = rand.New(rng.PCG(seed, path...))
	}
	return g
}

// sweep runs one block Gibbs sweep of every run under m: h ~ p(h|v), then v ~ p(v|h), each
// row from its run's stream.
func (g *genericRuns) sweep(m *rbm.RBM) {
	g.xh = m.HiddenInputBatch(g.xh, g.v)
	for r := 0; r < g.v.Rows; r++ {
		m.Hidden.Sample(g.h.Row(r), g.xh.Row(r), g.rngs[r])
	}
	g.xv = m.VisibleInputBatch(g.xv, g.h)
	for r := 0; r < g.v.Rows; r++ {
		m.Visible.Sample(g.v.Row(r), g.xv.Row(r), g.rngs[r])
	}
}

// accumulate adds sign·(F_prev(v) − F_cur(v)) = sign·(log f_cur(v) − log f_prev(v)) to
// every run's log weight.
func (g *genericRuns) accumulate(p *genericPath, sign float64) {
	g.fa = p.prev.FreeEnergyBatch(g.fa, g.v, g.xh)
	g.fb = p.cur.FreeEnergyBatch(g.fb, g.v, g.xh)
	for r := range g.logW {
		g.logW[r] += sign * (g.fa[r] - g.fb[r])
	}
}

func (g *genericRuns) check() error {
	for r, lw := range g.logW {
		if math.IsNaN(lw) || math.IsInf(lw, 0) {
			return fmt.Errorf("ais: run %d: log weight is %v (parameters too large for float64?)", g.first+r, lw)
		}
	}
	return nil
}

// genericForward returns the log weights of forward runs [lo, hi): v_0 drawn exactly from the
// base model, then for k = 1..K the increment log f_k(v) − log f_{k−1}(v) and, except at
// the last step, a sweep of p_{β_k}.
func genericForward(ctx context.Context, p *genericPath, c *config, lo, hi, offset, total int) ([]float64, error) {
	g := newGenericRuns(p.target, c.seed, nil, lo, hi-lo)
	p.set(p.cur, 0)
	field := p.cur.Visible.Bias()
	for r := 0; r < g.v.Rows; r++ {
		p.cur.Visible.Sample(g.v.Row(r), field, g.rngs[r]) // no weights: the input is the field
	}
	last := c.steps()
	err := c.walk(ctx, false, offset, total, func(k int) {
		p.step(c.betas[k])
		g.accumulate(p, 1)
		if k < last {
			g.sweep(p.cur)
		}
	})
	if err != nil {
		return nil, err
	}
	return g.logW, g.check()
}

// genericReverse returns the log weights of reverse runs [lo, hi), run r started at row
// ⌊r·N/c.runs⌋ of x: for k = K..1 a sweep of p_{β_k}, then the increment
// log f_{k−1}(v) − log f_k(v).
func genericReverse(ctx context.Context, p *genericPath, x *matrix.Dense, c *config, lo, hi, offset, total int) ([]float64, error) {
	g := newGenericRuns(p.target, c.seed, []uint64{streamReverse}, lo, hi-lo)
	for r := 0; r < g.v.Rows; r++ {
		copy(g.v.Row(r), x.Row((lo+r)*x.Rows/c.runs))
	}
	p.set(p.cur, 1)
	err := c.walk(ctx, true, offset, total, func(k int) {
		g.sweep(p.cur)
		p.step(c.betas[k-1])
		// prev is p_{β_k}, cur p_{β_{k−1}}: add log f_{k−1}(v) − log f_k(v).
		g.accumulate(p, 1)
	})
	if err != nil {
		return nil, err
	}
	return g.logW, g.check()
}

// walk calls step(k) for k = 1..K (reverse: K..1), checking ctx every 64 steps and
// reporting progress after each step as offset plus the steps done, of total.
func (c *config) walk(ctx context.Context, reverse bool, offset, total int, step func(k int)) error {
	last := c.steps()
	for i := 1; i <= last; i++ {
		k := i
		if reverse {
			k = last - i + 1
		}
		if k%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		step(k)
		if c.progress != nil {
			c.progress(offset+i, total)
		}
	}
	return nil
}

// genericSpan is sandwichSpan on the generic path: forward and reverse runs [lo, hi) from
// the base model fitted to x.
func genericSpan(ctx context.Context, m *rbm.RBM, x *matrix.Dense, c *config, lo, hi int) (*Span, error) {
	p := newGenericPath(m, c, x)
	k := c.steps()
	fwd, err := genericForward(ctx, p, c, lo, hi, 0, 2*k)
	if err != nil {
		return nil, err
	}
	rev, err := genericReverse(ctx, p, x, c, lo, hi, k, 2*k)
	if err != nil {
		return nil, err
	}
	return &Span{Lo: lo, Hi: hi, Runs: c.runs, Steps: k, LogZBase: p.logZA, Forward: fwd, Reverse: rev}, nil
}
