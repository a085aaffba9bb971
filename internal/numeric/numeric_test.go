package numeric

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSoftplusSigmoidStable(t *testing.T) {
	for _, x := range []float64{-1e3, -745, -40, -1, 0, 1, 40, 700, 1e3} {
		sp, sg := Softplus(x), Sigmoid(x)
		if math.IsNaN(sp) || math.IsInf(sp, 0) || sg < 0 || sg > 1 {
			t.Errorf("x=%v: softplus %v sigmoid %v", x, sp, sg)
		}
		// softplus(x) − softplus(−x) = x, and σ(x) + σ(−x) = 1.
		if d := Softplus(x) - Softplus(-x) - x; math.Abs(d) > 1e-12*math.Max(1, math.Abs(x)) {
			t.Errorf("x=%v: softplus identity off by %v", x, d)
		}
		if d := Sigmoid(x) + Sigmoid(-x) - 1; math.Abs(d) > 1e-15 {
			t.Errorf("x=%v: sigmoid identity off by %v", x, d)
		}
	}
}

func TestLogSumExp(t *testing.T) {
	x := []float64{1000, 1000, -math.Inf(1)}
	if got, want := LogSumExp(x), 1000+math.Log(2); math.Abs(got-want) > 1e-12 {
		t.Errorf("LogSumExp = %v, want %v", got, want)
	}
	var a, b, c LogSumExpAcc
	for i, v := range []float64{-3, 2, 800, -1e3, 5} {
		a.Add(v)
		if i < 2 {
			b.Add(v)
		} else {
			c.Add(v)
		}
	}
	b.Merge(c)
	want := LogSumExp([]float64{-3, 2, 800, -1e3, 5})
	if math.Abs(a.Value()-want) > 1e-12 || math.Abs(b.Value()-want) > 1e-12 {
		t.Errorf("accumulators %v, %v, want %v", a.Value(), b.Value(), want)
	}
	if !math.IsInf(LogSumExp(nil), -1) || !math.IsInf(new(LogSumExpAcc).Value(), -1) {
		t.Error("empty sum is not −Inf")
	}
}

func TestSigmoidSoftplusSum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 63, 64, 65, 784} {
		x := make([]float64, n)
		for i := range x {
			x[i] = 30 * r.NormFloat64()
		}
		var want float64
		sig := make([]float64, n)
		for i, v := range x {
			want += Softplus(v)
			sig[i] = Sigmoid(v)
		}
		got := SigmoidSoftplusSum(x)
		if math.Abs(got-want) > 1e-13*math.Max(1, math.Abs(want)) {
			t.Errorf("n=%d: sum %v, want %v", n, got, want)
		}
		for i := range x {
			if math.Abs(x[i]-sig[i]) > 1e-16 {
				t.Errorf("n=%d: σ(x_%d) = %v, want %v", n, i, x[i], sig[i])
			}
		}
	}
}
