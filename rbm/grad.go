package rbm

import (
	"fmt"
	"math"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
)

// Grad holds one number per parameter, in the model's shapes: a gradient, a step, or the
// moments ⟨v hᵀ⟩, ⟨v⟩, ⟨h⟩ whose difference makes up the gradient of the log-likelihood,
//
//	∂⟨log p(v)⟩/∂W = ⟨v E[h|v]ᵀ⟩_data − ⟨v hᵀ⟩_model   (W ↔ ⟨v hᵀ⟩)
//	∂⟨log p(v)⟩/∂b = ⟨v⟩_data − ⟨v⟩_model               (B ↔ ⟨v⟩)
//	∂⟨log p(v)⟩/∂c = ⟨E[h|v]⟩_data − ⟨h⟩_model          (C ↔ ⟨h⟩)
type Grad struct {
	W    *matrix.Dense // nv×nh
	B, C []float64     // nv, nh
}

// NewGrad returns a zero Grad for an nv×nh model.
func NewGrad(nv, nh int) *Grad {
	return &Grad{W: matrix.NewDense(nv, nh), B: make([]float64, nv), C: make([]float64, nh)}
}

// GradLike returns a zero Grad shaped like m.
func GradLike(m *RBM) *Grad { return NewGrad(m.NV(), m.NH()) }

// Parts returns the three blocks as (name, values) pairs, in the order W, b, c.
func (g *Grad) Parts() [3]struct {
	Name string
	X    []float64
} {
	return [3]struct {
		Name string
		X    []float64
	}{{"W", g.W.Data}, {"b", g.B}, {"c", g.C}}
}

// Zero sets every element to 0.
func (g *Grad) Zero() {
	clear(g.W.Data)
	clear(g.B)
	clear(g.C)
}

// CopyFrom sets g = o. It panics if the shapes differ.
func (g *Grad) CopyFrom(o *Grad) {
	g.mustMatch(o)
	copy(g.W.Data, o.W.Data)
	copy(g.B, o.B)
	copy(g.C, o.C)
}

// AddScaled sets g += alpha·o.
func (g *Grad) AddScaled(alpha float64, o *Grad) {
	g.mustMatch(o)
	axpy(alpha, o.W.Data, g.W.Data)
	axpy(alpha, o.B, g.B)
	axpy(alpha, o.C, g.C)
}

// Scale sets g *= alpha.
func (g *Grad) Scale(alpha float64) {
	for _, p := range g.Parts() {
		for i := range p.X {
			p.X[i] *= alpha
		}
	}
}

// Dot returns the inner product of g and o over all parameters.
func (g *Grad) Dot(o *Grad) float64 {
	g.mustMatch(o)
	return numeric.Dot(g.W.Data, o.W.Data) + numeric.Dot(g.B, o.B) + numeric.Dot(g.C, o.C)
}

// Norm returns the Euclidean norm over all parameters.
func (g *Grad) Norm() float64 { return math.Sqrt(g.Dot(g)) }

// Sub sets g = a − b.
func (g *Grad) Sub(a, b *Grad) {
	g.mustMatch(a)
	g.mustMatch(b)
	for k, p := range g.Parts() {
		pa, pb := a.Parts()[k].X, b.Parts()[k].X
		for i := range p.X {
			p.X[i] = pa[i] - pb[i]
		}
	}
}

// ApplyTo adds alpha·g to the parameters of m: W += alpha·g.W, b += alpha·g.B, c += alpha·g.C.
func (g *Grad) ApplyTo(m *RBM, alpha float64) {
	if g.W.Rows != m.NV() || g.W.Cols != m.NH() {
		panic(fmt.Sprintf("boltz/rbm: Grad is %d×%d, model is %d×%d", g.W.Rows, g.W.Cols, m.NV(), m.NH()))
	}
	axpy(alpha, g.W.Data, m.W.Data)
	axpy(alpha, g.B, m.B)
	axpy(alpha, g.C, m.C)
}

func (g *Grad) mustMatch(o *Grad) {
	if g.W.Rows != o.W.Rows || g.W.Cols != o.W.Cols || len(g.B) != len(o.B) || len(g.C) != len(o.C) {
		panic(fmt.Sprintf("boltz/rbm: Grad shapes %d×%d and %d×%d differ", g.W.Rows, g.W.Cols, o.W.Rows, o.W.Cols))
	}
}

func axpy(alpha float64, x, y []float64) {
	for i, v := range x {
		y[i] += alpha * v
	}
}
