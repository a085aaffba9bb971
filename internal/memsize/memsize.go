// Package memsize adds up the bytes a request will allocate, in float64 so that absurd
// requests (a billion chains of 784 units) neither overflow nor wrap, and saturates the
// total at math.MaxInt64.
package memsize

import (
	"math"
	"runtime"
)

// Float64s returns the bytes of a float64 array of the product of dims elements.
func Float64s(dims ...int) float64 { return 8 * Product(dims...) }

// Product returns the product of dims as a float64 (1 for none).
func Product(dims ...int) float64 {
	p := 1.0
	for _, d := range dims {
		p *= float64(d)
	}
	return p
}

// Bytes converts an estimate to int64 bytes, saturating at math.MaxInt64 and treating
// negative or NaN estimates as 0.
func Bytes(x float64) int64 {
	switch {
	case !(x > 0):
		return 0
	case x >= math.MaxInt64:
		return math.MaxInt64
	}
	return int64(math.Ceil(x))
}

// LiveHeap returns the bytes of heap in use after a garbage collection: what tests measure
// the estimates against. It runs a full collection, so it is for tests, not for hot paths.
func LiveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
