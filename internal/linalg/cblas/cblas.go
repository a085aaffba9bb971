//go:build openblas && cgo

// Package cblas calls OpenBLAS's cblas_dgemm and cblas_sgemm through cgo. It exists because a
// package with cgo cannot hold Go assembly: linalg uses it only when built with -tags openblas
// (install libopenblas-dev).
package cblas

// #cgo LDFLAGS: -lopenblas
// #include <cblas.h>
import "C"

import "unsafe"

// SetThreads sets how many threads OpenBLAS uses for one call (openblas_set_num_threads).
// With 1, a call runs on the calling thread alone and OpenBLAS's own threads stay idle.
func SetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }

// Threads returns how many threads OpenBLAS uses for one call (openblas_get_num_threads).
func Threads() int { return int(C.openblas_get_num_threads()) }

// Config returns OpenBLAS's build configuration and the core type whose kernels it chose
// for this CPU, for example "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64
// (core Haswell)".
func Config() string {
	return C.GoString(C.openblas_get_config()) + " (core " + C.GoString(C.openblas_get_corename()) + ")"
}

func trans(t bool) C.enum_CBLAS_TRANSPOSE {
	if t {
		return C.CblasTrans
	}
	return C.CblasNoTrans
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices with cblas_dgemm. The
// caller has checked the shapes, and m, n, k and every stride are positive.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	C.cblas_dgemm(C.CblasRowMajor, trans(transA), trans(transB),
		C.blasint(m), C.blasint(n), C.blasint(k), C.double(alpha),
		(*C.double)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.double)(unsafe.Pointer(&b[0])), C.blasint(ldb), C.double(beta),
		(*C.double)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}

// Sgemm is Dgemm in single precision, with cblas_sgemm.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	C.cblas_sgemm(C.CblasRowMajor, trans(transA), trans(transB),
		C.blasint(m), C.blasint(n), C.blasint(k), C.float(alpha),
		(*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb), C.float(beta),
		(*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}
