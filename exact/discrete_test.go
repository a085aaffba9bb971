package exact

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// discreteModel returns a random RBM on fresh layers of the given unit-type specs.
func discreteModel(t *testing.T, vis string, nv int, hid string, nh int, std float64, seed uint64) *rbm.RBM {
	t.Helper()
	v, err := rbm.LayerByName(vis, nv)
	if err != nil {
		t.Fatal(err)
	}
	h, err := rbm.LayerByName(hid, nh)
	if err != nil {
		t.Fatal(err)
	}
	m := rbm.NewWithLayers(v, h)
	m.InitNormalWithBiases(std, std, rand.New(rand.NewPCG(seed, 7)))
	return m
}

// layerStates returns every state of l as the rows of a matrix.
func layerStates(l rbm.Layer) *matrix.Dense {
	n := int(rbm.NumStates(l))
	x := matrix.NewDense(n, l.Len())
	for k := range n {
		rbm.SetState(l, x.Row(k), uint64(k))
	}
	return x
}

// bruteLogZ returns log Z by the double sum over every visible and hidden state of
// exp(−E(v, h)).
func bruteLogZ(m *rbm.RBM) float64 {
	vs, hs := layerStates(m.Visible), layerStates(m.Hidden)
	var acc numeric.LogSumExpAcc
	for a := range vs.Rows {
		for b := range hs.Rows {
			acc.Add(-m.Energy(vs.Row(a), hs.Row(b)))
		}
	}
	return acc.Value()
}

// bruteDiscreteMoments returns ⟨v hᵀ⟩, ⟨v⟩, ⟨h⟩ by the double sum over every state of
// any discrete layers, with p(v,h) = exp(−E(v,h) − lz). (internal/oracle's joint, which
// bruteModelMoments uses, numbers binary states by their bits.)
func bruteDiscreteMoments(m *rbm.RBM, lz float64) *rbm.Grad {
	vs, hs := layerStates(m.Visible), layerStates(m.Hidden)
	g := rbm.GradLike(m)
	for a := range vs.Rows {
		for b := range hs.Rows {
			v, h := vs.Row(a), hs.Row(b)
			addMoments(g, math.Exp(-m.Energy(v, h)-lz), v, h)
		}
	}
	return g
}

var discreteCases = []struct {
	vis    string
	nv     int
	hid    string
	nh     int
	states float64 // visible, then hidden
	hstate float64
}{
	{"spin", 5, "spin", 4, 32, 16},
	{"spin", 4, "bernoulli", 6, 16, 64},
	{"bernoulli", 6, "spin", 3, 64, 8},
	{"potts:3", 12, "bernoulli", 4, 81, 16},
	{"potts:4", 8, "spin", 5, 16, 32},
	{"bernoulli", 4, "potts:3", 6, 16, 9},
	{"potts:2", 6, "potts:3", 6, 8, 9},
}

// log Z enumerated from either side equals the double sum over the joint; log p(v) sums to
// one over the visible states, whose entropy Entropy computes; the model moments match the
// joint's from either side.
func TestDiscreteLogZAndMoments(t *testing.T) {
	for _, c := range discreteCases {
		m := discreteModel(t, c.vis, c.nv, c.hid, c.nh, 0.8, 11)
		if got := rbm.NumStates(m.Visible); got != c.states {
			t.Errorf("%s×%d: %v states, want %v", c.vis, c.nv, got, c.states)
		}
		if got := rbm.NumStates(m.Hidden); got != c.hstate {
			t.Errorf("%s×%d: %v states, want %v", c.hid, c.nh, got, c.hstate)
		}
		wantZ := bruteLogZ(m)
		wantG := bruteDiscreteMoments(m, wantZ)
		for _, side := range []Side{Auto, Visible, Hidden} {
			lz := mustLogZ(t, m, &Options{Enumerate: side})
			if math.Abs(lz-wantZ) > 1e-12*math.Max(1, math.Abs(wantZ)) {
				t.Errorf("%s/%s side %v: log Z %.15g, brute force %.15g", c.vis, c.hid, side, lz, wantZ)
			}
			if side == Auto {
				continue
			}
			g, err := ModelMoments(m, &Options{Enumerate: side})
			if err != nil {
				t.Fatal(err)
			}
			for k, p := range g.Parts() {
				for i, x := range p.X {
					if w := wantG.Parts()[k].X[i]; math.Abs(x-w) > 1e-12 {
						t.Errorf("%s/%s side %v: ⟨%s⟩[%d] = %v, brute force %v", c.vis, c.hid, side, p.Name, i, x, w)
					}
				}
			}
		}
		lp := LogProb(nil, m, layerStates(m.Visible), wantZ)
		if s := numeric.LogSumExp(lp); math.Abs(s) > 1e-12 {
			t.Errorf("%s/%s: log Σ_v p(v) = %v", c.vis, c.hid, s)
		}
		var wantH float64
		for _, l := range lp {
			wantH -= math.Exp(l) * l
		}
		if h, err := Entropy(m, nil); err != nil || math.Abs(h-wantH) > 1e-12*wantH {
			t.Errorf("%s/%s: entropy %v (%v), brute force %v", c.vis, c.hid, h, err, wantH)
		}
	}
}

// The analytic gradient matches finite differences of the exact log-likelihood for every
// parameter of spin and Potts models, on data drawn from the layers' states.
func TestDiscreteGradCheck(t *testing.T) {
	for _, c := range discreteCases {
		m := discreteModel(t, c.vis, c.nv, c.hid, c.nh, 0.6, 12)
		all := layerStates(m.Visible)
		r := rand.New(rand.NewPCG(13, 1))
		x := matrix.NewDense(9, m.NV())
		for k := range x.Rows {
			copy(x.Row(k), all.Row(r.IntN(all.Rows)))
		}
		res, err := GradCheck(m, x, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.MaxRelError > 1e-6 {
			t.Errorf("%s/%s: max relative error %v (blocks %+v)", c.vis, c.hid, res.MaxRelError, res.Blocks)
		}
	}
}

// A Potts layer counts Q^sites states: the limit sees 4^20 = 2^40, not 2^80.
func TestPottsErrTooLarge(t *testing.T) {
	m := discreteModel(t, "potts:4", 80, "bernoulli", 40, 0.1, 1)
	_, err := LogZ(m, &Options{Enumerate: Visible})
	tl, ok := err.(*ErrTooLarge)
	if !ok || tl.States != math.Exp2(40) || tl.Units != 20 {
		t.Fatalf("err = %v, want ErrTooLarge of 2^40 states of 20 sites", err)
	}
}

// The time budget probes a Potts layer by whole sites, starting near 2^10 states: a limit
// far below the enumeration's time gives ErrTooSlow quickly (4^13 = 2^26 states here).
func TestPottsBudget(t *testing.T) {
	m := rbm.NewWithLayers(rbm.NewPotts(13, 4), rbm.NewBernoulli(40))
	_, err := LogZ(m, &Options{MaxSeconds: 0.05, Enumerate: Visible})
	if _, ok := err.(*ErrTooSlow); !ok {
		t.Fatalf("err = %v, want ErrTooSlow", err)
	}
	if first, step := probeSites(4); first != 5 || step != 1 {
		t.Errorf("probeSites(4) = %d, %d; want 5, 1", first, step)
	}
	if first, step := probeSites(2); first != 10 || step != 2 {
		t.Errorf("probeSites(2) = %d, %d; want 10, 2", first, step)
	}
}
