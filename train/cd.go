package train

import (
	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// cd is contrastive divergence, CD-k (Hinton 2002): k Gibbs sweeps started at the
// minibatch. Biased: the chains do not reach the model distribution, and the bias grows as
// the model sharpens (see the gradient-bias meter).
type cd struct {
	k      int
	chains *mcmc.Chains
	hm     *linalg.Dense
}

func newCD(m *rbm.RBM, batch, k int, seed uint64) *cd {
	return &cd{k: k, chains: mcmc.NewChains(m, batch, seed, streamChains)}
}

func (e *cd) Moments(neg *rbm.Grad, m *rbm.RBM, batch, hin *linalg.Dense) error {
	e.chains.SetVisibleInputs(m, batch, hin)
	e.chains.SampleVisible(m, 1)
	e.chains.Sweep(m, 1, e.k-1)
	e.hm = sampleMoments(neg, m, e.chains.V, e.hm)
	return nil
}

func (*cd) Gradient(*rbm.Grad, float64) {}
func (e *cd) Save(a *npz.Archive) error { return saveChains(a, "cd", e.chains) }
func (e *cd) Load(a *npz.Archive) error { return loadChains(a, "cd", e.chains) }
func (*cd) Stats() []float64            { return nil }
