package oracle

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/rbm"
)

// MaxJointTable is the most visible plus hidden units NewJoint tabulates (2^16 states).
const MaxJointTable = 16

// Joint is the tempered joint distribution of a small binary RBM, tabulated over every state:
//
//	p_β(v,h) = exp(−β·E(v,h)) / Z(β),   E(v,h) = −bᵀv − cᵀh − vᵀWh,
//
// the law parallel tempering keeps at inverse temperature β (β = 1 is the model, β = 0 the
// uniform law). State s ∈ [0, 2^(nv+nh)) has v_i = bit i of s and h_j = bit nv+j of s
// (JointIndex), so s & (2^nv − 1) is v's state number and s >> nv is h's.
type Joint struct {
	NV, NH int
	Beta   float64
	Energy []float64 // E(v,h) of each state, untempered, from the definition
	P      []float64 // p_β(v,h) of each state
	cdf    []float64 // running sums of P, for Sample
}

// NewJoint tabulates p_β(v,h) of m. Cost O(2^(nv+nh)·nv·nh). It panics if nv + nh >
// MaxJointTable.
func NewJoint(m *rbm.RBM, beta float64) *Joint {
	nv, nh := m.NV(), m.NH()
	mustFit("NewJoint: visible plus hidden units", nv+nh, MaxJointTable)
	ns := 1 << (nv + nh)
	j := &Joint{NV: nv, NH: nh, Beta: beta,
		Energy: make([]float64, ns), P: make([]float64, ns), cdf: make([]float64, ns)}
	logw := make([]float64, ns)
	top := math.Inf(-1)
	for s := range ns {
		j.Energy[s] = -negEnergy(m, s&(1<<nv-1), s>>nv)
		logw[s] = -beta * j.Energy[s]
		top = math.Max(top, logw[s])
	}
	var z float64
	for s := range ns {
		j.P[s] = math.Exp(logw[s] - top)
		z += j.P[s]
	}
	var acc float64
	for s := range ns {
		j.P[s] /= z
		acc += j.P[s]
		j.cdf[s] = acc
	}
	return j
}

// Unpack sets v and h to the units of state s. Either may be nil.
func (j *Joint) Unpack(s int, v, h []float64) {
	for i := range v {
		v[i] = float64(s >> i & 1)
	}
	for k := range h {
		h[k] = float64(s >> (j.NV + k) & 1)
	}
}

// Sample fills the rows of v and h with independent exact draws of p_β, by inverting the
// cumulative distribution with one r.Float64() per row.
func (j *Joint) Sample(v, h *linalg.Dense, r *rand.Rand) {
	for i := range v.Rows {
		j.Unpack(invertCDF(j.cdf, r), v.Row(i), h.Row(i))
	}
}

// VisibleMarginal returns p_β(v) = Σ_h p_β(v,h) over the 2^nv visible states.
func (j *Joint) VisibleMarginal() []float64 {
	pv := make([]float64, 1<<j.NV)
	for s, p := range j.P {
		pv[s&(1<<j.NV-1)] += p
	}
	return pv
}

// HiddenMarginal returns p_β(h) = Σ_v p_β(v,h) over the 2^nh hidden states.
func (j *Joint) HiddenMarginal() []float64 {
	ph := make([]float64, 1<<j.NH)
	for s, p := range j.P {
		ph[s>>j.NV] += p
	}
	return ph
}

// invertCDF returns the first state whose running sum exceeds u = r.Float64()·total, the
// last state if none does (rounding).
func invertCDF(cdf []float64, r *rand.Rand) int {
	u := r.Float64() * cdf[len(cdf)-1]
	return sort.Search(len(cdf)-1, func(s int) bool { return cdf[s] > u })
}

// negEnergy returns −E(v,h) = bᵀv + cᵀh + vᵀWh for the visible state s and hidden state t.
func negEnergy(m *rbm.RBM, s, t int) float64 {
	nv, nh := m.NV(), m.NH()
	var negE float64
	for i := range nv {
		if s>>i&1 == 1 {
			negE += m.B()[i]
		}
	}
	for j := range nh {
		if t>>j&1 == 0 {
			continue
		}
		negE += m.C()[j]
		for i := range nv {
			if s>>i&1 == 1 {
				negE += m.W.At(i, j)
			}
		}
	}
	return negE
}

// Index returns the state number of a binary vector: bit i is set when x_i ≠ 0.
func Index(x []float64) int {
	s := 0
	for i, xi := range x {
		if xi != 0 {
			s |= 1 << i
		}
	}
	return s
}

// JointIndex returns the state number of the pair (v, h) in a Joint's numbering.
func JointIndex(v, h []float64) int { return Index(v) | Index(h)<<len(v) }

// Histogram counts the rows of x by state number (Index): 2^cols counts.
func Histogram(x *linalg.Dense) []float64 {
	counts := make([]float64, 1<<x.Cols)
	for r := range x.Rows {
		counts[Index(x.Row(r))]++
	}
	return counts
}

// JointHistogram counts the row pairs (v_r, h_r) of v and h by JointIndex: 2^(nv+nh) counts.
func JointHistogram(v, h *linalg.Dense) []float64 {
	counts := make([]float64, 1<<(v.Cols+h.Cols))
	for r := range v.Rows {
		counts[JointIndex(v.Row(r), h.Row(r))]++
	}
	return counts
}

// TV returns the total variation distance ½Σ_s |counts_s/n − p_s| between the empirical
// law of a histogram (n its total) and p.
func TV(counts, p []float64) float64 {
	var n, tv float64
	for _, c := range counts {
		n += c
	}
	for s, c := range counts {
		tv += math.Abs(c/n - p[s])
	}
	return tv / 2
}

// TVFloor returns the Monte Carlo floor of the total variation of n independent draws from
// p, ½Σ√(p(1−p)/n): each term is the standard deviation of an empirical frequency, an upper
// bound on E|p̂ − p| by Jensen's inequality, so E[TV] ≤ floor.
func TVFloor(p []float64, n int) float64 {
	var s float64
	for _, q := range p {
		s += math.Sqrt(q * (1 - q) / float64(n))
	}
	return s / 2
}

// SwapAcceptance returns the expected acceptance rate of a replica-exchange proposal between
// independent x ~ p_βa and y ~ p_βb of two tempered joints of one model,
//
//	E[min(1, exp((β_a − β_b)(E(x) − E(y))))],
//
// by the double sum over both tables. Cost O(4^(nv+nh)).
func SwapAcceptance(a, b *Joint) float64 {
	var s float64
	for x, px := range a.P {
		for y, py := range b.P {
			s += px * py * math.Min(1, math.Exp((a.Beta-b.Beta)*(a.Energy[x]-b.Energy[y])))
		}
	}
	return s
}

// GibbsLaw returns the exact law of (v, h), in the table's numbering, after k ≥ 1 block Gibbs
// sweeps at β (h ~ p_β(h|v), then v ~ p_β(v|h)) started from a uniform v, as mcmc's chains
// start. A sweep maps the law q of v to the joint
//
//	q′(v′,h) = Σ_v q(v)·p_β(h|v)·p_β(v′|h),
//
// with the conditionals read off the enumerated tempered joint. (An h drawn at the start is
// overwritten by the first sweep, so it does not enter.) Cost O(k·2^(2nv+nh)).
func (j *Joint) GibbsLaw(k int) []float64 {
	nv := j.NV
	pv := j.VisibleMarginal()
	ph := j.HiddenMarginal()
	q := make([]float64, 1<<nv)
	for v := range q {
		q[v] = 1 / float64(len(q))
	}
	out := make([]float64, len(j.P))
	for step := range k {
		clear(out)
		for v, qv := range q {
			for h := range ph {
				phv := j.P[v|h<<nv] / pv[v] // p(h|v)
				for v2 := range q {
					out[v2|h<<nv] += qv * phv * j.P[v2|h<<nv] / ph[h] // p(v′|h)
				}
			}
		}
		if step < k-1 {
			clear(q)
			for s, p := range out {
				q[s&(1<<nv-1)] += p
			}
		}
	}
	return out
}
