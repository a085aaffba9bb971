package ais

import (
	"github.com/boltzgo/boltz/internal/memsize"
	"github.com/boltzgo/boltz/rbm"
)

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

// ReverseStartMemory returns the bytes ReverseStart allocates for the parallel tempering
// that follows its Gibbs chains on m (ReverseStartTempering): per replica and run, the
// visible and hidden states and inputs, the score and a random stream,
//
//	replicas·runs·(16·(nv + nh) + 8 + 64),
//
// and 0 for models without it. The tempering ends before AIS starts, so a caller that runs
// both needs the larger of this and MemoryNeeded.
func ReverseStartMemory(m *rbm.RBM, runs, sweeps int) int64 {
	replicas, _ := ReverseStartTempering(m, sweeps)
	if replicas == 0 {
		return 0
	}
	perRun := memsize.Float64s(2, m.NV()+m.NH()) + 8 + 64
	return memsize.Bytes(memsize.Product(replicas, runs) * perRun)
}
