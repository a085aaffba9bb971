package linalg

import (
	"sync"
	"sync/atomic"
)

// parter is work split into numbered parts that may run concurrently.
type parter interface{ part(i, parts int) }

// team runs the parts of one piece of work on the calling goroutine and on idle helper
// goroutines. Parts are claimed from a shared counter, so a helper that wakes late finds
// nothing left to do and the caller never waits for a helper that is busy elsewhere:
// which goroutine runs a part never changes its result. A team is reused between calls but
// runs one piece of work at a time.
type team struct {
	work  parter
	parts int
	next  atomic.Int32
	wg    sync.WaitGroup // helpers that were handed the team and have not let go of it
}

// maxHelpers bounds the helper goroutines; more than the number of CPUs never helps.
const maxHelpers = 256

var (
	helperJobs  = make(chan *team, maxHelpers)
	helperMu    sync.Mutex
	helperCount atomic.Int32
)

// run runs w.part(i, parts) for every i < parts, on the calling goroutine and up to
// threads−1 helpers, and returns when all have finished.
func (t *team) run(w parter, parts, threads int) {
	if parts <= 1 || threads <= 1 {
		for i := range parts {
			w.part(i, parts)
		}
		return
	}
	t.work, t.parts = w, parts
	t.next.Store(0)
	helpers := min(parts, threads, maxHelpers+1) - 1
	startHelpers(helpers)
	for range helpers {
		t.wg.Add(1)
		select {
		case helperJobs <- t:
		default: // every helper is spoken for: the caller does the part itself
			t.wg.Done()
		}
	}
	t.drain()
	t.wg.Wait()
	t.work = nil
}

// drain runs unclaimed parts until none is left.
func (t *team) drain() {
	for {
		i := int(t.next.Add(1)) - 1
		if i >= t.parts {
			return
		}
		t.work.part(i, t.parts)
	}
}

// startHelpers makes sure at least n helper goroutines exist. Helpers live for the rest of
// the process, parked on helperJobs when idle.
func startHelpers(n int) {
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
	for t := range helperJobs {
		t.drain()
		t.wg.Done()
	}
}
