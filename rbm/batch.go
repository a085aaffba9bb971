package rbm

import (
	"fmt"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/matrix"
)

// HiddenInputBatch sets each row of dst to c + Wᵀv for the matching row v of vs, that is
// dst = vs·W + 1cᵀ, allocating dst when it is nil, and returns it. Cost: one matrix product.
// A visible layer with a Coupling sends t(v) (CoupledBatch).
func (m *RBM) HiddenInputBatch(dst, vs *matrix.Dense) *matrix.Dense {
	m.checkBatch("HiddenInputBatch", vs, m.NV())
	dst = linalg.Reuse(dst, vs.Rows, m.NH())
	tv, release := m.coupledBatch(vs)
	c := m.C()
	for r := 0; r < vs.Rows; r++ {
		copy(dst.Row(r), c)
	}
	linalg.MulNN(dst, 1, tv, m.W, 1)
	release()
	return dst
}

// VisibleInputBatch sets each row of dst to b + Wh for the matching row h of hs, that is
// dst = hs·Wᵀ + 1bᵀ.
func (m *RBM) VisibleInputBatch(dst, hs *matrix.Dense) *matrix.Dense {
	m.checkBatch("VisibleInputBatch", hs, m.NH())
	dst = linalg.Reuse(dst, hs.Rows, m.NV())
	for r := 0; r < hs.Rows; r++ {
		copy(dst.Row(r), m.B())
	}
	linalg.MulNT(dst, 1, hs, m.W, 1)
	return dst
}

// HiddenMeansBatch sets each row of dst to E[h|v] for the matching row of vs.
func (m *RBM) HiddenMeansBatch(dst, vs *matrix.Dense) *matrix.Dense {
	dst = m.HiddenInputBatch(dst, vs)
	m.Hidden.Means(dst.Data, dst.Data)
	return dst
}

// VisibleMeansBatch sets each row of dst to E[v|h] for the matching row of hs.
func (m *RBM) VisibleMeansBatch(dst, hs *matrix.Dense) *matrix.Dense {
	dst = m.VisibleInputBatch(dst, hs)
	m.Visible.Means(dst.Data, dst.Data)
	return dst
}

// SampleHiddenBatch sets each row of dst to a draw from p(h|v) for the matching row of vs,
// drawing from r row by row.
func (m *RBM) SampleHiddenBatch(dst, vs *matrix.Dense, r *rand.Rand) *matrix.Dense {
	dst = m.HiddenInputBatch(dst, vs)
	m.Hidden.Sample(dst.Data, dst.Data, r)
	return dst
}

// SampleVisibleBatch sets each row of dst to a draw from p(v|h) for the matching row of hs.
func (m *RBM) SampleVisibleBatch(dst, hs *matrix.Dense, r *rand.Rand) *matrix.Dense {
	dst = m.VisibleInputBatch(dst, hs)
	m.Visible.Sample(dst.Data, dst.Data, r)
	return dst
}

// GibbsBatch performs one block Gibbs sweep on every row in place: hs ~ p(h|vs), then
// vs ~ p(v|hs).
func (m *RBM) GibbsBatch(vs, hs *matrix.Dense, r *rand.Rand) {
	m.SampleHiddenBatch(hs, vs, r)
	m.SampleVisibleBatch(vs, hs, r)
}

// FreeEnergyBatch sets dst[r] = F(row r of vs), allocating dst when it is nil. work, when not
// nil, is reused for the hidden inputs.
func (m *RBM) FreeEnergyBatch(dst []float64, vs *matrix.Dense, work *matrix.Dense) []float64 {
	x := m.HiddenInputBatch(work, vs)
	dst = reuse(dst, vs.Rows)
	for r := range dst {
		dst[r] = m.Visible.Energy(vs.Row(r)) - m.Hidden.LogNormalizer(x.Row(r))
	}
	return dst
}

func (m *RBM) checkBatch(op string, x *matrix.Dense, cols int) {
	if x.Cols != cols {
		panic(fmt.Sprintf("boltz/rbm: %s: batch has %d columns, want %d", op, x.Cols, cols))
	}
}
