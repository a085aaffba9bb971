package linalg

// float is the element type of the kernels.
type float = Float

// gemmArgs are the operands of one product C = alpha·op(A)·op(B) + beta·C, already checked.
type gemmArgs[T float] struct {
	transA, transB bool
	m, n, k        int
	alpha          T
	a              []T
	lda            int
	b              []T
	ldb            int
	beta           T
	c              []T
	ldc            int
}

// gemmDirect is the unpacked kernel, used for products too small to repay packing: scale C
// by beta, then accumulate alpha·op(A)·op(B) one row of C at a time, with an axpy over the
// contiguous rows of B, or a dot product with them when B is transposed. It is correct for
// every shape and allocates nothing.
func gemmDirect[T float](g *gemmArgs[T]) {
	scaleC(g.m, g.n, g.beta, g.c, g.ldc)
	if g.alpha == 0 || g.k == 0 {
		return
	}
	m, n, k, a, b, lda, ldb := g.m, g.n, g.k, g.a, g.b, g.lda, g.ldb
	// opA(i, p) is element (i, p) of op(A).
	opA := func(i, p int) T {
		if g.transA {
			return a[p*lda+i]
		}
		return a[i*lda+p]
	}
	for i := 0; i < m; i++ {
		ci := g.c[i*g.ldc : i*g.ldc+n]
		if g.transB {
			// C[i,j] += alpha Σ_p opA(i,p) B[j,p]
			for j := range ci {
				bj := b[j*ldb : j*ldb+k]
				var s T
				for p, y := range bj {
					s += opA(i, p) * y
				}
				ci[j] += g.alpha * s
			}
			continue
		}
		for p := 0; p < k; p++ {
			x := g.alpha * opA(i, p)
			bp := b[p*ldb : p*ldb+n]
			for j, y := range bp {
				ci[j] += x * y
			}
		}
	}
}

// scaleC sets the m×n matrix C to beta·C, or to 0 when beta is 0 (without reading C).
func scaleC[T float](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(ci)
			continue
		}
		for j := range ci {
			ci[j] *= beta
		}
	}
}
