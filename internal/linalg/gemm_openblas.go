//go:build openblas && cgo

package linalg

import "github.com/boltzgo/boltz/internal/linalg/cblas"

// With -tags openblas, Gemm and Sgemm hand the products that would be packed to OpenBLAS
// (package cblas). They then run on OpenBLAS's own threads, set by OPENBLAS_NUM_THREADS
// rather than GOMAXPROCS, and whether their bits depend on the number of threads is
// OpenBLAS's business. Small products keep the Go path, where a cgo call costs more than the
// arithmetic.
func init() {
	blas64 = func(g gemmArgs[float64]) {
		cblas.Dgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, g.c, g.ldc)
	}
	blas32 = func(g gemmArgs[float32]) {
		cblas.Sgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, g.c, g.ldc)
	}
}
