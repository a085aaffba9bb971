package ais

import (
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// annealer32 is the annealer of Precision Float32: the same runs, steps and streams, with
// the matrix products in float32 (linalg.Sgemm), the exponentials by numeric.NegAbsExps32
// and the draws by rbm.SampleBernoulli32, and the log weights summed in float64.
//
// Temperatures. Step k uses β̃_k = float32(β_k) wherever β multiplies a float32 quantity
// (the hidden inputs z = c + Wᵀv and the product W h) and the exact β_k for the linear
// terms of g. The runs therefore anneal through
//
//	g̃_k(v) = (1−β_k) b_Aᵀv + β_k bᵀv + Σ_j softplus(β̃_k z_j),
//
// whose Gibbs conditionals are exactly those sampled here (h_j ~ σ(β̃_k z_j), v_i ~
// σ((1−β_k) b_A,i + β_k b_i + β̃_k (W h)_i)), and every increment is g̃_k − g̃_{k−1} of the
// same v. Since β̃_0 = 0 and β̃_K = 1 exactly, the end points are the base-rate model and
// the RBM, so the estimator is AIS along a slightly different path: unbiased for Z/Z_A as
// in Float64.
//
// Error budget. An increment is
//
//	(β_k − β_{k−1})·(b−b_A)ᵀv + (β̃_k − β̃_{k−1})·Σ_j max(z_j,0) + Σ_j log(1 + (t̃n_j − t̃o_j)/(1 + t̃o_j)),
//
// t̃n = e^{−β̃_k|z|}, t̃o = e^{−β̃_{k−1}|z|} in float32 (relative error below 2.5e-7 each),
// the factors 1 + t̃ and their products and quotient in float64, one logarithm per 128
// units. So each term is off by about 10⁻⁷·t, with no preferred sign: over 100×14,500 steps of 500 units the errors add up to some 10⁻⁴ nats
// per run, far below the standard errors of the estimate. z itself carries the float32
// rounding of the product (relative 10⁻⁷ of Σ|W_ij v_i|), which moves the path, not the
// estimator's validity.
//
// (b − b_A)ᵀv comes with the hidden inputs, as the last column of the product v·[W | b−b_A].
type annealer32 struct {
	first        int // the run index of row 0
	runs, nv, nh int
	w            *matrix.Dense32 // nv×(nh+1): W, and b − b_A in the last column
	wT           *matrix.Dense32 // nh×nv: Wᵀ, so that W h reads its operand in place, unpacked
	c            []float32
	b, bA        []float64
	mix          []float32 // (1−β) b_A + β b at the last visible step
	v, h         *matrix.Dense32
	in           *matrix.Dense32 // runs×(nh+1): Wᵀv and (b − b_A)ᵀv per run
	wh           *matrix.Dense32 // runs×nv: β̃·W h
	logW         []float64
	srcs         []*rand.PCG

	hiddenJob  hidden32Job
	visibleJob visible32Job
}

func newAnnealer32(m *rbm.RBM, first, runs int, baseBias []float64, seed uint64, stream []uint64) *annealer32 {
	nv, nh := m.NV(), m.NH()
	a := &annealer32{
		first: first, runs: runs, nv: nv, nh: nh,
		w: matrix.NewDense32(nv, nh+1), wT: matrix.NewDense32(nh, nv), c: make([]float32, nh),
		b: m.B(), bA: baseBias, mix: make([]float32, nv),
		v: matrix.NewDense32(runs, nv), h: matrix.NewDense32(runs, nh),
		in: matrix.NewDense32(runs, nh+1), wh: matrix.NewDense32(runs, nv),
		logW: make([]float64, runs), srcs: make([]*rand.PCG, runs),
	}
	for i := range nv {
		row, src := a.w.Row(i), m.W.Data[i*nh:(i+1)*nh]
		for j, x := range src {
			row[j] = float32(x)
			a.wT.Data[j*nv+i] = float32(x)
		}
		row[nh] = float32(m.B()[i] - baseBias[i])
	}
	for j, x := range m.C() {
		a.c[j] = float32(x)
	}
	for r := range a.srcs {
		path := append(append([]uint64(nil), stream...), uint64(first+r))
		a.srcs[r] = rng.PCG(seed, path...)
	}
	a.hiddenJob.a, a.visibleJob.a = a, a
	return a
}

// setStart copies the starting rows of x into the runs as annealer.setStart does: row r is
// run first+r of total.
func (a *annealer32) setStart(x *matrix.Dense, first, total int) {
	for r := range a.runs {
		row, v := x.Row((first+r)*x.Rows/total), a.v.Row(r)
		for i, vi := range row {
			v[i] = float32(vi)
		}
	}
}

// hiddenInputs sets in = v·[W | b−b_A]. One float32 product, 2·M·nv·(nh+1) flops.
func (a *annealer32) hiddenInputs() {
	linalg.MulNN(a.in, 1, a.v, a.w, 0)
}

func (a *annealer32) hidden(betaOld, betaNew float64, accumulate, sample bool) {
	j := &a.hiddenJob
	j.betaOld, j.betaNew, j.accumulate, j.sample = betaOld, betaNew, accumulate, sample
	par.Do(par.Parts(a.runs*a.nh, minUnits32), j)
}

// visible draws v ~ p_β(v|h): the product β̃·h·Wᵀ (from the copy wT, which Sgemm reads in
// place where Wᵀ itself would be packed on every call), then
// v_i ~ Bernoulli(σ(β̃(W h)_i + (1−β) b_A,i + β b_i)).
func (a *annealer32) visible(beta float64) {
	bt := float32(beta)
	linalg.MulNN(a.wh, bt, a.h, a.wT, 0)
	for i := range a.mix {
		a.mix[i] = float32((1-beta)*a.bA[i] + beta*a.b[i])
	}
	par.Do(par.Parts(a.runs*a.nv, minUnits32), &a.visibleJob)
}

func (a *annealer32) logWeights() []float64 { return a.logW }

func (a *annealer32) firstRun() int { return a.first }

// minUnits32 is the least number of units one part of a float32 half-step handles: some
// 2 ns a unit, so 2¹² units (about 10 µs) keep the microsecond of handing a part to a
// helper small.
const minUnits32 = 1 << 12

// bernoulli holds the float32 Bernoulli sampler; its parameters are not used.
var bernoulli rbm.Bernoulli

type visible32Job struct{ a *annealer32 }

func (j *visible32Job) Part(i, parts int) {
	a := j.a
	for r := i * a.runs / parts; r < (i+1)*a.runs/parts; r++ {
		bernoulli.Sample32(a.v.Row(r), nil, 1, a.wh.Row(r), a.mix, a.srcs[r])
	}
}

type hidden32Job struct {
	a                  *annealer32
	betaOld, betaNew   float64
	accumulate, sample bool
}

// chunk32 is how many hidden units hiddenRow takes at a time: an even number (so that the
// pairing of units over uniforms does not depend on the chunking, see rbm.Bernoulli.Sample32)
// whose scratch fits the stack, and whose products of factors in [1, 2] stay below 2¹²⁸
// before their logarithm is taken.
const chunk32 = 128

// zeros32 is the zero bias of the hidden draws, whose inputs β̃z already hold c.
var zeros32 [chunk32]float32

func (j *hidden32Job) Part(i, parts int) {
	a := j.a
	for r := i * a.runs / parts; r < (i+1)*a.runs/parts; r++ {
		a.hiddenRow(r, j.betaOld, j.betaNew, j.accumulate, j.sample)
	}
}

// hiddenRow does the hidden half of a step for run r (see annealer.hiddenRows for the
// float64 twin): with z = c + Wᵀv it adds g̃_βn(v) − g̃_βo(v) to the log weight when
// accumulate is set, and draws h_j ~ Bernoulli(σ(β̃n z_j)) when sample is set.
func (a *annealer32) hiddenRow(r int, betaOld, betaNew float64, accumulate, sample bool) {
	x := a.in.Row(r)
	h, src := a.h.Row(r), a.srcs[r]
	bo, bn := float32(betaOld), float32(betaNew)
	var yn, yo, tn, to [chunk32]float32
	var pos, logs float64
	for start := 0; start < a.nh; start += chunk32 {
		end := min(start+chunk32, a.nh)
		xc, cc := x[start:end], a.c[start:end]
		n := len(xc)
		ync, yoc := yn[:n], yo[:n]
		cc = cc[:n]
		if !accumulate {
			for k, xk := range xc {
				ync[k] = bn * (xk + cc[k])
			}
		} else {
			for k, xk := range xc {
				z := xk + cc[k]
				ync[k], yoc[k] = bn*z, bo*z
				pos += float64(max(z, 0))
			}
			tnc := numeric.NegAbsExps32(tn[:n], ync)
			toc := numeric.NegAbsExps32(to[:n], yoc)
			logs += math.Log(ratioProduct(tnc, toc))
		}
		if sample {
			bernoulli.Sample32(h[start:end], nil, 1, ync, zeros32[:n], src)
		}
	}
	if accumulate {
		// (β̃n − β̃o) multiplies Σ max(z,0), the rest of the softplus terms; the exact
		// β difference the linear term (b − b_A)ᵀv, x[nh].
		a.logW[r] += (betaNew-betaOld)*float64(x[a.nh]) + (float64(bn)-float64(bo))*pos + logs
	}
}

// ratioProduct returns Π_k (1 + tn_k)/(1 + to_k) as the quotient of two float64 products.
// 1 + t is exact in float64 for a float32 t ≥ 2⁻²⁹ (and off by less than 2⁻⁵³ below), and
// each product of up to chunk32 factors in [1, 2] rounds by about 10⁻¹⁴ in all, so the
// quotient carries only the float32 errors of the exponentials themselves. Two partial
// products per side shorten the chains of dependent multiplications, which is why it is not
// numeric.LogProduct (one chain, float64 factors). It expects len(to) ≥ len(tn).
func ratioProduct(tn, to []float32) float64 {
	to = to[:len(tn)]
	n0, n1, o0, o1 := 1.0, 1.0, 1.0, 1.0
	k := 0
	for ; k+2 <= len(tn); k += 2 {
		n0 *= 1 + float64(tn[k])
		n1 *= 1 + float64(tn[k+1])
		o0 *= 1 + float64(to[k])
		o1 *= 1 + float64(to[k+1])
	}
	if k < len(tn) {
		n0 *= 1 + float64(tn[k])
		o0 *= 1 + float64(to[k])
	}
	return (n0 * n1) / (o0 * o1)
}
