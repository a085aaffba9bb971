package train

import (
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/rbm"
)

// exactPhase computes the model statistics exactly by enumerating the smaller layer
// (exact.ModelMoments). With it, full-batch training is exact gradient ascent on the
// log-likelihood. Cost O(2^min(nv,nh)·nv·nh) per update.
type exactPhase struct{}

// Exact returns the exact negative phase: the model statistics by enumeration of the
// smaller layer, for models where min(nv, nh) is small (up to about 24 units).
func Exact() NegativePhase { return exactPhase{} }

func (exactPhase) Init(*rbm.RBM, int, uint64) error { return nil }

func (exactPhase) Moments(neg *rbm.Grad, m *rbm.RBM, _ *Batch) error {
	g, err := exact.ModelMoments(m, nil)
	if err != nil {
		return err
	}
	neg.CopyFrom(g)
	return nil
}
