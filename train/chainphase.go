package train

import (
	"fmt"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// chainPhase is the negative phase of CD-k and PCD-k: the statistics of block Gibbs chains
// after k sweeps per update, with the exact hidden means of their visible states
// (rbm.RBM.Statistics).
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
	method  Method // cd or pcd, the prefix of the chains' keys in a checkpoint
	restart bool   // CD-k: the chains start at the minibatch
	k, n    int    // sweeps per update; chains (0: one per minibatch row)
	chains  *mcmc.Chains
	hm      *matrix.Dense
}

// CD returns contrastive divergence with k Gibbs sweeps per update: one chain per minibatch
// row, restarted at the row at every update. It panics unless k ≥ 1.
func CD(k int) NegativePhase {
	mustSweeps("CD", k)
	return &chainPhase{method: MethodCD, restart: true, k: k}
}

// PCD returns persistent contrastive divergence with k Gibbs sweeps per update of chains
// persistent chains (0: one per minibatch row). It panics unless k ≥ 1 and chains ≥ 0.
func PCD(k, chains int) NegativePhase {
	mustSweeps("PCD", k)
	mustChains("PCD", chains)
	return &chainPhase{method: MethodPCD, k: k, n: chains}
}

func mustSweeps(op string, k int) {
	if k < 1 {
		panic(fmt.Sprintf("boltz/train: %s(%d): at least one sweep per update", op, k))
	}
}

func mustChains(op string, n int) {
	if n < 0 {
		panic(fmt.Sprintf("boltz/train: %s: %d chains (0 means one per minibatch row)", op, n))
	}
}

func (e *chainPhase) Init(m *rbm.RBM, batch int, seed uint64) error {
	n := chainCount(e.n, batch)
	if e.restart {
		n = batch
	}
	e.chains = mcmc.NewChains(m, n, seed, streamChains)
	return nil
}

func (e *chainPhase) Moments(neg *rbm.Grad, m *rbm.RBM, b *Batch) error {
	sweeps := e.k
	if e.restart {
		// The first sweep's hidden half is drawn from the minibatch's hidden inputs.
		hin := b.HiddenInput
		if hin == nil {
			hin = m.HiddenInputBatch(nil, b.X)
		}
		e.chains.SetVisibleInputs(m, b.X, hin)
		e.chains.SampleVisible(m, 1)
		sweeps--
	}
	e.chains.Sweep(m, 1, sweeps)
	e.hm = m.Statistics(neg, e.chains.V, e.hm)
	return nil
}

func (e *chainPhase) SaveState(a *npz.Archive) error {
	return saveChains(a, string(e.method), e.chains)
}
func (e *chainPhase) LoadState(a *npz.Archive) error {
	return loadChains(a, string(e.method), e.chains)
}

// gibbsChains is the float32 route's view of a chain estimator: its chains, the sweeps per
// update, and whether they restart at the minibatch (CD) or persist (PCD).
func (e *chainPhase) gibbsChains() (*mcmc.Chains, int, bool) { return e.chains, e.k, e.restart }

// gibbsSource is implemented by the estimators whose chains the float32 route can run with
// its own kernels (CD and PCD).
type gibbsSource interface {
	gibbsChains() (c *mcmc.Chains, k int, restart bool)
}
