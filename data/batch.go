package data

import (
	"fmt"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/matrix"
)

// Shuffle returns a uniformly random permutation of 0..n−1 drawn from r, for visiting the
// examples of an epoch in random order. It panics if n < 0 or r is nil.
func Shuffle(n int, r *rand.Rand) []int {
	if n < 0 {
		panic(fmt.Sprintf("boltz/data: Shuffle(%d): negative length", n))
	}
	return r.Perm(n)
}

// Gather copies the rows of x listed in idx, in that order, into dst and returns it:
//
//	dst.Row(k) = x.Row(idx[k]),   k = 0, …, len(idx)−1
//
// dst is resized to len(idx)×x.Cols and reused when its storage is large enough; nil means
// allocate. With a dst of the right size it does not allocate, so a training loop can draw
// every minibatch into one matrix. dst must not share storage with x.
//
// It panics if x is nil, if dst is x, or if an index is out of range. Cost O(len(idx)·cols),
// the copies split into blocks of rows over up to par.Threads() goroutines.
func Gather(dst, x *matrix.Dense, idx []int) *matrix.Dense {
	if dst == x {
		panic("boltz/data: Gather: dst is x")
	}
	for _, i := range idx {
		if i < 0 || i >= x.Rows {
			panic(fmt.Sprintf("boltz/data: Gather: index %d out of range [0,%d)", i, x.Rows))
		}
	}
	dst = linalg.Reuse(dst, len(idx), x.Cols)
	g := gathers.Get()
	g.dst, g.x, g.idx = dst, x, idx
	par.Do(par.Parts(len(idx)*x.Cols, minGatherPart), g)
	*g = gatherJob{} // do not keep the caller's matrices alive
	gathers.Put(g)
	return dst
}

// minGatherPart is the least number of elements one part of a Gather copies (256 KiB): the
// rows of a training set are read from memory in random order, and two cores keep twice as
// many reads in flight, but a part must be worth more than waking a helper.
const minGatherPart = 1 << 15

// gatherJob is one Gather split into blocks of rows, run on up to par.Threads() goroutines.
type gatherJob struct {
	dst, x *matrix.Dense
	idx    []int
}

var gathers par.FreeList[gatherJob]

func (g *gatherJob) Part(i, parts int) {
	n := len(g.idx)
	for k := i * n / parts; k < (i+1)*n/parts; k++ {
		copy(g.dst.Row(k), g.x.Row(g.idx[k]))
	}
}
