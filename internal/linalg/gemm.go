package linalg

import "fmt"

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where op(X) is X or
// Xᵀ as transA and transB say, op(A) is m×k, op(B) is k×n and C is m×n. lda, ldb and ldc are
// the row strides of the matrices as stored. When beta is 0, C need not be initialised (NaN
// in C does not propagate).
//
// It panics if a stride or a slice is too short for the shapes given. The result does not
// depend on the number of goroutines used.
func Gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	gemm64(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Mul sets dst = op(a)·op(b), allocating dst when it is nil, and returns it.
func Mul(dst *Dense, a *Dense, transA bool, b *Dense, transB bool) *Dense {
	m, k := a.Rows, a.Cols
	if transA {
		m, k = k, m
	}
	kb, n := b.Rows, b.Cols
	if transB {
		kb, n = n, kb
	}
	if k != kb {
		panic(fmt.Sprintf("boltz/linalg: Mul inner dimensions %d and %d differ", k, kb))
	}
	dst = Reuse(dst, m, n)
	Gemm(transA, transB, m, n, k, 1, a.Data, a.Cols, b.Data, b.Cols, 0, dst.Data, n)
	return dst
}

func checkGemm(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("boltz/linalg: negative Gemm dimension m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
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
