package train

import (
	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/internal/memsize"
	"github.com/boltzgo/boltz/mcmc"
)

// MemoryNeeded estimates the bytes New and Run allocate for a run of configuration c on
// rows training rows of nv columns, the training data itself not included:
//
//	parameters  g·(nv·nh + nv + nh)·8   g = model, 3 gradients, optimiser state (1 for SGD,
//	                                        2 for Adam), +2 for fast PCD, +1 for float32
//	minibatch   Batch·(nv + 2·nh)·8     the rows, their hidden inputs and means
//	chains      mcmc.ChainsMemory of the chains (CD: one per minibatch row), ×Replicas for
//	            PT, and their hidden means
//	float32     the float32 copies of the minibatch and chains (Precision float32)
//	monitors    the monitored rows' hidden inputs, and ais.MemoryNeeded of the AIS monitor
//
// It is an estimate to refuse, before allocating, a request the machine cannot hold (a
// hundred million hidden units, a billion chains); TestMemoryNeededMatchesHeap holds it to
// 0.8–1.5 times the live heap of such runs. It saturates at math.MaxInt64 and does not
// validate c.
func MemoryNeeded(c Config, rows, nv int) int64 {
	nh := c.Hidden
	params := 4.0 // the model, the positive moments, the gradient and the step
	switch {
	case c.Optimizer == "adam":
		params += 2
	default:
		params++
	}
	if c.Method == "fpcd" {
		params += 2 // fast weights and their sum with the model
	}
	total := params * memsize.Float64s(nv, nh)
	total += params * memsize.Float64s(nv+nh)
	total += memsize.Float64s(c.Batch, nv+2*nh)

	n := c.Chains
	if n == 0 || c.Method == "cd" {
		n = c.Batch
	}
	switch c.Method {
	case "cd", "pcd", "fpcd":
		total += float64(mcmc.ChainsMemory(nv, nh, n)) + memsize.Float64s(n, nh)
	case "pt":
		total += float64(mcmc.TemperingMemory(nv, nh, n, c.Replicas)) + memsize.Float64s(n, nh)
	}
	if c.Precision == "float32" {
		total += 4 * (memsize.Product(nv, nh) * 2) // float32 W and its gradient
		total += 4 * (memsize.Product(c.Batch+n, nv+nh) + memsize.Product(n, nv+nh) + memsize.Product(max(c.Batch, n), nh))
	}
	mr := rows
	if c.MonitorRows > 0 && c.MonitorRows < rows {
		mr = c.MonitorRows
	}
	total += memsize.Float64s(mr, nh+1)
	if c.AISEvery > 0 {
		total += float64(ais.MemoryNeeded(nv, nh, c.AISRuns)) / 2 // forward runs only
	}
	return memsize.Bytes(total)
}
