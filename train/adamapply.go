package train

import (
	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/rbm"
)

// adamStep is one step of Adam (Kingma & Ba 2015) with L2 weight decay, taken in one
// parallel pass over W, the companion of sgdStep for the Adam optimiser. In the ordinary
// parameterisation, for every parameter θ with ascent direction g (less l2·W for W),
//
//	m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²,   θ ← θ + lr·(m/c₁)/(√(v/c₂) + ε)
//
// with c₁ = 1−β₁ᵗ and c₂ = 1−β₂ᵗ, using the floating-point operations of regularise,
// adam.step and Grad.ApplyTo in their order, so either route gives the same bits. With
// centering offsets μ, λ (Melchior, Fischer & Wiskott 2016) it is center, regularise,
// adam.step, uncenterStep and ApplyTo: the step s_ij of W is taken on the centered direction
// g_ij − (μ_i g_c,j + g_b,i λ_j) − l2·W_ij, and the bias steps are corrected by
//
//	s_b,i −= Σ_j s_ij λ_j,   s_c,j −= Σ_i s_ij μ_i
//
// each sum running over its index in order as uncenterStep's do: the centered pass splits W
// into blocks of columns (every block walks all rows in order, so the Σ_i sums round as the
// general route's), keeps s_ij in the step buffer, and a second pass over blocks of rows
// forms the Σ_j sums. So the centered step has the general route's bits too, unlike the
// centered sgdStep, which sums over row blocks.
//
// The W pass runs on up to GOMAXPROCS goroutines (sgdApplyParts blocks; the partition
// changes the speed only, since every element's operations are its own), one row of a block
// at a time through numeric.AdamStep or AdamStep32 (AVX-512 on amd64, with the bits of Go),
// checks every new weight for NaN and ±Inf (numeric.NonFinite), reads the W gradient from
// gw32 on the float32 route and refreshes w32 with the new W rounded to float32. The
// gradient g is only read. An adamStep is reused from update to update.
type adamStep struct {
	m        *rbm.RBM
	o        *adam
	g, s     *rbm.Grad
	l2, lr   float64
	c1, c2   float64
	mu, lam  []float64 // centering offsets; nil in the ordinary parameterisation
	gw32     []float32 // W gradient in float32; when nil, g.W holds it
	w32      []float32 // float32 copy of W to refresh; nil if none
	rowsPass bool      // the second, centered pass: Σ_j s_ij λ_j per row
	params   numeric.AdamParams

	bad [sgdApplyParts]uint64 // per block: NonFinite of its new weights, ORed
}

// run takes the step on m with Adam state o, ascent direction g and step buffer s, centered
// when mu and lam are not nil, and reports whether every parameter is finite afterwards and
// whether m has parameters beyond W, b and c (then the caller constrains and validates it).
func (a *adamStep) run(m *rbm.RBM, o *adam, g, s *rbm.Grad, l2, lr float64, mu, lam []float64) (finite, further bool) {
	a.m, a.o, a.g, a.s, a.l2, a.lr, a.mu, a.lam = m, o, g, s, l2, lr, mu, lam
	a.c1, a.c2 = o.advance()
	a.params = numeric.AdamParams{L2: l2, LR: lr, Beta1: o.beta1, Beta2: o.beta2, C1: a.c1, C2: a.c2, Eps: o.eps}
	// The biases and further parameters: their Adam steps into s, as adam.step takes them.
	for side := range 2 {
		om, ov, gb, sb := o.m.Vis, o.v.Vis, g.Vis, s.Vis
		if side == 1 {
			om, ov, gb, sb = o.m.Hid, o.v.Hid, g.Hid, s.Hid
		}
		for k := range sb {
			o.stepSlice(sb[k], om[k], ov[k], gb[k], lr, a.c1, a.c2)
		}
		further = further || len(sb) > 1
	}
	n := m.NV()
	if mu != nil {
		n = (m.NH() + adamColumnUnit - 1) / adamColumnUnit
	}
	parts := min(sgdApplyParts, n)
	par.Do(parts, a)
	var bad uint64
	for p := range parts {
		bad |= a.bad[p]
	}
	if mu != nil {
		a.rowsPass = true
		par.Do(min(sgdApplyParts, m.NV()), a)
		a.rowsPass = false
	}
	// ApplyTo for the biases and further parameters.
	for side, l := range [2]rbm.Layer{m.Visible, m.Hidden} {
		sb := s.Vis
		if side == 1 {
			sb = s.Hid
		}
		for k, p := range l.Params() {
			sx := sb[k][:len(p.Data)]
			for i, x := range p.Data {
				x += sx[i]
				p.Data[i] = x
				bad |= numeric.NonFinite(x)
			}
		}
	}
	a.m, a.o, a.g, a.s, a.mu, a.lam = nil, nil, nil, nil, nil, nil
	return bad>>63 == 0, further
}

// Part takes block p of parts: rows of W in the ordinary parameterisation, columns when
// centered, and in the centered second pass rows again for the visible-bias correction.
func (a *adamStep) Part(p, parts int) {
	nv, nh := a.m.NV(), a.m.NH()
	switch {
	case a.rowsPass:
		sb := a.s.B()
		for r := p * nv / parts; r < (p+1)*nv/parts; r++ {
			row, lam := a.s.W.Data[r*nh:(r+1)*nh], a.lam[:nh]
			var dot float64
			for j, x := range row {
				dot += x * lam[j]
			}
			sb[r] -= dot
		}
	case a.mu != nil:
		units := (nh + adamColumnUnit - 1) / adamColumnUnit
		c0, c1 := min(nh, p*units/parts*adamColumnUnit), min(nh, (p+1)*units/parts*adamColumnUnit)
		a.bad[p] = a.block(0, nv, c0, c1)
	default:
		a.bad[p] = a.block(p*nv/parts, (p+1)*nv/parts, 0, nh)
	}
}

// adamColumnUnit is the granule of the centered pass's column blocks: the vector kernel of
// numeric.AdamStep takes 8 float64 at a time and leaves the rest to Go.
const adamColumnUnit = 8

// block steps W[r0:r1, c0:c1], row by row, and returns the NonFinite words of the new
// weights ORed. Each row is one call of numeric.AdamStep32 or numeric.AdamStep (AVX-512 on
// amd64, with the bits of Go); centered, the row's centered direction is formed first in
// the step buffer (centerRow), AdamStep overwrites it with the steps, and each step's
// s_rj μ_r is subtracted from the hidden-bias step in row order.
func (a *adamStep) block(r0, r1, c0, c1 int) uint64 {
	nh := a.m.NH()
	o, p := a.o, &a.params
	var bad uint64
	for r := r0; r < r1; r++ {
		lo, hi := r*nh+c0, r*nh+c1
		w, mw, vw := a.m.W.Data[lo:hi], o.m.W.Data[lo:hi], o.v.W.Data[lo:hi]
		var w32 []float32
		if a.w32 != nil {
			w32 = a.w32[lo:hi]
		}
		switch {
		case a.mu == nil && a.gw32 != nil:
			bad |= numeric.AdamStep32(w, mw, vw, a.gw32[lo:hi], w32, p)
		case a.mu == nil:
			bad |= numeric.AdamStep(w, mw, vw, a.g.W.Data[lo:hi], nil, w32, p)
		default:
			sw := a.s.W.Data[lo:hi]
			gc, lam := a.g.C()[c0:c1], a.lam[c0:c1]
			mui, gbi := a.mu[r], a.g.B()[r]
			if a.gw32 != nil {
				centerRow(sw, a.gw32[lo:hi], gc, lam, mui, gbi)
			} else {
				centerRow(sw, a.g.W.Data[lo:hi], gc, lam, mui, gbi)
			}
			bad |= numeric.AdamStep(w, mw, vw, sw, sw, w32, p)
			sc := a.s.C()[c0:c1]
			for j, st := range sw {
				sc[j] -= st * mui
			}
		}
	}
	return bad
}

// centerRow sets d_j = g_j − (mui·gc_j + gbi·λ_j): one row of the centered direction of
// Melchior et al. 2016 with the operations of Trainer.center.
func centerRow[G float32 | float64](d []float64, g []G, gc, lam []float64, mui, gbi float64) {
	g, gc, lam = g[:len(d)], gc[:len(d)], lam[:len(d)]
	for j := range d {
		d[j] = float64(g[j]) - (mui*gc[j] + gbi*lam[j])
	}
}
