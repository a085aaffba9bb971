package linalg

import "fmt"

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where op(X) is X or
// Xᵀ as transA and transB say, op(A) is m×k, op(B) is k×n and C is m×n. lda, ldb and ldc are
// the row strides of the matrices as stored. When beta is 0, C need not be initialised (NaN
// in C does not propagate).
//
// Cost: 2·m·n·k flops. Products of at least smallWork multiply-adds are packed into
// cache-sized panels and run through the fastest micro-kernel the CPU has (AVX-512 or
// AVX2+FMA assembly on amd64, portable Go elsewhere or with -tags purego), on up to
// GOMAXPROCS goroutines. Each element of C is computed by one goroutine in a fixed order,
// so the result does not depend on GOMAXPROCS or on the number of goroutines used; it may
// differ in the last bits between CPUs that select different micro-kernels.
//
// It panics if a dimension is negative or a stride or a slice is too short for the shapes
// given. It is safe for concurrent use on disjoint C. For products of whole matrices, MulNN,
// MulTN and MulNT say the same with the shapes taken from the operands.
func Gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	gemm(gemmArgs[float64]{transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc}, kernels64.Load(), blas64)
}

// Sgemm is Gemm in single precision: C = alpha·op(A)·op(B) + beta·C with float32 storage and
// float32 arithmetic (fused multiply-adds on amd64). Its contract is Gemm's.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	gemm(gemmArgs[float32]{transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc}, kernels32.Load(), blas32)
}

// blas64 and blas32, when not nil, run the products that would be packed: the openblas
// build tag sets them to OpenBLAS's cblas_dgemm and cblas_sgemm (gemm_openblas.go).
var (
	blas64 func(gemmArgs[float64])
	blas32 func(gemmArgs[float32])
)

// opShape returns the shape of X when op(X) is rows×cols: the same, or swapped when trans
// (X stored as Xᵀ's transpose). It is its own inverse: given X's shape it returns op(X)'s.
func opShape(rows, cols int, trans bool) (int, int) {
	if trans {
		return cols, rows
	}
	return rows, cols
}

func checkGemm(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("boltz/linalg: negative Gemm dimension m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := opShape(m, k, transA)
	br, bc := opShape(k, n, transB)
	check := func(name string, rows, cols, l, ld int) {
		if rows == 0 || cols == 0 {
			return
		}
		if ld < cols {
			panic(fmt.Sprintf("boltz/linalg: Gemm %s stride %d < %d columns", name, ld, cols))
		}
		if l < (rows-1)*ld+cols {
			panic(fmt.Sprintf("boltz/linalg: Gemm %s has %d elements, needs %d", name, l, (rows-1)*ld+cols))
		}
	}
	check("A", ar, ac, la, lda)
	check("B", br, bc, lb, ldb)
	check("C", m, n, lc, ldc)
}
