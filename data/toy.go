package data

import (
	"fmt"

	"github.com/boltzgo/boltz/matrix"
)

// Largest sizes the toy generators accept. Both sets grow as 2^n; these bounds keep the
// matrices below a few hundred megabytes (bas:12 is 8190×144, shifter:16 is 196608×35).
const (
	maxBarsAndStripes = 12
	maxShifter        = 16
)

// BarsAndStripes returns every distinct n×n bars-and-stripes image, the benchmark of
// MacKay 2003 used for exact-likelihood comparisons by Fischer & Igel 2010 and 2014.
// A stripes image switches on a subset of the rows, a bars image a subset of the columns:
//
//	stripe(s)[i][j] = s_i,   bar(s)[i][j] = s_j,   s ∈ {0,1}^n
//
// The all-0 and all-1 images are both a stripe and a bar; each appears once, so there are
// 2^(n+1) − 2 rows of n·n units, each an image in row-major order. The order is fixed: the
// 2^n stripe images for s = 0, 1, …, 2^n−1 (bit i of s switches on row i), then the bar
// images for s = 1, …, 2^n−2 (bit j switches on column j). Labels is nil; Shape is n×n.
//
// It panics if n is outside 1..12. Cost O(2^n·n²).
func BarsAndStripes(n int) *Dataset {
	if n < 1 || n > maxBarsAndStripes {
		panic(fmt.Sprintf("boltz/data: BarsAndStripes(%d): n must be in 1..%d", n, maxBarsAndStripes))
	}
	count := 1<<(n+1) - 2
	x := matrix.NewDense(count, n*n)
	row := 0
	for s := 0; s < 1<<n; s++ { // stripes: rows on
		img := x.Row(row)
		for i := range n {
			if s>>i&1 == 1 {
				for j := range n {
					img[i*n+j] = 1
				}
			}
		}
		row++
	}
	for s := 1; s < 1<<n-1; s++ { // bars: columns on; all-off and all-on are already there
		img := x.Row(row)
		for j := range n {
			if s>>j&1 == 1 {
				for i := range n {
					img[i*n+j] = 1
				}
			}
		}
		row++
	}
	return &Dataset{Name: fmt.Sprintf("bas:%d", n), X: x, Shape: [2]int{n, n}}
}

// Shift classes of the shifter ensemble, in the order of the one-hot label units and of
// Dataset.Labels: class = shift + 1.
const (
	ShiftLeft  = 0 // shift −1: y_i = x_{(i+1) mod n}
	ShiftNone  = 1 // shift  0: y_i = x_i
	ShiftRight = 2 // shift +1: y_i = x_{(i−1) mod n}
)

// Shifter returns the labelled shifter ensemble (Hinton & Sejnowski 1986; used as an RBM
// benchmark with exact likelihoods by Fischer & Igel 2010): every binary pattern x of n bits,
// each with its copy y cyclically shifted by s ∈ {−1, 0, +1}, and a one-hot code of s.
//
//	y_i = x_{(i−s) mod n}
//
// Each of the 3·2^n rows has 2n+3 visible units, laid out as
//
//	[0, n)        x
//	[n, 2n)       y, the shifted copy
//	[2n, 2n+3)    one-hot shift: unit 2n+s+1 is on (ShiftLeft, ShiftNone, ShiftRight)
//
// Rows are ordered by pattern p = 0, 1, …, 2^n−1 (bit i of p is x_i), then by s = −1, 0, +1.
// Labels[r] is the shift class s+1. Shape is zero. For small n some rows coincide in x and y
// (x = 0…0 is its own shift); they differ in the label units.
//
// It panics if n is outside 1..16. Cost O(2^n·n).
func Shifter(n int) *Dataset {
	if n < 1 || n > maxShifter {
		panic(fmt.Sprintf("boltz/data: Shifter(%d): n must be in 1..%d", n, maxShifter))
	}
	width := 2*n + 3
	x := matrix.NewDense(3<<n, width)
	labels := make([]int, 3<<n)
	row := 0
	for p := 0; p < 1<<n; p++ {
		for s := -1; s <= 1; s++ {
			v := x.Row(row)
			for i := range n {
				bit := float64(p >> i & 1)
				v[i] = bit
				v[n+(i+s+n)%n] = bit // y_{i+s} = x_i
			}
			v[2*n+s+1] = 1
			labels[row] = s + 1
			row++
		}
	}
	return &Dataset{Name: fmt.Sprintf("shifter:%d", n), X: x, Labels: labels}
}
