package rbm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The float32 kernels agree with the float64 ones: means to float32 rounding, and samples
// drawn from the same stream bit for bit except where a uniform falls between the two
// precisions' thresholds (probability about 1e-7 per unit; none in this test's 20,001).
func TestBernoulli32MatchesFloat64(t *testing.T) {
	const n = 20001 // odd: the last unit draws a Uint64 of its own
	r := rand.New(rand.NewPCG(3, 4))
	x, bias := make([]float32, n), make([]float32, n)
	x64 := make([]float64, n)
	for i := range x {
		x[i], bias[i] = float32(6*r.NormFloat64()), float32(r.NormFloat64())
		x64[i] = float64(x[i] + bias[i])
	}
	want := make([]float64, n)
	(&Bernoulli{}).Means(want, x64)
	mean, s32 := make([]float32, n), make([]float32, n)
	(&Bernoulli{}).Means32(mean, 0.5, x, bias)
	for i := range mean {
		if d := math.Abs(float64(mean[i]) - 0.5*want[i]); d > 1e-7 {
			t.Fatalf("mean %d: %v, want %v", i, mean[i], 0.5*want[i])
		}
	}
	src32, src64 := rand.NewPCG(5, 6), rand.NewPCG(5, 6)
	mean2 := make([]float32, n)
	(&Bernoulli{}).Sample32(s32, mean2, 0.5, x, bias, src32)
	s64 := make([]float64, n)
	(&Bernoulli{}).Sample(s64, x64, rand.New(src64))
	for i := range s32 {
		if float64(s32[i]) != s64[i] || mean2[i] != mean[i] {
			t.Fatalf("unit %d: sample %v, mean %v; float64 kernel %v, BernoulliMeans32 %v", i, s32[i], mean2[i], s64[i], mean[i])
		}
	}
	if src32.Uint64() != src64.Uint64() {
		t.Fatal("the kernels consumed different amounts of their streams")
	}
}

// BenchmarkSampleBernoulli32 samples one row of 500 hidden units with their means, as the
// float32 CD-1 update does for the minibatch, from inputs N(0, 3²).
func BenchmarkSampleBernoulli32(b *testing.B) {
	const n = 500
	r := rand.New(rand.NewPCG(1, 2))
	x, bias, dst, mean := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], bias[i] = float32(3*r.NormFloat64()), float32(r.NormFloat64())
	}
	src := rand.NewPCG(3, 4)
	b.Run("sample+mean", func(b *testing.B) {
		for b.Loop() {
			(&Bernoulli{}).Sample32(dst, mean, 0.01, x, bias, src)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/unit")
	})
	b.Run("sample", func(b *testing.B) {
		for b.Loop() {
			(&Bernoulli{}).Sample32(dst, nil, 0, x, bias, src)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/unit")
	})
	b.Run("mean", func(b *testing.B) {
		for b.Loop() {
			(&Bernoulli{}).Means32(mean, 0.01, x, bias)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/unit")
	})
	b.Run("uniforms", func(b *testing.B) {
		for b.Loop() {
			for range n / 2 {
				src.Uint64()
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/unit")
	})
}
