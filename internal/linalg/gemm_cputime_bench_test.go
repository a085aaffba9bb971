//go:build linux || darwin

package linalg

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkGemmCPUTime reports the RBM products' GFLOP/s per second of CPU time used by the
// process rather than per second of wall time. Run with -cpu 1 on a machine that others
// share: it then measures the kernels, not the scheduler (BenchmarkGemm64_100x784x500 and
// BenchmarkSgemm32_100x784x500 measure the two-goroutine wall time).
func BenchmarkGemmCPUTime(b *testing.B) {
	for _, pc := range rbmProducts {
		b.Run("64/"+pc.name, func(b *testing.B) { benchCPUTime(b, pc.transA, pc.transB, pc.m, pc.n, pc.k, Gemm) })
		b.Run("32/"+pc.name, func(b *testing.B) { benchCPUTime(b, pc.transA, pc.transB, pc.m, pc.n, pc.k, Sgemm) })
	}
}

func benchCPUTime[T float](b *testing.B, transA, transB bool, m, n, k int,
	run func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	prod := newBenchProduct(transA, transB, m, n, k, run)
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		prod()
	}
	b.ReportMetric(2*float64(m*n*k)*float64(b.N)/(cpuTime()-start).Seconds()/1e9, "GFLOP/cpu-s")
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
