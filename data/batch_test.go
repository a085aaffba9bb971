package data

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/boltzgo/boltz/matrix"
)

func TestShuffle(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	p := Shuffle(100, r)
	sorted := slices.Sorted(slices.Values(p))
	for i, v := range sorted {
		if v != i {
			t.Fatalf("not a permutation of 0..99: %v", p)
		}
	}
	if slices.IsSorted(p) {
		t.Error("identity permutation from a random shuffle of 100")
	}
	if q := Shuffle(100, rand.New(rand.NewPCG(3, 4))); !slices.Equal(p, q) {
		t.Error("same seed, different permutation")
	}
	if len(Shuffle(0, r)) != 0 {
		t.Error("Shuffle(0) not empty")
	}
}

func TestGather(t *testing.T) {
	x := &matrix.Dense{Rows: 4, Cols: 2, Data: []float64{0, 1, 10, 11, 20, 21, 30, 31}}
	got := Gather(nil, x, []int{3, 0, 3})
	if got.Rows != 3 || got.Cols != 2 || !slices.Equal(got.Data, []float64{30, 31, 0, 1, 30, 31}) {
		t.Errorf("Gather = %d×%d %v", got.Rows, got.Cols, got.Data)
	}
	// A larger dst is reused, resized to the batch.
	big := matrix.NewDense(10, 2)
	got = Gather(big, x, []int{2})
	if got != big || got.Rows != 1 || !slices.Equal(got.Data, []float64{20, 21}) {
		t.Errorf("Gather into big = %p %d×%d %v", got, got.Rows, got.Cols, got.Data)
	}
}

func TestGatherNoAllocs(t *testing.T) {
	x := matrix.NewDense(1000, 784)
	idx := Shuffle(1000, rand.New(rand.NewPCG(1, 1)))
	dst := matrix.NewDense(100, 784)
	allocs := testing.AllocsPerRun(20, func() {
		for b := 0; b < 1000; b += 100 {
			dst = Gather(dst, x, idx[b:b+100])
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per epoch, want 0", allocs)
	}
}

func TestGatherPanics(t *testing.T) {
	x := matrix.NewDense(3, 2)
	for name, f := range map[string]func(){
		"index too large": func() { Gather(nil, x, []int{0, 3}) },
		"negative index":  func() { Gather(nil, x, []int{-1}) },
		"dst is x":        func() { Gather(x, x, []int{0}) },
		"negative n":      func() { Shuffle(-1, rand.New(rand.NewPCG(1, 1))) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func BenchmarkGather100x784(b *testing.B) {
	x := matrix.NewDense(60000, 784)
	idx := Shuffle(60000, rand.New(rand.NewPCG(1, 1)))
	dst := matrix.NewDense(100, 784)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i % 600 * 100
		dst = Gather(dst, x, idx[k:k+100])
	}
}
