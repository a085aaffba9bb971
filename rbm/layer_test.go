package rbm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/internal/numeric"
)

// Each unit is on with frequency σ(x) within 4 standard errors, for inputs of either sign,
// zero, and beyond the range where σ rounds to 0 or 1; an odd length exercises the unit
// that has a draw of its own.
func TestBernoulliSampleFrequencies(t *testing.T) {
	x := []float64{-1e3, -30, -4, -1, -0.1, 0, math.Copysign(0, -1), 0.1, 1, 4, 30, 1e3, -2.5}
	const n = 200_000
	count := make([]float64, len(x))
	dst := make([]float64, len(x))
	r := rand.New(rand.NewPCG(1, 2))
	for range n {
		(&Bernoulli{}).Sample(dst, x, r)
		for i, s := range dst {
			if s != 0 && s != 1 {
				t.Fatalf("unit %d drew %v", i, s)
			}
			count[i] += s
		}
	}
	for i, v := range x {
		p := numeric.Sigmoid(v)
		se := math.Sqrt(p * (1 - p) / n)
		if f := count[i] / n; math.Abs(f-p) > 4*se+1e-9 {
			t.Errorf("x = %v: frequency %v, want σ(x) = %v ± %v", v, f, p, 4*se)
		}
	}
}

// Sampling in place gives the same draws as sampling into another slice, over several
// chunks and an odd tail.
func TestBernoulliSampleInPlace(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, 3*sampleChunk+1)
	for i := range x {
		x[i] = 3 * r.NormFloat64()
	}
	dst := make([]float64, len(x))
	(&Bernoulli{}).Sample(dst, x, rand.New(rand.NewPCG(5, 6)))
	(&Bernoulli{}).Sample(x, x, rand.New(rand.NewPCG(5, 6)))
	for i := range x {
		if x[i] != dst[i] {
			t.Fatalf("unit %d: in place %v, into dst %v", i, x[i], dst[i])
		}
	}
}
