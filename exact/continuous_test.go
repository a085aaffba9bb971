package exact

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// randomLayerModel returns a model on the given layers with random weights (N(0, 0.5²)),
// biases (N(0, 0.5²)) and further parameters in [0.5, 1.5].
func randomLayerModel(vis, hid rbm.Layer, seed uint64) *rbm.RBM {
	return oracle.RandomLayerModel(vis, hid, 0.5, 0.5, 0.5, 1.5, rand.New(rand.NewPCG(seed, 11)))
}

func realRows(n, cols int, seed uint64) *matrix.Dense {
	r := rand.New(rand.NewPCG(seed, 13))
	x := matrix.NewDense(n, cols)
	for i := range x.Data {
		x.Data[i] = r.NormFloat64()
	}
	return x
}

// Gaussian–Bernoulli log Z by enumerating h agrees with a grid integral over v of
// exp(−F(v)) (one visible unit, so the grid is exact to quadrature error).
func TestGaussianLogZQuadrature(t *testing.T) {
	m := randomLayerModel(rbm.NewGaussian(1, false), rbm.NewBernoulli(5), 3)
	lz, err := LogZ(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	const lo, hi, n = -40.0, 40.0, 400_000
	dv := (hi - lo) / n
	var s float64
	v := []float64{0}
	for k := 0; k <= n; k++ {
		v[0] = lo + float64(k)*dv
		f := math.Exp(-m.FreeEnergy(v))
		if k == 0 || k == n {
			f /= 2
		}
		s += f * dv
	}
	if want := math.Log(s); math.Abs(lz-want) > 1e-8 {
		t.Errorf("log Z = %v, quadrature %v", lz, want)
	}
}

// Every parameter of a Gaussian–Bernoulli model, σ included, passes the gradient check
// against the exact log-likelihood; with σ fixed its gradient is zero.
func TestGradCheckGaussian(t *testing.T) {
	for _, fixed := range []bool{false, true} {
		m := randomLayerModel(rbm.NewGaussian(3, fixed), rbm.NewBernoulli(4), 5)
		x := realRows(9, 3, 5)
		res, err := GradCheck(m, x, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Blocks) != 4 || res.Blocks[3].Name != "visible_sigma" {
			t.Fatalf("blocks %+v", res.Blocks)
		}
		if fixed {
			for i, g := range res.Analytic.Vis[1] {
				if g != 0 {
					t.Errorf("fixed σ: gradient %v at %d", g, i)
				}
			}
		}
		if res.MaxRelError > 1e-6 {
			t.Errorf("max relative error %v (blocks %+v)", res.MaxRelError, res.Blocks)
		}
	}
}

// Every parameter of Bernoulli–ReLU and Bernoulli–dReLU models passes the gradient check
// (the visible layer enumerated, the hidden one integrated through its log-normaliser).
func TestGradCheckReLU(t *testing.T) {
	for _, hid := range []rbm.Layer{rbm.NewReLU(3), rbm.NewDReLU(3)} {
		m := randomLayerModel(rbm.NewBernoulli(5), hid, 7)
		x := randomRows(9, 5, 7)
		res, err := GradCheck(m, x, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := 2 + len(hid.Params()); len(res.Blocks) != want {
			t.Fatalf("%s: %d blocks, want %d", hid.Name(), len(res.Blocks), want)
		}
		if res.MaxRelError > 1e-6 {
			t.Errorf("%s: max relative error %v (blocks %+v)", hid.Name(), res.MaxRelError, res.Blocks)
		}
	}
}

// Block Gibbs sampling of Gaussian–Bernoulli, Bernoulli–ReLU and Bernoulli–dReLU models
// reproduces the exact moments ⟨v⟩ and ⟨h⟩ (ModelMoments) within 4 standard errors of the
// chains' means: the conditionals, the coupling t(v) = v/σ² and the exact sums agree.
func TestGibbsMatchesExactMoments(t *testing.T) {
	if testing.Short() {
		t.Skip("statistical check")
	}
	for _, c := range []struct{ vis, hid rbm.Layer }{
		{rbm.NewGaussian(3, false), rbm.NewBernoulli(4)},
		{rbm.NewBernoulli(4), rbm.NewReLU(3)},
		{rbm.NewBernoulli(4), rbm.NewDReLU(3)},
	} {
		m := randomLayerModel(c.vis, c.hid, 21)
		want, err := ModelMoments(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		const chains, burn = 4000, 30
		r := rand.New(rand.NewPCG(22, 23))
		vs, hs := matrix.NewDense(chains, m.NV()), matrix.NewDense(chains, m.NH())
		for range burn {
			m.GibbsBatch(vs, hs, r)
		}
		// Independent chains: the spread of the chains' states gives the standard errors.
		for side, x := range []*matrix.Dense{vs, hs} {
			w := append([]float64(nil), want.Vis[0]...)
			if side == 1 {
				w = want.Hid[0]
			}
			if g, ok := c.vis.(*rbm.Gaussian); ok && side == 0 {
				for i := range w { // the bias statistic is (v − b)/σ²: ⟨v⟩ = b + σ²·⟨statistic⟩
					w[i] = g.B[i] + g.Sigma[i]*g.Sigma[i]*w[i]
				}
			}
			for i := range w {
				var s, s2 float64
				for k := 0; k < chains; k++ {
					v := x.At(k, i)
					s += v
					s2 += v * v
				}
				mean := s / chains
				se := math.Sqrt((s2/chains - mean*mean) / chains)
				if math.Abs(mean-w[i]) > 4*se {
					t.Errorf("%s–%s side %d unit %d: chains %v ± %v, exact %v", c.vis.Name(), c.hid.Name(), side, i, mean, se, w[i])
				}
			}
		}
	}
}
