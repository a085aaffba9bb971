package report

import (
	"context"
	"fmt"
	"image"
	"math"
	"sort"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/matrix"

	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/rbm"
)

// MaxFilters is the most hidden units Filters draws: a 10×10 grid, which keeps a 28×28 filter
// recognisable on a phone screen. Models with more hidden units show their MaxFilters
// strongest units (see FilterOrder).
const MaxFilters = 100

// streamSamples is the stream path of the sample chains, distinct from the paths the trainer
// uses, so that a report never replays the training chains' random numbers.
const streamSamples = 0x7265706f7274 // "report" in ASCII

// FilterOrder returns the indices of m's hidden units in descending order of the norm of
// their incoming weights ‖W[:,j]‖₂, ties broken by index: the units that moved furthest from
// their small random start come first. Cost O(nv·nh).
func FilterOrder(m *rbm.RBM) []int {
	norm := make([]float64, m.NH())
	for i := range m.NV() {
		for j, w := range m.W.Row(i) {
			norm[j] += w * w
		}
	}
	order := make([]int, len(norm))
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(a, b int) bool { return norm[order[a]] > norm[order[b]] })
	return order
}

// FilterRows returns the incoming weights W[:,j] of the first n units of FilterOrder (all of
// them when n ≥ nh), one unit per row: an n×nv matrix. It panics if n < 1.
func FilterRows(m *rbm.RBM, n int) *matrix.Dense {
	if n < 1 {
		panic(fmt.Sprintf("boltz/report: FilterRows: n = %d", n))
	}
	order := FilterOrder(m)
	if n < len(order) {
		order = order[:n]
	}
	rows := matrix.NewDense(len(order), m.NV())
	for k, j := range order {
		dst := rows.Row(k)
		for i := range dst {
			dst[i] = m.W.At(i, j)
		}
	}
	return rows
}

// Filters draws the incoming weights of up to MaxFilters hidden units of m, strongest first
// (FilterOrder), each as a shape tile normalised by SymmetricPerTile (0 is mid-grey), in a
// near-square grid with black separators. Cost O(nv·nh). It panics as Tile does when shape
// cannot hold nv values.
func Filters(m *rbm.RBM, shape [2]int) *image.Gray {
	return Tile(FilterRows(m, MaxFilters), shape, TileOptions{Normalize: SymmetricPerTile})
}

// Samples runs n block Gibbs chains of m for sweeps sweeps from uniformly random visible
// states (mcmc.NewChains with the given seed) and returns, one chain per row, the visible
// means E[v|h] given the hidden state h drawn in the final sweep: an n×nv matrix that shows
// the model's samples as grey levels without the pixel noise of a final binary draw. Cost
// O(sweeps·n·nv·nh). It uses its own random streams, derived from seed; the same seed gives
// the same result. The sweeps run in float32 (mcmc.Float32) when m has Bernoulli units, as
// every boltz model does, else in float64. It panics if n < 1 or sweeps < 0.
func Samples(m *rbm.RBM, n, sweeps int, seed uint64) *matrix.Dense {
	v, _ := samples(context.Background(), m, nil, n, sweeps, seed)
	return v
}

// sweepsPerCheck is how many sweeps samples runs between looks at its context: a few
// milliseconds of work for MNIST-sized models.
const sweepsPerCheck = 10

// samples is Samples that stops with ctx's error when ctx is cancelled, and that starts the
// chains from the base-rate model of the visible means dataMean when it is not nil
// (mcmc.Chains.DrawVisible). The sweeps are the same whether or not it checks, so the result
// does not depend on sweepsPerCheck.
func samples(ctx context.Context, m *rbm.RBM, dataMean []float64, n, sweeps int, seed uint64) (*matrix.Dense, error) {
	if sweeps < 0 {
		panic(fmt.Sprintf("boltz/report: Samples: %d sweeps", sweeps))
	}
	c := mcmc.NewChains(m, n, seed, streamSamples)
	if mcmc.Supports32(m) {
		c.SetPrecision(mcmc.Float32)
	}
	if u := ais.StartInputs(m.Visible, dataMean); dataMean != nil && u != nil {
		c.DrawVisible(m, u)
	} else if dataMean != nil && m.Visible.Values() == nil {
		c.DrawVisible(m, dataMean) // continuous units: the input is the mean
	}
	for done := 0; done < sweeps; done += sweepsPerCheck {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c.Sweep(m, 1, min(sweepsPerCheck, sweeps-done))
	}
	return m.VisibleMeansBatch(nil, c.H), nil
}

// SpreadRows returns n rows of x spread evenly over it, rows ⌊k·x.Rows/n⌋ for k = 0…n−1 (all of
// x when n ≥ x.Rows), as a copy. Spreading rather than taking the first n shows the variety of
// a data set stored in order (bars before stripes, digits sorted by class). It panics if
// n < 1 or x has no rows.
func SpreadRows(x *matrix.Dense, n int) *matrix.Dense {
	if n < 1 || x.Rows < 1 {
		panic(fmt.Sprintf("boltz/report: SpreadRows: %d rows of %d", n, x.Rows))
	}
	n = min(n, x.Rows)
	out := matrix.NewDense(n, x.Cols)
	for k := range n {
		copy(out.Row(k), x.Row(k*x.Rows/n))
	}
	return out
}

// Reconstructions returns, for each row v of x, the pair (v, v̂) with the one-step
// reconstruction
//
//	v̂ = E[v | E[h|v]]
//
// interleaved: row 2k is row k of x and row 2k+1 its reconstruction, ready for Tile with
// Group 2. Cost: two matrix products, O(x.Rows·nv·nh). It panics if x.Cols ≠ nv.
func Reconstructions(m *rbm.RBM, x *matrix.Dense) *matrix.Dense {
	rec := m.VisibleMeansBatch(nil, m.HiddenMeansBatch(nil, x))
	out := matrix.NewDense(2*x.Rows, x.Cols)
	for k := range x.Rows {
		copy(out.Row(2*k), x.Row(k))
		copy(out.Row(2*k+1), rec.Row(k))
	}
	return out
}

// pairCols returns the grid columns for n (data, reconstruction) pairs: an even number near
// √(2n), so that the grid of 2n tiles is close to square.
func pairCols(n int) int {
	c := int(math.Ceil(math.Sqrt(float64(2 * n))))
	return c + c%2
}
