package mcmc

import "github.com/boltzgo/boltz/internal/par"

// minUnitsPerPart is the least number of units one goroutine samples in a half-step. Drawing
// one Bernoulli unit (a sigmoid and a PCG draw) takes about 10 ns and handing work to a parked
// helper a few µs, so 2^12 units (about 40 µs) keep the hand-off under a tenth of the work.
const minUnitsPerPart = 1 << 12

// partsFor returns how many parts to split rows×cols units of sampling into: enough to use
// every CPU, none smaller than minUnitsPerPart, never more than the rows. Because every chain
// draws from its own stream, the split changes the speed only, never the result.
func partsFor(rows, cols int) int {
	return min(par.Parts(rows*cols, minUnitsPerPart), max(rows, 1))
}
