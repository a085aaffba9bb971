package oracle

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/boltzgo/boltz/internal/linalg"
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

// The tempered joint's identities: probabilities sum to 1, p_1(v) = exp(−F(v))/Z from the
// free-energy form, p_0 is uniform, the state numbering round-trips, and exact draws are
// within 4 Monte Carlo floors of the table.
func TestJoint(t *testing.T) {
	m := RandomModel(4, 3, 1, 0.5, rand.New(rand.NewPCG(1, 99)))
	j := NewJoint(m, 1)
	var sum, sh float64
	for _, p := range j.P {
		sum += p
	}
	for _, p := range j.HiddenMarginal() {
		sh += p
	}
	if math.Abs(sum-1) > 1e-12 || math.Abs(sh-1) > 1e-12 {
		t.Fatalf("Σ p = %v, Σ p(h) = %v", sum, sh)
	}
	negF, lz := NegFreeEnergies(m), LogZ(m)
	for s, p := range j.VisibleMarginal() {
		if want := math.Exp(negF[s] - lz); math.Abs(p-want) > 1e-12 {
			t.Errorf("p(v=%d) = %v, exp(−F)/Z = %v", s, p, want)
		}
	}
	for _, p := range NewJoint(m, 0).P {
		if math.Abs(p-1.0/128) > 1e-15 {
			t.Fatalf("p_0 = %v, want uniform 1/128", p)
		}
	}
	v, h := make([]float64, 4), make([]float64, 3)
	for s := range j.P {
		j.Unpack(s, v, h)
		if JointIndex(v, h) != s || Index(v) != s&15 {
			t.Fatalf("state %d unpacks to %v %v, numbered %d", s, v, h, JointIndex(v, h))
		}
	}
	const n = 20000
	vs, hs := linalg.NewDense(n, 4), linalg.NewDense(n, 3)
	j.Sample(vs, hs, rand.New(rand.NewPCG(5, 5)))
	pv := j.VisibleMarginal()
	if tv, floor := TV(Histogram(vs), pv), TVFloor(pv, n); tv > 4*floor {
		t.Errorf("exact draws: TV(v) = %.4f > 4 × floor %.4f", tv, floor)
	}
	if tv, floor := TV(JointHistogram(vs, hs), j.P), TVFloor(j.P, n); tv > 4*floor {
		t.Errorf("exact draws: TV(v,h) = %.4f > 4 × floor %.4f", tv, floor)
	}
	if a := SwapAcceptance(j, j); math.Abs(a-1) > 1e-12 {
		t.Errorf("acceptance between equal temperatures = %v, want 1", a)
	}
	if a := SwapAcceptance(j, NewJoint(m, 0.5)); !(a > 0 && a < 1) {
		t.Errorf("acceptance between β = 1 and 0.5 = %v, want in (0, 1)", a)
	}
}

// TV of a histogram: counts {3, 1} against p = {½, ½} is ½(|¾−½| + |¼−½|) = ¼.
func TestTV(t *testing.T) {
	if got := TV([]float64{3, 1}, []float64{0.5, 0.5}); got != 0.25 {
		t.Errorf("TV = %v, want 0.25", got)
	}
}

// GibbsLaw is a probability law that moves towards p_β with every sweep and is p_β after
// enough of them; after one sweep from uniform v it is not yet p_β.
func TestGibbsLaw(t *testing.T) {
	j := NewJoint(RandomModel(3, 2, 1, 0.5, rand.New(rand.NewPCG(2, 99))), 0.8)
	prev := 2.0
	for _, k := range []int{1, 2, 5, 40} {
		q := j.GibbsLaw(k)
		var sum float64
		for _, p := range q {
			sum += p
		}
		d := TV(q, j.P)
		if math.Abs(sum-1) > 1e-12 || d > prev {
			t.Fatalf("k=%d: Σ = %v, TV to p_β %v after %v", k, sum, d, prev)
		}
		prev = d
	}
	if d := TV(j.GibbsLaw(1), j.P); d < 1e-3 {
		t.Errorf("one sweep from uniform is already p_β (TV %v)", d)
	}
	if prev > 1e-9 {
		t.Errorf("40 sweeps: TV to p_β = %v", prev)
	}
}
