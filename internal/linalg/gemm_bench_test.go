// Measured on the development machine (AMD EPYC Zen 5, 2 cores, AVX-512; kernels
// avx512-12x16 and avx512-12x32), while other jobs kept its load average at 6–9:
//
//	go test -run XXX -bench 'GemmCPUTime' -cpu 1 -count 5 ./internal/linalg/
//	    one goroutine, GFLOP/s per CPU-second (max of 5):
//	    float64  NN 88  NT 83  TN 91      (raw micro-kernel: 100; OpenBLAS 0.3.21: 40–44)
//	    float32  NN 180 NT 163 TN 173     (raw micro-kernel: 210; OpenBLAS 0.3.21: 80–92)
//
//	go test -run XXX -bench '100x784x500' -count 24 ./internal/linalg/
//	    two goroutines, wall-clock GFLOP/s (max of 24 over five minutes of load):
//	    float64  NN 86  NT 87  TN 90
//	    float32  NN 170 NT 161 TN 178
//
// The wall-clock figures are bounded by the other jobs, not by the kernels: run alternately
// with -tags openblas under the same load, OpenBLAS reached 37–40 (float64) and 70–86
// (float32). On a quiet machine OpenBLAS reaches about 108 and 210 with two threads.
//
// With OpenBLAS at one thread per strip (the default, gemm_openblas.go), on a quiet machine,
// one session, GFLOP/s per CPU-second, float64 and float32: Go 69–89 and 133–173; OpenBLAS
// with the kernels it detects (Cooperlake) 48–62 and 121–135; with OPENBLAS_CORETYPE=Haswell
// 32–47 and 66–93. Note that the development VM sets OPENBLAS_CORETYPE=Haswell.
// Every benchmark reports 0 allocs/op.

package linalg

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// rbmProducts are the products of one CD-1 minibatch on MNIST (batch 100, 784 visible, 500
// hidden units): H = V·W, V = H·Wᵀ and the gradient Vᵀ·H.
var rbmProducts = []struct {
	name           string
	transA, transB bool
	m, n, k        int
}{
	{"NN", false, false, 100, 500, 784},
	{"NT", false, true, 100, 784, 500},
	{"TN", true, false, 784, 500, 100},
}

func BenchmarkGemm64_100x784x500(b *testing.B) {
	for _, pc := range rbmProducts {
		b.Run(pc.name, func(b *testing.B) { benchGemm(b, pc.transA, pc.transB, pc.m, pc.n, pc.k, Gemm) })
	}
}

func BenchmarkSgemm32_100x784x500(b *testing.B) {
	for _, pc := range rbmProducts {
		b.Run(pc.name, func(b *testing.B) { benchGemm(b, pc.transA, pc.transB, pc.m, pc.n, pc.k, Sgemm) })
	}
}

// BenchmarkGemmPortable measures the Go micro-kernels that builds without assembly use.
func BenchmarkGemmPortable(b *testing.B) {
	was := usePortable(true)
	defer usePortable(was)
	pc := rbmProducts[0]
	b.Run("64/"+pc.name, func(b *testing.B) { benchGemm(b, pc.transA, pc.transB, pc.m, pc.n, pc.k, Gemm) })
	b.Run("32/"+pc.name, func(b *testing.B) { benchGemm(b, pc.transA, pc.transB, pc.m, pc.n, pc.k, Sgemm) })
}

// BenchmarkGemmSmall measures products around smallWork, where packing starts to pay.
func BenchmarkGemmSmall(b *testing.B) {
	for _, s := range []int{2, 4, 8, 16, 32, 48, 64, 96, 128} {
		b.Run(fmt.Sprintf("%d", s), func(b *testing.B) { benchGemm(b, false, false, s, s, s, Gemm) })
	}
}

func benchGemm[T float](b *testing.B, transA, transB bool, m, n, k int,
	run func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	prod := newBenchProduct(transA, transB, m, n, k, run)
	b.ReportAllocs()
	for b.Loop() {
		prod()
	}
	b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// newBenchProduct returns a call of run on random m×n×k operands, stored as transA and
// transB say.
func newBenchProduct[T float](transA, transB bool, m, n, k int,
	run func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) func() {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y, c := randSlice[T](rng, m*k), randSlice[T](rng, k*n), make([]T, m*n)
	_, lda := opShape(m, k, transA)
	_, ldb := opShape(k, n, transB)
	return func() { run(transA, transB, m, n, k, 1, x, lda, y, ldb, 0, c, n) }
}

// BenchmarkGemmKernels runs the RBM products with every micro-kernel the CPU runs.
func BenchmarkGemmKernels(b *testing.B) {
	k64, k32 := kernelCandidates()
	for _, pc := range rbmProducts {
		for _, kern := range k64[1:] {
			b.Run("64/"+kern.name+"/"+pc.name, func(b *testing.B) {
				w64, w32 := useKernels(kern, kernels32.Load())
				defer useKernels(w64, w32)
				benchGemm(b, pc.transA, pc.transB, pc.m, pc.n, pc.k, Gemm)
			})
		}
		for _, kern := range k32[1:] {
			b.Run("32/"+kern.name+"/"+pc.name, func(b *testing.B) {
				w64, w32 := useKernels(kernels64.Load(), kern)
				defer useKernels(w64, w32)
				benchGemm(b, pc.transA, pc.transB, pc.m, pc.n, pc.k, Sgemm)
			})
		}
	}
}
