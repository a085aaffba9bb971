package train

import (
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// chainPhase is the negative phase of CD-k and PCD-k: the moments of block Gibbs chains
// after k sweeps per update, with the exact hidden means of their visible states
// (sampleMoments).
//
// CD-k, contrastive divergence (Hinton 2002), restarts the chains at the minibatch at every
// update, one chain per row, their first hidden states drawn from the positive phase's
// inputs. It is biased: the chains do not reach the model distribution, and the bias grows
// as the model sharpens (see the gradient-bias meter).
//
// PCD-k, persistent contrastive divergence (Tieleman 2008), carries the chains from one
// update to the next. With small steps they stay close to the model distribution and the
// estimate is asymptotically unbiased.
type chainPhase struct {
	method  string // "cd" or "pcd", the prefix of the chains' keys in a checkpoint
	restart bool   // CD-k: the chains start at the minibatch
	k       int
	chains  *mcmc.Chains
	hm      *matrix.Dense
}

// newCD returns CD-k with one chain per minibatch row.
func newCD(m *rbm.RBM, batch, k int, seed uint64) *chainPhase {
	return &chainPhase{method: "cd", restart: true, k: k, chains: mcmc.NewChains(m, batch, seed, streamChains)}
}

// newPCD returns PCD-k with n persistent chains.
func newPCD(m *rbm.RBM, n, k int, seed uint64) *chainPhase {
	return &chainPhase{method: "pcd", k: k, chains: mcmc.NewChains(m, n, seed, streamChains)}
}

func (e *chainPhase) Moments(neg *rbm.Grad, m *rbm.RBM, batch, hin *matrix.Dense) error {
	sweeps := e.k
	if e.restart {
		// The first sweep's hidden half is drawn from the minibatch's hidden inputs.
		e.chains.SetVisibleInputs(m, batch, hin)
		e.chains.SampleVisible(m, 1)
		sweeps--
	}
	e.chains.Sweep(m, 1, sweeps)
	e.hm = sampleMoments(neg, m, e.chains.V, e.hm)
	return nil
}

func (*chainPhase) Gradient(*rbm.Grad, float64) {}
func (e *chainPhase) Save(a *npz.Archive) error { return saveChains(a, e.method, e.chains) }
func (e *chainPhase) Load(a *npz.Archive) error { return loadChains(a, e.method, e.chains) }
func (*chainPhase) Stats() []float64            { return nil }
