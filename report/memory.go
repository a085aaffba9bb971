package report

import (
	"github.com/boltzgo/boltz/internal/memsize"
	"github.com/boltzgo/boltz/mcmc"
)

// SamplesMemory returns the bytes the samples figure of an nv×nh model allocates for n
// chains (Options.Samples): the chains (mcmc.ChainsMemory), the visible means in float64 and
// the tiled picture, a byte per pixel with borders (counted as twice the pixels):
//
//	ChainsMemory(nv, nh, n) + 8·n·nv + 2·n·nv
func SamplesMemory(nv, nh, n int) int64 {
	return memsize.Bytes(float64(mcmc.ChainsMemory(nv, nh, n)) + memsize.Float64s(n, nv) + 2*memsize.Product(n, nv))
}
