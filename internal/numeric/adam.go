package numeric

import "math"

// AdamParams are the scalars of one Adam step (Kingma & Ba 2015): the L2 weight decay, the
// learning rate, the moment decay rates β₁ and β₂, the bias corrections C1 = 1−β₁ᵗ and
// C2 = 1−β₂ᵗ of step t, and ε.
type AdamParams struct {
	L2, LR, Beta1, Beta2, C1, C2, Eps float64
}

// AdamStep takes one Adam step of gradient ascent with L2 weight decay over the elements of
// a parameter slice w, with first and second moments m and v and ascent direction g: for
// every j, with x = w_j,
//
//	d = g_j − l2·x   (l2 = 0: d = g_j)
//	m_j = β₁·m_j + (1−β₁)·d,   v_j = β₂·v_j + ((1−β₂)·d)·d
//	s = (lr·(m_j/C1)) / (√(v_j/C2) + ε),   w_j = x + s,   w32_j = float32(w_j)   (w32 not nil)
//
// each operation rounded on its own, in the order written (no fused multiply-add; division
// and square root are correctly rounded in every kernel), so the results are the bits of the
// same expressions in Go. When s is not nil it also sets s_j to the step s, after reading
// g_j, so s may be g itself. It returns the OR of the NonFinite words of the new w_j, as
// MomentumStep does.
//
// On amd64 with AVX-512 the longest prefix of whole vectors of 8 runs in assembly and the
// rest in Go; elsewhere, or with the purego build tag, all of it is Go. The kernels agree
// bit for bit but for the payload of a NaN, as MomentumStep's. Cost O(len(w)), two divisions
// and a square root per element. It allocates nothing and is safe for concurrent use on
// disjoint slices.
//
// w, m, v, g and w32 must not overlap, nor s any of them but g. It panics if m, v, g or a
// non-nil s or w32 is not as long as w.
func AdamStep(w, m, v, g, s []float64, w32 []float32, p *AdamParams) uint64 {
	if len(m) != len(w) || len(v) != len(w) || len(g) != len(w) || s != nil && len(s) != len(w) || w32 != nil && len(w32) != len(w) {
		panic("boltz/numeric: AdamStep length mismatch")
	}
	return adamUse.step64(w, m, v, g, s, w32, p)
}

// AdamStep32 is AdamStep with a float32 ascent direction g (converted exactly to float64)
// and no step output.
func AdamStep32(w, m, v []float64, g, w32 []float32, p *AdamParams) uint64 {
	if len(m) != len(w) || len(v) != len(w) || len(g) != len(w) || w32 != nil && len(w32) != len(w) {
		panic("boltz/numeric: AdamStep32 length mismatch")
	}
	return adamUse.step32(w, m, v, g, nil, w32, p)
}

// adamKernel is one implementation of AdamStep and AdamStep32, on slices whose lengths the
// exported functions have checked.
type adamKernel struct {
	name   string
	step64 func(w, m, v, g, s []float64, w32 []float32, p *AdamParams) uint64
	step32 func(w, m, v []float64, g []float32, s []float64, w32 []float32, p *AdamParams) uint64
}

// adamGo is the portable kernel, and the reference the vector kernel matches bit for bit.
var adamGo = &adamKernel{name: "go", step64: adamStepGo[float64], step32: adamStepGo[float32]}

// adamUse is the kernel AdamStep and AdamStep32 run: the fastest this CPU has.
var adamUse = adamBest()

// adamStepGo is AdamStep in Go, for either type of g.
func adamStepGo[G float32 | float64](w, m, v []float64, g []G, s []float64, w32 []float32, p *AdamParams) uint64 {
	n := len(w)
	m, v, g = m[:n], v[:n], g[:n]
	l2, lr, b1, b2, c1, c2, eps := p.L2, p.LR, p.Beta1, p.Beta2, p.C1, p.C2, p.Eps
	omb1, omb2 := 1-b1, 1-b2
	var bad uint64
	for j, x := range w {
		d := float64(g[j])
		if l2 != 0 {
			d -= l2 * x
		}
		mj := b1*m[j] + omb1*d
		vj := b2*v[j] + omb2*d*d
		m[j], v[j] = mj, vj
		st := lr * (mj / c1) / (math.Sqrt(vj/c2) + eps)
		if s != nil {
			s[j] = st
		}
		x += st
		w[j] = x
		bad |= NonFinite(x)
	}
	if w32 != nil {
		w32 = w32[:n]
		for j, x := range w {
			w32[j] = float32(x)
		}
	}
	return bad
}
