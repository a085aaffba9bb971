//go:build amd64 && !purego

package linalg

import "unsafe"

//go:noescape
func transpose4PD(dst *float64, w int, src *float64, ld int, kc int)

//go:noescape
func transpose4PS(dst *float32, w int, src *float32, ld int, kc int)

// packAcrossAsm packs what it can of a packAcross micro-panel with the AVX2 transposes:
// rows [0, rows) for steps [0, steps). The caller packs the rest.
func packAcrossAsm[T float](panel, src []T, ld, kc, n, w int) (rows, steps int) {
	if !hasAVX2 {
		return 0, 0
	}
	rows = n &^ 3
	double := unsafe.Sizeof(panel[0]) == 8
	if double {
		steps = kc &^ 3
	} else {
		steps = kc &^ 7
	}
	if rows == 0 || steps == 0 {
		return 0, 0
	}
	// The last elements read and written, so that the slices' bounds are checked once.
	_, _ = panel[(steps-1)*w+rows-1], src[(rows-1)*ld+steps-1]
	for r := 0; r < rows; r += 4 {
		d, s := unsafe.Pointer(&panel[r]), unsafe.Pointer(&src[r*ld])
		if double {
			transpose4PD((*float64)(d), w, (*float64)(s), ld, steps)
		} else {
			transpose4PS((*float32)(d), w, (*float32)(s), ld, steps)
		}
	}
	return rows, steps
}
