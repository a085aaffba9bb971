package mcmc

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// Chains is a set of n block Gibbs chains on the joint state (v, h) of an RBM. Row i of V
// (n×nv) and row i of H (n×nh) are the state of chain i, which draws only from its own random
// stream. After a sweep, (V_i, H_i) is a joint state: H_i was drawn given the previous V_i
// and V_i given H_i, so a chain started in p_β(v,h) stays in it.
//
// V and H may be read at any time and written between calls (to start chains from data or to
// restore a checkpoint), but their shapes must not change. A Chains is not safe for concurrent
// use.
type Chains struct {
	V, H *matrix.Dense

	srcs []*rand.PCG  // the stream of each chain
	rngs []*rand.Rand // rngs[i] draws from srcs[i]

	xh, xv *matrix.Dense // last hidden and visible inputs, untempered (c + Wᵀv, b + Wh)
	job    sampleJob     // the half-step being run, kept here so that running it allocates nothing

	precision Precision // of Sweep (SetPrecision)
	f32       *chains32 // float32 state of Sweep, made on first use
}

// sampleJob is one half-step: set every row of dst to a draw given beta·(row of x).
type sampleJob struct {
	layer  rbm.Layer
	x, dst *matrix.Dense
	beta   float64
	rngs   []*rand.Rand
}

// NewChains returns n chains for m. Chain i draws from its own PCG stream, derived from (seed, path..., i);
// give each set of chains in a program its own path (for example one per purpose) so that
// their streams differ. Each V row is drawn from the visible units' law at zero input, which
// for Bernoulli units is uniform (each bit Bernoulli(½)); each H row is then drawn from
// p(h|v) at β = 1. Cost: one matrix product, O(n·nv·nh).
//
// It panics if m is nil or n < 1.
func NewChains(m *rbm.RBM, n int, seed uint64, path ...uint64) *Chains {
	if m == nil {
		panic("boltz/mcmc: NewChains: nil model")
	}
	if n < 1 {
		panic(fmt.Sprintf("boltz/mcmc: NewChains: %d chains, want at least 1", n))
	}
	c := &Chains{
		V:    matrix.NewDense(n, m.NV()),
		H:    matrix.NewDense(n, m.NH()),
		srcs: make([]*rand.PCG, n),
		rngs: make([]*rand.Rand, n),
	}
	p := append(append(make([]uint64, 0, len(path)+1), path...), 0)
	for i := range n {
		p[len(path)] = uint64(i)
		c.srcs[i] = rng.PCG(seed, p...)
		c.rngs[i] = rand.New(c.srcs[i])
	}
	// Zero inputs: V.Data is all zeros, so it serves as the inputs and is sampled in place.
	c.runJob(sampleJob{layer: m.Visible, x: c.V, dst: c.V, beta: 1, rngs: c.rngs})
	c.SampleHidden(m, 1)
	return c
}

// Len returns the number of chains.
func (c *Chains) Len() int { return len(c.rngs) }

// SetVisible starts every chain from a row of v, as CD-k does with a minibatch, and draws H
// from p(h|v) at β = 1. It panics if v is not n×nv.
func (c *Chains) SetVisible(m *rbm.RBM, v *matrix.Dense) {
	if v.Rows != c.V.Rows || v.Cols != c.V.Cols {
		panic(fmt.Sprintf("boltz/mcmc: SetVisible: v is %d×%d, chains are %d×%d", v.Rows, v.Cols, c.V.Rows, c.V.Cols))
	}
	copy(c.V.Data, v.Data)
	c.SampleHidden(m, 1)
}

// SetVisibleInputs is SetVisible for a caller that already holds the hidden inputs
// hin = 1cᵀ + v·W of the rows of v under m (the positive phase of CD computes them anyway):
// it draws H from p(h|v) at β = 1 from hin without another matrix product. The draws are
// the same as SetVisible's. It panics if v is not n×nv or hin not n×nh.
func (c *Chains) SetVisibleInputs(m *rbm.RBM, v, hin *matrix.Dense) {
	if v.Rows != c.V.Rows || v.Cols != c.V.Cols || hin.Rows != c.H.Rows || hin.Cols != c.H.Cols {
		panic(fmt.Sprintf("boltz/mcmc: SetVisibleInputs: v is %d×%d and hin %d×%d, chains are %d×%d and %d×%d",
			v.Rows, v.Cols, hin.Rows, hin.Cols, c.V.Rows, c.V.Cols, c.H.Rows, c.H.Cols))
	}
	c.check("SetVisibleInputs", m, 1, m.Hidden)
	copy(c.V.Data, v.Data)
	c.xh = linalg.Reuse(c.xh, hin.Rows, hin.Cols)
	copy(c.xh.Data, hin.Data)
	c.runJob(sampleJob{layer: m.Hidden, x: c.xh, dst: c.H, beta: 1, rngs: c.rngs})
}

// Sweep runs k block Gibbs sweeps of every chain under the model m at inverse temperature
// beta; one sweep is
//
//	h ~ p_β(h|v),   then   v ~ p_β(v|h),
//
// with the tempered conditionals described in the package comment, in the precision set by
// SetPrecision (Float64 unless set). m need not be the model
// the chains were made with, only of the same shape: fast PCD passes the model with weights
// W + W_fast. Cost per sweep: two matrix products, O(n·nv·nh), plus O(n·(nv+nh)) draws,
// split over up to GOMAXPROCS goroutines. No allocation in steady state.
//
// It panics if k < 0, if m's shape differs from the chains', if beta is negative or not
// finite, or if beta ≠ 1 and a layer cannot be tempered by scaling its inputs.
func (c *Chains) Sweep(m *rbm.RBM, beta float64, k int) {
	if k < 0 {
		panic(fmt.Sprintf("boltz/mcmc: Sweep: k = %d sweeps", k))
	}
	if c.precision == Float32 {
		c.check("Sweep", m, beta, m.Hidden)
		if c.f32 == nil {
			c.f32 = new(chains32)
		}
		c.f32.p.load("Sweep", m)
		c.sweep32(m, &c.f32.p, beta, k, false)
		return
	}
	for range k {
		c.SampleHidden(m, beta)
		c.SampleVisible(m, beta)
	}
}

// SampleHidden draws every H row from p_β(h|v) given the V row (half a sweep). It panics as
// Sweep does.
func (c *Chains) SampleHidden(m *rbm.RBM, beta float64) {
	c.check("SampleHidden", m, beta, m.Hidden)
	c.xh = m.HiddenInputBatch(c.xh, c.V)
	c.runJob(sampleJob{layer: m.Hidden, x: c.xh, dst: c.H, beta: beta, rngs: c.rngs})
}

// SampleVisible draws every V row from p_β(v|h) given the H row (half a sweep). It panics as
// Sweep does.
func (c *Chains) SampleVisible(m *rbm.RBM, beta float64) {
	c.check("SampleVisible", m, beta, m.Visible)
	c.xv = m.VisibleInputBatch(c.xv, c.H)
	c.runJob(sampleJob{layer: m.Visible, x: c.xv, dst: c.V, beta: beta, rngs: c.rngs})
}

// Energies sets dst[i] = E(V_i, H_i), the untempered joint energy of chain i, allocating dst
// when it is nil, and returns it. Cost: one matrix product. It panics if len(dst) ≠ n.
func (c *Chains) Energies(dst []float64, m *rbm.RBM) []float64 {
	c.check("Energies", m, 1, nil)
	c.xv = m.VisibleInputBatch(c.xv, c.H)
	return c.energiesFromInputs(dst, m)
}

// energiesFromInputs returns E(V_i, H_i) from the visible inputs xv = b + W·H_i computed
// for the current H, in O(n·(nv+nh)):
//
//	E(v,h) = E_vis(v; b) + E_hid(h; c) − vᵀWh,   vᵀWh = vᵀ(xv − b).
func (c *Chains) energiesFromInputs(dst []float64, m *rbm.RBM) []float64 {
	if dst == nil {
		dst = make([]float64, c.Len())
	}
	if len(dst) != c.Len() {
		panic(fmt.Sprintf("boltz/mcmc: Energies: dst has length %d, want %d", len(dst), c.Len()))
	}
	b := m.B()
	for i := range dst {
		v, h, xv := c.V.Row(i), c.H.Row(i), c.xv.Row(i)
		var vwh float64
		for j, vj := range v {
			vwh += vj * (xv[j] - b[j])
		}
		dst[i] = m.Visible.Energy(v) + m.Hidden.Energy(h) - vwh
	}
	return dst
}

// swapRows exchanges the state of chain i with the state of chain j of o.
func (c *Chains) swapRows(i int, o *Chains, j int) {
	swapSlices(c.V.Row(i), o.V.Row(j))
	swapSlices(c.H.Row(i), o.H.Row(j))
}

func swapSlices(a, b []float64) {
	for k := range a {
		a[k], b[k] = b[k], a[k]
	}
}

// runJob runs one half-step over every row, in fixed blocks of rows on up to GOMAXPROCS
// goroutines.
func (c *Chains) runJob(j sampleJob) {
	c.job = j
	par.Do(partsFor(j.dst.Rows, j.dst.Cols), &c.job)
	c.job = sampleJob{}
}

// Part samples rows [i·n/parts, (i+1)·n/parts) of the job, each with its chain's stream.
// Tempered inputs are written into the destination row and sampled in place, so the
// untempered inputs stay available for energiesFromInputs.
func (j *sampleJob) Part(i, parts int) {
	n := j.dst.Rows
	for r := i * n / parts; r < (i+1)*n/parts; r++ {
		x, dst := j.x.Row(r), j.dst.Row(r)
		if j.beta == 1 {
			j.layer.Sample(dst, x, j.rngs[r])
			continue
		}
		for k, xk := range x {
			dst[k] = j.beta * xk
		}
		j.layer.Sample(dst, dst, j.rngs[r])
	}
}

// check panics unless m fits the chains and beta is a valid inverse temperature for layer
// (nil: no layer is sampled).
func (c *Chains) check(op string, m *rbm.RBM, beta float64, layer rbm.Layer) {
	if m == nil {
		panic("boltz/mcmc: " + op + ": nil model")
	}
	if m.NV() != c.V.Cols || m.NH() != c.H.Cols {
		panic(fmt.Sprintf("boltz/mcmc: %s: model is %d×%d, chains are %d×%d", op, m.NV(), m.NH(), c.V.Cols, c.H.Cols))
	}
	if !(beta >= 0) || math.IsInf(beta, 0) {
		panic(fmt.Sprintf("boltz/mcmc: %s: inverse temperature %v, want a finite β ≥ 0", op, beta))
	}
	if beta != 1 && layer != nil {
		if err := temperable(layer); err != nil {
			panic("boltz/mcmc: " + op + ": " + err.Error())
		}
	}
}

// temperable returns an error unless p_β of the layer's units is their law with inputs
// scaled by β (rbm.Temperable: finitely many values, no base measure).
func temperable(l rbm.Layer) error {
	if !rbm.IsDiscrete(l) {
		return fmt.Errorf("%s units are continuous; tempering by scaling inputs is defined only for discrete units with no base measure", l.Name())
	}
	if !rbm.IsTemperable(l) {
		return fmt.Errorf("%s units have a base measure; tempering by scaling inputs is not valid for them", l.Name())
	}
	return nil
}
