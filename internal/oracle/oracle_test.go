package oracle

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The free-energy sum and the double sum over (v, h) agree, and with W = 0 both equal the
// closed form log Z = Σ_i softplus(b_i) + Σ_j softplus(c_j) (the units are independent).
func TestLogZForms(t *testing.T) {
	m := RandomModel(6, 5, 1, 0.5, rand.New(rand.NewPCG(1, 1)))
	if a, b := LogZ(m), LogZJoint(m); math.Abs(a-b) > 1e-12*math.Abs(b) {
		t.Errorf("LogZ %.17g, LogZJoint %.17g", a, b)
	}
	clear(m.W.Data)
	var want float64
	for _, bias := range append(slices.Clone(m.B()), m.C()...) {
		want += math.Log1p(math.Exp(bias))
	}
	if a, b := LogZ(m), LogZJoint(m); math.Abs(a-want) > 1e-12*math.Abs(want) || math.Abs(b-want) > 1e-12*math.Abs(want) {
		t.Errorf("W = 0: LogZ %.17g, LogZJoint %.17g, closed form %.17g", a, b, want)
	}
}

// The states are numbered bit i = unit i, and exact samples of a model with W = 0 and b = 0
// are uniform: each unit is on in half the draws, within 4 standard errors.
func TestStatesAndSamples(t *testing.T) {
	x := States(3)
	if x.Rows != 8 || x.At(5, 0) != 1 || x.At(5, 1) != 0 || x.At(5, 2) != 1 {
		t.Errorf("States(3) row 5 = %v", x.Row(5))
	}
	m := RandomModel(4, 2, 0, 0, rand.New(rand.NewPCG(2, 2)))
	const n = 4000
	s := Samples(m, n, rand.New(rand.NewPCG(3, 3)))
	for i := range 4 {
		var on float64
		for k := range n {
			on += s.At(k, i)
		}
		if se := math.Sqrt(0.25 / n); math.Abs(on/n-0.5) > 4*se {
			t.Errorf("unit %d on in %.4f of the draws, want 0.5 ± 4·%.4f", i, on/n, se)
		}
	}
}
