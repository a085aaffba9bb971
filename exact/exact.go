// Package exact computes the quantities of an RBM that are sums over every state of one layer:
// the partition function, log-likelihoods, the model's moments and the exact gradient of the
// log-likelihood, KL divergence, total variation and entropy. They are tractable because the
// other layer can be summed out analytically through the free energy,
//
//	log Z = log Σ_h exp(−F(h)) = log Σ_v exp(−F(v)),
//	F(h)  = −cᵀh − Σ_i softplus(b_i + (Wh)_i),   F(v) = −bᵀv − Σ_j softplus(c_j + (Wᵀv)_j),
//
// so enumerating the smaller layer costs O(2^min(nv,nh)·nv·nh) (Bernoulli units). This is how
// Fischer & Igel (2010, 2014) compare training algorithms on bars-and-stripes: with the exact
// log-likelihood rather than a proxy.
//
// Every sum is accumulated in float64 with log-sum-exp. The states are split into a fixed
// number of contiguous ranges that up to GOMAXPROCS goroutines work through; the partial sums
// are merged in range order, so every result is bit-identical whatever GOMAXPROCS is.
//
// Functions panic with a "boltz/exact: " message on a programmer's mistake (a nil model, data
// whose width is not the model's nv). They return an error when the model or the size is at
// fault: parameters that are NaN or ±Inf, an enumeration past Options.MaxStates (*ErrTooLarge),
// a layer with no finite set of states (ErrNotEnumerable). All functions are safe for concurrent
// use; none uses randomness.
package exact

import (
	"errors"
	"fmt"
	"math"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// DefaultMaxStates is the default limit on the number of enumerated states: 2^32 Bernoulli
// hidden states of a 784-unit visible layer take hours, so larger sums are a mistake.
const DefaultMaxStates = 1 << 32

// hardMaxStates is the most states an enumeration can index (uint64 arithmetic with room to
// spare); larger MaxStates values are treated as this.
const hardMaxStates = 1 << 62

// Side names the layer that is enumerated.
type Side int

const (
	// Auto enumerates the layer with fewer states (the hidden layer on a tie).
	Auto Side = iota
	// Visible enumerates v and sums h analytically.
	Visible
	// Hidden enumerates h and sums v analytically.
	Hidden
)

func (s Side) String() string {
	switch s {
	case Auto:
		return "auto"
	case Visible:
		return "visible"
	case Hidden:
		return "hidden"
	}
	return fmt.Sprintf("Side(%d)", int(s))
}

// Options configures an enumeration. A nil *Options means the defaults.
type Options struct {
	// MaxStates is the largest number of states that may be enumerated; 0 means
	// DefaultMaxStates (2^32). Values above 2^62 are treated as 2^62.
	MaxStates float64
	// Enumerate forces the enumerated side; the zero value Auto picks the smaller one.
	// Results agree to rounding whichever side is enumerated.
	Enumerate Side
	// MaxSeconds, when positive, is the longest a call may be estimated to run: before
	// enumerating, LogZ, Entropy, ModelMoments (and Gradient) and GradCheck time a probe of
	// the same computation with the enumerated layer cut to its first k units (k grown
	// until a pass lasts 0.2 s) and scale it by the ratio of the state counts, then return
	// *ErrTooSlow when the estimate exceeds MaxSeconds. Calls that enumerate under 2^26
	// unit-states in all are not probed. 0 means no limit.
	MaxSeconds float64
	// Progress, when not nil, is called with the work done and the total, in the same unit,
	// as the enumeration proceeds: ranges of states (64 per enumeration) for LogZ, Entropy
	// and ModelMoments, log Z evaluations for GradCheck. Calls are never concurrent.
	Progress func(done, total int)
}

func (o *Options) maxStates() (float64, error) {
	if o == nil || o.MaxStates == 0 {
		return DefaultMaxStates, nil
	}
	if !(o.MaxStates > 0) {
		return 0, fmt.Errorf("exact: Options.MaxStates must be positive, got %v", o.MaxStates)
	}
	return math.Min(o.MaxStates, hardMaxStates), nil
}

func (o *Options) side() Side {
	if o == nil {
		return Auto
	}
	return o.Enumerate
}

// ErrTooLarge reports an enumeration with more states than the limit.
type ErrTooLarge struct {
	Layer  string  // "visible" or "hidden": the layer that would be enumerated
	Units  int     // its number of units (of sites for Potts units, rbm.Sites)
	States float64 // its number of states, K^Units for K states per unit or site (may be +Inf)
	Max    float64 // the limit (Options.MaxStates)
}

func (e *ErrTooLarge) Error() string {
	return fmt.Sprintf("enumeration of %s states exceeds the limit of %s states (%d %s units)",
		formatStates(e.States, e.Units), formatStates(e.Max, -1), e.Units, e.Layer)
}

// formatStates writes n as 2^k when it is a power of two (or, when it overflows, 2^units),
// and in %g form otherwise.
func formatStates(n float64, units int) string {
	if math.IsInf(n, 1) && units >= 0 {
		return fmt.Sprintf("2^%d or more", units)
	}
	if frac, exp := math.Frexp(n); frac == 0.5 && exp > 1 {
		return fmt.Sprintf("2^%d", exp-1)
	}
	return fmt.Sprintf("%g", n)
}

// ErrNotEnumerable is returned when the layer that would have to be enumerated has
// continuous units (its Values are nil).
var ErrNotEnumerable = errors.New("exact: no layer with a finite set of states to enumerate")

// view is an enumeration seen from its two layers: e, the enumerated one, and s, the one
// summed out analytically. With x = bs + Ws·e the total input to s,
//
//	−F(e) = −Le.Energy(e, be) + Ls.LogNormalizer(x).
type view struct {
	hidden bool // e is the hidden layer
	le, ls rbm.Layer
	be, bs []float64
	ws     *matrix.Dense // ns×ne
	ne, ns int
	// e has sites sites of q states each, width entries of its state vector per site
	// (rbm.Sites): one unit per site for Bernoulli and spin units, Q one-hot entries for Potts.
	sites, q, width int
	states          uint64
}

// checkModel returns opts' state limit after checking it and the model: it panics on a nil
// model and returns an error for invalid parameters.
func checkModel(m *rbm.RBM, opts *Options) (float64, error) {
	max, err := opts.maxStates()
	if err != nil {
		return 0, err
	}
	if m == nil {
		panic("boltz/exact: nil model")
	}
	if err := m.Validate(); err != nil {
		return 0, fmt.Errorf("exact: invalid model: %w", err)
	}
	return max, nil
}

// newView returns the enumeration of the side that opts chooses, checking the model and the
// size.
func newView(m *rbm.RBM, opts *Options) (*view, error) {
	max, err := checkModel(m, opts)
	if err != nil {
		return nil, err
	}
	side := opts.side()
	if side == Auto {
		side = Hidden
		sv, sh := rbm.NumStates(m.Visible), rbm.NumStates(m.Hidden)
		if sv < sh {
			side = Visible
		}
	}
	switch side {
	case Visible:
		return sideView(m, false, max)
	case Hidden:
		return sideView(m, true, max)
	}
	panic(fmt.Sprintf("boltz/exact: unknown Side %d", int(side)))
}

// siteStates returns q^sites, the number of states of sites sites of q states each.
func siteStates(q, sites int) float64 { return math.Pow(float64(q), float64(sites)) }

// sideView returns the view enumerating the hidden layer (hidden = true) or the visible one.
func sideView(m *rbm.RBM, hidden bool, max float64) (*view, error) {
	v := &view{hidden: hidden}
	name := "visible"
	if hidden {
		name = "hidden"
		v.le, v.ls, v.be, v.bs, v.ws = m.Hidden, m.Visible, m.C(), m.B(), m.W
	} else {
		v.le, v.ls, v.be, v.bs, v.ws = m.Visible, m.Hidden, m.B(), m.C(), transpose(m.W)
	}
	v.ne, v.ns = len(v.be), len(v.bs)
	v.sites, v.q, v.width = rbm.Sites(v.le)
	if v.q == 0 {
		return nil, fmt.Errorf("%w: the %s layer (%s) is continuous", ErrNotEnumerable, name, v.le.Name())
	}
	n := siteStates(v.q, v.sites)
	if n > max {
		return nil, &ErrTooLarge{Layer: name, Units: v.sites, States: n, Max: max}
	}
	v.states = uint64(n)
	return v, nil
}

func transpose(a *matrix.Dense) *matrix.Dense {
	t := matrix.NewDense(a.Cols, a.Rows)
	for i := 0; i < a.Rows; i++ {
		for j, x := range a.Row(i) {
			t.Data[j*t.Cols+i] = x
		}
	}
	return t
}

// binary reports whether the view has Bernoulli units on both sides, so the fast log Z
// kernel applies.
func (v *view) binary() bool {
	_, be := v.le.(*rbm.Bernoulli)
	_, bs := v.ls.(*rbm.Bernoulli)
	return be && bs
}

// maxRanges is the number of contiguous ranges an enumeration is split into. It is fixed,
// not GOMAXPROCS, so that partial sums, merged in range order, give the same bits on any
// machine; 64 keeps up to a few dozen cores busy with an even load.
const maxRanges = 64

// split returns the bounds of range r of n items split into k near-equal contiguous ranges.
func split(n uint64, k, r int) (lo, hi uint64) {
	return n * uint64(r) / uint64(k), n * uint64(r+1) / uint64(k)
}

// numRanges returns how many ranges n items are split into.
func numRanges(n uint64) int {
	if n < maxRanges {
		return int(n)
	}
	return maxRanges
}

// blockSize is the number of states the generic enumeration handles per matrix product.
const blockSize = 256

// block is one block of enumerated states with their inputs and unnormalised log-probabilities.
type block struct {
	e, x *matrix.Dense // states (rows, ne columns); inputs bs + Ws·e of the summed layer (ns columns)
	negF []float64     // −F(e) per row
}

// blocks calls f for the states [lo, hi) in blocks of up to blockSize rows, computing each
// block's inputs with one matrix product. With means, b.x holds the summed layer's
// conditional means E[s|e] instead of its inputs (for Bernoulli units computed in the same
// pass as −F, one exponential per element). f must not keep the block.
func (v *view) blocks(lo, hi uint64, means bool, f func(b *block)) {
	b := &block{
		e:    matrix.NewDense(blockSize, v.ne),
		x:    matrix.NewDense(blockSize, v.ns),
		negF: make([]float64, blockSize),
	}
	e, x, negF := b.e, b.x, b.negF
	for start := lo; start < hi; start += blockSize {
		n := int(min(hi-start, blockSize))
		b.e, b.x, b.negF = e.Slice(0, n), x.Slice(0, n), negF[:n]
		for r := 0; r < n; r++ {
			rbm.SetState(v.le, b.e.Row(r), start+uint64(r)) // for Bernoulli units bit j of the index
			copy(b.x.Row(r), v.bs)
		}
		linalg.MulNT(b.x, 1, b.e, v.ws, 1)
		_, bernoulli := v.ls.(*rbm.Bernoulli)
		for r := range b.negF {
			x := b.x.Row(r)
			switch {
			case means && bernoulli:
				b.negF[r] = -v.le.Energy(b.e.Row(r)) + numeric.SigmoidSoftplusSum(x)
			case means:
				b.negF[r] = -v.le.Energy(b.e.Row(r)) + v.ls.LogNormalizer(x)
				v.ls.Means(x, x)
			default:
				b.negF[r] = -v.le.Energy(b.e.Row(r)) + v.ls.LogNormalizer(x)
			}
		}
		f(b)
	}
}
