package ais

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/boltzgo/boltz/internal/memsize"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// TestMemoryNeededMatchesHeap checks MemoryNeeded against the peak of the live heap during
// a Sandwich (sampled after each temperature step through the progress callback): the
// estimate must lie within 0.8–2 times it.
func TestMemoryNeededMatchesHeap(t *testing.T) {
	m := rbm.New(200, 100)
	m.InitNormal(0.01, rand.New(rand.NewPCG(1, 1)))
	x := matrix.NewDense(10, 200)
	memsize.LiveHeap() // two collections: pooled buffers of earlier tests survive the first
	before := memsize.LiveHeap()
	var peak int64
	probe := func(done, total int) {
		if done == 1 || done == total {
			peak = max(peak, memsize.LiveHeap()-before)
		}
	}
	if _, err := Sandwich(context.Background(), m, x, &Options{Runs: 5000, Betas: Linear(4), Progress: probe}); err != nil {
		t.Fatal(err)
	}
	want := MemoryNeeded(200, 100, 5000)
	if r := float64(want) / float64(peak); r < 0.8 || r > 2 {
		t.Errorf("estimate %d bytes, peak live heap %d (ratio %.2f)", want, peak, r)
	}
}

// ReverseStartMemory is within 0.8–2 times what ReverseStart's tempering allocates on a
// Gaussian–Bernoulli model (its replicas' states, without sweeps, counted by the allocator),
// and 0 for a Bernoulli model, which has no tempering.
func TestReverseStartMemory(t *testing.T) {
	m := rbm.NewWithLayers(rbm.NewGaussian(200, false), rbm.NewBernoulli(100))
	m.InitNormal(0.01, rand.New(rand.NewPCG(1, 1)))
	x := matrix.NewDense(10, 200)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := TemperHidden(context.Background(), m, x, nil, 500, 0, 20, 1); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	got := int64(after.TotalAlloc - before.TotalAlloc)
	want := ReverseStartMemory(m, 500, 2000)
	if r := float64(want) / float64(got); r < 0.8 || r > 2 {
		t.Errorf("estimate %d bytes, allocated %d (ratio %.2f)", want, got, r)
	}
	if n := ReverseStartMemory(rbm.New(200, 100), 500, 2000); n != 0 {
		t.Errorf("Bernoulli model: %d bytes, want 0", n)
	}
}
