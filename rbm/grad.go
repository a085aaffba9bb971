package rbm

import (
	"fmt"
	"math"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
)

// Grad holds one number per parameter, in the model's shapes: a gradient, a step, or the
// sufficient statistics whose data-minus-model difference makes up the gradient of the
// log-likelihood (docs/gradient.md),
//
//	∂⟨log p(v)⟩/∂W = ⟨v E[h|v]ᵀ⟩_data − ⟨v hᵀ⟩_model   (W ↔ ⟨v hᵀ⟩)
//	∂⟨log p(v)⟩/∂b = ⟨v⟩_data − ⟨v⟩_model               (b, the visible field ↔ ⟨v⟩)
//	∂⟨log p(v)⟩/∂c = ⟨E[h|v]⟩_data − ⟨h⟩_model          (c, the hidden field ↔ ⟨h⟩)
//
// and likewise for any further parameter of a layer, with its own statistic (Layer.Stats).
// Vis and Hid hold one slice per parameter of each layer, in Params order, so Vis[0] and
// Hid[0] are the biases (B and C).
type Grad struct {
	W        *matrix.Dense // nv×nh
	Vis, Hid [][]float64
}

// NewGrad returns a zero Grad for an nv×nh Bernoulli–Bernoulli model.
func NewGrad(nv, nh int) *Grad {
	return &Grad{W: matrix.NewDense(nv, nh), Vis: [][]float64{make([]float64, nv)}, Hid: [][]float64{make([]float64, nh)}}
}

// GradLike returns a zero Grad shaped like m's parameters, whatever its layers.
func GradLike(m *RBM) *Grad {
	return &Grad{W: matrix.NewDense(m.NV(), m.NH()), Vis: zerosLike(m.Visible), Hid: zerosLike(m.Hidden)}
}

// ParamData returns m's parameter arrays in the order of Grad.Parts, sharing m's storage:
// W's data, b, c, then the visible and the hidden layers' further parameters.
func ParamData(m *RBM) [][]float64 {
	out := [][]float64{m.W.Data, m.B(), m.C()}
	for _, l := range []Layer{m.Visible, m.Hidden} {
		for _, p := range l.Params()[1:] {
			out = append(out, p.Data)
		}
	}
	return out
}

func zerosLike(l Layer) [][]float64 {
	ps := l.Params()
	out := make([][]float64, len(ps))
	for k, p := range ps {
		out[k] = make([]float64, len(p.Data))
	}
	return out
}

// B returns the visible-bias block, Vis[0].
func (g *Grad) B() []float64 { return g.Vis[0] }

// C returns the hidden-bias block, Hid[0].
func (g *Grad) C() []float64 { return g.Hid[0] }

// GradPart is one block of a Grad: its name in model and checkpoint files and its values.
type GradPart struct {
	Name string
	X    []float64
}

// Parts returns the blocks as (name, values) pairs: W, b, c, then the layers' further
// parameters under the names ParamName gives them.
func (g *Grad) Parts() []GradPart {
	parts := make([]GradPart, 0, 1+len(g.Vis)+len(g.Hid))
	parts = append(parts, GradPart{"W", g.W.Data}, GradPart{"b", g.Vis[0]}, GradPart{"c", g.Hid[0]})
	for k, x := range g.Vis[1:] {
		parts = append(parts, GradPart{fmt.Sprintf("visible_%d", k+1), x})
	}
	for k, x := range g.Hid[1:] {
		parts = append(parts, GradPart{fmt.Sprintf("hidden_%d", k+1), x})
	}
	return parts
}

// NamedParts is Parts with the layers' further parameters named after m's layers
// (ParamName), for files.
func (g *Grad) NamedParts(m *RBM) []GradPart {
	parts := g.Parts()
	names := ParamNames(m)
	for k := range parts {
		parts[k].Name = names[k]
	}
	return parts
}

// Zero sets every element to 0.
func (g *Grad) Zero() {
	for _, p := range g.Parts() {
		clear(p.X)
	}
}

// CopyFrom sets g = o. It panics if the shapes differ.
func (g *Grad) CopyFrom(o *Grad) {
	g.each(o, func(x, y []float64) { copy(x, y) })
}

// AddScaled sets g += alpha·o.
func (g *Grad) AddScaled(alpha float64, o *Grad) {
	g.each(o, func(x, y []float64) { axpy(alpha, y, x) })
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
	var s float64
	g.each(o, func(x, y []float64) { s += numeric.Dot(x, y) })
	return s
}

// Norm returns the Euclidean norm over all parameters.
func (g *Grad) Norm() float64 { return math.Sqrt(g.Dot(g)) }

// Sub sets g = a − b. With a the data statistics and b the model statistics it is the
// gradient of the log-likelihood: the derivation in one line.
func (g *Grad) Sub(a, b *Grad) {
	g.mustMatch(a)
	g.mustMatch(b)
	pa, pb := a.Parts(), b.Parts()
	for k, p := range g.Parts() {
		xa, xb := pa[k].X, pb[k].X
		for i := range p.X {
			p.X[i] = xa[i] - xb[i]
		}
	}
}

// ApplyTo adds alpha·g to the parameters of m: W += alpha·g.W, and every layer parameter
// likewise.
func (g *Grad) ApplyTo(m *RBM, alpha float64) {
	if g.W.Rows != m.NV() || g.W.Cols != m.NH() {
		panic(fmt.Sprintf("boltz/rbm: Grad is %d×%d, model is %d×%d", g.W.Rows, g.W.Cols, m.NV(), m.NH()))
	}
	axpy(alpha, g.W.Data, m.W.Data)
	for side, l := range []Layer{m.Visible, m.Hidden} {
		blocks := g.Vis
		if side == 1 {
			blocks = g.Hid
		}
		ps := l.Params()
		if len(ps) != len(blocks) {
			panic(fmt.Sprintf("boltz/rbm: Grad has %d blocks for a layer of %d parameters", len(blocks), len(ps)))
		}
		for k, p := range ps {
			axpy(alpha, blocks[k], p.Data)
		}
	}
}

// each calls f on the matching blocks of g and o, after checking their shapes.
func (g *Grad) each(o *Grad, f func(x, y []float64)) {
	g.mustMatch(o)
	po := o.Parts()
	for k, p := range g.Parts() {
		f(p.X, po[k].X)
	}
}

func (g *Grad) mustMatch(o *Grad) {
	same := g.W.Rows == o.W.Rows && g.W.Cols == o.W.Cols && len(g.Vis) == len(o.Vis) && len(g.Hid) == len(o.Hid)
	if same {
		po := o.Parts()
		for k, p := range g.Parts() {
			same = same && len(p.X) == len(po[k].X)
		}
	}
	if !same {
		panic(fmt.Sprintf("boltz/rbm: Grad shapes %d×%d and %d×%d differ", g.W.Rows, g.W.Cols, o.W.Rows, o.W.Cols))
	}
}

func axpy(alpha float64, x, y []float64) {
	for i, v := range x {
		y[i] += alpha * v
	}
}
