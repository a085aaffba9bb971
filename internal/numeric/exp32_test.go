package numeric

import (
	"math"
	"math/rand/v2"
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

// Every kernel of NegAbsExps32 this CPU runs gives the bits of negAbsExps32Go, lane for
// lane, on every length from 0 to 70 (whole vectors and tails) and on inputs that take
// every path: the clamp, ±0, ±Inf, NaN, subnormals, and random values over the range.
func TestNegAbsExps32Kernels(t *testing.T) {
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, 1e-39, 1e-30, -1e-30,
		0.34657359, -0.34657359, 86.99, 87, 87.01, -87.5, 88.7, 100, 1e30, -1e30,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32}
	rnd := rand.New(rand.NewPCG(3, 4))
	var xs []float32
	for range 4096 {
		xs = append(xs, float32(rnd.NormFloat64()*20))
	}
	xs = append(xs, special...)
	for _, name := range exp32Kernels {
		t.Run(name, func(t *testing.T) {
			defer useExp32Kernel(name)()
			for n := 0; n <= 70; n++ {
				for start := 0; start+n <= len(xs); start += 509 {
					x := xs[start : start+n]
					got, want := NegAbsExps32(make([]float32, n), x), make([]float32, n)
					negAbsExps32Go(want, x)
					for i := range x {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) &&
							!(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
							t.Fatalf("n=%d: exp(−|%v|) = %v (%#x), Go gives %v (%#x)", n, x[i], got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
						}
					}
				}
			}
			// The special values once more, at every lane position of a whole vector.
			for shift := range 16 {
				x := make([]float32, 64)
				for i, v := range special {
					x[(i+shift)%64] = v
				}
				got, want := NegAbsExps32(make([]float32, 64), x), make([]float32, 64)
				negAbsExps32Go(want, x)
				for i := range x {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) &&
						!(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
						t.Fatalf("exp(−|%v|) = %v, Go gives %v", x[i], got[i], want[i])
					}
				}
			}
		})
	}
}

// BenchmarkNegAbsExps32 is NegAbsExps32 over 128 inputs (rbm's sampling chunk) from
// N(0, 2²), per kernel this CPU runs.
func BenchmarkNegAbsExps32(b *testing.B) {
	x64 := benchInputs()[:128]
	x, dst := make([]float32, len(x64)), make([]float32, len(x64))
	for i, v := range x64 {
		x[i] = float32(v)
	}
	for _, name := range exp32Kernels {
		b.Run(name, func(b *testing.B) {
			defer useExp32Kernel(name)()
			perElement(b, len(x), func() { NegAbsExps32(dst, x) })
		})
	}
}
