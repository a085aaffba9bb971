package train

import (
	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// pcd is persistent contrastive divergence, PCD-k (Tieleman 2008): chains carried from one
// update to the next, k Gibbs sweeps per update. With small steps the chains stay close to
// the model distribution and the estimate is asymptotically unbiased.
type pcd struct {
	k      int
	chains *mcmc.Chains
	hm     *linalg.Dense
}

func newPCD(m *rbm.RBM, n, k int, seed uint64) *pcd {
	return &pcd{k: k, chains: mcmc.NewChains(m, n, seed, streamChains)}
}

func (e *pcd) Moments(neg *rbm.Grad, m *rbm.RBM, _, _ *linalg.Dense) error {
	e.chains.Sweep(m, 1, e.k)
	e.hm = sampleMoments(neg, m, e.chains.V, e.hm)
	return nil
}

func (*pcd) Gradient(*rbm.Grad, float64) {}
func (e *pcd) Save(a *npz.Archive) error { return saveChains(a, "pcd", e.chains) }
func (e *pcd) Load(a *npz.Archive) error { return loadChains(a, "pcd", e.chains) }
func (*pcd) Stats() []float64            { return nil }
