package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/rbm"
)

// minibatch32 is the float32 state of a run with Config.Precision "float32": a float32 copy
// of the parameters, which sgdStep refreshes in its pass, and the minibatch, chain states,
// hidden means and W gradient in float32, so that every product runs in single precision
// (about twice Gemm's speed). The parameters themselves, the velocity and the centering
// offsets stay float64: the model accumulates many small steps, which float32 would round
// away.
//
// The chains are the estimator's mcmc.Chains, sampled here by float32 kernels from the
// chains' own streams (Chains.Streams), so a run draws the same uniforms in the same order
// as in float64 and a checkpoint holds the chains under the same keys and format: their
// states are copied to the Chains' V and H (0 and 1, exact in either precision) before a
// checkpoint is written and back after one is read.
type minibatch32 struct {
	n, nc  int  // minibatch rows, chains
	k      int  // Gibbs sweeps per update
	cd     bool // chains restart at the minibatch (CD-k) instead of persisting (PCD-k)
	chains *mcmc.Chains
	vis    rbm.Float32 // the layers' float32 kernels
	hid    rbm.Float32

	w32      *matrix.Dense32 // W in float32 (nv×nh), refreshed by sgdStep
	b32, c32 []float32       // b and c in float32, refreshed after every step

	// a is [minibatch ; chain visible states], (n+nc)×nv, and bm is [E[h|minibatch]/n ;
	// −E[h|chains]/nc], (n+nc)×nh, so that the W gradient is the one product aᵀ·bm.
	a, bm    *matrix.Dense32
	h        *matrix.Dense32 // chain hidden states, nc×nh
	hin, vin *matrix.Dense32 // hidden and visible inputs without the biases
	gw       *matrix.Dense32 // W gradient, nv×nh
	job      layer32Job
	in       inputJob
	sums     sumsJob

	// views, made once so that an update allocates nothing: x and tv are the blocks of a,
	// p and q those of bm, hinX and hinV the first n and nc rows of hin.
	x, tv, p, q, hinX, hinV *matrix.Dense32

	// A visible layer with a Coupling (Gaussian units, t(v) = v/σ²) meets W through t(v): a
	// then holds [t(minibatch) ; t(chain states)], rounded to float32 from float64, and the
	// chain states themselves are v, their own matrix; couple holds the factors a_i of
	// t(v_i) = a_i·v_i, refreshed with the biases. Without a Coupling, couple is nil and v
	// is tv, the block of a.
	v      *matrix.Dense32
	couple []float64
	ones   []float64     // 1 per visible unit, for Couple and CouplingStats
	z      []float64     // per visible unit: Σ_j W_ij g_W,ij / a_i, the coupling statistic
	v64    *matrix.Dense // the chain states in float64, for the visible layer's Stats
	negVis [][]float64   // the chains' visible statistics
	zs     couplingJob
	stats  statsJob
}

// newMinibatch32 returns the float32 state for model m and the chains of the estimator neg,
// which must be cd or pcd (Config.Validate checks the method) on layers with float32
// kernels (layers32).
func newMinibatch32(m *rbm.RBM, neg NegativePhase, n int) (*minibatch32, error) {
	vis, ok := m.Visible.(rbm.Float32)
	if !ok {
		return nil, fmt.Errorf("precision float32 needs layers with float32 kernels, the model has %s visible units", m.Visible.Name())
	}
	hid, ok := m.Hidden.(rbm.Float32)
	if !ok {
		return nil, fmt.Errorf("precision float32 needs layers with float32 kernels, the model has %s hidden units", m.Hidden.Name())
	}
	f := &minibatch32{n: n, vis: vis, hid: hid}
	e, ok := neg.(gibbsSource)
	if !ok {
		return nil, fmt.Errorf("precision float32 covers cd and pcd, not %T", neg)
	}
	f.chains, f.k, f.cd = e.gibbsChains()
	nv, nh := m.NV(), m.NH()
	f.nc = f.chains.Len()
	f.w32, f.b32, f.c32 = matrix.NewDense32(nv, nh), make([]float32, nv), make([]float32, nh)
	f.a, f.bm = matrix.NewDense32(n+f.nc, nv), matrix.NewDense32(n+f.nc, nh)
	f.h, f.gw = matrix.NewDense32(f.nc, nh), matrix.NewDense32(nv, nh)
	f.hin, f.vin = matrix.NewDense32(max(n, f.nc), nh), matrix.NewDense32(f.nc, nv)
	f.x, f.tv = f.a.Slice(0, n), f.a.Slice(n, n+f.nc)
	f.v = f.tv
	if _, ok := m.Visible.(rbm.Coupling); ok {
		f.v, f.couple, f.ones, f.z = matrix.NewDense32(f.nc, nv), make([]float64, nv), make([]float64, nv), make([]float64, nv)
		for i := range f.ones {
			f.ones[i] = 1
		}
		f.v64 = matrix.NewDense(f.nc, nv)
		for _, p := range m.Visible.Params() {
			f.negVis = append(f.negVis, make([]float64, len(p.Data)))
		}
	}
	f.p, f.q = f.bm.Slice(0, n), f.bm.Slice(n, n+f.nc)
	f.hinX, f.hinV = f.hin.Slice(0, n), f.hin.Slice(0, f.nc)
	f.refresh(m)
	f.loadChains()
	return f, nil
}

// refresh sets the float32 parameters from m; sgdStep keeps W current after that, and
// refreshBiases the biases.
func (f *minibatch32) refresh(m *rbm.RBM) {
	for i, x := range m.W.Data {
		f.w32.Data[i] = float32(x)
	}
	f.refreshBiases(m)
}

func (f *minibatch32) refreshBiases(m *rbm.RBM) {
	for i, x := range m.B() {
		f.b32[i] = float32(x)
	}
	for j, x := range m.C() {
		f.c32[j] = float32(x)
	}
	if f.couple != nil {
		m.Visible.(rbm.Coupling).Couple(f.couple, f.ones)
	}
}

// layers32 reports whether the float32 route covers m's layers: both offer the float32
// kernels (rbm.Float32). A visible Coupling is applied here, so Gaussian visible units are
// covered, though mcmc's float32 sweeps do not take them (mcmc.Supports32).
func layers32(m *rbm.RBM) bool {
	_, bv := m.Visible.(rbm.Float32)
	_, bh := m.Hidden.(rbm.Float32)
	return bv && bh
}

// loadChains copies the Chains' states into the float32 ones (at creation and after a
// checkpoint is read).
func (f *minibatch32) loadChains() {
	convert32(f.v.Data, f.chains.V.Data)
	convert32(f.h.Data, f.chains.H.Data)
	f.coupleChains()
}

// coupleChains sets the chain block of a to t(v) with the current coupling factors, row by
// row as layer32Job does (nothing without a Coupling, where that block is v itself).
func (f *minibatch32) coupleChains() {
	if f.couple == nil {
		return
	}
	for r := range f.v.Rows {
		couple32(f.tv.Row(r), f.v.Row(r), f.couple)
	}
}

// couple32 sets dst_i = float32(float64(v_i)·a_i), t(v) of one row.
func couple32(dst, v []float32, a []float64) {
	v, a = v[:len(dst)], a[:len(dst)]
	for i := range dst {
		dst[i] = float32(float64(v[i]) * a[i])
	}
}

// saveChains copies the float32 chain states into the Chains, for a checkpoint. (Gaussian
// states are float32 values, which float64 holds exactly, so a resumed run reads them back
// bit for bit.)
func (f *minibatch32) saveChains() {
	for i, x := range f.v.Data {
		f.chains.V.Data[i] = float64(x)
	}
	for i, x := range f.h.Data {
		f.chains.H.Data[i] = float64(x)
	}
}

func convert32(dst []float32, x []float64) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = float32(x[i])
	}
}

// gradient32 is gradient64 in float32 (Config.Precision "float32"). With X the minibatch,
// V the chains' visible states, P = E[h|X] and Q = E[h|V], all in float32,
//
//	g_W = [X ; V]ᵀ·[P/n ; −Q/nc],   g_b = ⟨X⟩ − ⟨V⟩,   g_c = ⟨P⟩ − ⟨Q⟩
//
// (the bias gradients summed in float64): the statistics of rbm.RBM.Statistics for X minus
// those for V, in one product. g_W stays in float32 (gw) for the fused SGD step, which reads
// it there and refreshes the float32 copy of W; the general route reads it through gradW.
// CD-k draws the chains' first hidden states in the pass that computes P, from the same
// inputs. Products: CD-1 four (X·W, H·Wᵀ, V·W and the gradient, whose inner dimension is
// n + nc), PCD-k 2k + 3. No allocation in steady state.
func (t *Trainer) gradient32(batch *matrix.Dense, meter bool) error {
	f := t.f32
	n := f.n
	x, p := f.x, f.p
	f.in = inputJob{batch: batch, x: x, mean: t.pos.B()}
	if f.couple != nil {
		f.in = inputJob{batch: batch, x: x, couple: f.couple}
		if f.cd {
			f.in.raw = f.v
		}
	}
	par.Do(par.Parts(batch.Rows*batch.Cols, minColumnWork), &f.in)
	f.in = inputJob{}

	linalg.MulNN(f.hinX, 1, x, f.w32, 0)
	if f.cd {
		copy(f.tv.Data, x.Data) // with a Coupling, inputJob has set v to the minibatch
		f.run(layer32Job{layer: f.hid, x: f.hinX, bias: f.c32, mean: p, scale: 1 / float32(n), sample: f.h})
		f.sampleVisible()
		f.sweep(f.k - 1)
	} else {
		f.coupleChains() // the coupling factors may have moved since the chains were coupled
		f.run(layer32Job{layer: f.hid, x: f.hinX, bias: f.c32, mean: p, scale: 1 / float32(n)})
		f.sweep(f.k)
	}
	linalg.MulNN(f.hinV, 1, f.tv, f.w32, 0)
	f.run(layer32Job{layer: f.hid, x: f.hinV, bias: f.c32, mean: f.q, scale: -1 / float32(f.nc)})
	linalg.MulTN(f.gw, 1, f.a, f.bm, 0)

	g := t.grad
	f.sums = sumsJob{v: f.v, p: p, q: f.q, posB: t.pos.B(), posC: t.pos.C(), gB: g.B(), gC: g.C(), invNC: 1 / float64(f.nc)}
	if f.couple != nil {
		f.sums.v = nil // coupledVisible32 takes the visible statistics
	}
	par.Do(par.Parts(max(f.v.Rows*f.v.Cols, f.bm.Rows*f.bm.Cols), minColumnWork), &f.sums)
	f.sums = sumsJob{}
	if f.couple != nil {
		t.coupledVisible32(batch)
	}
	if meter {
		return t.measureBias32(batch, p)
	}
	return nil
}

// coupledVisible32 sets the visible layer's gradient on the float32 route when the layer has
// a Coupling: the layer's own statistics (Stats) of the minibatch minus those of the chain
// states, in float64, plus the coupling part (Coupling.CouplingStats). That part is linear
// in the W statistic, so it is taken once, from the W gradient g_W = ⟨t(v)E[h|v]ᵀ⟩_batch −
// ⟨t(v)E[h|v]ᵀ⟩_chains: with z_i = Σ_j W_ij g_W,ij / a_i, it is CouplingStats of one row of
// ones against one row of z (rbm.RBM.Statistics takes each term alike).
func (t *Trainer) coupledVisible32(batch *matrix.Dense) {
	f, m, g := t.f32, t.Model, t.grad
	f.stats = statsJob{l: m.Visible, pos: t.pos.Vis, neg: f.negVis, batch: batch, v: f.v, v64: f.v64}
	par.Do(2, &f.stats)
	f.stats = statsJob{}
	for k, pos := range t.pos.Vis {
		gk, neg := g.Vis[k][:len(pos)], f.negVis[k][:len(pos)]
		for i, x := range pos {
			gk[i] = x - neg[i]
		}
	}
	if frozenBeyondBias(m.Visible) {
		return // no learned parameter has a coupling term
	}
	f.zs = couplingJob{w: m.W, gw: f.gw, a: f.couple, z: f.z}
	par.Do(par.Parts(len(m.W.Data), minColumnWork), &f.zs)
	f.zs = couplingJob{}
	nv := m.NV()
	m.Visible.(rbm.Coupling).CouplingStats(g.Vis, &matrix.Dense{Rows: 1, Cols: nv, Data: f.ones}, &matrix.Dense{Rows: 1, Cols: nv, Data: f.z})
}

// statsJob takes the visible layer's statistics of the minibatch (part 0) and of the chain
// states (part 1, after converting them to float64) side by side.
type statsJob struct {
	l        rbm.Layer
	pos, neg [][]float64
	batch    *matrix.Dense
	v        *matrix.Dense32
	v64      *matrix.Dense
}

func (j *statsJob) Part(i, _ int) {
	if i == 0 {
		j.l.Stats(j.pos, j.batch)
		return
	}
	for k, x := range j.v.Data {
		j.v64.Data[k] = float64(x)
	}
	j.l.Stats(j.neg, j.v64)
}

// frozenBeyondBias reports whether every parameter of l beyond its bias is held fixed
// (rbm.Frozen), as a Gaussian layer's σ is for "gaussian:fixed".
func frozenBeyondBias(l rbm.Layer) bool {
	fr, ok := l.(rbm.Frozen)
	if !ok {
		return false
	}
	for _, p := range l.Params()[1:] {
		if !fr.Frozen(p.Name) {
			return false
		}
	}
	return true
}

// couplingJob sets z_i = (Σ_j W_ij·g_W,ij) / a_i for blocks of rows i, each sum in float64
// in column order, so the result does not depend on the blocks.
type couplingJob struct {
	w    *matrix.Dense
	gw   *matrix.Dense32
	a, z []float64
}

func (j *couplingJob) Part(i, parts int) {
	nv, nh := j.w.Rows, j.w.Cols
	for r := i * nv / parts; r < (i+1)*nv/parts; r++ {
		w, gw := j.w.Data[r*nh:(r+1)*nh], j.gw.Data[r*nh:(r+1)*nh]
		var s float64
		for c, x := range w {
			s += x * float64(gw[c])
		}
		j.z[r] = s / j.a[r]
	}
}

// gradW copies the float32 W gradient into g.W, for the consumers that read float64 (the
// general update route, a GradientObserver).
func (f *minibatch32) gradW(g *rbm.Grad) {
	for i, x := range f.gw.Data {
		g.W.Data[i] = float64(x)
	}
}

// sweep runs k block Gibbs sweeps of the chains: H ~ p(h|V), then V ~ p(v|H).
func (f *minibatch32) sweep(k int) {
	for range k {
		linalg.MulNN(f.hinV, 1, f.tv, f.w32, 0)
		f.run(layer32Job{layer: f.hid, x: f.hinV, bias: f.c32, sample: f.h})
		f.sampleVisible()
	}
}

// sampleVisible draws V ~ p(v|H) for every chain, and with a Coupling sets t(V) too.
func (f *minibatch32) sampleVisible() {
	linalg.MulNT(f.vin, 1, f.h, f.w32, 0)
	j := layer32Job{layer: f.vis, x: f.vin, bias: f.b32, sample: f.v}
	if f.couple != nil {
		j.coupled, j.factors = f.tv, f.couple
	}
	f.run(j)
}

// run runs j over its rows on up to par.Threads() goroutines. Every row draws from its own
// chain's stream, so the split changes the speed only, never the result.
func (f *minibatch32) run(j layer32Job) {
	j.srcs = f.chains.Streams()
	f.job = j
	par.Do(par.Parts(j.x.Rows, max(1, minUnits32/j.x.Cols)), &f.job)
	f.job = layer32Job{}
}

// minUnits32 is the least number of units one part of a layer32Job handles: about 5 ns a
// unit, so 2¹² units (some 20 µs) keep the few µs of waking a helper goroutine small.
const minUnits32 = 1 << 12

// layer32Job is one pass over the rows of x: when mean is not nil, mean row r ←
// scale·E[s | x_r + bias]; when sample is not nil, sample row r ← a draw given x_r + bias
// from srcs[r] (Bernoulli(σ(x_r + bias)) for Bernoulli units), and when coupled is not nil
// too, coupled row r ← t(sample row r) with the coupling factors.
type layer32Job struct {
	layer           rbm.Float32
	x, mean, sample *matrix.Dense32
	coupled         *matrix.Dense32
	factors         []float64
	bias            []float32
	scale           float32
	srcs            []*rand.PCG
}

// Part runs rows [i·rows/parts, (i+1)·rows/parts).
func (j *layer32Job) Part(i, parts int) {
	rows := j.x.Rows
	for r := i * rows / parts; r < (i+1)*rows/parts; r++ {
		var mean []float32
		if j.mean != nil {
			mean = j.mean.Row(r)
		}
		if j.sample == nil {
			j.layer.Means32(mean, j.scale, j.x.Row(r), j.bias)
			continue
		}
		j.layer.Sample32(j.sample.Row(r), mean, j.scale, j.x.Row(r), j.bias, j.srcs[r])
		if j.coupled != nil {
			couple32(j.coupled.Row(r), j.sample.Row(r), j.factors)
		}
	}
}

// minColumnWork is the least number of elements one part of an inputJob or sumsJob reads:
// about 0.5 ns an element, so some 4 µs, a little more than waking a helper costs.
const minColumnWork = 1 << 13

// inputJob is the pass over the minibatch that starts update32: x ← float32(batch) and mean
// ← the column means of batch, summed in float64 as colMeans sums them. Its parts are
// blocks of columns, each summed over all rows in order, so the means have colMeans' bits
// however many parts run. With coupling factors a (a visible Coupling) it sets x ←
// float32(batch·a) instead, t(batch) as Coupling.Couple forms it, raw ← float32(batch) when
// raw is not nil, and no means.
type inputJob struct {
	batch  *matrix.Dense
	x, raw *matrix.Dense32
	mean   []float64
	couple []float64
}

func (j *inputJob) Part(i, parts int) {
	cols := j.batch.Cols
	lo, hi := i*cols/parts, (i+1)*cols/parts
	if j.couple != nil {
		a := j.couple[lo:hi]
		for r := range j.batch.Rows {
			src, dst := j.batch.Row(r)[lo:hi], j.x.Row(r)[lo:hi]
			dst, a := dst[:len(src)], a[:len(src)]
			for c, v := range src {
				dst[c] = float32(v * a[c])
			}
			if j.raw != nil {
				convert32(j.raw.Row(r)[lo:hi], src)
			}
		}
		return
	}
	mean := j.mean[lo:hi]
	clear(mean)
	for r := range j.batch.Rows {
		src, dst := j.batch.Row(r)[lo:hi], j.x.Row(r)[lo:hi]
		dst = dst[:len(src)]
		mean = mean[:len(src)]
		for c, v := range src {
			dst[c] = float32(v)
			mean[c] += v
		}
	}
	inv := 1 / float64(j.batch.Rows)
	for c := range mean {
		mean[c] *= inv
	}
}

// sumsJob computes the bias gradients of update32 from the float32 chain states v, the
// scaled hidden means p = P/n and q = −Q/nc, and posB = ⟨X⟩ (gB only when v is not nil):
//
//	posC = Σ_r p_r = ⟨P⟩,   gC = Σ_r q_r + posC = ⟨P⟩ − ⟨Q⟩,   gB = posB − (Σ_r v_r)/nc
//
// every column summed over the rows in order in float64. Part i takes the i-th block of the
// visible columns and the i-th block of the hidden ones, so the sums have the same bits
// however many parts run.
type sumsJob struct {
	v, p, q    *matrix.Dense32
	posB, posC []float64
	gB, gC     []float64
	invNC      float64
}

func (j *sumsJob) Part(i, parts int) {
	if j.v != nil {
		nv := j.v.Cols
		lo, hi := i*nv/parts, (i+1)*nv/parts
		colSums32(j.gB[lo:hi], j.v, lo)
		for c := lo; c < hi; c++ {
			j.gB[c] = j.posB[c] - j.gB[c]*j.invNC
		}
	}
	nh := j.p.Cols
	lo, hi := i*nh/parts, (i+1)*nh/parts
	colSums32(j.posC[lo:hi], j.p, lo)
	colSums32(j.gC[lo:hi], j.q, lo)
	for c := lo; c < hi; c++ {
		j.gC[c] += j.posC[c]
	}
}

// colSums32 sets dst to the sums of columns [lo, lo+len(dst)) of x over its rows in order,
// accumulated in float64.
func colSums32(dst []float64, x *matrix.Dense32, lo int) {
	clear(dst)
	for r := range x.Rows {
		row := x.Row(r)[lo:][:len(dst)]
		for c, v := range row {
			dst[c] += float64(v)
		}
	}
}

// measureBias32 runs the gradient-bias meter on the float32 route: it fills the float64
// t.grad and t.pos.W the meter compares (p holds E[h|X]/n for the minibatch X), and for a
// visible layer with a Coupling all of t.pos, coupling terms included.
func (t *Trainer) measureBias32(batch *matrix.Dense, p *matrix.Dense32) error {
	if t.f32.couple != nil {
		// A visible Coupling: the batch's statistics with their coupling terms, in float64
		// as the float64 route takes them (positive); the meter runs on small models only.
		m := t.Model
		t.hin = m.HiddenInputBatch(t.hin, batch)
		t.hpos = linalg.Reuse(t.hpos, t.hin.Rows, t.hin.Cols)
		m.StatisticsAt(t.pos, batch, t.hin, t.hpos)
		t.f32.gradW(t.grad)
		return t.measureBias()
	}
	n := float64(p.Rows)
	t.hpos = linalg.Reuse(t.hpos, p.Rows, p.Cols)
	for i, x := range p.Data {
		t.hpos.Data[i] = float64(x) * n
	}
	rbm.ColMeans(t.pos.B(), batch)
	rbm.ColMeans(t.pos.C(), t.hpos)
	linalg.MulTN(t.pos.W, 1/n, batch, t.hpos, 0)
	t.f32.gradW(t.grad)
	return t.measureBias()
}
