// Package par runs work split into numbered parts on the calling goroutine and on a pool of
// helper goroutines, with no allocation per call in steady state.
//
// The caller decides the partition: part i of parts is always the same piece of work, so a
// caller that makes each part's result independent of which goroutine runs it (disjoint
// outputs, per-part random streams) gets the same bits whatever GOMAXPROCS is. par decides
// only how many goroutines run the parts, never what a part contains.
//
// A typical use keeps a preallocated struct that knows its inputs and outputs and splits
// rows into contiguous blocks:
//
//	type scale struct {
//		x     []float64
//		alpha float64
//	}
//
//	func (s *scale) Part(i, parts int) {
//		lo, hi := i*len(s.x)/parts, (i+1)*len(s.x)/parts
//		for k := lo; k < hi; k++ {
//			s.x[k] *= s.alpha
//		}
//	}
//
//	s := &scale{x: x, alpha: 0.5} // kept in the caller's struct: no allocation per call
//	par.Do(par.Parts(len(x), 1<<14), s)
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Worker is work split into numbered parts. Part(i, parts) does part i of parts, 0 ≤ i <
// parts. Do may run different parts at the same time on different goroutines, so parts must
// not write to the same memory; it runs each part exactly once.
//
// Part must not panic: a panic on a helper goroutine ends the program. Part may call Do.
type Worker interface{ Part(i, parts int) }

// Do calls w.Part(i, parts) for every i < parts and returns when all have returned. The
// parts run on the calling goroutine and on up to min(parts, Threads())−1 helper goroutines
// that are idle at the time: parts are claimed from a shared counter, so the caller never
// waits for a helper that is busy elsewhere, only for helpers that took a part. Parts run in
// no particular order. With parts ≤ 1 or Threads() = 1 every part runs on the caller, in
// order.
//
// Helpers are started on first need and then live for the rest of the process; after each
// call a helper polls for the next for spinWait (300 µs), then blocks until invited. There
// are at most 256 of them, and never more than the largest Threads() seen minus one. Do
// allocates nothing in steady state if w is a pointer (an interface holding a pointer does
// not allocate). Handing a part to a polling helper costs about a microsecond, waking a
// blocked one up to 100 µs on a virtual machine, so a part should be worth at least tens of
// microseconds of work (see Parts).
//
// Do is safe for concurrent use, and a part may itself call Do (the nested call runs on the
// helpers that are idle, or on its caller alone).
func Do(parts int, w Worker) {
	threads := Threads()
	if parts <= 1 || threads <= 1 {
		for i := range parts {
			w.Part(i, parts)
		}
		return
	}
	t := teams.Get()
	t.run(w, parts, min(parts, threads, maxHelpers+1)-1)
	teams.Put(t)
}

// Parts returns how many parts to split n units of work into so that none is smaller than
// minPerPart units and every CPU can be used: min(n/minPerPart, Threads()), at least 1.
//
// The result depends on GOMAXPROCS (through Threads). That keeps results reproducible only where each unit's
// result does not depend on which part holds it (rows computed independently, each with its
// own random stream); work whose arithmetic follows the partition (a sum over a part) must
// split by its shape alone. More parts than this (say four per CPU) balance better when some
// CPUs are busy with other work: a goroutine that finishes early takes another part.
func Parts(n, minPerPart int) int {
	return max(1, min(n/max(minPerPart, 1), Threads()))
}

// Threads returns how many goroutines Do runs parts on at most: GOMAXPROCS less the P kept
// spare by Spare, at least 1.
func Threads() int {
	return max(1, runtime.GOMAXPROCS(0)-int(spare.Load()))
}

// Spare makes Do and Parts leave k of the GOMAXPROCS Ps unused (k ≤ 0: none), whatever
// GOMAXPROCS is now or is set to later. It is for a program that keeps a P idle on purpose:
// the openblas build of internal/linalg raises GOMAXPROCS by one and calls Spare(1), so that a
// goroutine back from a long cgo call finds an idle P instead of waiting for the runtime to
// hand one back.
func Spare(k int) { spare.Store(int32(min(max(k, 0), maxHelpers))) }

var spare atomic.Int32

// SetThreads sets GOMAXPROCS so that Threads() returns n (n plus the Ps kept spare, n at
// least 1) and returns the previous GOMAXPROCS, as runtime.GOMAXPROCS does. It is for tests
// that compare results across numbers of goroutines, so that they compare the same numbers
// in every build.
func SetThreads(n int) int { return runtime.GOMAXPROCS(max(n, 1) + int(spare.Load())) }

// maxHelpers bounds the helper goroutines; more than the number of CPUs never helps.
const maxHelpers = 256

// A team is one running call of Do. Its state word holds, from the top, a generation number
// (32 bits), an open bit and the number of helpers that have joined and not yet left. A
// helper joins only while the team is open and in the generation of its ticket, so a ticket
// that waited in the queue past the end of its call is dropped, and the caller, who closes
// the team after the last part is claimed, waits only for helpers that joined.
type team struct {
	work  Worker
	parts int
	next  atomic.Int64  // the next unclaimed part
	state atomic.Uint64 // generation<<32 | open | active helpers
	done  chan struct{} // the last helper to leave a closed team signals here
}

const (
	openBit    = 1 << 31
	activeMask = openBit - 1
	genMask    = 1<<32 - 1
)

// A ticket invites a helper to join one call of a team.
type ticket struct {
	t   *team
	gen uint64
}

var (
	// tickets hold invitations for helpers. Buffered, so that a helper returning from one
	// call still finds the invitation to the next; a stale one costs a helper a failed join.
	tickets     = make(chan ticket, maxHelpers)
	helperMu    sync.Mutex
	helperCount atomic.Int32
	teams       = FreeList[team]{New: func() *team { return &team{done: make(chan struct{}, 1)} }}
)

// run runs every part of w on the caller and up to helpers helpers.
func (t *team) run(w Worker, parts, helpers int) {
	t.work, t.parts = w, parts
	t.next.Store(0)
	gen := (t.state.Load()>>32 + 1) & genMask
	t.state.Store(gen<<32 | openBit)
	startHelpers(helpers)
send:
	for range helpers {
		select {
		case tickets <- ticket{t, gen}:
		default: // the queue is full: the caller and the helpers that join do the parts
			break send
		}
	}
	t.drain()
	if old := t.state.And(^uint64(openBit)); old&activeMask != 0 {
		t.wait()
	}
	t.work = nil
}

// wait returns when the last helper has left the closed team, which it signals on done.
// The helpers are then running the last parts, so the caller polls for a while (spinWait)
// before it blocks: a goroutine blocked on a channel is woken through the operating system,
// which on a virtual machine can take 100 µs, longer than many parts.
func (t *team) wait() {
	for start := time.Now(); time.Since(start) < spinWait; {
		select {
		case <-t.done:
			return
		default:
		}
	}
	<-t.done
}

// join adds a helper to the team if it is still open in generation gen.
func (t *team) join(gen uint64) bool {
	for {
		s := t.state.Load()
		if s>>32 != gen || s&openBit == 0 {
			return false
		}
		if t.state.CompareAndSwap(s, s+1) {
			return true
		}
	}
}

// leave removes a helper from the team, signalling the caller if the team is closed and it
// was the last.
func (t *team) leave() {
	if s := t.state.Add(^uint64(0)); s&openBit == 0 && s&activeMask == 0 {
		t.done <- struct{}{}
	}
}

// drain runs unclaimed parts until none is left.
func (t *team) drain() {
	for {
		i := int(t.next.Add(1)) - 1
		if i >= t.parts {
			return
		}
		t.work.Part(i, t.parts)
	}
}

// startHelpers makes sure at least n helper goroutines exist.
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

// helper runs parts of the teams it is invited to. Between calls it polls for the next
// invitation for spinWait before it blocks: a training loop calls Do again within tens of
// microseconds, and a helper that stays awake joins at once, where a parked one is woken
// through the operating system and joins 100 µs or more later (measured on a 2-vCPU virtual
// machine, where that made a two-goroutine matrix product no faster than one goroutine).
// The cost is up to spinWait of CPU time per helper after every call (the polling shows up in
// CPU profiles as time.Since and runtime.nanotime): idle time, unless another process or a
// hyperthread sibling wants that CPU.
func helper() {
	for {
		tk := nextTicket()
		if tk.t.join(tk.gen) {
			tk.t.drain()
			tk.t.leave()
		}
	}
}

// nextTicket returns the next invitation, polling for spinWait before it blocks.
func nextTicket() ticket {
	for start := time.Now(); time.Since(start) < spinWait; {
		select {
		case tk := <-tickets:
			return tk
		default:
		}
	}
	return <-tickets
}

// spinWait is how long a helper polls for its next invitation, and a caller for its helpers
// to finish, before blocking. Longer than the wake-up of a parked goroutine on a virtual
// machine (about 100 µs) and than the serial stretches between the calls of a minibatch
// update, short enough that an idle program stops using the CPU within a millisecond.
const spinWait = 300 * time.Microsecond

// Each calls f(i) for every i < n, as Do(n, …) does: on up to min(n, Threads()) goroutines,
// each index exactly once, in no particular order, so f should store its result by i. It
// allocates nothing of its own (a func value is held in the Worker interface as it is).
func Each(n int, f func(i int)) { Do(n, each(f)) }

type each func(i int)

func (f each) Part(i, _ int) { f(i) }

// Range is a Worker over N units split into contiguous blocks: part i of parts calls
// Fn(i·N/parts, (i+1)·N/parts). Keep it in the caller's struct and pass its address to Do,
// so that a call allocates nothing.
type Range struct {
	N  int
	Fn func(lo, hi int)
}

// Part calls Fn on block i of parts.
func (r *Range) Part(i, parts int) { r.Fn(i*r.N/parts, (i+1)*r.N/parts) }
