package par

import (
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// counter records how many times each part ran and with what number of parts.
type counter struct {
	runs  []atomic.Int32
	parts atomic.Int32 // the parts argument seen, or −1 if two calls disagreed
}

func (c *counter) Part(i, parts int) {
	c.runs[i].Add(1)
	if !c.parts.CompareAndSwap(0, int32(parts)) && c.parts.Load() != int32(parts) {
		c.parts.Store(-1)
	}
}

func checkOnce(t *testing.T, c *counter, parts int) {
	t.Helper()
	for i := range c.runs {
		if n := c.runs[i].Load(); n != 1 {
			t.Fatalf("parts=%d: part %d ran %d times", parts, i, n)
		}
	}
	if got := c.parts.Load(); parts > 0 && got != int32(parts) {
		t.Fatalf("parts=%d: Part saw parts=%d", parts, got)
	}
}

// Every part runs exactly once, whatever GOMAXPROCS and the number of parts.
func TestDoRunsEveryPartOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		for _, parts := range []int{0, 1, 2, 3, 7, 64, 1000} {
			for range 20 {
				c := &counter{runs: make([]atomic.Int32, parts)}
				Do(parts, c)
				checkOnce(t, c, parts)
			}
		}
	}
}

// nested calls Do from inside its parts.
type nested struct {
	inner []counter
}

func (n *nested) Part(i, parts int) { Do(len(n.inner[i].runs), &n.inner[i]) }

// A part may call Do, even when every helper is busy in the outer call.
func TestDoNested(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{2, 4} {
		runtime.GOMAXPROCS(procs)
		for range 50 {
			n := &nested{inner: make([]counter, 8)}
			for i := range n.inner {
				n.inner[i].runs = make([]atomic.Int32, 5+i)
			}
			Do(len(n.inner), n)
			for i := range n.inner {
				checkOnce(t, &n.inner[i], len(n.inner[i].runs))
			}
		}
	}
}

// Calls of Do from several goroutines at once each run their own parts.
func TestDoConcurrent(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for r := range 200 {
				parts := 1 + (g+r)%9
				c := &counter{runs: make([]atomic.Int32, parts)}
				Do(parts, c)
				checkOnce(t, c, parts)
			}
		})
	}
	wg.Wait()
}

// sum writes one value per part, so that the test can see the parts ran before Do returned.
type sum struct{ out []int }

func (s *sum) Part(i, parts int) { s.out[i] = i + 1 }

// Do allocates nothing in steady state, with helpers running parts.
func TestDoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	s := &sum{out: make([]int, 8)}
	Do(len(s.out), s) // start the helper and fill the free list
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0) // testing.AllocsPerRun would set GOMAXPROCS to 1
	const runs = 1000
	for range runs {
		Do(len(s.out), s)
	}
	runtime.ReadMemStats(&ms1)
	if n := ms1.Mallocs - ms0.Mallocs; n > runs/100 { // a few from the runtime are not ours
		t.Fatalf("%d allocations in %d calls", n, runs)
	}
	for i, v := range s.out {
		if v != i+1 {
			t.Fatalf("out[%d] = %d", i, v)
		}
	}
}

func TestParts(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, tc := range []struct{ n, min, want int }{
		{0, 10, 1}, {9, 10, 1}, {20, 10, 2}, {1000, 10, 4}, {5, 0, 4},
	} {
		if got := Parts(tc.n, tc.min); got != tc.want {
			t.Errorf("Parts(%d, %d) = %d, want %d", tc.n, tc.min, got, tc.want)
		}
	}
}

// empty has parts that do nothing.
type empty struct{}

func (empty) Part(i, parts int) {}

// BenchmarkDoOverhead is the cost of Do itself for 2 and 8 parts that do nothing: handing
// them to helpers and waiting for the helpers that took one.
func BenchmarkDoOverhead(b *testing.B) {
	for _, parts := range []int{2, 8} {
		b.Run(strconv.Itoa(parts), func(b *testing.B) {
			w := &empty{}
			b.ReportAllocs()
			for b.Loop() {
				Do(parts, w)
			}
		})
	}
}

// A FreeList gives back the values put into it before it makes new ones.
func TestFreeList(t *testing.T) {
	var l FreeList[int]
	a := l.Get()
	if a == nil || *a != 0 {
		t.Fatalf("Get on an empty list with nil New = %v", a)
	}
	l.Put(a)
	if b := l.Get(); b != a {
		t.Fatal("Get did not return the value Put")
	}
	made := 0
	m := FreeList[int]{New: func() *int { made++; return new(int) }}
	m.Put(m.Get())
	m.Get()
	if made != 1 {
		t.Fatalf("New called %d times, want 1", made)
	}
}

// order records the goroutine-independent order in which parts ran.
type order struct {
	mu  sync.Mutex
	got []int
}

func (o *order) Part(i, parts int) {
	o.mu.Lock()
	o.got = append(o.got, i)
	o.mu.Unlock()
}

// Spare keeps k Ps out of Threads, whatever GOMAXPROCS is, never below 1, and with
// Threads() = 1 Do runs every part on the caller, in order, as with GOMAXPROCS = 1.
func TestSpare(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer Spare(int(spare.Load()))
	Spare(0)
	if got := Threads(); got != 4 {
		t.Fatalf("Threads() = %d with GOMAXPROCS 4 and none spare", got)
	}
	Spare(2)
	if got, parts := Threads(), Parts(1000, 1); got != 2 || parts != 2 {
		t.Fatalf("Threads() = %d, Parts(1000, 1) = %d with 2 of 4 spare, want 2 and 2", got, parts)
	}
	runtime.GOMAXPROCS(6)
	if got := Threads(); got != 4 {
		t.Fatalf("Threads() = %d with 2 of 6 spare", got)
	}
	Spare(10)
	if got := Threads(); got != 1 {
		t.Fatalf("Threads() = %d with 10 of 6 spare, want 1", got)
	}
	for range 20 {
		o := &order{}
		Do(16, o)
		for i, p := range o.got {
			if p != i {
				t.Fatalf("one thread: parts ran in order %v", o.got)
			}
		}
		if len(o.got) != 16 {
			t.Fatalf("one thread: %d parts ran", len(o.got))
		}
	}
}

// Each calls f once per index; Range covers [0, N) with contiguous blocks, each unit once.
func TestEachAndRange(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 3} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 7, 100} {
			seen := make([]atomic.Int32, n)
			Each(n, func(i int) { seen[i].Add(1) })
			for i := range seen {
				if c := seen[i].Load(); c != 1 {
					t.Fatalf("procs=%d: Each(%d): f(%d) ran %d times", procs, n, i, c)
				}
			}
			units := make([]atomic.Int32, n)
			r := &Range{N: n, Fn: func(lo, hi int) {
				for k := lo; k < hi; k++ {
					units[k].Add(1)
				}
			}}
			for _, parts := range []int{1, 2, 5} {
				Do(parts, r)
			}
			for k := range units {
				if c := units[k].Load(); c != 3 {
					t.Fatalf("procs=%d: Range N=%d: unit %d covered %d times in 3 calls", procs, n, k, c)
				}
			}
		}
	}
}
