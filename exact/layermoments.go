package exact

import (
	"math"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// stateStats reports whether both layers have the bias as their only parameter, with the
// state as its statistic, and couple through the state: then the moments are ⟨v hᵀ⟩, ⟨v⟩
// and ⟨h⟩ and momentsRange's fused sums apply.
func (v *view) stateStats() bool {
	for _, l := range []rbm.Layer{v.le, v.ls} {
		_, coupling := l.(rbm.Coupling)
		_, conditional := l.(rbm.ConditionalStats)
		if coupling || conditional || len(l.Params()) != 1 {
			return false
		}
	}
	return true
}

// layerSums are the sums over a range of enumerated states e, weighted by p(e), of the W
// statistic t(v) hᵀ (in the enumeration's orientation, summed layer × enumerated layer) and of
// every layer parameter's statistic: the enumerated layer's at e, the summed layer's as its
// conditional expectation given e.
type layerSums struct {
	w      float64
	se     *matrix.Dense
	le, ls [][]float64
}

// layerMoments is ModelMoments for any unit types: the sums of layerRange over the fixed
// ranges of states, merged in order, normalised and returned in the model's orientation.
func (v *view) layerMoments(m *rbm.RBM, logZ float64, opts *Options) *rbm.Grad {
	n := numRanges(v.states)
	parts := make([]*layerSums, n)
	parallelReport(n, func(r int) {
		lo, hi := split(v.states, n, r)
		parts[r] = v.layerRange(lo, hi, logZ)
	}, opts.progress())
	total := parts[0]
	for _, p := range parts[1:] {
		total.add(p)
	}
	g := rbm.GradLike(m)
	vis, hid := total.ls, total.le
	if !v.hidden {
		vis, hid = total.le, total.ls
	}
	for k := range g.Vis {
		copy(g.Vis[k], vis[k])
	}
	for k := range g.Hid {
		copy(g.Hid[k], hid[k])
	}
	if v.hidden { // se is ⟨t(v) hᵀ⟩ already
		copy(g.W.Data, total.se.Data)
	} else { // se is ⟨h t(v)ᵀ⟩
		for i := 0; i < v.ns; i++ {
			for j, x := range total.se.Row(i) {
				g.W.Data[j*v.ns+i] = x
			}
		}
	}
	g.Scale(1 / total.w)
	return g
}

func zeros(l rbm.Layer) [][]float64 {
	ps := l.Params()
	out := make([][]float64, len(ps))
	for k, p := range ps {
		out[k] = make([]float64, len(p.Data))
	}
	return out
}

func (v *view) layerRange(lo, hi uint64, logZ float64) *layerSums {
	acc := &layerSums{se: matrix.NewDense(v.ns, v.ne), le: zeros(v.le), ls: zeros(v.ls)}
	tmpE, tmpS := zeros(v.le), zeros(v.ls)
	means := matrix.NewDense(blockSize, v.ns)
	we := matrix.NewDense(blockSize, v.ne)
	y := matrix.NewDense(1, v.ns)
	cs, conditional := v.ls.(rbm.ConditionalStats)
	cp, summedCoupling := v.ls.(rbm.Coupling)
	if v.hidden == false {
		summedCoupling = false // the summed layer is hidden; only visible layers couple
	}
	v.blocks(lo, hi, false, func(b *block) {
		n := b.e.Rows
		mb, wb := means.Slice(0, n), we.Slice(0, n)
		v.ls.Means(mb.Data, b.x.Data)
		for r := 0; r < n; r++ {
			w := math.Exp(b.negF[r] - logZ)
			acc.w += w
			er, xr, mr := b.e.Slice(r, r+1), b.x.Slice(r, r+1), mb.Slice(r, r+1)
			v.le.Stats(tmpE, er)
			if conditional {
				cs.MeanStats(tmpS, xr)
			} else {
				v.ls.Stats(tmpS, mr)
			}
			if summedCoupling {
				// The summed visible layer's input is b + Wh, so Wh = x − b.
				for i, x := range xr.Data {
					y.Data[i] = x - v.bs[i]
				}
				cp.CouplingStats(tmpS, mr, y)
			}
			addScaled(acc.le, tmpE, w)
			addScaled(acc.ls, tmpS, w)
			for j, x := range er.Data {
				wb.Row(r)[j] = w * x
			}
		}
		if summedCoupling {
			cp.Couple(mb.Data, mb.Data)
		}
		// se += t(E[s|e])ᵀ · diag(w) · e over the block's rows.
		linalg.Gemm(true, false, v.ns, v.ne, n, 1, mb.Data, v.ns, wb.Data, v.ne, 1, acc.se.Data, v.ne)
	})
	return acc
}

func addScaled(dst, src [][]float64, w float64) {
	for k := range dst {
		for i, x := range src[k] {
			dst[k][i] += w * x
		}
	}
}

func (acc *layerSums) add(o *layerSums) {
	acc.w += o.w
	for i, x := range o.se.Data {
		acc.se.Data[i] += x
	}
	addScaled(acc.le, o.le, 1)
	addScaled(acc.ls, o.ls, 1)
}
