package train

import (
	"fmt"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// fastPCD is PCD with fast weights (Tieleman & Hinton 2009): the persistent chains sample
// from a model with parameters θ + θ_f, where the fast parameters θ_f follow the same
// gradient with a large learning rate and decay by a constant factor after every update,
//
//	θ_f ← decay·θ_f + lr_f·g
//
// so they push the chains away from modes they have just visited and the chains mix faster.
// The paper uses decay 19/20 and lr_f equal to the regular learning rate.
type fastPCD struct {
	k, n         int // sweeps per update; chains (0: one per minibatch row)
	chains       *mcmc.Chains
	fast         *rbm.Grad // θ_f
	sum          *rbm.RBM  // θ + θ_f, the chains' model
	fastLR, decy float64
	hm           *matrix.Dense
}

// FastPCD returns PCD with fast weights: k Gibbs sweeps per update of chains persistent
// chains (0: one per minibatch row) that sample from the model plus fast weights, which
// follow the gradient at learning rate fastLR (0: the update's own learning rate) and are
// multiplied by decay after every update. Tieleman & Hinton use decay 19/20. It panics on
// k < 1, chains < 0, fastLR < 0 or decay outside [0, 1].
func FastPCD(k, chains int, fastLR, decay float64) NegativePhase {
	mustSweeps("FastPCD", k)
	mustChains("FastPCD", chains)
	if !(fastLR >= 0) || !(decay >= 0 && decay <= 1) {
		panic(fmt.Sprintf("boltz/train: FastPCD: fast learning rate %v (want ≥ 0) or decay %v (want [0, 1])", fastLR, decay))
	}
	return &fastPCD{k: k, n: chains, fastLR: fastLR, decy: decay}
}

func (e *fastPCD) Init(m *rbm.RBM, batch int, seed uint64) error {
	e.chains = mcmc.NewChains(m, chainCount(e.n, batch), seed, streamChains)
	e.fast, e.sum = rbm.GradLike(m), m.Clone()
	return nil
}

func (e *fastPCD) Moments(neg *rbm.Grad, m *rbm.RBM, _ *Batch) error {
	// The chains' model is θ + θ_f, parameter by parameter.
	addInto(e.sum.W.Data, m.W.Data, e.fast.W.Data)
	for _, l := range [2]struct {
		sum, m rbm.Layer
		fast   [][]float64
	}{{e.sum.Visible, m.Visible, e.fast.Vis}, {e.sum.Hidden, m.Hidden, e.fast.Hid}} {
		ps, pm := l.sum.Params(), l.m.Params()
		for k := range ps {
			addInto(ps[k].Data, pm[k].Data, l.fast[k])
		}
	}
	e.chains.Sweep(e.sum, 1, e.k)
	// The statistics are those of the regular model at the chains' states.
	e.hm = m.Statistics(neg, e.chains.V, e.hm)
	return nil
}

// Gradient moves the fast weights by the raw gradient estimate, θ_f ← decay·θ_f + lr_f·g:
// the paper's fast weights follow the estimated likelihood gradient itself, without the
// regular weights' weight decay or centering (their own decay takes the place of both).
func (e *fastPCD) ObserveGradient(g *rbm.Grad, lr float64) {
	flr := e.fastLR
	if flr == 0 {
		flr = lr
	}
	pg := g.Parts()
	for k, p := range e.fast.Parts() {
		decayAdd(p.X, pg[k].X, e.decy, flr)
	}
}

// addInto sets dst = a + b.
func addInto(dst, a, b []float64) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// decayAdd sets f = decay·f + alpha·g.
func decayAdd(f, g []float64, decay, alpha float64) {
	g = g[:len(f)]
	for i, x := range f {
		f[i] = decay*x + alpha*g[i]
	}
}

func (e *fastPCD) SaveState(a *npz.Archive) error {
	putGrad(a, "fpcd_fast", e.fast)
	return saveChains(a, "fpcd", e.chains)
}

func (e *fastPCD) LoadState(a *npz.Archive) error {
	if err := getGrad(a, "fpcd_fast", e.fast); err != nil {
		return err
	}
	return loadChains(a, "fpcd", e.chains)
}
