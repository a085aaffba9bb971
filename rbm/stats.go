package rbm

import (
	"math"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/matrix"
)

// ConditionalStats is implemented by hidden layers whose sufficient statistics are not
// linear in the state (a Gaussian or ReLU layer's quadratic term): MeanStats sets dst[k] to
// the mean over the rows of x of E[statistic k | inputs x_r]. Layers whose statistics are
// the state itself (Bernoulli, spins, one-hot Potts) need not implement it: the statistic at
// the conditional means is then its conditional expectation.
type ConditionalStats interface {
	MeanStats(dst [][]float64, x *matrix.Dense)
}

// Statistics sets dst to the mean sufficient statistics of the rows of vs with the hidden
// layer summed out given each row (Rao–Blackwellised):
//
//	dst.W = (1/n) Σ_r v_r E[h|v_r]ᵀ,   dst.Vis = ⟨visible statistics of v_r⟩,
//	dst.Hid = ⟨E[hidden statistics | v_r]⟩
//
// A visible layer with a Coupling contributes ⟨t(v) E[h|v]ᵀ⟩ to W and the coupling part of
// its parameters' statistics (Coupling.CouplingStats).
//
// With vs the training data this is the data term of the gradient; with vs drawn from the
// model it estimates the model term, and the gradient of the mean log-likelihood is their
// difference, Grad.Sub(data, model) (docs/gradient.md). work, when not nil, is reused for
// E[h|v], which is returned.
func (m *RBM) Statistics(dst *Grad, vs, work *matrix.Dense) *matrix.Dense {
	return m.statistics(dst, vs, m.HiddenInputBatch(work, vs))
}

// StatisticsAt is Statistics for rows whose hidden inputs hin (HiddenInputBatch) are known,
// saving their product. work, when not nil, is reused for E[h|v], which is returned; hin is
// left as it is.
func (m *RBM) StatisticsAt(dst *Grad, vs, hin, work *matrix.Dense) *matrix.Dense {
	hm := linalg.Reuse(work, hin.Rows, hin.Cols)
	copy(hm.Data, hin.Data)
	return m.statistics(dst, vs, hm)
}

// statistics is Statistics given hm holding the hidden inputs, which it turns into E[h|v].
func (m *RBM) statistics(dst *Grad, vs, hm *matrix.Dense) *matrix.Dense {
	cs, conditional := m.Hidden.(ConditionalStats)
	if conditional {
		cs.MeanStats(dst.Hid, hm)
	}
	m.Hidden.Means(hm.Data, hm.Data)
	n := vs.Rows
	tv, release := m.coupledBatch(vs)
	linalg.MulTN(dst.W, 1/float64(n), tv, hm, 0)
	release()
	m.Visible.Stats(dst.Vis, vs)
	m.addCouplingStats(dst.Vis, dst.W)
	if !conditional {
		m.Hidden.Stats(dst.Hid, hm)
	}
	return hm
}

// Transform returns E[h|v] for every row of x, one row of hidden means per row: the
// features an RBM gives the next model (scikit-learn's BernoulliRBM.transform). It panics
// if x does not have nv columns.
func (m *RBM) Transform(x *matrix.Dense) *matrix.Dense { return m.HiddenMeansBatch(nil, x) }

// LogLikelihoods sets dst[r] = −F(v_r) − logZ, the log-likelihood of row r of x given the
// model's log partition function (exact.LogZ, or an AIS estimate), allocating dst when it
// is nil, and returns it (scikit-learn's score_samples, normalised).
func (m *RBM) LogLikelihoods(dst []float64, x *matrix.Dense, logZ float64) []float64 {
	dst = m.FreeEnergyBatch(dst, x, nil)
	for r, f := range dst {
		dst[r] = -f - logZ
	}
	return dst
}

// MeanNegFreeEnergy returns ⟨−F(v)⟩ over the rows of x, the log-likelihood's row term (the
// mean log-likelihood is it minus log Z), and its sampling standard error, s/√n with the
// n−1 denominator; the error is NaN for one row.
func (m *RBM) MeanNegFreeEnergy(x *matrix.Dense) (mean, stderr float64) {
	negF := m.FreeEnergyBatch(nil, x, nil)
	for _, f := range negF {
		mean -= f
	}
	n := float64(len(negF))
	mean /= n
	var ss float64
	for _, f := range negF {
		d := -f - mean
		ss += d * d
	}
	return mean, math.Sqrt(ss/(n-1)) / math.Sqrt(n)
}
