package mcmc

import (
	"fmt"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// Sample returns n visible states of m, row r the final state of an independent block Gibbs
// chain of sweeps sweeps drawn from the stream rng.PCG(seed, r). When start is not nil the
// chains start from a draw of the visible units at inputs start (for a model trained by
// boltz, the base-rate logits of its data means; see DrawVisible), else from the units' law
// at zero input (uniform bits for Bernoulli units). Chains started far from the model's
// modes need more sweeps; for MNIST models about 1000 give recognisable digits.
//
// It panics if m is nil, n < 1, sweeps < 0 or start has the wrong length.
func Sample(m *rbm.RBM, n, sweeps int, seed uint64, start []float64) *matrix.Dense {
	if sweeps < 0 {
		panic(fmt.Sprintf("boltz/mcmc: Sample: %d sweeps", sweeps))
	}
	c := NewChains(m, n, seed)
	if Supports32(m) {
		c.SetPrecision(Float32)
	}
	if start != nil {
		c.DrawVisible(m, start)
	}
	c.Sweep(m, 1, sweeps)
	return c.V
}
