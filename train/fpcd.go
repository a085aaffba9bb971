package train

import (
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
	k            int
	chains       *mcmc.Chains
	fast         *rbm.Grad // θ_f
	sum          *rbm.RBM  // θ + θ_f, the chains' model
	fastLR, decy float64
	hm           *matrix.Dense
}

func newFastPCD(m *rbm.RBM, n, k int, seed uint64, fastLR, decay float64) *fastPCD {
	return &fastPCD{
		k: k, chains: mcmc.NewChains(m, n, seed, streamChains),
		fast: rbm.GradLike(m), sum: m.Clone(), fastLR: fastLR, decy: decay,
	}
}

func (e *fastPCD) Moments(neg *rbm.Grad, m *rbm.RBM, _, _ *matrix.Dense) error {
	addInto(e.sum.W.Data, m.W.Data, e.fast.W.Data)
	addInto(e.sum.B(), m.B(), e.fast.B())
	addInto(e.sum.C(), m.C(), e.fast.C())
	e.chains.Sweep(e.sum, 1, e.k)
	// The moments are those of the regular model at the chains' states.
	e.hm = sampleMoments(neg, m, e.chains.V, e.hm)
	return nil
}

// Gradient moves the fast weights by the raw gradient estimate, θ_f ← decay·θ_f + lr_f·g:
// the paper's fast weights follow the estimated likelihood gradient itself, without the
// regular weights' weight decay or centering (their own decay takes the place of both).
func (e *fastPCD) Gradient(g *rbm.Grad, lr float64) {
	flr := e.fastLR
	if flr == 0 {
		flr = lr
	}
	decayAdd(e.fast.W.Data, g.W.Data, e.decy, flr)
	decayAdd(e.fast.B(), g.B(), e.decy, flr)
	decayAdd(e.fast.C(), g.C(), e.decy, flr)
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

func (e *fastPCD) Save(a *npz.Archive) error {
	putGrad(a, "fpcd_fast", e.fast)
	return saveChains(a, "fpcd", e.chains)
}

func (e *fastPCD) Load(a *npz.Archive) error {
	if err := getGrad(a, "fpcd_fast", e.fast); err != nil {
		return err
	}
	return loadChains(a, "fpcd", e.chains)
}

func (*fastPCD) Stats() []float64 { return nil }
