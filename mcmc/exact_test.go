package mcmc

import (
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/rbm"
)

// The exact laws the chains are checked against (the tempered joint p_β(v,h) ∝ exp(−β·E(v,h))
// of a small binary RBM, its marginals, exact draws, histograms and TV distances) are
// internal/oracle's, so that the tests of mcmc do not depend on package exact.

// testModel returns an nv×nh Bernoulli RBM with W ~ N(0, 1) and b, c ~ N(0, 0.5²): strong
// enough couplings that a sampler that ignored them would be caught, weak enough that Gibbs
// sampling mixes within a few sweeps.
func testModel(nv, nh int, seed uint64) *rbm.RBM {
	return oracle.RandomModel(nv, nh, 1, 0.5, rand.New(rand.NewPCG(seed, 99)))
}

// checkTV fails t unless the chains' visible and joint histograms are within 4 Monte Carlo
// floors of the exact tempered distribution.
func checkTV(t *testing.T, what string, c *Chains, j *oracle.Joint) {
	t.Helper()
	pv := j.VisibleMarginal()
	if tv, floor := oracle.TV(oracle.Histogram(c.V), pv), oracle.TVFloor(pv, c.Len()); tv > 4*floor {
		t.Errorf("%s: TV(v) = %.4f > 4 × floor %.4f", what, tv, floor)
	}
	if tv, floor := oracle.TV(oracle.JointHistogram(c.V, c.H), j.P), oracle.TVFloor(j.P, c.Len()); tv > 4*floor {
		t.Errorf("%s: TV(v,h) = %.4f > 4 × floor %.4f", what, tv, floor)
	}
}

// The exact draws of the oracle pass checkTV itself.
func TestCheckTVExactDraws(t *testing.T) {
	m := testModel(4, 3, 1)
	j := oracle.NewJoint(m, 1)
	c := NewChains(m, 20000, 1)
	j.Sample(c.V, c.H, rand.New(rand.NewPCG(5, 5)))
	checkTV(t, "exact draws", c, j)
}
