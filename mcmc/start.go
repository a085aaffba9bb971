package mcmc

import (
	"fmt"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/rbm"
)

// DrawVisible restarts every chain from an independent draw of the visible units' law at the
// inputs u, one per visible unit and shared by all chains (for Bernoulli units,
// v_i ~ Bernoulli(σ(u_i))), and then draws H from p(h|v) at β = 1. With u the base-rate
// logits of the training data (ais.BaseRateFromMeans), the chains start from the data's
// pixel marginals rather than from uniform noise: on MNIST, chains started from noise fall
// into a few large basins, while chains started from the marginals spread over the digit
// classes in the same number of sweeps. Each chain draws from its own stream, as in
// NewChains. Cost: one matrix product, O(n·nv·nh).
//
// It panics if len(u) is not the model's nv or the chains' shape differs from m's.
func (c *Chains) DrawVisible(m *rbm.RBM, u []float64) {
	if len(u) != c.V.Cols || m.NV() != c.V.Cols {
		panic(fmt.Sprintf("boltz/mcmc: DrawVisible: %d inputs, chains have %d visible units, model %d", len(u), c.V.Cols, m.NV()))
	}
	c.xv = linalg.Reuse(c.xv, c.V.Rows, c.V.Cols)
	for r := 0; r < c.V.Rows; r++ {
		copy(c.xv.Row(r), u)
	}
	c.runJob(sampleJob{layer: m.Visible, x: c.xv, dst: c.V, beta: 1, rngs: c.rngs})
	c.SampleHidden(m, 1)
}
