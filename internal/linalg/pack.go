package linalg

// pack copies the kc×xn panel of op(X) starting at (p0, x0) into dst as micro-panels of
// width w: micro-panel q holds, for each p < kc, the w elements op(X)[p0+p, x0+q·w+r] at
// dst[q·w·kc + p·w + r], zero-padded past xn. op(X)[p, x] is src[p·ld + x] when contiguous
// (x runs along a stored row) and src[x·ld + p] otherwise. For A, x is the row index of
// op(A) and p its column; for B, x is the column index of op(B) and p its row.
//
// skipFull skips the micro-panels of full width w, and skipEdge the last one when it is
// narrower: the kernels read those in place.
func pack[T float](dst, src []T, ld int, contiguous bool, x0, xn, p0, kc, w int, skipFull, skipEdge bool) {
	for x := 0; x < xn; x += w {
		n := min(w, xn-x)
		if n == w && skipFull || n < w && skipEdge {
			continue
		}
		panel := dst[x*kc : (x+w)*kc]
		if contiguous {
			packAlong(panel, src[p0*ld+x0+x:], ld, kc, n, w)
		} else {
			packAcross(panel, src[(x0+x)*ld+p0:], ld, kc, n, w)
		}
	}
}

// packAlong packs a micro-panel whose n ≤ w elements for one p are contiguous in src.
func packAlong[T float](panel, src []T, ld, kc, n, w int) {
	if n == w {
		switch w {
		case 8:
			for p := 0; p < kc; p++ {
				*(*[8]T)(panel[p*8:]) = *(*[8]T)(src[p*ld:])
			}
			return
		case 16:
			for p := 0; p < kc; p++ {
				*(*[16]T)(panel[p*16:]) = *(*[16]T)(src[p*ld:])
			}
			return
		case 32:
			for p := 0; p < kc; p++ {
				*(*[32]T)(panel[p*32:]) = *(*[32]T)(src[p*ld:])
			}
			return
		}
	}
	for p := 0; p < kc; p++ {
		d := panel[p*w : p*w+w]
		copy(d, src[p*ld:p*ld+n])
		clear(d[n:])
	}
}

// packAcross packs a micro-panel whose kc elements for one x are contiguous in src.
func packAcross[T float](panel, src []T, ld, kc, n, w int) {
	panel = panel[:kc*w]
	rows, steps := packAcrossAsm(panel, src, ld, kc, n, w)
	for r := 0; r < n; r++ {
		s := src[r*ld : r*ld+kc]
		from := 0
		if r < rows {
			from = steps
		}
		for p := from; p < kc; p++ {
			panel[p*w+r] = s[p]
		}
	}
	for r := n; r < w; r++ {
		for p := 0; p < kc; p++ {
			panel[p*w+r] = 0
		}
	}
}
