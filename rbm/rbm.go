// Package rbm is the restricted Boltzmann machine: its parameters, its unit types, its energy
// and free energy, and the conditionals of one layer given the other, for one vector and for a
// minibatch held as a matrix with one vector per row.
//
// For the binary RBM, with v ∈ {0,1}^nv and h ∈ {0,1}^nh:
//
//	E(v,h) = −bᵀv − cᵀh − vᵀWh
//	F(v)   = −bᵀv − Σ_j softplus(c_j + (Wᵀv)_j)        (h summed out)
//	F(h)   = −cᵀh − Σ_i softplus(b_i + (Wh)_i)          (v summed out)
//	p(v)   = exp(−F(v))/Z,  p(h) = exp(−F(h))/Z,  Z = Σ_v exp(−F(v)) = Σ_h exp(−F(h))
//
// Other unit types replace −bᵀv by the visible layer's Energy and softplus by the hidden
// layer's LogNormalizer (see Layer).
//
// Methods panic with a "boltz/rbm: " message on a dimension mismatch. Methods that only read
// the model are safe for concurrent use; randomness comes from the *rand.Rand the caller
// passes, which is not safe for concurrent use.
package rbm

import (
	"fmt"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
)

// RBM is a restricted Boltzmann machine: a visible layer, a hidden layer, each owning its
// parameters (biases and whatever else its unit type has), and the weights W between them.
type RBM struct {
	W       *matrix.Dense // nv×nh weights; W.At(i, j) couples v_i and h_j
	Visible Layer         // nv units
	Hidden  Layer         // nh units
}

// New returns a Bernoulli–Bernoulli RBM with all parameters zero. It panics unless nv and nh
// are positive.
func New(nv, nh int) *RBM {
	if nv <= 0 || nh <= 0 {
		panic(fmt.Sprintf("boltz/rbm: New(%d, %d): sizes must be positive", nv, nh))
	}
	return NewWithLayers(NewBernoulli(nv), NewBernoulli(nh))
}

// NewWithLayers returns an RBM on the given layers, which it keeps (not copies), with zero
// weights. It panics if a layer is nil or has no units.
func NewWithLayers(visible, hidden Layer) *RBM {
	if visible == nil || hidden == nil {
		panic("boltz/rbm: nil layer")
	}
	nv, nh := visible.Len(), hidden.Len()
	if nv <= 0 || nh <= 0 {
		panic(fmt.Sprintf("boltz/rbm: NewWithLayers: layers of %d and %d units; sizes must be positive", nv, nh))
	}
	return &RBM{W: matrix.NewDense(nv, nh), Visible: visible, Hidden: hidden}
}

// NV returns the number of visible units.
func (m *RBM) NV() int { return m.W.Rows }

// NH returns the number of hidden units.
func (m *RBM) NH() int { return m.W.Cols }

// B returns the visible layer's biases (its field θ), sharing its storage.
func (m *RBM) B() []float64 { return m.Visible.Bias() }

// C returns the hidden layer's biases, sharing its storage.
func (m *RBM) C() []float64 { return m.Hidden.Bias() }

// Clone returns a deep copy of m.
func (m *RBM) Clone() *RBM {
	return &RBM{W: m.W.Clone(), Visible: m.Visible.Clone(), Hidden: m.Hidden.Clone()}
}

// InitNormal draws every weight from N(0, std²) using r and leaves the biases alone. Hinton's
// practical guide (2010, §8) recommends std = 0.01.
func (m *RBM) InitNormal(std float64, r *rand.Rand) {
	for i := range m.W.Data {
		m.W.Data[i] = std * r.NormFloat64()
	}
}

// Validate returns an error if the shapes are inconsistent or any parameter is NaN or ±Inf.
func (m *RBM) Validate() error {
	if m.W == nil || m.Visible == nil || m.Hidden == nil || m.W.Rows != m.Visible.Len() ||
		m.W.Cols != m.Hidden.Len() || len(m.W.Data) != m.W.Rows*m.W.Cols {
		return fmt.Errorf("inconsistent shapes")
	}
	if _, ok := m.Hidden.(Coupling); ok {
		return fmt.Errorf("%s units can only be visible", m.Hidden.Name())
	}
	if !finite(m.W.Data) {
		return fmt.Errorf("parameter W holds NaN or Inf")
	}
	for _, l := range []struct {
		side  string
		layer Layer
	}{{"visible", m.Visible}, {"hidden", m.Hidden}} {
		for _, p := range l.layer.Params() {
			if !finite(p.Data) {
				return fmt.Errorf("parameter %s holds NaN or Inf", ParamName(l.side, p.Name))
			}
		}
		if c, ok := l.layer.(ParamChecker); ok {
			if err := c.CheckParams(); err != nil {
				return fmt.Errorf("%s layer: %w", l.side, err)
			}
		}
	}
	return nil
}

// Energy returns E(v,h) = E_vis(v; b) + E_hid(h; c) − vᵀWh; for Bernoulli units
// −bᵀv − cᵀh − vᵀWh. A visible layer with a Coupling meets W through t(v): −t(v)ᵀWh.
// Cost O(nv·nh).
func (m *RBM) Energy(v, h []float64) float64 {
	m.checkV(v)
	m.checkH(h)
	e := m.Visible.Energy(v)
	v = coupled(m.Visible, v, nil)
	var vwh float64
	for i, vi := range v {
		if vi != 0 {
			vwh += vi * numeric.Dot(m.W.Row(i), h)
		}
	}
	return e + m.Hidden.Energy(h) - vwh
}

// FreeEnergy returns F(v) = −log Σ_h exp(−E(v,h)) = E_vis(v; b) − A_hid(c + Wᵀv). Cost O(nv·nh).
func (m *RBM) FreeEnergy(v []float64) float64 {
	x := m.HiddenInput(nil, v)
	return m.Visible.Energy(v) - m.Hidden.LogNormalizer(x)
}

// FreeEnergyHidden returns the hidden-side twin F(h) = −log Σ_v exp(−E(v,h))
// = E_hid(h; c) − A_vis(b + Wh). Cost O(nv·nh).
func (m *RBM) FreeEnergyHidden(h []float64) float64 {
	x := m.VisibleInput(nil, h)
	return m.Hidden.Energy(h) - m.Visible.LogNormalizer(x)
}

// HiddenInput sets dst = c + Wᵀv, the total inputs of the hidden units, allocating dst when
// it is nil, and returns it. A visible layer with a Coupling sends t(v): dst = c + Wᵀt(v).
func (m *RBM) HiddenInput(dst, v []float64) []float64 {
	m.checkV(v)
	dst = reuse(dst, m.NH())
	v = coupled(m.Visible, v, nil)
	copy(dst, m.C())
	for i, vi := range v {
		if vi == 0 {
			continue
		}
		for j, w := range m.W.Row(i) {
			dst[j] += vi * w
		}
	}
	return dst
}

// VisibleInput sets dst = b + Wh, the total inputs of the visible units.
func (m *RBM) VisibleInput(dst, h []float64) []float64 {
	m.checkH(h)
	dst = reuse(dst, m.NV())
	b := m.B()
	for i := range dst {
		dst[i] = b[i] + numeric.Dot(m.W.Row(i), h)
	}
	return dst
}

// HiddenMeans sets dst = E[h|v]; for Bernoulli units σ(c + Wᵀv).
func (m *RBM) HiddenMeans(dst, v []float64) []float64 {
	dst = m.HiddenInput(dst, v)
	m.Hidden.Means(dst, dst)
	return dst
}

// VisibleMeans sets dst = E[v|h]; for Bernoulli units σ(b + Wh).
func (m *RBM) VisibleMeans(dst, h []float64) []float64 {
	dst = m.VisibleInput(dst, h)
	m.Visible.Means(dst, dst)
	return dst
}

// SampleHidden sets dst to a draw from p(h|v), using r.
func (m *RBM) SampleHidden(dst, v []float64, r *rand.Rand) []float64 {
	dst = m.HiddenInput(dst, v)
	m.Hidden.Sample(dst, dst, r)
	return dst
}

// SampleVisible sets dst to a draw from p(v|h), using r.
func (m *RBM) SampleVisible(dst, h []float64, r *rand.Rand) []float64 {
	dst = m.VisibleInput(dst, h)
	m.Visible.Sample(dst, dst, r)
	return dst
}

// Gibbs performs one sweep of block Gibbs sampling in place: h ~ p(h|v), then v ~ p(v|h).
// The chain it defines leaves p(v,h) invariant.
func (m *RBM) Gibbs(v, h []float64, r *rand.Rand) {
	m.SampleHidden(h, v, r)
	m.SampleVisible(v, h, r)
}

func (m *RBM) checkV(v []float64) {
	if len(v) != m.NV() {
		panic(fmt.Sprintf("boltz/rbm: visible vector has length %d, model has %d visible units", len(v), m.NV()))
	}
}

func (m *RBM) checkH(h []float64) {
	if len(h) != m.NH() {
		panic(fmt.Sprintf("boltz/rbm: hidden vector has length %d, model has %d hidden units", len(h), m.NH()))
	}
}

func reuse(dst []float64, n int) []float64 {
	if dst == nil {
		return make([]float64, n)
	}
	if len(dst) != n {
		panic(fmt.Sprintf("boltz/rbm: destination has length %d, want %d", len(dst), n))
	}
	return dst
}
