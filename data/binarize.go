package data

import (
	"hash/fnv"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
)

// Stream purposes of the binarisation streams (internal/rng path elements).
const (
	streamBinarize = 0xb1a // one fixed stochastic draw of a data set
	streamDynamic  = 0xd1a // dynamic binarisation: one stream per (epoch, minibatch)
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
func Threshold(x *matrix.Dense, t float64) {
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
func BinarizeStochastic(x *matrix.Dense, r *rand.Rand) {
	for i, p := range x.Data {
		if r.Float64() < p {
			x.Data[i] = 1
		} else {
			x.Data[i] = 0
		}
	}
}

// BinarizeStream returns the random stream a stochastic binarisation of the data set named
// spec draws from under seed:
//
//	PCG stream derived from (seed, 0xb1a, SpecHash(spec))
//
// The data set's identity is part of the stream, so two data sets binarised with the same
// seed ("mnist" and "mnist:test", or two files) get independent bits, while the same spec
// and seed give the same bits on every run. spec is the name as the user gave it: a file
// named by two different paths counts as two data sets.
func BinarizeStream(seed uint64, spec string) *rand.Rand {
	return rng.New(seed, streamBinarize, SpecHash(spec))
}

// DynamicStream returns the random stream that dynamic binarisation draws minibatch index
// of epoch epoch (both from 0) from under seed, rng.New(seed, 0xd1a, epoch, index): each
// minibatch of each epoch gets fresh bits, and a run resumed at any minibatch draws the
// same ones as an uninterrupted run.
func DynamicStream(seed uint64, epoch, index int) *rand.Rand {
	return rng.New(seed, streamDynamic, uint64(epoch), uint64(index))
}

// SpecHash returns the 64-bit FNV-1a hash of spec, the data set's identity in
// BinarizeStream.
func SpecHash(spec string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(spec))
	return h.Sum64()
}

// IsBinary reports whether every value of x is 0 or 1. When one is not, it returns the row
// and column of the first such value in row-major order and ok = false, for an error message;
// when all are, it returns −1, −1, true. It panics if x is nil.
func IsBinary(x *matrix.Dense) (row, col int, ok bool) {
	for i, v := range x.Data {
		if v != 0 && v != 1 {
			return i / x.Cols, i % x.Cols, false
		}
	}
	return -1, -1, true
}
