package ais

import "github.com/boltzgo/boltz/internal/memsize"

// MemoryNeeded returns the bytes Sandwich allocates for runs annealing runs of an nv×nh
// model: each annealer holds, per run, the visible and hidden states, their inputs W·h and
// Wᵀ·v, two accumulators and a random stream,
//
//	runs·(16·(nv + nh) + 16 + 64)
//
// and Sandwich holds the forward annealer's results while the reverse one runs, so the
// estimate counts two annealers. Forward and Reverse need half of it.
func MemoryNeeded(nv, nh, runs int) int64 {
	perRun := memsize.Float64s(2, nv+nh) + 16 + 64 // states and inputs, biasDot and logW, the stream
	return memsize.Bytes(2 * memsize.Product(runs) * perRun)
}
