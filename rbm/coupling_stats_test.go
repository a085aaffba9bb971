package rbm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/matrix"
)

// Statistics' σ statistic, computed from the W statistic without the product E[h|v]·Wᵀ,
// equals the definition ⟨−2·v_i·(E[h|v]·Wᵀ)_i⟩/σ_i³ summed row by row.
func TestCouplingStatsWithoutProduct(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	g := NewGaussian(5, false)
	m := NewWithLayers(g, NewBernoulli(4))
	m.InitNormalWithBiases(0.5, 0.5, r)
	for i := range g.Sigma {
		g.Sigma[i] = 0.5 + r.Float64()
	}
	vs := matrix.NewDense(7, 5)
	for i := range vs.Data {
		vs.Data[i] = r.NormFloat64()
	}
	got := GradLike(m)
	hm := m.Statistics(got, vs, nil)
	want := make([]float64, 5)
	for row := 0; row < vs.Rows; row++ {
		for i, v := range vs.Row(row) {
			var y float64
			for j, h := range hm.Row(row) {
				y += m.W.At(i, j) * h
			}
			sg := g.Sigma[i]
			want[i] += -2 * v * y / (sg * sg * sg) / float64(vs.Rows)
		}
	}
	plain := GradLike(m)
	g.Stats(plain.Vis, vs) // the σ statistic without its coupling part
	for i := range want {
		if d := got.Vis[1][i] - plain.Vis[1][i] - want[i]; math.Abs(d) > 1e-12 {
			t.Errorf("σ_%d: coupling part %v, definition %v", i, got.Vis[1][i]-plain.Vis[1][i], want[i])
		}
	}
}
