package train

import (
	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/rbm"
)

// sgdApplyParts is the number of row blocks the fused SGD step splits W into. It is fixed
// rather than derived from GOMAXPROCS because the centered step sums over the rows of a
// block and then over the blocks in order: a fixed partition keeps those sums, and so the
// parameters, the same bits whatever the number of CPUs. For a 784×500 model a block holds
// about 24,500 weights, some 25 µs of work, well above the few µs it costs to wake a helper
// goroutine (internal/par).
const sgdApplyParts = 16

// sgdStep is one step of SGD with momentum and L2 weight decay, taken in a single pass over
// the parameters, on up to GOMAXPROCS goroutines (one block of rows of W per part). In the
// ordinary parameterisation it is
//
//	u ← mom·u + lr·(g − l2·W),   θ ← θ + u      (for b and c without the l2 term)
//
// with the same floating-point operations, in the same order, as regularise, sgd.step and
// Grad.ApplyTo one after the other, so either route gives the same bits. With centering
// offsets μ, λ (Melchior, Fischer & Wiskott 2016) it is center, regularise, sgd.step,
// uncenterStep and ApplyTo in one pass:
//
//	g̃_ij = g_ij − (μ_i g_c,j + g_b,i λ_j) − l2·W_ij,   u_ij ← mom·u_ij + lr·g̃_ij,   W_ij += u_ij
//	b_i += u_b,i − Σ_j u_ij λ_j,   c_j += u_c,j − Σ_i u_ij μ_i
//
// W and b take the operations of the unfused route in its order; Σ_i u_ij μ_i is summed per
// block and then over blocks in order, which rounds differently from the unfused route's one
// running sum, so the centered step agrees with that route to rounding (about 1e-16
// relative per step), not bit for bit.
//
// Every new parameter is checked for NaN and ±Inf in the same pass (numeric.NonFinite), with no
// dependency carried from one element to the next. The gradient g is only read, so it is
// still the raw estimate afterwards. On the float32 route (update32) the W gradient is read
// from gw32 instead of g.W, and the pass also refreshes w32 with the new W rounded to
// float32. In the ordinary parameterisation each row of W is one call of numeric's
// MomentumStep32 or MomentumStep, AVX-512 or AVX2 on amd64 with the same bits as Go. An
// sgdStep is reused from update to update, so the pass allocates nothing in steady state.
type sgdStep struct {
	m           *rbm.RBM
	vel, g      *rbm.Grad
	l2, lr, mom float64
	mu, lam     []float64 // centering offsets; nil in the ordinary parameterisation
	gw32        []float32 // W gradient in float32; when nil, g.W holds it
	w32         []float32 // float32 copy of W to refresh; nil if none

	dc  [sgdApplyParts][]float64 // per block: Σ_i u_ij μ_i over its rows (centered only)
	bad [sgdApplyParts]uint64    // per block: NonFinite of its new parameters, ORed
}

// run takes the step on m with velocity vel and ascent direction g, centered when mu and
// lam are not nil, and reports whether every parameter is finite afterwards.
func (s *sgdStep) run(m *rbm.RBM, vel, g *rbm.Grad, l2, lr, mom float64, mu, lam []float64) bool {
	s.m, s.vel, s.g, s.l2, s.lr, s.mom, s.mu, s.lam = m, vel, g, l2, lr, mom, mu, lam
	nh := m.NH()
	parts := min(sgdApplyParts, m.NV())
	if mu != nil {
		for p := range parts {
			if cap(s.dc[p]) < nh {
				s.dc[p] = make([]float64, nh)
			}
			s.dc[p] = s.dc[p][:nh]
		}
	}
	par.Do(parts, s)
	var bad uint64
	for p := range parts {
		bad |= s.bad[p]
	}
	velC, gc := vel.C()[:nh], g.C()[:nh]
	mc := m.C()
	for j, x := range mc {
		u := mom*velC[j] + lr*gc[j]
		velC[j] = u
		if mu != nil {
			for p := range parts {
				u -= s.dc[p][j]
			}
		}
		x += u
		mc[j] = x
		bad |= numeric.NonFinite(x)
	}
	s.m, s.vel, s.g, s.mu, s.lam = nil, nil, nil, nil, nil
	return bad>>63 == 0
}

// Part updates rows [p·nv/parts, (p+1)·nv/parts) of W and the matching visible biases.
func (s *sgdStep) Part(p, parts int) {
	m := s.m
	nv, nh := m.NV(), m.NH()
	var bad uint64
	var dc []float64
	if s.mu != nil {
		dc = s.dc[p][:nh]
		clear(dc)
	}
	mb, vb, gb := m.B(), s.vel.B(), s.g.B()
	for r := p * nv / parts; r < (p+1)*nv/parts; r++ {
		ub := s.mom*vb[r] + s.lr*gb[r]
		vb[r] = ub
		var dot float64
		dot, bad = s.row(r, dc, bad)
		ub -= dot
		b := mb[r] + ub
		mb[r] = b
		bad |= numeric.NonFinite(b)
	}
	s.bad[p] = bad
}

// row updates row r of W and its velocity, and of w32 when that is not nil, and returns the
// row's share of the visible-bias correction (0 unless centered) and bad ORed with the
// NonFinite words of the new weights. In the ordinary parameterisation the row is one call of
// numeric.MomentumStep32 or numeric.MomentumStep (vectorised on amd64), which computes
//
//	u_j ← mom·u_j + lr·(g_j − l2·w_j)   (l2 = 0: mom·u_j + lr·g_j),   w_j += u_j
//
// with the operations of sgd.step after regularise, in their order, and refreshes the row of
// w32 in the same pass; centered, it is centeredRow, in Go. The kernels leave the decay term
// out when l2 = 0, as regularise does; l2 is never negative (Config.Validate).
func (s *sgdStep) row(r int, dc []float64, bad uint64) (float64, uint64) {
	nh := s.m.NH()
	w, u := s.m.W.Data[r*nh:(r+1)*nh], s.vel.W.Data[r*nh:(r+1)*nh]
	var w32 []float32
	if s.w32 != nil {
		w32 = s.w32[r*nh : (r+1)*nh]
	}
	var dot float64
	switch {
	case s.gw32 != nil && s.mu == nil:
		return 0, bad | numeric.MomentumStep32(w, u, s.gw32[r*nh:(r+1)*nh], w32, s.l2, s.lr, s.mom)
	case s.gw32 != nil:
		dot, bad = centeredRow(w, s.gw32[r*nh:(r+1)*nh], u, dc, s.g.C(), s.lam, s.mu[r], s.g.B()[r], s.l2, s.lr, s.mom, bad)
	case s.mu == nil:
		bad |= numeric.MomentumStep(w, u, s.g.W.Data[r*nh:(r+1)*nh], s.l2, s.lr, s.mom)
	default:
		dot, bad = centeredRow(w, s.g.W.Data[r*nh:(r+1)*nh], u, dc, s.g.C(), s.lam, s.mu[r], s.g.B()[r], s.l2, s.lr, s.mom, bad)
	}
	for j, x := range w[:len(w32)] {
		w32[j] = float32(x)
	}
	return dot, bad
}

// centeredRow is row i of the centered step: with gi = g_b,i and mui = μ_i,
//
//	u_j ← mom·u_j + lr·((g_j − (mui·gc_j + gi·λ_j)) − l2·w_j),   w_j += u_j,   dc_j += u_j·mui
//
// It returns Σ_j u_j λ_j (the row's share of the visible-bias correction) and bad ORed with
// NonFinite of every new w_j.
func centeredRow[G float32 | float64](w []float64, g []G, u, dc, gc, lam []float64, mui, gi, l2, lr, mom float64, bad uint64) (float64, uint64) {
	g, u, dc, gc, lam = g[:len(w)], u[:len(w)], dc[:len(w)], gc[:len(w)], lam[:len(w)]
	var dot float64
	for j, x := range w {
		d := (float64(g[j]) - (mui*gc[j] + gi*lam[j])) - l2*x
		v := mom*u[j] + lr*d
		u[j] = v
		dot += v * lam[j]
		dc[j] += v * mui
		x += v
		w[j] = x
		bad |= numeric.NonFinite(x)
	}
	return dot, bad
}
