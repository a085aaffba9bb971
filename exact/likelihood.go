package exact

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// LogProb sets dst[r] to the log-probability of row r of x under m,
//
//	log p(v) = −F(v) − log Z,
//
// given log Z (from LogZ), allocating dst when it is nil, and returns it. The rows must lie in
// the visible layer's support (rbm.Layer.Check); that is not checked here. Cost: one matrix
// product, O(N·nv·nh). It panics if x does not have nv columns or dst has the wrong length.
func LogProb(dst []float64, m *rbm.RBM, x *matrix.Dense, logZ float64) []float64 {
	checkData("LogProb", m, x)
	if dst == nil {
		dst = make([]float64, x.Rows)
	}
	if len(dst) != x.Rows {
		panic(fmt.Sprintf("boltz/exact: LogProb: destination has length %d, want %d", len(dst), x.Rows))
	}
	m.FreeEnergyBatch(dst, x, nil)
	for r, f := range dst {
		dst[r] = -f - logZ
	}
	return dst
}

// MeanLogLikelihood returns the mean of log p(v) over the rows of x,
//
//	⟨log p(v)⟩_X = (1/N) Σ_r (−F(x_r)) − log Z,
//
// which counts a repeated row as often as it occurs. It returns NaN when x has no rows.
// Cost and panics as LogProb.
func MeanLogLikelihood(m *rbm.RBM, x *matrix.Dense, logZ float64) float64 {
	lp := LogProb(nil, m, x, logZ)
	var s float64
	for _, v := range lp {
		s += v
	}
	return s / float64(len(lp))
}

// pattern is one distinct row of a data set and how often it occurs.
type pattern struct {
	row   []float64
	count int
}

// patterns groups the identical rows of x, in order of first occurrence. −0 and +0 are the
// same value.
func patterns(x *matrix.Dense) []pattern {
	index := map[string]int{}
	var out []pattern
	key := make([]byte, 8*x.Cols)
	for r := 0; r < x.Rows; r++ {
		row := x.Row(r)
		for i, v := range row {
			if v == 0 {
				v = 0 // −0 → +0
			}
			binary.LittleEndian.PutUint64(key[8*i:], math.Float64bits(v))
		}
		if k, ok := index[string(key)]; ok {
			out[k].count++
			continue
		}
		index[string(key)] = len(out)
		out = append(out, pattern{row: row, count: 1})
	}
	return out
}

// DataEntropy returns the entropy of the empirical distribution of the rows of x, in nats,
//
//	H(data) = −Σ_v P_data(v) log P_data(v),   P_data(v) = (number of rows equal to v)/N,
//
// so it is log N when the rows are distinct and smaller when some repeat. It returns 0 for an
// empty x. Cost O(N·nv) expected (rows are hashed).
func DataEntropy(x *matrix.Dense) float64 {
	n := float64(x.Rows)
	var h float64
	for _, p := range patterns(x) {
		q := float64(p.count) / n
		h -= q * math.Log(q)
	}
	return h
}

// KL returns the Kullback–Leibler divergence from the model to the empirical distribution of
// the rows of x, counting repeated rows,
//
//	KL(P_data ‖ p) = Σ_v P_data(v) log(P_data(v)/p(v)) = −H(data) − ⟨log p(v)⟩_X,
//
// given log Z. It is ≥ 0 (to rounding) and 0 only when p equals P_data. Because the second
// term is the mean log-likelihood over the rows, maximising the log-likelihood is minimising
// this KL. It is meaningful for discrete visible units. Cost and panics as LogProb.
func KL(m *rbm.RBM, x *matrix.Dense, logZ float64) float64 {
	return -DataEntropy(x) - MeanLogLikelihood(m, x, logZ)
}

// TotalVariation returns the total variation distance between the empirical distribution of
// the rows of x (repeated rows counted) and the model's visible marginal,
//
//	TV = ½ Σ_v |P_data(v) − p(v)|
//	   = ½ (Σ_{v ∈ X} |P_data(v) − p(v)| + 1 − Σ_{v ∈ X} p(v)),
//
// given the exact log Z. The second form, which uses Σ_v p(v) = 1 for the states outside the
// data, needs only the distinct rows of x, not every visible state, so it costs
// O(N·nv·nh) whatever nv is. The result is in [0, 1] (it is clamped there against rounding).
// It is meaningful for discrete visible units. Panics as LogProb.
func TotalVariation(m *rbm.RBM, x *matrix.Dense, logZ float64) float64 {
	checkData("TotalVariation", m, x)
	pats := patterns(x)
	rows := matrix.NewDense(len(pats), x.Cols)
	for k, p := range pats {
		copy(rows.Row(k), p.row)
	}
	lp := LogProb(nil, m, rows, logZ)
	n := float64(x.Rows)
	var diff, mass float64
	for k, p := range pats {
		q := math.Exp(lp[k])
		diff += math.Abs(float64(p.count)/n - q)
		mass += q
	}
	tv := 0.5 * (diff + math.Max(0, 1-mass))
	return math.Min(1, math.Max(0, tv))
}

// Entropy returns the entropy of the model's visible marginal, in nats,
//
//	H(p) = −Σ_v p(v) log p(v),   log p(v) = −F(v) − log Z.
//
// Unlike log Z it cannot sum the visible layer analytically (log p(v) is not linear in the
// hidden units' contributions), so it always enumerates v: it returns *ErrTooLarge when the
// visible layer has more than opts.MaxStates states, even when the hidden layer is small.
// opts.Enumerate applies to the log Z it computes first. Cost O(2^nv·nv·nh) plus LogZ's.
// Parallel and deterministic as LogZ.
func Entropy(m *rbm.RBM, opts *Options) (float64, error) {
	v, err := entropyView(m, opts)
	if err != nil {
		return 0, err
	}
	if err := budgetRun(m, v, opts, "entropy", func(sub *rbm.RBM, o *Options) { Entropy(sub, o) }); err != nil {
		return 0, err
	}
	logZ, err := LogZ(m, untimed(opts))
	if err != nil {
		return 0, err
	}
	return v.entropy(logZ, opts), nil
}

// EntropyGivenLogZ is Entropy with log Z given (by LogZ, or by MergeLogZ of a sharded
// enumeration), so that only the visible states are enumerated: cost O(2^nv·nv·nh). Errors
// and panics as Entropy; the result is Entropy's bit for bit when logZ is LogZ's.
func EntropyGivenLogZ(m *rbm.RBM, opts *Options, logZ float64) (float64, error) {
	v, err := entropyView(m, opts)
	if err != nil {
		return 0, err
	}
	return v.entropy(logZ, opts), nil
}

// entropyView checks m and returns the view that enumerates its visible states, or
// *ErrTooLarge before any work when there are more than opts allows.
func entropyView(m *rbm.RBM, opts *Options) (*view, error) {
	max, err := checkModel(m, opts)
	if err != nil {
		return nil, err
	}
	return sideView(m, false, max)
}

// entropy is −Σ_v p(v) log p(v) over the visible states of the view, in fixed ranges summed in
// order, reporting the ranges to opts' Progress.
func (v *view) entropy(logZ float64, opts *Options) float64 {
	n := numRanges(v.states)
	parts := make([]float64, n)
	parallelReport(n, func(r int) {
		lo, hi := split(v.states, n, r)
		v.blocks(lo, hi, false, func(b *block) {
			for _, f := range b.negF {
				lp := f - logZ
				parts[r] -= math.Exp(lp) * lp
			}
		})
	}, opts.progress())
	var h float64
	for _, p := range parts {
		h += p
	}
	return h
}

// checkData panics unless x has the model's nv columns.
func checkData(op string, m *rbm.RBM, x *matrix.Dense) {
	if m == nil || x == nil {
		panic("boltz/exact: " + op + ": nil model or data")
	}
	if x.Cols != m.NV() {
		panic(fmt.Sprintf("boltz/exact: %s: data has %d columns, model has %d visible units", op, x.Cols, m.NV()))
	}
}
