package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/internal/linalg"
)

// generalSGD is sgd seen through another type, which sends update down its general route
// (regularise, sgd.step, ApplyTo, Validate) instead of sgdApply.
type generalSGD struct{ *sgd }

// The fused SGD step gives the same bits as the general route it replaces.
func TestFusedSGDMatchesGeneralRoute(t *testing.T) {
	for _, method := range []string{"cd", "pcd"} {
		c := Defaults()
		c.Method, c.Hidden, c.Batch, c.L2, c.Momentum, c.MomentumInitial = method, 7, 10, 1e-3, 0.9, 0.5
		c.ExactMonitor = 0
		x := randomBinary(20, 9, rand.New(rand.NewPCG(1, 1)))
		fused, err := New(c, x)
		if err != nil {
			t.Fatal(err)
		}
		general, err := New(c, x)
		if err != nil {
			t.Fatal(err)
		}
		general.opt = generalSGD{general.opt.(*sgd)}
		if !fused.fusable() {
			t.Fatal("the default configuration does not take the fused route")
		}
		batch := x.Slice(0, c.Batch)
		for step := range 20 {
			if err := fused.update(batch, false); err != nil {
				t.Fatal(err)
			}
			if err := general.update(batch, false); err != nil {
				t.Fatal(err)
			}
			for _, p := range [][2][]float64{{fused.Model.W.Data, general.Model.W.Data}, {fused.Model.B, general.Model.B}, {fused.Model.C, general.Model.C}} {
				for i := range p[0] {
					if math.Float64bits(p[0][i]) != math.Float64bits(p[1][i]) {
						t.Fatalf("%s, update %d: parameter %d is %v fused, %v general", method, step, i, p[0][i], p[1][i])
					}
				}
			}
		}
	}
}

// A step that makes a parameter infinite is reported by the fused route as by the general one.
func TestFusedSGDDetectsDivergence(t *testing.T) {
	c := Defaults()
	c.Method, c.Hidden, c.Batch, c.ExactMonitor = "cd", 3, 10, 0
	x := randomBinary(10, 4, rand.New(rand.NewPCG(1, 1)))
	tr, err := New(c, x)
	if err != nil {
		t.Fatal(err)
	}
	tr.opt.(*sgd).vel.C[1] = math.Inf(1)
	if err := tr.update(x, false); err == nil {
		t.Fatal("no error for an infinite hidden bias")
	}
}

// randomBinary returns a rows×cols matrix of independent fair bits.
func randomBinary(rows, cols int, r *rand.Rand) *linalg.Dense {
	x := linalg.NewDense(rows, cols)
	for i := range x.Data {
		x.Data[i] = float64(r.Uint64() & 1)
	}
	return x
}
