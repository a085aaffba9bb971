package data

import (
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/linalg"
)

// DefaultThreshold is the threshold to use with Threshold when there is no reason for
// another: the midpoint of [0,1], so MNIST pixels (scaled to [0,1]) of 128/255 and above
// become 1.
const DefaultThreshold = 0.5

// Threshold binarises x in place:
//
//	x_ij ← 1 if x_ij ≥ t, else 0
//
// A NaN becomes 0. Use DefaultThreshold (0.5) for data in [0,1]. It panics if x is nil.
// Cost O(rows·cols); it does not use randomness and is not safe for concurrent use on the
// same x.
func Threshold(x *linalg.Dense, t float64) {
	for i, v := range x.Data {
		if v >= t {
			x.Data[i] = 1
		} else {
			x.Data[i] = 0
		}
	}
}

// BinarizeStochastic replaces each value of x in place by a Bernoulli sample with that value
// as its probability of being 1, the binarisation of MNIST used by Salakhutdinov & Murray 2008:
//
//	x_ij ← 1 with probability x_ij, else 0
//
// Values ≤ 0 always become 0 and values ≥ 1 always become 1. It draws exactly one r.Float64()
// per element, in row-major order, so the same seed gives the same result. It panics if x or
// r is nil.
func BinarizeStochastic(x *linalg.Dense, r *rand.Rand) {
	for i, p := range x.Data {
		if r.Float64() < p {
			x.Data[i] = 1
		} else {
			x.Data[i] = 0
		}
	}
}

// IsBinary reports whether every value of x is 0 or 1. When one is not, it returns the row
// and column of the first such value in row-major order and ok = false, for an error message;
// when all are, it returns −1, −1, true. It panics if x is nil.
func IsBinary(x *linalg.Dense) (row, col int, ok bool) {
	for i, v := range x.Data {
		if v != 0 && v != 1 {
			return i / x.Cols, i % x.Cols, false
		}
	}
	return -1, -1, true
}
