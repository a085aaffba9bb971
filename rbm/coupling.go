package rbm

import (
	"sync"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
)

// Coupling is implemented by visible layers whose units meet the weights through a
// statistic t(s) other than the state itself. With it the energy is
//
//	E(v, h) = E_vis(v) + E_hid(h) − t(v)ᵀ W h,
//
// so the hidden units' total input is c + Wᵀt(v) and the visible units' law given h is
// exp(t(v)·x − φ(v)) with x = b + Wh. The Gaussian layer in the parametrisation of Cho,
// Ilin & Raiko (2011) couples through t(v_i) = v_i/σ_i². Every other unit type couples
// through the state (t is the identity) and need not implement it.
//
// t must be linear in the state, unit by unit (t(s_i) = a_i·s_i with a_i depending on the
// layer's parameters only), so that E[t(s)] = t(E[s]): the Rao–Blackwellised statistics and
// the exact moments rely on it. The coupling is supported on the visible side only.
type Coupling interface {
	// Couple sets dst = t(s); s may hold several states back to back (the rows of a
	// batch), its length a multiple of Len. dst and s may be the same slice.
	Couple(dst, s []float64)
	// CouplingStats adds to dst[k] (Params order) the mean over the rows of s of the part
	// of parameter k's statistic that comes from the coupling term, −∂(−t(s)·y)/∂ψ_k
	// = Σ_i ∂t(s_i)/∂ψ_k · y_i, where row r of y holds (W h)_r, the weights' message from
	// the other layer (without the layer's field). It must be bilinear, unit by unit: a sum
	// over units i of g_i(ψ)·s_i·y_i, so that the mean over rows depends on the rows only
	// through (1/n) Σ_r s_ri·y_ri (RBM.Statistics passes that mean as one row, against a
	// row of ones). The coupling factors a_i of t must not be zero.
	CouplingStats(dst [][]float64, s, y *matrix.Dense)
}

// ParamChecker is implemented by layers whose parameters have a domain narrower than the
// finite numbers (a standard deviation must be positive). RBM.Validate, and so every model
// file read, calls it.
type ParamChecker interface {
	CheckParams() error
}

// Constrainer is implemented by layers whose parameters must be kept in a domain during
// training (a standard deviation above a floor). Trainers call Constrain after every
// parameter update; it moves each parameter back to the nearest point of its domain.
type Constrainer interface {
	Constrain()
}

// Frozen is implemented by layers some of whose parameters are not learned (the σ of
// "gaussian:fixed"): their statistics are zero, so no optimiser moves them, and gradient
// checks skip them.
type Frozen interface {
	// Frozen reports whether the parameter of that name (Params) is held fixed.
	Frozen(name string) bool
}

// coupled returns t(s) for the visible layer l: s itself when l has no Coupling, otherwise
// buf (allocated when too short) holding the coupled states.
func coupled(l Layer, s, buf []float64) []float64 {
	c, ok := l.(Coupling)
	if !ok {
		return s
	}
	if cap(buf) < len(s) {
		buf = make([]float64, len(s))
	}
	buf = buf[:len(s)]
	c.Couple(buf, s)
	return buf
}

// CoupledBatch returns the rows of vs mapped through the visible layer's coupling
// statistic t (Coupling): vs itself for layers that couple through the state, otherwise a
// new matrix.
func (m *RBM) CoupledBatch(vs *matrix.Dense) *matrix.Dense {
	if _, ok := m.Visible.(Coupling); !ok {
		return vs
	}
	return &matrix.Dense{Rows: vs.Rows, Cols: vs.Cols, Data: coupled(m.Visible, vs.Data, nil)}
}

// coupledPool recycles the buffers of coupledBatch, so that the products of a training
// update allocate nothing in steady state.
var coupledPool sync.Pool

// coupledBatch is CoupledBatch with a pooled buffer: it returns t(vs) and a function that
// gives the buffer back (call it when the result is no longer used).
func (m *RBM) coupledBatch(vs *matrix.Dense) (*matrix.Dense, func()) {
	if _, ok := m.Visible.(Coupling); !ok {
		return vs, func() {}
	}
	var buf []float64
	if p, ok := coupledPool.Get().(*[]float64); ok {
		buf = *p
	}
	buf = coupled(m.Visible, vs.Data, buf)
	return &matrix.Dense{Rows: vs.Rows, Cols: vs.Cols, Data: buf}, func() { coupledPool.Put(&buf) }
}

// addCouplingStats adds the coupling part of the visible parameters' statistics to dst,
// given the rows of vs and their W statistic wStat = (1/n)·t(vs)ᵀ·E[h|v] (Statistics'
// dst.W). The statistic is bilinear in v and y = E[h|v]·Wᵀ, unit by unit, so only the row
// means z_i = (1/n) Σ_r v_ri·y_ri enter it, and since t(v_i) = a_i·v_i,
//
//	z_i = (1/n) Σ_r v_ri Σ_j E[h_j|v_r] W_ij = (1/a_i) Σ_j W_ij·wStat_ij,
//
// which costs nv·nh operations instead of the product E[h|v]·Wᵀ. CouplingStats then sees one
// row of ones against one row of z.
func (m *RBM) addCouplingStats(dst [][]float64, wStat *matrix.Dense) {
	c, ok := m.Visible.(Coupling)
	if !ok || allFrozen(m.Visible) {
		return // no learned parameter has a coupling term
	}
	nv := m.NV()
	ones, a, z := make([]float64, nv), make([]float64, nv), make([]float64, nv)
	for i := range ones {
		ones[i] = 1
	}
	c.Couple(a, ones)
	for i := range z {
		z[i] = numeric.Dot(m.W.Row(i), wStat.Row(i)) / a[i]
	}
	c.CouplingStats(dst, &matrix.Dense{Rows: 1, Cols: nv, Data: ones}, &matrix.Dense{Rows: 1, Cols: nv, Data: z})
}

// allFrozen reports whether every parameter of l beyond its bias is held fixed (Frozen).
func allFrozen(l Layer) bool {
	f, ok := l.(Frozen)
	if !ok {
		return false
	}
	for _, p := range l.Params()[1:] {
		if !f.Frozen(p.Name) {
			return false
		}
	}
	return true
}
