package mcmc

import (
	"runtime"
	"testing"

	"github.com/boltzgo/boltz/internal/memsize"
	"github.com/boltzgo/boltz/rbm"
)

// TestChainsMemoryMatchesHeap checks ChainsMemory and TemperingMemory against the heap that
// chains hold after sampling: within 0.8–1.5 times.
func TestChainsMemoryMatchesHeap(t *testing.T) {
	m := rbm.New(200, 100)
	check := func(name string, want int64, build func() any) {
		before := memsize.LiveHeap()
		x := build()
		got := memsize.LiveHeap() - before
		runtime.KeepAlive(x)
		if r := float64(want) / float64(got); r < 0.8 || r > 1.5 {
			t.Errorf("%s: estimate %d bytes, heap grew by %d (ratio %.2f)", name, want, got, r)
		}
	}
	check("chains", ChainsMemory(200, 100, 3000), func() any {
		c := NewChains(m, 3000, 1)
		c.Sweep(m, 1, 1)
		return c
	})
	check("tempering", TemperingMemory(200, 100, 300, 10), func() any {
		betas, _ := Ladder(10, 0.1, "geometric")
		pt, err := NewTempering(m, betas, 300, 1)
		if err != nil {
			t.Fatal(err)
		}
		pt.Step(m, 1)
		return pt
	})
	if got := ChainsMemory(784, 500, 1e9); got < 1e13 {
		t.Errorf("a billion chains of a 784×500 model: %d bytes", got)
	}
}
