package mcmc

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// minUnitsPerPart is the least number of units one goroutine samples in a half-step. Drawing
// one Bernoulli unit (a sigmoid and a PCG draw) takes about 10 ns and handing work to a parked
// helper a few µs, so 2^12 units (about 40 µs) keep the hand-off under a tenth of the work.
const minUnitsPerPart = 1 << 12

// maxHelpers bounds the helper goroutines; more than the number of CPUs never helps.
const maxHelpers = 256

// partsFor returns how many parts to split rows×cols units of sampling into: enough to use
// every CPU, none smaller than minUnitsPerPart, never more than the rows. Because every chain
// draws from its own stream, the split changes the speed only, never the result.
func partsFor(rows, cols int) int {
	p := min(rows*cols/minUnitsPerPart, runtime.GOMAXPROCS(0), rows, maxHelpers+1)
	return max(p, 1)
}

// parter is work split into numbered parts that may run concurrently.
type parter interface{ runPart(i, parts int) }

// fork runs the parts of one piece of work on the calling goroutine and on whichever helper
// goroutines are parked at the time. Parts are claimed from a counter, so the caller never
// waits for a helper that is busy elsewhere; it only waits for helpers that took a part. A
// fork is reused between calls (no allocation in steady state) but runs one work at a time.
type fork struct {
	work  parter
	parts int
	next  atomic.Int64
	wg    sync.WaitGroup // helpers that were handed the fork and have not let go of it
}

var (
	helperJobs  = make(chan *fork) // unbuffered: a send succeeds only to a parked helper
	helperMu    sync.Mutex
	helperCount atomic.Int32
)

// run calls w.runPart(i, parts) for every i < parts and returns when all have returned.
func (f *fork) run(w parter, parts int) {
	if parts <= 1 {
		w.runPart(0, 1)
		return
	}
	f.work, f.parts = w, parts
	f.next.Store(0)
	startHelpers(parts - 1)
	for range parts - 1 {
		f.wg.Add(1)
		select {
		case helperJobs <- f:
		default: // no helper is parked: the caller does the part itself
			f.wg.Done()
		}
	}
	f.drain()
	f.wg.Wait()
	f.work = nil
}

// drain runs unclaimed parts until none is left.
func (f *fork) drain() {
	for {
		i := int(f.next.Add(1)) - 1
		if i >= f.parts {
			return
		}
		f.work.runPart(i, f.parts)
	}
}

// startHelpers makes sure at least n helper goroutines exist. Helpers live for the rest of
// the process, parked on helperJobs when idle.
func startHelpers(n int) {
	n = min(n, maxHelpers)
	if int(helperCount.Load()) >= n {
		return
	}
	helperMu.Lock()
	defer helperMu.Unlock()
	for int(helperCount.Load()) < n {
		go helper()
		helperCount.Add(1)
	}
}

func helper() {
	for f := range helperJobs {
		f.drain()
		f.wg.Done()
	}
}
