package rbm

import (
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
)

// LogConditional returns log p(v_i | v_−i) for a Bernoulli visible unit i, from the free
// energies of v and of v with bit i flipped (v′):
//
//	log p(v_i | v_−i) = −F(v) − log(exp(−F(v)) + exp(−F(v′))) = −softplus(F(v) − F(v′))
//
// x must hold the hidden inputs c + Wᵀv of v (HiddenInput); flipping bit i moves them by
// ±W_i·, so the cost is O(nh). It panics unless the visible units are Bernoulli.
func (m *RBM) LogConditional(v, x []float64, i int) float64 {
	if err := m.CheckPseudoLikelihood(); err != nil {
		panic("boltz/rbm: LogConditional: " + err.Error())
	}
	sign := 1.0 // v_i: 0 → 1 adds W_i·
	if v[i] != 0 {
		sign = -1
	}
	var fv, fflip float64 // −F(v) and −F(v′), up to the common visible terms
	for j, w := range m.W.Row(i) {
		fv += numeric.Softplus(x[j])
		fflip += numeric.Softplus(x[j] + sign*w)
	}
	fflip += sign * m.B()[i]
	return -numeric.Softplus(fflip - fv)
}

// PseudoLogLikelihood returns Σ_i log p(v_i | v_−i) over all visible units, exactly.
// Cost O(nv·nh). Bernoulli visible units only.
func (m *RBM) PseudoLogLikelihood(v []float64) float64 {
	x := m.HiddenInput(nil, v)
	var s float64
	for i := range v {
		s += m.LogConditional(v, x, i)
	}
	return s
}

// PseudoLogLikelihoodBatch returns the mean over the rows of vs of the pseudo-log-likelihood.
// When r is nil it is exact (cost O(rows·nv·nh)); otherwise each row contributes
// nv·log p(v_i | v_−i) for one unit i drawn uniformly with r, an unbiased estimate at cost
// O(rows·nh) (the estimate scikit-learn's BernoulliRBM.score_samples reports).
//
// The rows are computed in parallel (PseudoLogLikelihoods) and their values summed in row
// order, so the result is the same bits whatever GOMAXPROCS is; the units are drawn from r
// one per row, in row order, before the parallel part. Bernoulli visible units only.
func (m *RBM) PseudoLogLikelihoodBatch(vs *matrix.Dense, r *rand.Rand) float64 {
	var units []int
	if r != nil {
		units = make([]int, vs.Rows)
		for k := range units {
			units[k] = r.IntN(m.NV())
		}
	}
	rows := m.pseudoLogLikelihoods(make([]float64, vs.Rows), vs, units)
	var s float64
	for _, v := range rows {
		s += v
	}
	return s / float64(vs.Rows)
}

// ReconError returns the mean over the rows of vs of Σ_i (v_i − v̂_i)², where
// v̂ = E[v | E[h|v]] is the mean-field one-step reconstruction.
func (m *RBM) ReconError(vs *matrix.Dense) float64 {
	vhat := m.VisibleMeansBatch(nil, m.HiddenMeansBatch(nil, vs))
	var s float64
	for k, x := range vs.Data {
		d := x - vhat.Data[k]
		s += d * d
	}
	return s / float64(vs.Rows)
}

// CheckPseudoLikelihood returns an *UnsupportedError (errors.Is ErrUnsupported) unless the
// pseudo-log-likelihood and the log-conditionals are defined and implemented for m's units:
// they flip one visible bit, so they need Bernoulli visible units, and their kernels sum
// softplus over the hidden inputs, Bernoulli hidden units' log-normaliser. The methods that
// compute them panic where it returns an error; call it first when the unit types are not
// known.
func (m *RBM) CheckPseudoLikelihood() error {
	_, bv := m.Visible.(*Bernoulli)
	_, bh := m.Hidden.(*Bernoulli)
	if !bv || !bh {
		return &UnsupportedError{Op: "the pseudo-log-likelihood", Want: "bernoulli visible and hidden units",
			Layer: m.Visible.Name() + " visible and " + m.Hidden.Name() + " hidden"}
	}
	return nil
}
