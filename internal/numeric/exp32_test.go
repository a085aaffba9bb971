package numeric

import (
	"math"
	"testing"
)

// NegAbsExps32 is within 2.5e-7 relative of math.Exp(−|x|) (about 2 float32 ulp) on a fine
// grid over the range it computes, and clamps beyond it.
func TestNegAbsExps32(t *testing.T) {
	var xs []float32
	for x := float32(-90); x <= 90; x += 1.0 / 1024 {
		xs = append(xs, x)
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), 1e-30, -1e-30)
	got := NegAbsExps32(make([]float32, len(xs)), xs)
	var worst float64
	for i, x := range xs {
		ax := math.Abs(float64(x))
		if ax > 87 {
			if want := float32(math.Exp(-87)); math.Abs(float64(got[i]-want)) > 2.5e-7*float64(want) {
				t.Fatalf("exp(−|%v|) = %v, want the clamp e^−87 = %v", x, got[i], want)
			}
			continue
		}
		want := math.Exp(-ax)
		rel := math.Abs(float64(got[i])-want) / want
		worst = math.Max(worst, rel)
		if rel > 2.5e-7 {
			t.Fatalf("exp(−|%v|) = %v, want %v (relative error %.3g)", x, got[i], want, rel)
		}
	}
	t.Logf("largest relative error %.3g", worst)
	if r := NegAbsExps32(make([]float32, 1), []float32{float32(math.NaN())}); !math.IsNaN(float64(r[0])) {
		t.Fatalf("exp(NaN) = %v", r[0])
	}
}
