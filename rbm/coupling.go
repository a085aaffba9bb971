package rbm

import (
	"github.com/boltzgo/boltz/internal/linalg"
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
	// the other layer (without the layer's field). It must be linear in s, like t.
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

// addCouplingStats adds the coupling part of the visible parameters' statistics to dst,
// given the rows of vs and the hidden means hm (Coupling.CouplingStats with y = hm·Wᵀ).
func (m *RBM) addCouplingStats(dst [][]float64, vs, hm *matrix.Dense) {
	c, ok := m.Visible.(Coupling)
	if !ok {
		return
	}
	y := matrix.NewDense(hm.Rows, m.NV())
	linalg.Gemm(false, true, hm.Rows, m.NV(), m.NH(), 1, hm.Data, hm.Cols, m.W.Data, m.W.Cols, 0, y.Data, y.Cols)
	c.CouplingStats(dst, vs, y)
}
