//go:build linux || darwin

package numeric

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// The benchmarks report ns per element of wall time and of process CPU time; on a shared
// machine compare the CPU time (with -cpu 1), and compare with benchstat.

func BenchmarkExps(b *testing.B) {
	x := benchInputs()
	dst := make([]float64, len(x))
	perElement(b, len(x), func() { Exps(dst, x) })
}

// BenchmarkMathExps is BenchmarkExps with math.Exp, the baseline.
func BenchmarkMathExps(b *testing.B) {
	x := benchInputs()
	dst := make([]float64, len(x))
	perElement(b, len(x), func() {
		for i, v := range x {
			dst[i] = math.Exp(v)
		}
	})
}

func BenchmarkSigmoids(b *testing.B) {
	x := benchInputs()
	dst := make([]float64, len(x))
	perElement(b, len(x), func() { Sigmoids(dst, x) })
}

// BenchmarkMathSigmoids is the sigmoid as boltz computed it before Exps: math.Exp and a
// branch on the sign. The baseline for BenchmarkSigmoids.
func BenchmarkMathSigmoids(b *testing.B) {
	x := benchInputs()
	dst := make([]float64, len(x))
	perElement(b, len(x), func() {
		for i, v := range x {
			if v >= 0 {
				dst[i] = 1 / (1 + math.Exp(-v))
			} else {
				e := math.Exp(v)
				dst[i] = e / (1 + e)
			}
		}
	})
}

// BenchmarkSoftplusSum is the hidden sum of a free energy: one exponential per element, one
// logarithm per 64.
func BenchmarkSoftplusSum(b *testing.B) {
	x := benchInputs()
	perElement(b, len(x), func() { SoftplusSum(x, nil, 0) })
}

// BenchmarkSigmoidSoftplusSum adds the sigmoids (written over a copy of the inputs).
func BenchmarkSigmoidSoftplusSum(b *testing.B) {
	x := benchInputs()
	dst := make([]float64, len(x))
	perElement(b, len(x), func() {
		copy(dst, x)
		SigmoidSoftplusSum(dst)
	})
}

func perElement(b *testing.B, n int, f func()) {
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		f()
	}
	per := float64(b.N * n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/elem")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/per, "cpu-ns/elem")
}

// benchInputs are 1024 inputs of the size a 784×500 RBM's units see: N(0, 2²).
func benchInputs() []float64 {
	r := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, 1024)
	for i := range x {
		x[i] = 2 * r.NormFloat64()
	}
	return x
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
