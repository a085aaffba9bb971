package exact

import (
	"fmt"
	"math"
	"time"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// DefaultGradCheckEps is GradCheck's default step. The five-point central difference has
// truncation error ε⁴·|f⁽⁵⁾|/30 and rounding error about 1.5·δ/ε, where δ ≈ 1e-15·|f| is the
// rounding noise of the mean log-likelihood f. Derivatives of f are cumulants of bounded
// statistics such as v_i h_j, so |f⁽⁵⁾| = O(1): ε = 1e-3 makes the truncation ~1e-14 and the
// rounding ~1e-12·|f|, near the optimum (δ/|f⁽⁵⁾|)^(1/5) ≈ 1e-3. The two-point difference
// would do no better than ~1e-10 (at ε ≈ 1e-5), too coarse to check a gradient to 1e-6
// relative when some of its elements are 1e-4.
const DefaultGradCheckEps = 1e-3

// RelErrorFloor is the floor of the denominator of GradCheck's relative errors,
// |a − f| / max(|a|, |f|, RelErrorFloor): an element whose analytic and numerical values are
// both below it is judged by its absolute error scaled by 1/RelErrorFloor, so rounding noise
// of ~1e-12 in an element that is zero by symmetry does not read as a 100% error.
const RelErrorFloor = 1e-6

// BlockError is the worst disagreement between the analytic and the numerical gradient
// within one parameter block.
type BlockError struct {
	Name        string  // "W", "b", "c", or a further layer parameter's file name ("visible_sigma")
	MaxAbsError float64 // max |a − f|
	MaxRelError float64 // max |a − f| / max(|a|, |f|, RelErrorFloor)
	// WorstIndex locates the element with the largest relative error: (i, j) for W, (i) for
	// b and the other per-unit parameters, (j) for c.
	WorstIndex []int
}

// GradCheckResult is the outcome of GradCheck.
type GradCheckResult struct {
	Blocks                   []BlockError // W, b, c, then every further layer parameter (rbm.ParamNames)
	MaxAbsError, MaxRelError float64      // over all blocks
	Analytic, Numerical      *rbm.Grad
	LogZ, MeanLogLikelihood  float64 // at the unperturbed parameters
	Eps                      float64
}

// GradCheck compares Gradient, the analytic gradient of the mean log-likelihood over the rows
// of x, with five-point central finite differences of MeanLogLikelihood, for every parameter:
//
//	∂f/∂θ_k ≈ [8(f(θ+ε) − f(θ−ε)) − (f(θ+2ε) − f(θ−2ε))] / (12ε),
//
// where f is recomputed with the exact LogZ at each perturbed θ. eps ≤ 0 means
// DefaultGradCheckEps; the layers' further parameters (σ, γ, …) take steps scaled to their
// size (stepFor). Relative errors use the floor RelErrorFloor.
//
// Every parameter of every layer is checked: W, b, c and the layers' further parameters, in
// the order of rbm.Grad.Parts, except those a layer holds fixed (rbm.Frozen), whose
// numerical gradient is left at zero.
//
// Cost: 4·P + 1 evaluations of LogZ for P parameters (nv·nh + nv + nh for Bernoulli units), so it is for small models. Errors as LogZ.
// m is not modified; it is safe for concurrent use. It panics as DataMoments.
func GradCheck(m *rbm.RBM, x *matrix.Dense, eps float64, opts *Options) (*GradCheckResult, error) {
	if eps <= 0 {
		eps = DefaultGradCheckEps
	}
	if math.IsNaN(eps) || math.IsInf(eps, 0) {
		return nil, fmt.Errorf("exact: GradCheck: step must be finite, got %v", eps)
	}
	if err := gradCheckBudget(m, opts); err != nil {
		return nil, err
	}
	report := opts.progress()
	evals, total := 0, int(gradCheckEvaluations(m))
	opts = untimed(opts)
	logZ, err := LogZ(m, opts)
	if err != nil {
		return nil, err
	}
	analytic, err := Gradient(m, x, opts)
	if err != nil {
		return nil, err
	}
	if evals++; report != nil {
		report(evals, total)
	}
	res := &GradCheckResult{
		Analytic: analytic, Numerical: rbm.GradLike(m), Eps: eps,
		LogZ: logZ, MeanLogLikelihood: MeanLogLikelihood(m, x, logZ),
	}
	p := m.Clone()
	f := func() (float64, error) {
		lz, err := LogZ(p, opts)
		if err != nil {
			return 0, err
		}
		return MeanLogLikelihood(p, x, lz), nil
	}
	params, frozen := rbm.ParamData(p), frozenParts(p)
	for k, part := range res.Numerical.Parts() {
		theta := params[k]
		if frozen[k] {
			continue // not learned: its gradient is zero by definition, as the analytic one
		}
		for i := range theta {
			orig := theta[i]
			h := stepFor(k, orig, eps)
			var fs [4]float64
			for s, step := range [4]float64{h, -h, 2 * h, -2 * h} {
				theta[i] = orig + step
				if fs[s], err = f(); err != nil {
					return nil, err
				}
				if evals++; report != nil {
					report(evals, total)
				}
			}
			theta[i] = orig
			part.X[i] = (8*(fs[0]-fs[1]) - (fs[2] - fs[3])) / (12 * h)
		}
	}
	res.compare(m)
	return res, nil
}

// stepFor returns the finite-difference step for an element of value theta in block k of
// rbm.ParamData: eps for W and the biases, and eps·clamp(|θ|, 0.01, 1) for the layers' further
// parameters, scales such as σ and γ whose derivatives grow like 1/θ^k as θ shrinks, so that
// the step stays a small fraction of the parameter (0.01 is the floor that training keeps σ
// and γ at, rbm.SigmaFloor and rbm.GammaFloor).
func stepFor(k int, theta, eps float64) float64 {
	if k < 3 {
		return eps
	}
	return eps * math.Min(1, math.Max(math.Abs(theta), 0.01))
}

// frozenParts reports, in the order of rbm.ParamData, which blocks a layer holds fixed
// (rbm.Frozen).
func frozenParts(m *rbm.RBM) []bool {
	frozen := []bool{false, false, false}
	for _, l := range []rbm.Layer{m.Visible, m.Hidden} {
		f, ok := l.(rbm.Frozen)
		for _, p := range l.Params()[1:] {
			frozen = append(frozen, ok && f.Frozen(p.Name))
		}
	}
	return frozen
}

func (res *GradCheckResult) compare(m *rbm.RBM) {
	num := res.Numerical.Parts()
	res.Blocks = make([]BlockError, len(num))
	for k, a := range res.Analytic.NamedParts(m) {
		b := &res.Blocks[k]
		b.Name = a.Name
		worst := -1
		for i, av := range a.X {
			fv := num[k].X[i]
			abs := math.Abs(av - fv)
			rel := abs / math.Max(math.Max(math.Abs(av), math.Abs(fv)), RelErrorFloor)
			b.MaxAbsError = math.Max(b.MaxAbsError, abs)
			if worst < 0 || rel > b.MaxRelError || math.IsNaN(rel) {
				b.MaxRelError, worst = rel, i
			}
		}
		if k == 0 {
			b.WorstIndex = []int{worst / m.NH(), worst % m.NH()}
		} else {
			b.WorstIndex = []int{worst}
		}
		res.MaxAbsError = math.Max(res.MaxAbsError, b.MaxAbsError)
		if b.MaxRelError > res.MaxRelError || math.IsNaN(b.MaxRelError) {
			res.MaxRelError = b.MaxRelError
		}
	}
}

// gradCheckBudget checks GradCheck's estimated time against opts.MaxSeconds: a probe times
// one log Z and the model moments of a cut model (see budget), and the estimate counts the
// log Z gradCheckEvaluations times.
func gradCheckBudget(m *rbm.RBM, opts *Options) error {
	if opts == nil || !(opts.MaxSeconds > 0) {
		return nil
	}
	v, err := newView(m, opts)
	if err != nil {
		return err
	}
	evals := gradCheckEvaluations(m)
	return budget(m, v, opts, "gradient check", evals, func(sub *rbm.RBM, o *Options) (time.Duration, time.Duration) {
		lz, _ := timed(func() { LogZ(sub, o) })
		mo, _ := timed(func() { ModelMoments(sub, o) })
		return lz + mo, time.Duration(float64(lz)*evals) + mo
	})
}
