package rbm

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/matrix"
)

// randomRows returns n binary rows for m: v ~ p(v | h = 0), each v_i ~ Bernoulli(σ(b_i)).
func randomRows(m *RBM, n int, seed uint64) *matrix.Dense {
	return m.SampleVisibleBatch(nil, matrix.NewDense(n, m.NH()), rand.New(rand.NewPCG(seed, 2)))
}

// serialPLL is the definition PseudoLogLikelihoodBatch had before it ran in parallel: one
// running sum over rows and units, or over rows of nv·log p(v_i | v_−i) for a drawn unit.
func serialPLL(m *RBM, vs *matrix.Dense, r *rand.Rand) float64 {
	x := m.HiddenInputBatch(nil, vs)
	var s float64
	for k := 0; k < vs.Rows; k++ {
		v, xk := vs.Row(k), x.Row(k)
		if r != nil {
			s += float64(m.NV()) * m.LogConditional(v, xk, r.IntN(m.NV()))
			continue
		}
		for i := range v {
			s += m.LogConditional(v, xk, i)
		}
	}
	return s / float64(vs.Rows)
}

// The parallel pseudo-log-likelihood is the same bits for GOMAXPROCS 1 and 2; each row's
// value is the serial Σ_i log p(v_i | v_−i) to rounding (numeric.SoftplusSum: about 1e-14 relative
// per 64 hidden units; the test allows 1e-12 of the sum of |log p| terms); the mean is the
// row-order sum of the rows; and the one-unit estimate draws the same units as the serial
// loop and gives the same bits. 300 rows of a 40×130 model split over goroutines, and
// 130 hidden units make numeric.SoftplusSum take three chunks, the last one short.
func TestPseudoLogLikelihoodParallel(t *testing.T) {
	m := randomModel(40, 130, 0.5, 5)
	vs := randomRows(m, 300, 6)
	if 300/max(1, pllMinRowWork/(40*130)) < 2 {
		t.Fatal("too few rows to exercise the parallel split")
	}
	var exact, est [2]float64
	var rows [2][]float64
	for i, procs := range []int{1, 2} {
		prev := par.SetThreads(procs)
		exact[i] = m.PseudoLogLikelihoodBatch(vs, nil)
		est[i] = m.PseudoLogLikelihoodBatch(vs, rand.New(rand.NewPCG(9, 9)))
		rows[i] = m.PseudoLogLikelihoods(nil, vs)
		runtime.GOMAXPROCS(prev)
	}
	if exact[0] != exact[1] || est[0] != est[1] {
		t.Errorf("GOMAXPROCS 1 and 2 differ: exact %v, %v; estimate %v, %v", exact[0], exact[1], est[0], est[1])
	}
	var sum float64
	for k := range vs.Rows {
		if rows[0][k] != rows[1][k] {
			t.Fatalf("row %d: %v with GOMAXPROCS 1, %v with 2", k, rows[0][k], rows[1][k])
		}
		v := vs.Row(k)
		x := m.HiddenInput(nil, v)
		var want, scale float64
		for i := range v {
			lc := m.LogConditional(v, x, i)
			want += lc
			scale += math.Abs(lc) + 1
		}
		if d := math.Abs(rows[0][k] - want); d > 1e-12*scale {
			t.Errorf("row %d: %v, serial Σ_i LogConditional %v (difference %.3g)", k, rows[0][k], want, d)
		}
		sum += rows[0][k]
	}
	if exact[0] != sum/float64(vs.Rows) {
		t.Errorf("batch %v, want the row-order sum %v", exact[0], sum/float64(vs.Rows))
	}
	if want := serialPLL(m, vs, nil); math.Abs(exact[0]-want) > 1e-12*math.Abs(want) {
		t.Errorf("batch %v, serial running sum %v", exact[0], want)
	}
	if want := serialPLL(m, vs, rand.New(rand.NewPCG(9, 9))); est[0] != want {
		t.Errorf("one-unit estimate %v, serial %v", est[0], want)
	}
}

// BenchmarkPseudoLogLikelihood784x500 measures the exact pseudo-log-likelihood of 20 rows,
// the inner loop of boltz eval on MNIST (10,000 rows).
func BenchmarkPseudoLogLikelihood784x500(b *testing.B) {
	m := randomModel(784, 500, 0.01, 1)
	vs := randomRows(m, 20, 2)
	b.ReportAllocs()
	for b.Loop() {
		m.PseudoLogLikelihoodBatch(vs, nil)
	}
}

// BenchmarkPseudoLogLikelihoodSerial784x500 is the serial definition on the same rows, the
// baseline BenchmarkPseudoLogLikelihood784x500 is compared with.
func BenchmarkPseudoLogLikelihoodSerial784x500(b *testing.B) {
	m := randomModel(784, 500, 0.01, 1)
	vs := randomRows(m, 20, 2)
	b.ReportAllocs()
	for b.Loop() {
		serialPLL(m, vs, nil)
	}
}
