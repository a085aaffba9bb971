package linalg

import (
	"fmt"

	"github.com/boltzgo/boltz/matrix"
)

// Float is the element type the named products accept: the two precisions the kernels have.
type Float interface{ float32 | float64 }

// MulNN sets dst = alpha·A·B + beta·dst. dst must already have A's rows and B's columns; when
// beta is 0 its contents are not read (NaN does not propagate). It runs Gemm for Dense and
// Sgemm for Dense32, with Gemm's cost and determinism. It panics with the three shapes if
// they do not fit.
func MulNN[T Float](dst *matrix.Matrix[T], alpha T, a, b *matrix.Matrix[T], beta T) {
	mul("MulNN", false, false, dst, alpha, a, b, beta)
}

// MulTN sets dst = alpha·Aᵀ·B + beta·dst, reading A in place (no transposed copy). Its
// contract is MulNN's.
func MulTN[T Float](dst *matrix.Matrix[T], alpha T, a, b *matrix.Matrix[T], beta T) {
	mul("MulTN", true, false, dst, alpha, a, b, beta)
}

// MulNT sets dst = alpha·A·Bᵀ + beta·dst, reading B in place (no transposed copy). Its
// contract is MulNN's.
func MulNT[T Float](dst *matrix.Matrix[T], alpha T, a, b *matrix.Matrix[T], beta T) {
	mul("MulNT", false, true, dst, alpha, a, b, beta)
}

// mul checks the shapes of dst = alpha·op(A)·op(B) + beta·dst and hands the product to the
// kernel of T's precision, with each matrix's column count as its stride.
func mul[T Float](name string, transA, transB bool, dst *matrix.Matrix[T], alpha T, a, b *matrix.Matrix[T], beta T) {
	m, k := opShape(a.Rows, a.Cols, transA)
	kb, n := opShape(b.Rows, b.Cols, transB)
	if k != kb || dst.Rows != m || dst.Cols != n {
		panic(fmt.Sprintf("boltz/linalg: %s: dst %d×%d, A %d×%d, B %d×%d do not fit",
			name, dst.Rows, dst.Cols, a.Rows, a.Cols, b.Rows, b.Cols))
	}
	switch d := any(dst).(type) {
	case *Dense:
		Gemm(transA, transB, m, n, k, float64(alpha), any(a).(*Dense).Data, a.Cols,
			any(b).(*Dense).Data, b.Cols, float64(beta), d.Data, n)
	case *Dense32:
		Sgemm(transA, transB, m, n, k, float32(alpha), any(a).(*Dense32).Data, a.Cols,
			any(b).(*Dense32).Data, b.Cols, float32(beta), d.Data, n)
	}
}
