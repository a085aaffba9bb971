package train

import (
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// exactPhase computes the model moments exactly by enumerating the smaller layer
// (exact.ModelMoments). With it, full-batch training is exact gradient ascent on the
// log-likelihood. Cost O(2^min(nv,nh)·nv·nh) per update.
type exactPhase struct{}

func newExactPhase() *exactPhase { return &exactPhase{} }

func (*exactPhase) Moments(neg *rbm.Grad, m *rbm.RBM, _, _ *matrix.Dense) error {
	g, err := exact.ModelMoments(m, nil)
	if err != nil {
		return err
	}
	neg.CopyFrom(g)
	return nil
}

func (*exactPhase) Gradient(*rbm.Grad, float64) {}
func (*exactPhase) Save(*npz.Archive) error     { return nil }
func (*exactPhase) Load(*npz.Archive) error     { return nil }
func (*exactPhase) Stats() []float64            { return nil }
