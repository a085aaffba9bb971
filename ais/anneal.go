package ais

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// annealer holds M annealing runs as the rows of one matrix per layer, so that each
// temperature step costs one matrix product for the hidden inputs and one for the visible
// inputs, and the elementwise work (weight increments, sampling) is split over goroutines
// in fixed blocks of rows. Each row owns its random stream, and no row's arithmetic depends
// on which goroutine runs it, so the results do not depend on GOMAXPROCS.
//
// The state of row r is a visible vector v (row r of v). Every quantity is written with the
// log of the unnormalised intermediate density, hidden units summed out:
//
//	g_β(v) = (1−β) b_Aᵀv + β bᵀv + Σ_j softplus(β z_j),   z = c + Wᵀv.
type annealer struct {
	m          *rbm.RBM
	first      int // the run index of row 0
	runs       int
	nv, nh     int
	baseBias   []float64 // b_A
	biasDiff   []float64 // b − b_A
	v, h       *matrix.Dense
	wtv, wh    *matrix.Dense // Wᵀv and W h, one row per run (biases not included)
	biasDot    []float64     // (b − b_A)ᵀv per run
	logW       []float64     // accumulated log weights
	rngs       []*rand.Rand
	betaOld    float64 // the step's temperatures, read by the row functions
	betaNew    float64
	accumulate bool // hiddenRows adds g_βNew(v) − g_βOld(v) to logW
	sample     bool // hiddenRows draws h ~ p_βNew(h|v)

	// hiddenJob and visibleJob run hiddenRows and visibleRows over blocks of rows on par's
	// pool, made once so that a step does not allocate; blocks is how many.
	hiddenJob, visibleJob par.Range
	blocks                int
}

// streamReverse separates the random streams of the reverse runs from those of the forward
// runs, which are rng.PCG(seed, run).
const streamReverse = 0x7265766572736500 // "reverse"

// newAnnealer holds runs first .. first+runs−1 of an AIS: row r is run first+r and draws from
// that run's stream, so a run's arithmetic does not depend on which other runs share the
// matrices (see Span).
func newAnnealer(m *rbm.RBM, first, runs int, baseBias []float64, seed uint64, stream []uint64) *annealer {
	nv, nh := m.NV(), m.NH()
	a := &annealer{
		m: m, first: first, runs: runs, nv: nv, nh: nh,
		baseBias: baseBias, biasDiff: make([]float64, nv),
		v: matrix.NewDense(runs, nv), h: matrix.NewDense(runs, nh),
		wtv: matrix.NewDense(runs, nh), wh: matrix.NewDense(runs, nv),
		biasDot: make([]float64, runs), logW: make([]float64, runs),
		rngs: make([]*rand.Rand, runs),
	}
	for i := range a.biasDiff {
		a.biasDiff[i] = m.B()[i] - baseBias[i]
	}
	for r := range a.rngs {
		path := append(append([]uint64(nil), stream...), uint64(first+r))
		a.rngs[r] = rand.New(rng.PCG(seed, path...))
	}
	a.hiddenJob = par.Range{N: runs, Fn: a.hiddenRows}
	a.visibleJob = par.Range{N: runs, Fn: a.visibleRows}
	a.blocks = workersFor(runs, nv+nh)
	return a
}

// minParallelWork is the number of elementwise unit updates per phase (runs × units) below
// which one goroutine is faster than handing blocks to others (measured: the hand-off costs
// a few microseconds, an update a few nanoseconds).
const minParallelWork = 8192

// workersFor returns how many blocks of rows a phase of runs×units updates is split into:
// one below minParallelWork, else one per thread (at most one per run).
func workersFor(runs, units int) int {
	if runs*units < minParallelWork {
		return 1
	}
	return par.Parts(runs, 1)
}

// sampleBase draws every row from the base-rate model, v_i ~ Bernoulli(σ(b_A,i)), exactly.
func (a *annealer) sampleBase() {
	a.betaNew = 0 // u = b_A: the zero product W h is multiplied by β = 0 anyway
	par.Do(a.blocks, &a.visibleJob)
}

// setStart copies the starting rows of x into the runs: run m of total starts at row
// ⌊m·N/total⌋, so the runs spread evenly over N rows (and cycle through them when total > N);
// row r of the annealer is run first+r.
func (a *annealer) setStart(x *matrix.Dense, first, total int) {
	for r := 0; r < a.runs; r++ {
		row := x.Row((first + r) * x.Rows / total)
		copy(a.v.Row(r), row)
		var s float64
		for i, vi := range row {
			s += vi * a.biasDiff[i]
		}
		a.biasDot[r] = s
	}
}

// hiddenInputs sets wtv = v·W. One matrix product, 2·M·nv·nh flops.
func (a *annealer) hiddenInputs() {
	linalg.MulNN(a.wtv, 1, a.v, a.m.W, 0)
}

// visibleInputs sets wh = h·Wᵀ. One matrix product, 2·M·nv·nh flops.
func (a *annealer) visibleInputs() {
	linalg.MulNT(a.wh, 1, a.h, a.m.W, 0)
}

// stepper is one precision's implementation of the steps anneal takes: the annealer
// (float64) and annealer32 (float32 products and sampling, float64 log weights).
type stepper interface {
	// hiddenInputs computes the hidden inputs Wᵀv of every run's current v.
	hiddenInputs()
	// hidden does the hidden half of a step from those inputs: with accumulate it adds
	// g_βn(v) − g_βo(v) to every log weight, with sample it draws h ~ p_βn(h|v).
	hidden(betaOld, betaNew float64, accumulate, sample bool)
	// visible draws v ~ p_β(v|h) for every run.
	visible(beta float64)
	// logWeights returns the accumulated log weights, one per run.
	logWeights() []float64
	// firstRun is the run index of the first row (see Span).
	firstRun() int
}

func (a *annealer) firstRun() int { return a.first }

func (a *annealer) hidden(betaOld, betaNew float64, accumulate, sample bool) {
	a.betaOld, a.betaNew, a.accumulate, a.sample = betaOld, betaNew, accumulate, sample
	par.Do(a.blocks, &a.hiddenJob)
}

func (a *annealer) visible(beta float64) {
	a.betaNew = beta
	a.visibleInputs()
	par.Do(a.blocks, &a.visibleJob)
}

func (a *annealer) logWeights() []float64 { return a.logW }

// transition applies one Gibbs transition at inverse temperature beta to every run,
// h ~ p_β(h|v) then v ~ p_β(v|h), and leaves the hidden inputs of the new v computed. The
// hidden inputs of the current v must be computed.
func transition(s stepper, beta float64) {
	s.hidden(0, beta, false, true)
	s.visible(beta)
	s.hiddenInputs()
}

// anneal moves every run along betas (which may rise or fall), starting from the states in
// v: at each step k = 1..K it adds g_{β_k}(v) − g_{β_{k−1}}(v) to the run's log weight and
// then, except after the last step, applies one Gibbs transition at β_k. With initial set, a
// transition at β_0 comes first (the runs do not start from an exact draw of p_{β_0}).
// progress, when not nil, is called after every step with offset+k.
func anneal(ctx context.Context, s stepper, betas []float64, initial bool, progress func(done, total int), offset, total int) error {
	s.hiddenInputs()
	if initial {
		transition(s, betas[0])
	}
	last := len(betas) - 1
	for k := 1; k <= last; k++ {
		if k%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		s.hidden(betas[k-1], betas[k], true, k < last)
		if k < last {
			s.visible(betas[k])
			s.hiddenInputs()
		}
		if progress != nil {
			progress(offset+k, total)
		}
	}
	for r, lw := range s.logWeights() {
		if math.IsNaN(lw) || math.IsInf(lw, 0) {
			return fmt.Errorf("ais: run %d: log weight is %v (parameters too large for float64?)", s.firstRun()+r, lw)
		}
	}
	return nil
}

// productSpan is the number of factors (1+e^{−|βn z|})/(1+e^{−|βo z|}), each in (1/2, 2),
// multiplied before one logarithm is taken: 2^±512 stays far inside float64's range.
const productSpan = 512

// hiddenRows does the hidden half of a step on runs [lo, hi). With z = c + Wᵀv it adds
//
//	g_βn(v) − g_βo(v) = (βn−βo)(b−b_A)ᵀv + Σ_j softplus(βn z_j) − softplus(βo z_j)
//
// to the log weight when accumulate is set, and draws h_j ~ Bernoulli(σ(βn z_j)) when sample
// is set. softplus(y) = max(y,0) + log(1+e^{−|y|}), and since β ≥ 0,
// max(βn z,0) − max(βo z,0) = (βn−βo)·max(z,0); the log terms are taken as the log of a product
// of ratios (numeric.LogProduct, as numeric.SoftplusSum takes a single temperature's), and
// e^{−|βn z|} is shared with the sigmoid, so a hidden unit costs two exponentials and no
// logarithm. That is why it does not call numeric.SoftplusSum twice: two sums would cost two
// logarithms per span and a third exponential per unit for the sampling.
func (a *annealer) hiddenRows(lo, hi int) {
	c := a.m.C()
	bo, bn := a.betaOld, a.betaNew
	for r := lo; r < hi; r++ {
		x, h := a.wtv.Row(r), a.h.Row(r)
		rnd := a.rngs[r]
		var pos float64
		logs := numeric.NewLogProduct(productSpan)
		for j, xj := range x {
			z := c[j] + xj
			az := math.Abs(z)
			en := math.Exp(-bn * az)
			if a.accumulate {
				pos += (z + az) / 2 // max(z, 0), without a branch
				logs = logs.Mul((1 + en) / (1 + math.Exp(-bo*az)))
			}
			if a.sample {
				// σ(βn z) is q = 1/(1+e^{−βn|z|}) for z ≥ 0 and 1 − q for z < 0.
				q := 1 / (1 + en)
				neg := float64(math.Float64bits(z) >> 63)
				h[j] = draw(q+neg*(1-2*q), rnd)
			}
		}
		if a.accumulate {
			d := bn - bo
			a.logW[r] += d*a.biasDot[r] + d*pos + logs.Sum()
		}
	}
}

// visibleRows does the visible half of a step on runs [lo, hi): v_i ~ Bernoulli(σ(u_i)) with
// u = (1−β) b_A + β(b + W h), β = betaNew, and it records (b − b_A)ᵀv for the next
// weight increment. One exponential per visible unit; σ(u) = 1/(1 + e^{−u}) is 0 or 1,
// never NaN, when e^{−u} overflows or underflows.
func (a *annealer) visibleRows(lo, hi int) {
	b, bA, d := a.m.B(), a.baseBias, a.biasDiff
	beta := a.betaNew
	for r := lo; r < hi; r++ {
		y, v := a.wh.Row(r), a.v.Row(r)
		rnd := a.rngs[r]
		var dot float64
		for i, yi := range y {
			u := (1-beta)*bA[i] + beta*(b[i]+yi)
			vi := draw(1/(1+math.Exp(-u)), rnd)
			v[i] = vi
			dot += vi * d[i]
		}
		a.biasDot[r] = dot
	}
}

// draw returns 1 with probability p and 0 otherwise, from one uniform u of r: the sign bit
// of u − p, so that no branch depends on the random outcome.
func draw(p float64, r *rand.Rand) float64 {
	return float64(math.Float64bits(r.Float64()-p) >> 63)
}
