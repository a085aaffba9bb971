package exact

import (
	"math"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// ModelMoments returns the moments of the model's joint distribution that make up the
// negative phase of the log-likelihood gradient: ⟨v hᵀ⟩ in W, ⟨v⟩ in B and ⟨h⟩ in C. When it
// enumerates h (the smaller layer, or as opts.Enumerate says), v is summed analytically:
//
//	p(h) = exp(−F(h) − log Z),
//	⟨v hᵀ⟩ = Σ_h p(h) E[v|h] hᵀ,   ⟨v⟩ = Σ_h p(h) E[v|h],   ⟨h⟩ = Σ_h p(h) h,
//
// and symmetrically, with p(v) and E[h|v], when it enumerates v (Fischer & Igel 2014, §4).
// For layers with further parameters, statistics that are not the state or a visible
// Coupling, the moments of every parameter's statistic are summed the same way, the summed
// layer's through its conditional expectations (rbm.ConditionalStats) given each state
// (layerMoments).
// The weights are normalised by their computed sum, so they sum to 1 exactly as far as
// float64 allows.
//
// Cost: LogZ's plus O(2^n_e·nv·nh) for n_e enumerated units (a matrix product per block of
// 256 states). Errors as LogZ. It runs on up to GOMAXPROCS goroutines over fixed ranges of
// states merged in order, so the result does not depend on GOMAXPROCS. It is safe for
// concurrent use.
func ModelMoments(m *rbm.RBM, opts *Options) (*rbm.Grad, error) {
	v, err := newView(m, opts)
	if err != nil {
		return nil, err
	}
	if err := budgetRun(m, v, opts, "moments", func(sub *rbm.RBM, o *Options) { ModelMoments(sub, o) }); err != nil {
		return nil, err
	}
	logZ, err := LogZ(m, untimed(opts))
	if err != nil {
		return nil, err
	}
	if !v.stateStats() {
		return v.layerMoments(m, logZ, opts), nil
	}
	n := numRanges(v.states)
	parts := make([]*moments, n)
	parallelReport(n, func(r int) {
		lo, hi := split(v.states, n, r)
		parts[r] = v.momentsRange(lo, hi, logZ)
	}, opts.progress())
	total := parts[0]
	for _, p := range parts[1:] {
		total.add(p)
	}
	return total.grad(v), nil
}

// moments are the unnormalised sums Σ w, Σ w·E[s|e] eᵀ, Σ w·E[s|e] and Σ w·e over a range of
// enumerated states e with weights w = p(e).
type moments struct {
	w  float64
	se *matrix.Dense // ns×ne
	s  []float64
	e  []float64
}

func (v *view) momentsRange(lo, hi uint64, logZ float64) *moments {
	mo := &moments{se: matrix.NewDense(v.ns, v.ne), s: make([]float64, v.ns), e: make([]float64, v.ne)}
	we := matrix.NewDense(blockSize, v.ne)
	v.blocks(lo, hi, true, func(b *block) {
		n := b.e.Rows
		wb := we.Slice(0, n)
		for r := 0; r < n; r++ {
			w := math.Exp(b.negF[r] - logZ)
			mo.w += w
			er, wr := b.e.Row(r), wb.Row(r)
			for j, x := range er {
				wr[j] = w * x
				mo.e[j] += w * x
			}
			for i, x := range b.x.Row(r) {
				mo.s[i] += w * x
			}
		}
		// se += E[s|e]ᵀ · diag(w) · e over the block's rows.
		linalg.MulTN(mo.se, 1, b.x, wb, 1)
	})
	return mo
}

func (mo *moments) add(o *moments) {
	mo.w += o.w
	for i, x := range o.se.Data {
		mo.se.Data[i] += x
	}
	for i, x := range o.s {
		mo.s[i] += x
	}
	for i, x := range o.e {
		mo.e[i] += x
	}
}

// grad normalises the sums and returns them as a Grad in the model's orientation.
func (mo *moments) grad(v *view) *rbm.Grad {
	inv := 1 / mo.w
	var g *rbm.Grad
	if v.hidden { // e = h, s = v: se is ⟨v hᵀ⟩ already
		g = rbm.NewGrad(v.ns, v.ne)
		copy(g.W.Data, mo.se.Data)
		copy(g.B(), mo.s)
		copy(g.C(), mo.e)
	} else { // e = v, s = h: se is ⟨h vᵀ⟩
		g = rbm.NewGrad(v.ne, v.ns)
		for i := 0; i < v.ns; i++ {
			for j, x := range mo.se.Row(i) {
				g.W.Data[j*v.ns+i] = x
			}
		}
		copy(g.B(), mo.e)
		copy(g.C(), mo.s)
	}
	g.Scale(inv)
	return g
}

// DataMoments returns the positive phase of the log-likelihood gradient over the rows of x
// (rbm.RBM.Statistics):
//
//	⟨v E[h|v]ᵀ⟩_X in W,   ⟨v⟩_X in B,   ⟨E[h|v]⟩_X in C,
//
// means over the rows, a repeated row counted as often as it occurs. These are the means of
// −∂F(v)/∂θ, since −F(v) = −E_vis(v; b) + A_hid(c + Wᵀv) and A′ = E[h|·]. Cost: two matrix
// products, O(N·nv·nh). It panics if x does not have nv columns or has no rows.
func DataMoments(m *rbm.RBM, x *matrix.Dense) *rbm.Grad {
	checkData("DataMoments", m, x)
	if x.Rows == 0 {
		panic("boltz/exact: DataMoments: no rows")
	}
	g := rbm.GradLike(m)
	m.Statistics(g, x, nil)
	return g
}

// Gradient returns the exact gradient of the mean log-likelihood over the rows of x,
//
//	∂⟨log p(v)⟩_X/∂θ = ⟨−∂F(v)/∂θ⟩_X − ⟨−∂F(v)/∂θ⟩_p,
//	∂/∂W = ⟨v E[h|v]ᵀ⟩_X − ⟨v hᵀ⟩_p,  ∂/∂b = ⟨v⟩_X − ⟨v⟩_p,  ∂/∂c = ⟨E[h|v]⟩_X − ⟨h⟩_p,
//
// that is DataMoments − ModelMoments: the direction of steepest ascent of the log-likelihood,
// and of steepest descent of KL(P_data ‖ p). Cost, errors and concurrency as ModelMoments;
// panics as DataMoments.
func Gradient(m *rbm.RBM, x *matrix.Dense, opts *Options) (*rbm.Grad, error) {
	pos := DataMoments(m, x)
	neg, err := ModelMoments(m, opts)
	if err != nil {
		return nil, err
	}
	pos.AddScaled(-1, neg)
	return pos, nil
}
