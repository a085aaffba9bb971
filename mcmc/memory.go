package mcmc

import "github.com/boltzgo/boltz/internal/memsize"

// chainOverhead is the bytes a chain holds besides its states: a PCG source (16 bytes),
// the *rand.Rand that wraps it (a 16-byte interface), the two pointers to them, and the
// allocator's rounding of such small objects up to their size classes.
const chainOverhead = 64

// ChainsMemory returns the bytes n chains of an nv×nh model hold once they have sampled:
//
//	n·(16·(nv + nh) + 64)
//
// (the visible and hidden states and their inputs in float64, and each chain's random
// stream). Callers use it to refuse requests the machine cannot hold before allocating them.
func ChainsMemory(nv, nh, n int) int64 { return memsize.Bytes(chainsMemory(nv, nh, n)) }

func chainsMemory(nv, nh, n int) float64 {
	return memsize.Float64s(n, 2*(nv+nh)) + memsize.Product(n)*chainOverhead
}

// TemperingMemory returns the bytes NewTempering allocates for n chains at each of replicas
// temperatures: replicas·(ChainsMemory(nv, nh, n) + 8n) (the chains and their energies).
func TemperingMemory(nv, nh, n, replicas int) int64 {
	return memsize.Bytes(memsize.Product(replicas) * (chainsMemory(nv, nh, n) + memsize.Float64s(n)))
}
