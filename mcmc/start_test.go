package mcmc

import (
	"math"
	"testing"

	"github.com/boltzgo/boltz/rbm"
)

// DrawVisible draws each visible unit of each chain from Bernoulli(σ(u_i)): over 4000 chains
// the frequency of every unit lies within 4 standard errors of σ(u_i), and H is redrawn from
// the new V.
func TestDrawVisibleMarginals(t *testing.T) {
	m := rbm.New(5, 3)
	u := []float64{-3, -1, 0, 1, 3}
	const n = 4000
	c := NewChains(m, n, 9)
	c.DrawVisible(m, u)
	for i, ui := range u {
		p := 1 / (1 + math.Exp(-ui))
		var s float64
		for r := 0; r < n; r++ {
			s += c.V.At(r, i)
		}
		se := math.Sqrt(p * (1 - p) / n)
		if f := s / n; math.Abs(f-p) > 4*se {
			t.Errorf("unit %d: frequency %.4f, want σ(%v) = %.4f ± %.4f", i, f, ui, p, 4*se)
		}
	}
	again := NewChains(m, n, 9)
	again.DrawVisible(m, u)
	for k, v := range c.V.Data {
		if again.V.Data[k] != v {
			t.Fatal("DrawVisible is not reproducible from the seed")
		}
	}
}
