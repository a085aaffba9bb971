package mcmc

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/rbm"
)

// Ladder returns r inverse temperatures 1 = β_0 > β_1 > … > β_{r−1} = betaMin for parallel
// tempering, spaced
//
//	"geometric":  β_k = betaMin^(k/(r−1))          (constant ratio; needs betaMin > 0)
//	"linear":     β_k = 1 − (1 − betaMin)·k/(r−1)
//
// Geometric spacing suits energies whose spread grows as β falls; Desjardins et al. (2010)
// use a linear ladder. r = 1 gives {1}, plain Gibbs sampling. It returns an error, naming
// the argument, its valid range and the value given, if r < 1, if betaMin is outside
// [0, 1) (or (0, 1) for geometric), or if spacing is not one of the two names.
func Ladder(r int, betaMin float64, spacing string) ([]float64, error) {
	if r < 1 {
		return nil, fmt.Errorf("ladder size %d: want at least 1", r)
	}
	if r == 1 {
		return []float64{1}, nil
	}
	betas := make([]float64, r)
	switch spacing {
	case "geometric":
		if !(betaMin > 0 && betaMin < 1) {
			return nil, fmt.Errorf("geometric ladder: betaMin %v: want 0 < betaMin < 1", betaMin)
		}
		for k := range betas {
			betas[k] = math.Pow(betaMin, float64(k)/float64(r-1))
		}
	case "linear":
		if !(betaMin >= 0 && betaMin < 1) {
			return nil, fmt.Errorf("linear ladder: betaMin %v: want 0 ≤ betaMin < 1", betaMin)
		}
		for k := range betas {
			betas[k] = 1 - (1-betaMin)*float64(k)/float64(r-1)
		}
	default:
		return nil, fmt.Errorf("ladder spacing %q: want \"geometric\" or \"linear\"", spacing)
	}
	betas[0], betas[r-1] = 1, betaMin // exact ends, whatever the rounding of Pow
	return betas, nil
}

// CheckLadder returns an error unless betas is a valid tempering ladder: β_0 = 1, strictly
// decreasing, and every β finite and ≥ 0.
func CheckLadder(betas []float64) error {
	if len(betas) == 0 {
		return fmt.Errorf("empty ladder")
	}
	if betas[0] != 1 {
		return fmt.Errorf("ladder β_0 = %v: want 1", betas[0])
	}
	for k := 1; k < len(betas); k++ {
		if !(betas[k] < betas[k-1]) {
			return fmt.Errorf("ladder β_%d = %v after β_%d = %v: want strictly decreasing", k, betas[k], k-1, betas[k-1])
		}
		if !(betas[k] >= 0) {
			return fmt.Errorf("ladder β_%d = %v: want β ≥ 0", k, betas[k])
		}
	}
	return nil
}

// swapStream is the last path element of the swap proposals' stream; replica k's chains use
// (path..., k, i), so the paths never coincide.
const swapStream = math.MaxUint64

// Tempering is parallel tempering (replica exchange) for an RBM, as Desjardins, Courville,
// Bengio, Vincent & Delalleau (2010), "Tempered Markov chain Monte Carlo for training of
// restricted Boltzmann machines", AISTATS, use for its negative phase. Replica k is a Chains
// of n chains at inverse temperature β_k, 1 = β_0 > β_1 > … ≥ 0, sampling the tempered joint
// p_βk(v,h) ∝ exp(−β_k·E(v,h)). One Step is
//
//  1. one Gibbs sweep of every replica at its β_k;
//
//  2. swap proposals between neighbouring replicas: at step t the pairs (k, k+1) with
//     k ≡ t (mod 2), alternating even and odd pairs. For each chain index i, the states x =
//     (V_i, H_i) of replica k and y of replica k+1 are exchanged with probability
//
//     min(1, exp((β_k − β_{k+1})·(E(x) − E(y)))),
//
//     the Metropolis ratio of the swap under the product of the tempered joints, so that
//     product stays invariant. The uniforms come from a stream of their own.
//
// The samples are the states of replica 0 (β = 1), Samples(). The chains of replica k at
// index i draw from rng.PCG(seed, path..., k, i), the swaps from rng.PCG(seed, path...,
// MaxUint64). A Tempering is not safe for concurrent use.
type Tempering struct {
	betas    []float64
	replicas []*Chains
	energies [][]float64 // E of each replica's chains at the last Step or Exchange

	swapSrc *rand.PCG
	swap    *rand.Rand
	round   uint64 // exchange rounds so far; its parity picks the pairs

	attempts, accepts []uint64 // per neighbouring pair (k, k+1)

	precision Precision
	w32       weights32 // float32 parameters of a Float32 Step, loaded once per call
}

// SetPrecision makes Step run its sweeps in precision p (see Precision): with Float32 the
// parameters are converted to float32 once per Step call and shared by the replicas, and
// the energies of the swaps are summed in float64 from the float32 visible inputs. Exchange
// and the replicas' own methods are not affected. It panics as Chains.SetPrecision does.
func (t *Tempering) SetPrecision(p Precision) {
	for _, c := range t.replicas {
		c.SetPrecision(p)
	}
	t.precision = p
}

// NewTempering returns parallel tempering with n chains per inverse temperature of betas,
// each replica started as NewChains starts it. It returns an error if betas fails
// CheckLadder, or if the ladder has β < 1 and a layer of m cannot be tempered by scaling its
// inputs (see the package comment). It panics if m is nil or n < 1. Cost: one NewChains per
// replica.
func NewTempering(m *rbm.RBM, betas []float64, n int, seed uint64, path ...uint64) (*Tempering, error) {
	if m == nil {
		panic("boltz/mcmc: NewTempering: nil model")
	}
	if err := CheckLadder(betas); err != nil {
		return nil, err
	}
	if len(betas) > 1 {
		for _, l := range []rbm.Layer{m.Visible, m.Hidden} {
			if err := temperable(l); err != nil {
				return nil, fmt.Errorf("parallel tempering: %w", err)
			}
		}
	}
	r := len(betas)
	t := &Tempering{
		betas:    append([]float64(nil), betas...),
		replicas: make([]*Chains, r),
		energies: make([][]float64, r),
		attempts: make([]uint64, r-1),
		accepts:  make([]uint64, r-1),
	}
	p := append(append(make([]uint64, 0, len(path)+1), path...), 0)
	for k := range r {
		p[len(path)] = uint64(k)
		t.replicas[k] = NewChains(m, n, seed, p...)
		t.energies[k] = make([]float64, n)
	}
	p[len(path)] = swapStream
	t.swapSrc = rng.PCG(seed, p...)
	t.swap = rand.New(t.swapSrc)
	return t, nil
}

// Step runs k steps of parallel tempering under m (see Tempering). m may differ from the
// model the replicas were made with if its shape is the same. Cost per step: R Gibbs sweeps,
// O(R·n·nv·nh), plus O(R·n·(nv+nh)) for the energies and swaps; the energies reuse the
// visible inputs of the sweep, so they cost no extra matrix product. No allocation in
// steady state. It panics as Chains.Sweep does, and if k < 0.
func (t *Tempering) Step(m *rbm.RBM, k int) {
	if k < 0 {
		panic(fmt.Sprintf("boltz/mcmc: Step: k = %d steps", k))
	}
	if t.precision == Float32 && k > 0 {
		t.replicas[0].check("Step", m, 1, nil)
		t.w32.load("Step", m)
	}
	for range k {
		for r, c := range t.replicas {
			if t.precision == Float32 {
				c.sweep32(m, &t.w32, t.betas[r], 1, true)
			} else {
				c.Sweep(m, t.betas[r], 1)
			}
			c.energiesFromInputs(t.energies[r], m)
		}
		t.exchange()
	}
}

// Exchange runs one round of swap proposals (step 2 of Step) without Gibbs sweeps, with
// energies computed afresh from the current states, and advances the even/odd alternation.
// Cost: R matrix products plus O(R·n·(nv+nh)).
func (t *Tempering) Exchange(m *rbm.RBM) {
	for r, c := range t.replicas {
		c.Energies(t.energies[r], m)
	}
	t.exchange()
}

// exchange proposes the swaps of this round's pairs from t.energies and counts them.
func (t *Tempering) exchange() {
	for k := int(t.round % 2); k+1 < len(t.replicas); k += 2 {
		a, b := t.replicas[k], t.replicas[k+1]
		ea, eb := t.energies[k], t.energies[k+1]
		dbeta := t.betas[k] - t.betas[k+1]
		for i := range ea {
			// Always draw the uniform, so the stream advances the same whatever is accepted.
			u := t.swap.Float64()
			if logA := dbeta * (ea[i] - eb[i]); logA >= 0 || u < math.Exp(logA) {
				a.swapRows(i, b, i)
				ea[i], eb[i] = eb[i], ea[i]
				t.accepts[k]++
			}
		}
		t.attempts[k] += uint64(len(ea))
	}
	t.round++
}

// Samples returns the β = 1 replica, whose states are the samples of the model. It is the
// replica itself, not a copy.
func (t *Tempering) Samples() *Chains { return t.replicas[0] }

// Replica returns the chains at inverse temperature Betas()[k] (not a copy). It panics if k
// is out of range.
func (t *Tempering) Replica(k int) *Chains { return t.replicas[k] }

// Betas returns a copy of the ladder.
func (t *Tempering) Betas() []float64 { return append([]float64(nil), t.betas...) }

// SwapCounts returns copies of the number of swap proposals and of accepted swaps between
// replicas k and k+1, for k < R−1.
func (t *Tempering) SwapCounts() (attempts, accepts []uint64) {
	return append([]uint64(nil), t.attempts...), append([]uint64(nil), t.accepts...)
}

// AcceptanceRates returns, for each neighbouring pair (k, k+1), the fraction of swap
// proposals accepted so far: NaN for a pair never proposed (pair 1 before the second step).
// Rates near 0 mean the ladder is too sparse there; Desjardins et al. (2010) adapt the
// ladder to keep them well above 0.
func (t *Tempering) AcceptanceRates() []float64 {
	rates := make([]float64, len(t.attempts))
	for k, n := range t.attempts {
		rates[k] = float64(t.accepts[k]) / float64(n)
	}
	return rates
}

// MarshalState returns the random streams of every replica and of the swaps, the swap counts
// and the position in the even/odd alternation. Together with every replica's V and H, which
// the caller saves as arrays, it resumes parallel tempering bit for bit.
func (t *Tempering) MarshalState() ([]byte, error) {
	b := appendHeader(nil, kindTemper)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(t.replicas)))
	b = binary.LittleEndian.AppendUint32(b, uint32(t.replicas[0].Len()))
	b = binary.LittleEndian.AppendUint64(b, t.round)
	for _, beta := range t.betas {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(beta))
	}
	for _, n := range t.attempts {
		b = binary.LittleEndian.AppendUint64(b, n)
	}
	for _, n := range t.accepts {
		b = binary.LittleEndian.AppendUint64(b, n)
	}
	b, err := appendPCG(b, t.swapSrc)
	if err != nil {
		return nil, err
	}
	for _, c := range t.replicas {
		s, err := c.MarshalState()
		if err != nil {
			return nil, err
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b, nil
}

// UnmarshalState restores a state saved by MarshalState. It returns an error wrapping
// ErrState, and leaves t unchanged, if the input is not a tempering state of this version
// for the same ladder (bit for bit) and chain count, or is truncated or corrupted (accept
// counts above attempt counts included). It never panics.
func (t *Tempering) UnmarshalState(b []byte) error {
	d := decoder{b: b}
	d.header(kindTemper)
	r, n := d.u32("replica count"), d.u32("chain count")
	if d.err == nil && (int64(r) != int64(len(t.replicas)) || int64(n) != int64(t.replicas[0].Len())) {
		return stateErr("state holds %d replicas of %d chains, receiver has %d of %d", r, n, len(t.replicas), t.replicas[0].Len())
	}
	round := d.u64("round")
	for k, beta := range t.betas {
		if got := d.f64("ladder"); d.err == nil && math.Float64bits(got) != math.Float64bits(beta) {
			return stateErr("ladder β_%d = %v, receiver has %v", k, got, beta)
		}
	}
	attempts, accepts := make([]uint64, len(t.attempts)), make([]uint64, len(t.accepts))
	for k := range attempts {
		attempts[k] = d.u64("attempt counts")
	}
	for k := range accepts {
		if accepts[k] = d.u64("accept counts"); d.err == nil && accepts[k] > attempts[k] {
			return stateErr("pair %d: %d accepted of %d proposed", k, accepts[k], attempts[k])
		}
	}
	swapSrc := d.pcg("swap stream")
	srcs := make([][]*rand.PCG, len(t.replicas))
	for k, c := range t.replicas {
		p := d.take(int(d.u32("replica state length")), fmt.Sprintf("state of replica %d", k))
		if d.err != nil {
			return d.err
		}
		rd := decoder{b: p}
		if srcs[k], rd.err = c.decodeState(&rd); rd.err == nil {
			rd.end()
		}
		if rd.err != nil {
			return fmt.Errorf("replica %d: %w", k, rd.err)
		}
	}
	d.end()
	if d.err != nil {
		return d.err
	}
	t.round = round
	copy(t.attempts, attempts)
	copy(t.accepts, accepts)
	*t.swapSrc = *swapSrc
	for k, c := range t.replicas {
		c.setSources(srcs[k])
	}
	return nil
}
