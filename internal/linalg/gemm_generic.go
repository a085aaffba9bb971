package linalg

// gemm64 is the portable kernel: scale C by beta, then accumulate alpha·op(A)·op(B) one row of
// C at a time with an axpy over the rows of op(B) held contiguously. It is correct for every
// shape; the fast kernels replace it where they apply.
func gemm64(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(ci)
		} else if beta != 1 {
			for j := range ci {
				ci[j] *= beta
			}
		}
	}
	if alpha == 0 || k == 0 {
		return
	}
	if transB {
		// C[i,j] += alpha Σ_p opA[i,p] B[j,p]: a dot product over contiguous rows of B.
		rowA := make([]float64, k)
		for i := 0; i < m; i++ {
			for p := 0; p < k; p++ {
				rowA[p] = elemA(transA, a, lda, i, p)
			}
			ci := c[i*ldc : i*ldc+n]
			for j := range ci {
				bj := b[j*ldb : j*ldb+k]
				var s float64
				for p, x := range rowA {
					s += x * bj[p]
				}
				ci[j] += alpha * s
			}
		}
		return
	}
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		for p := 0; p < k; p++ {
			x := alpha * elemA(transA, a, lda, i, p)
			if x == 0 {
				continue
			}
			bp := b[p*ldb : p*ldb+n]
			for j, y := range bp {
				ci[j] += x * y
			}
		}
	}
}

func elemA(transA bool, a []float64, lda, i, p int) float64 {
	if transA {
		return a[p*lda+i]
	}
	return a[i*lda+p]
}
