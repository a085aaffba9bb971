package mcmc

import (
	"testing"

	"github.com/boltzgo/boltz/internal/oracle"
)

// Chains started uniformly at random follow the exact k-step law of the Gibbs kernel, which
// differs from p_β for small k (TV 0.21 after one sweep at β = 1) and reaches it within
// 1e-6 by k = 20: this checks the transition kernel itself, which stationarity alone would
// not (a sweep that did nothing is stationary).
func TestGibbsTransient(t *testing.T) {
	m := testModel(4, 3, 1)
	const n = 20000
	for _, beta := range []float64{1, 0.4, 0} {
		j := oracle.NewJoint(m, beta)
		for _, k := range []int{1, 2, 20} {
			want := j.GibbsLaw(k)
			if k == 20 {
				if d := oracle.TV(want, j.P); d > 1e-6 {
					t.Fatalf("β=%v: exact TV to p_β after 20 sweeps is %v; the model mixes too slowly for this test", beta, d)
				}
			}
			c := NewChains(m, n, 4, uint64(k))
			c.Sweep(m, beta, k)
			if tv, floor := oracle.TV(oracle.JointHistogram(c.V, c.H), want), oracle.TVFloor(want, n); tv > 4*floor {
				t.Errorf("β=%v, %d sweeps from uniform: TV(v,h) to the exact %d-step law = %.4f > 4 × floor %.4f", beta, k, k, tv, floor)
			}
		}
	}
}
