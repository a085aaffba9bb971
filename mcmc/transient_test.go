package mcmc

import (
	"testing"
)

// kStepJoint returns the exact law of (V_i, H_i) of NewChains chains after k ≥ 1 sweeps at
// β: V starts uniform, and a sweep maps the law q of v to the joint
//
//	q′(v′,h) = Σ_v q(v)·p_β(h|v)·p_β(v′|h),
//
// with the conditionals read off the enumerated tempered joint. (The H drawn at start is
// overwritten by the first sweep, so it does not enter.)
func kStepJoint(j *joint, k int) []float64 {
	nv, nh := j.nv, j.nh
	pv := j.visibleMarginal()
	ph := make([]float64, 1<<nh)
	for s, p := range j.p {
		ph[s>>nv] += p
	}
	q := make([]float64, 1<<nv)
	for v := range q {
		q[v] = 1 / float64(len(q))
	}
	out := make([]float64, len(j.p))
	for step := range k {
		clear(out)
		for v, qv := range q {
			for h := range ph {
				phv := j.p[v|h<<nv] / pv[v] // p(h|v)
				for v2 := range q {
					out[v2|h<<nv] += qv * phv * j.p[v2|h<<nv] / ph[h] // p(v′|h)
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

// Chains started uniformly at random follow the exact k-step law of the Gibbs kernel, which
// differs from p_β for small k (TV 0.21 after one sweep at β = 1) and reaches it within
// 1e-6 by k = 20: this checks the transition kernel itself, which stationarity alone would
// not (a sweep that did nothing is stationary).
func TestGibbsTransient(t *testing.T) {
	m := testModel(4, 3, 1)
	const n = 20000
	for _, beta := range []float64{1, 0.4, 0} {
		j := newJoint(m, beta)
		for _, k := range []int{1, 2, 20} {
			want := kStepJoint(j, k)
			if k == 20 {
				if d := tvDistance(want, j.p); d > 1e-6 {
					t.Fatalf("β=%v: exact TV to p_β after 20 sweeps is %v; the model mixes too slowly for this test", beta, d)
				}
			}
			c := NewChains(m, n, 4, uint64(k))
			c.Sweep(m, beta, k)
			if tv, floor := tvDistance(jointCounts(c), want), tvFloor(want, n); tv > 4*floor {
				t.Errorf("β=%v, %d sweeps from uniform: TV(v,h) to the exact %d-step law = %.4f > 4 × floor %.4f", beta, k, k, tv, floor)
			}
		}
	}
}
