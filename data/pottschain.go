package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
)

// Limits, defaults and coupling scales of PottsChain and of the potts-chain spec.
const (
	MinPottsStates, MaxPottsStates = 2, 21 // 21: the 20 amino acids and a gap, as in protein models
	maxPottsSites                  = 10000
	DefaultPottsRows               = 10000
	DefaultPottsSeed               = 1
	// PottsFieldScale and PottsCouplingScale are the standard deviations of the Gaussian
	// fields h_i(a) and couplings J_i(a,b). With both 1, a site's conditional distribution
	// given its neighbours ranges over a factor of e^±(a few) between states: far from
	// uniform, yet every state keeps a probability a model can learn from 10⁴ rows. The
	// entropy comes out between about 35 % and 75 % of the uniform N·ln Q (0.59 for
	// potts-chain:3:5, 0.72 for potts-chain:21:50, with SEED 1).
	PottsFieldScale    = 1.0
	PottsCouplingScale = 1.0
	streamPottsParams  = 0x9077
	streamPottsRows    = 0x9078
)

// PottsChain is a chain of N sites, each in one of Q states, with the exactly tractable
// distribution
//
//	p(x) = exp(Σ_{i=1}^{N} h_i(x_i) + Σ_{i=1}^{N−1} J_i(x_i, x_{i+1})) / Z,   x_i ∈ {0, …, Q−1}
//
// Its log Z, marginals, entropy and exact samples come from the transfer-matrix (forward and
// backward message) recursions in O(N·Q²), computed once by NewPottsChain: H and J are
// exported to be read, and changing them leaves the chain inconsistent. A PottsChain is safe
// for concurrent use.
type PottsChain struct {
	Q, N int
	H    [][]float64 // H[i][a] = h_i(a): N rows of Q
	J    [][]float64 // J[i][a*Q+b] = J_i(a, b): N−1 rows of Q²
	// back[i][a] = log Σ over x_{i+1..N−1} of exp(the terms after x_i = a), so that
	// p(x_{i+1} = b | x_i = a) = exp(J_i(a,b) + h_{i+1}(b) + back[i+1][b] − back[i][a]).
	back [][]float64
	logZ float64
}

// NewPottsChain returns the chain with Q states and N sites whose fields and couplings are
// drawn from rng.New(seed, streamPottsParams, Q, N): h_i(a) ~ N(0, PottsFieldScale²) and
// J_i(a,b) ~ N(0, PottsCouplingScale²), independently. It panics if Q is outside 2..21 or
// N outside 1..10000. Cost O(N·Q²).
func NewPottsChain(q, n int, seed uint64) *PottsChain {
	if q < MinPottsStates || q > MaxPottsStates || n < 1 || n > maxPottsSites {
		panic(fmt.Sprintf("boltz/data: NewPottsChain(%d, %d): want Q in %d..%d and N in 1..%d",
			q, n, MinPottsStates, MaxPottsStates, maxPottsSites))
	}
	r := rng.New(seed, streamPottsParams, uint64(q), uint64(n))
	c := &PottsChain{Q: q, N: n, H: make([][]float64, n), J: make([][]float64, n-1)}
	for i := range c.H {
		c.H[i] = gaussians(r, q, PottsFieldScale)
	}
	for i := range c.J {
		c.J[i] = gaussians(r, q*q, PottsCouplingScale)
	}
	c.computeMessages()
	return c
}

func gaussians(r *rand.Rand, n int, scale float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = scale * r.NormFloat64()
	}
	return x
}

// computeMessages fills back and logZ from H and J, from the last site down.
func (c *PottsChain) computeMessages() {
	q := c.Q
	c.back = make([][]float64, c.N)
	c.back[c.N-1] = make([]float64, q)
	terms := make([]float64, q)
	for i := c.N - 2; i >= 0; i-- {
		c.back[i] = make([]float64, q)
		for a := range q {
			for b := range q {
				terms[b] = c.J[i][a*q+b] + c.H[i+1][b] + c.back[i+1][b]
			}
			c.back[i][a] = logSumExp(terms)
		}
	}
	for a := range q {
		terms[a] = c.H[0][a] + c.back[0][a]
	}
	c.logZ = logSumExp(terms)
}

// logSumExp returns log Σ exp(x_i) without overflow.
func logSumExp(x []float64) float64 {
	top := math.Inf(-1)
	for _, v := range x {
		top = math.Max(top, v)
	}
	sum := 0.0
	for _, v := range x {
		sum += math.Exp(v - top)
	}
	return top + math.Log(sum)
}

// LogZ returns log Z, the log normaliser of the chain.
func (c *PottsChain) LogZ() float64 { return c.logZ }

// score returns Σ h_i(x_i) + Σ J_i(x_i, x_{i+1}) for states given as ints.
func (c *PottsChain) score(state func(i int) int) float64 {
	s := 0.0
	for i := range c.N {
		s += c.H[i][state(i)]
		if i+1 < c.N {
			s += c.J[i][state(i)*c.Q+state(i+1)]
		}
	}
	return s
}

// LogProb returns the exact log-probability of the row x, one value in {0, …, Q−1} per site
// (stored as float64, as PottsChainData writes it):
//
//	log p(x) = Σ h_i(x_i) + Σ J_i(x_i, x_{i+1}) − log Z
//
// It panics if len(x) ≠ N or a value is not an integer in 0..Q−1. Cost O(N).
func (c *PottsChain) LogProb(x []float64) float64 {
	if len(x) != c.N {
		panic(fmt.Sprintf("boltz/data: PottsChain.LogProb: %d values for %d sites", len(x), c.N))
	}
	for i, v := range x {
		if v != math.Trunc(v) || v < 0 || v >= float64(c.Q) {
			panic(fmt.Sprintf("boltz/data: PottsChain.LogProb: site %d has value %v, want an integer in 0..%d", i, v, c.Q-1))
		}
	}
	return c.score(func(i int) int { return int(x[i]) }) - c.logZ
}

// conditional writes p(x_{i+1} = · | x_i = a) into dst (for i = −1: p(x_0 = ·)).
func (c *PottsChain) conditional(dst []float64, i, a int) {
	q := c.Q
	for b := range q {
		v := c.H[i+1][b] + c.back[i+1][b]
		if i < 0 {
			v -= c.logZ
		} else {
			v += c.J[i][a*q+b] - c.back[i][a]
		}
		dst[b] = math.Exp(v)
	}
}

// Marginals returns the exact single-site marginals, p[i][a] = p(x_i = a), by propagating
// p(x_0) forward through the conditionals p(x_{i+1} | x_i). Cost O(N·Q²).
func (c *PottsChain) Marginals() [][]float64 {
	q := c.Q
	p := make([][]float64, c.N)
	p[0] = make([]float64, q)
	c.conditional(p[0], -1, 0)
	cond := make([]float64, q)
	for i := 0; i+1 < c.N; i++ {
		p[i+1] = make([]float64, q)
		for a := range q {
			c.conditional(cond, i, a)
			for b := range q {
				p[i+1][b] += p[i][a] * cond[b]
			}
		}
	}
	return p
}

// Entropy returns the exact entropy of the chain in nats per sequence, by the chain rule of a
// Markov chain,
//
//	H = H(X_0) + Σ_{i=0}^{N−2} Σ_a p(x_i = a) H(X_{i+1} | X_i = a)
//
// with the marginals and conditionals of the transfer-matrix recursion (no sampling).
// Cost O(N·Q²).
func (c *PottsChain) Entropy() float64 {
	q := c.Q
	marg := c.Marginals()
	cond := make([]float64, q)
	c.conditional(cond, -1, 0)
	h := entropyOf(cond)
	for i := 0; i+1 < c.N; i++ {
		for a := range q {
			c.conditional(cond, i, a)
			h += marg[i][a] * entropyOf(cond)
		}
	}
	return h
}

// entropyOf returns −Σ p log p of a distribution (0 log 0 = 0).
func entropyOf(p []float64) float64 {
	h := 0.0
	for _, v := range p {
		if v > 0 {
			h -= v * math.Log(v)
		}
	}
	return h
}

// Sample writes one exact draw of the chain into dst (allocating it when nil) and returns
// it: x_0 from p(x_0), then each x_{i+1} from p(x_{i+1} | x_i), values 0…Q−1 as float64.
// It uses r and panics if dst is not nil and len(dst) ≠ N. Cost O(N·Q).
func (c *PottsChain) Sample(dst []float64, r *rand.Rand) []float64 {
	if dst == nil {
		dst = make([]float64, c.N)
	}
	if len(dst) != c.N {
		panic(fmt.Sprintf("boltz/data: PottsChain.Sample: dst has %d values for %d sites", len(dst), c.N))
	}
	cond := make([]float64, c.Q)
	prev := 0
	for i := -1; i+1 < c.N; i++ {
		c.conditional(cond, i, prev)
		prev = drawCategory(cond, r)
		dst[i+1] = float64(prev)
	}
	return dst
}

// drawCategory draws an index with probabilities p (summing to 1 up to rounding).
func drawCategory(p []float64, r *rand.Rand) int {
	u := r.Float64()
	for k, v := range p {
		u -= v
		if u < 0 {
			return k
		}
	}
	return len(p) - 1 // rounding left u ≥ 0: the last state
}

// PottsChainData returns rows exact, independent draws of NewPottsChain(q, n, seed), from the
// stream rng.New(seed, streamPottsRows, q, n): one row per draw, one column per site, values
// 0…Q−1 as float64. The first rows do not depend on rows. Labels is nil and Shape zero.
// It panics as NewPottsChain does, or if rows < 1. Cost O(N·Q² + rows·N·Q).
func PottsChainData(q, n, rows int, seed uint64) *Dataset {
	return PottsChainDraw(q, n, rows, seed, 0)
}

// PottsChainDraw is PottsChainData with a choice of draw: draw 0 gives PottsChainData's rows,
// and every other draw an independent set of rows of the same chain (from the stream
// rng.New(seed, streamPottsRows, q, n, draw)), such as held-out rows for a model trained on
// draw 0.
func PottsChainDraw(q, n, rows int, seed, draw uint64) *Dataset {
	if rows < 1 {
		panic(fmt.Sprintf("boltz/data: PottsChainData: %d rows, want at least 1", rows))
	}
	c := NewPottsChain(q, n, seed)
	r := rng.New(seed, streamPottsRows, uint64(q), uint64(n))
	name := fmt.Sprintf("potts-chain:%d:%d:%d:%d", q, n, rows, seed)
	if draw != 0 {
		r = rng.New(seed, streamPottsRows, uint64(q), uint64(n), draw)
		name += fmt.Sprintf(":%d", draw)
	}
	x := matrix.NewDense(rows, n)
	for i := range rows {
		c.Sample(x.Row(i), r)
	}
	return &Dataset{Name: name, X: x}
}
