package ais

import (
	"context"
	"math/rand/v2"
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
