package mcmc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/rbm"
)

// discreteModel is a small RBM with Potts visible units (2 sites, 3 states) and spin hidden
// units: 9 × 8 joint states, enumerated by rbm.SetState.
func discreteModel() *rbm.RBM {
	m := rbm.NewWithLayers(rbm.NewPotts(2, 3), rbm.NewSpin(3))
	m.InitNormalWithBiases(0.8, 0.5, rand.New(rand.NewPCG(4, 99)))
	return m
}

// visibleLaw returns the tempered visible marginal p_β(v) ∝ Σ_h exp(−β E(v,h)) over the
// visible states in rbm.SetState order, and a map from a state (printed) to its number.
func visibleLaw(m *rbm.RBM, beta float64) ([]float64, map[string]int) {
	nv, nh := int(rbm.NumStates(m.Visible)), int(rbm.NumStates(m.Hidden))
	p := make([]float64, nv)
	idx := map[string]int{}
	v, h := make([]float64, m.NV()), make([]float64, m.NH())
	var z float64
	for a := range nv {
		rbm.SetState(m.Visible, v, uint64(a))
		idx[fmt.Sprint(v)] = a
		for b := range nh {
			rbm.SetState(m.Hidden, h, uint64(b))
			p[a] += math.Exp(-beta * m.Energy(v, h))
		}
		z += p[a]
	}
	for a := range p {
		p[a] /= z
	}
	return p, idx
}

func discreteCounts(t *testing.T, c *Chains, idx map[string]int) []float64 {
	t.Helper()
	counts := make([]float64, len(idx))
	for i := range c.Len() {
		k, ok := idx[fmt.Sprint(c.V.Row(i))]
		if !ok {
			t.Fatalf("chain %d is in %v, not a state of the layer", i, c.V.Row(i))
		}
		counts[k]++
	}
	return counts
}

// Gibbs chains and parallel tempering over Potts visible and spin hidden units reach the
// exact (tempered) visible marginal from uniform starts, within 4 Monte Carlo floors.
func TestDiscreteLayersSample(t *testing.T) {
	m := discreteModel()
	const n = 20000
	c := NewChains(m, n, 7)
	c.Sweep(m, 1, 30)
	p, idx := visibleLaw(m, 1)
	if tv, floor := oracle.TV(discreteCounts(t, c, idx), p), oracle.TVFloor(p, n); tv > 4*floor {
		t.Errorf("Gibbs: TV(v) = %.4f > 4 × floor %.4f", tv, floor)
	}
	betas := mustLadder(t, 3, 0.2, "linear")
	pt, err := NewTempering(m, betas, n, 8)
	if err != nil {
		t.Fatal(err)
	}
	pt.Step(m, 30)
	for k, beta := range betas {
		p, idx := visibleLaw(m, beta)
		if tv, floor := oracle.TV(discreteCounts(t, pt.Replica(k), idx), p), oracle.TVFloor(p, n); tv > 4*floor {
			t.Errorf("PT replica %d (β = %v): TV(v) = %.4f > 4 × floor %.4f", k, beta, tv, floor)
		}
	}
}
