package mcmc

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// This file is the test oracle: brute-force enumeration of the tempered joint
// p_β(v,h) ∝ exp(−β·E(v,h)) of a small binary RBM (nv + nh ≤ 12), written here so that the
// tests of mcmc do not depend on package exact.

// testModel returns an nv×nh Bernoulli RBM with W ~ N(0, 1) and b, c ~ N(0, 0.5²): strong
// enough couplings that a sampler that ignored them would be caught, weak enough that Gibbs
// sampling mixes within a few sweeps.
func testModel(nv, nh int, seed uint64) *rbm.RBM {
	r := rand.New(rand.NewPCG(seed, 99))
	m := rbm.New(nv, nh)
	m.InitNormal(1, r)
	for i := range m.B() {
		m.B()[i] = 0.5 * r.NormFloat64()
	}
	for j := range m.C() {
		m.C()[j] = 0.5 * r.NormFloat64()
	}
	return m
}

// joint is the exact tempered joint of a small binary RBM. State s ∈ [0, 2^(nv+nh)) has
// v_i = bit i of s and h_j = bit nv+j.
type joint struct {
	nv, nh int
	energy []float64 // E(v,h), untempered
	p      []float64 // p_β(v,h)
	cdf    []float64
}

func newJoint(m *rbm.RBM, beta float64) *joint {
	nv, nh := m.NV(), m.NH()
	if nv+nh > 12 {
		panic("joint: model too large to enumerate in a test")
	}
	j := &joint{nv: nv, nh: nh}
	ns := 1 << (nv + nh)
	j.energy, j.p, j.cdf = make([]float64, ns), make([]float64, ns), make([]float64, ns)
	logw := make([]float64, ns)
	v, h := make([]float64, nv), make([]float64, nh)
	maxw := math.Inf(-1)
	for s := range ns {
		j.unpack(s, v, h)
		j.energy[s] = m.Energy(v, h)
		logw[s] = -beta * j.energy[s]
		maxw = math.Max(maxw, logw[s])
	}
	var z float64
	for s := range ns {
		j.p[s] = math.Exp(logw[s] - maxw)
		z += j.p[s]
	}
	var acc float64
	for s := range ns {
		j.p[s] /= z
		acc += j.p[s]
		j.cdf[s] = acc
	}
	return j
}

func (j *joint) unpack(s int, v, h []float64) {
	for i := range v {
		v[i] = float64(s >> i & 1)
	}
	for k := range h {
		h[k] = float64(s >> (j.nv + k) & 1)
	}
}

// sample fills V and H with independent exact draws, by inverse CDF with one uniform each.
func (j *joint) sample(V, H *matrix.Dense, r *rand.Rand) {
	for i := range V.Rows {
		u := r.Float64() * j.cdf[len(j.cdf)-1]
		s := min(sort.SearchFloat64s(j.cdf, u), len(j.cdf)-1)
		j.unpack(s, V.Row(i), H.Row(i))
	}
}

// visibleMarginal returns p_β(v) over the 2^nv visible states.
func (j *joint) visibleMarginal() []float64 {
	pv := make([]float64, 1<<j.nv)
	for s, p := range j.p {
		pv[s&(1<<j.nv-1)] += p
	}
	return pv
}

// index returns the state number of a binary vector (bit i = x_i).
func index(x []float64) int {
	s := 0
	for i, xi := range x {
		if xi != 0 {
			s |= 1 << i
		}
	}
	return s
}

// visibleCounts and jointCounts histogram the chains' states.
func visibleCounts(c *Chains) []float64 {
	counts := make([]float64, 1<<c.V.Cols)
	for i := range c.Len() {
		counts[index(c.V.Row(i))]++
	}
	return counts
}

func jointCounts(c *Chains) []float64 {
	nv := c.V.Cols
	counts := make([]float64, 1<<(nv+c.H.Cols))
	for i := range c.Len() {
		counts[index(c.V.Row(i))|index(c.H.Row(i))<<nv]++
	}
	return counts
}

// tvDistance returns the total variation ½Σ|counts/n − p| between an empirical histogram
// and p.
func tvDistance(counts, p []float64) float64 {
	var n, tv float64
	for _, c := range counts {
		n += c
	}
	for s, c := range counts {
		tv += math.Abs(c/n - p[s])
	}
	return tv / 2
}

// tvFloor returns the Monte Carlo floor of the total variation of n independent draws from
// p, ½Σ√(p(1−p)/n): each term is the standard deviation of an empirical frequency, an
// upper bound on E|p̂ − p| by Jensen's inequality, so E[TV] ≤ floor.
func tvFloor(p []float64, n int) float64 {
	var s float64
	for _, q := range p {
		s += math.Sqrt(q * (1 - q) / float64(n))
	}
	return s / 2
}

// checkTV fails t unless the chains' visible and joint histograms are within 4 Monte Carlo
// floors of the exact tempered distribution.
func checkTV(t *testing.T, what string, c *Chains, j *joint) {
	t.Helper()
	pv := j.visibleMarginal()
	if tv, floor := tvDistance(visibleCounts(c), pv), tvFloor(pv, c.Len()); tv > 4*floor {
		t.Errorf("%s: TV(v) = %.4f > 4 × floor %.4f", what, tv, floor)
	}
	if tv, floor := tvDistance(jointCounts(c), j.p), tvFloor(j.p, c.Len()); tv > 4*floor {
		t.Errorf("%s: TV(v,h) = %.4f > 4 × floor %.4f", what, tv, floor)
	}
}

// The oracle's own identities: probabilities sum to 1, the exact sampler passes its own
// check, and p_0 is uniform.
func TestJointOracle(t *testing.T) {
	m := testModel(4, 3, 1)
	j := newJoint(m, 1)
	if s := j.cdf[len(j.cdf)-1]; math.Abs(s-1) > 1e-12 {
		t.Fatalf("Σ p = %v", s)
	}
	var sv float64
	for _, p := range j.visibleMarginal() {
		sv += p
	}
	if math.Abs(sv-1) > 1e-12 {
		t.Fatalf("Σ p(v) = %v", sv)
	}
	// p(v) from the enumeration equals exp(−F(v))/Z.
	pv := j.visibleMarginal()
	v := make([]float64, 4)
	logZ := math.Inf(-1)
	for s := range pv {
		j.unpack(s, v, nil)
		logZ = numeric.LogAddExp(logZ, -m.FreeEnergy(v))
	}
	for s := range pv {
		j.unpack(s, v, nil)
		if want := math.Exp(-m.FreeEnergy(v) - logZ); math.Abs(pv[s]-want) > 1e-12 {
			t.Errorf("p(v=%v) = %v, exp(−F)/Z = %v", v, pv[s], want)
		}
	}
	for _, p := range newJoint(m, 0).p {
		if math.Abs(p-1.0/128) > 1e-15 {
			t.Fatalf("p_0 = %v, want uniform 1/128", p)
		}
	}
	c := NewChains(m, 20000, 1)
	j.sample(c.V, c.H, rand.New(rand.NewPCG(5, 5)))
	checkTV(t, "exact draws", c, j)
}
