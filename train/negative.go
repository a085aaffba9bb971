package train

import (
	"fmt"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// NegativePhase estimates the model term of the gradient: the moments ⟨v hᵀ⟩, ⟨v⟩, ⟨h⟩
// under the model at the current parameters. Each training method is one implementation.
type NegativePhase interface {
	// Moments sets neg to the estimated model moments of m. batch is the current minibatch
	// and hin its hidden inputs 1cᵀ + batch·W under m (CD starts its chains there, without
	// recomputing them); estimators that keep chains advance them.
	Moments(neg *rbm.Grad, m *rbm.RBM, batch, hin *matrix.Dense) error
	// Gradient is told the raw gradient estimate g = pos − neg of every update, before
	// centering and regularisation, and the learning rate of the update (fast PCD moves its
	// fast weights by it, as Tieleman & Hinton 2009 do). g must not be modified.
	Gradient(g *rbm.Grad, lr float64)
	// Save adds the estimator's state (chains, random streams, fast weights) to a checkpoint.
	Save(a *npz.Archive) error
	// Load restores the state written by Save.
	Load(a *npz.Archive) error
	// Stats returns per-epoch diagnostics (PT swap rates) and resets them; nil if none.
	Stats() []float64
}

// newNegativePhase returns the estimator the configuration names.
func newNegativePhase(c *Config, m *rbm.RBM) (NegativePhase, error) {
	chains := c.Chains
	if chains == 0 {
		chains = c.Batch
	}
	switch c.Method {
	case "exact":
		return newExactPhase(), nil
	case "cd":
		return newCD(m, c.Batch, c.K, c.Seed), nil
	case "pcd":
		return newPCD(m, chains, c.K, c.Seed), nil
	case "fpcd":
		return newFastPCD(m, chains, c.K, c.Seed, c.FastLR, c.FastDecay), nil
	case "pt":
		return newPT(m, chains, c.K, c.Seed, c.Replicas, c.BetaMin, c.Ladder)
	}
	return nil, fmt.Errorf("unknown method %q", c.Method)
}

// sampleMoments sets neg to the moments of the chain states vs, using the exact conditional
// means of h given each state (Rao–Blackwellised, as is usual for RBMs):
//
//	⟨v hᵀ⟩ ≈ (1/n) Σ_r v_r E[h|v_r]ᵀ,  ⟨v⟩ ≈ (1/n) Σ_r v_r,  ⟨h⟩ ≈ (1/n) Σ_r E[h|v_r]
//
// hm is a work matrix for the hidden means; the result is returned for reuse.
func sampleMoments(neg *rbm.Grad, m *rbm.RBM, vs, hm *matrix.Dense) *matrix.Dense {
	hm = m.HiddenMeansBatch(hm, vs)
	moments(neg, vs, hm)
	return hm
}

// moments sets g to the means over rows of v hᵀ, v and h.
func moments(g *rbm.Grad, vs, hs *matrix.Dense) {
	n := float64(vs.Rows)
	linalg.Gemm(true, false, vs.Cols, hs.Cols, vs.Rows, 1/n, vs.Data, vs.Cols, hs.Data, hs.Cols, 0, g.W.Data, g.W.Cols)
	colMeans(g.B(), vs)
	colMeans(g.C(), hs)
}

func colMeans(dst []float64, x *matrix.Dense) {
	clear(dst)
	for r := 0; r < x.Rows; r++ {
		for j, v := range x.Row(r) {
			dst[j] += v
		}
	}
	inv := 1 / float64(x.Rows)
	for j := range dst {
		dst[j] *= inv
	}
}
