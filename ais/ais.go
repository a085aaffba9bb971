// Package ais estimates the log partition function log Z of a restricted Boltzmann machine
// by annealed importance sampling (AIS; Neal 2001) from a base-rate model (Salakhutdinov &
// Murray 2008), and bounds it from the other side by reverse AIS started at data or, better,
// at samples of the model (Burda, Grosse & Salakhutdinov 2015, "RAISE"; ReverseStart).
// Together the two estimates bracket log Z. The sections below derive the estimators for
// Bernoulli units; "Other unit types" says how the same estimators serve the rest (for
// Gaussian visible units, by annealing the hidden layer: PowerSampler).
//
// # Intermediate distributions
//
// The base-rate model A has visible biases b_A, no weights and uniform hidden units; the
// target B is the RBM (W, b, c). For inverse temperatures 0 = β_0 < β_1 < … < β_K = 1,
//
//	p_β(v,h) ∝ exp(−(1−β) E_A(v) − β E_B(v,h)),   E_A(v) = −b_Aᵀv,
//
// and with the hidden units summed out analytically (Bernoulli units),
//
//	log f_β(v) = (1−β) b_Aᵀv + β bᵀv + Σ_j softplus(β (c_j + (Wᵀv)_j)),
//	log Z_A    = log Σ_v f_0(v) = Σ_i softplus(b_A,i) + nh·log 2,    f_1(v) = exp(−F(v)).
//
// The transition T_k at β_k is one block Gibbs sweep that leaves p_{β_k} invariant:
// h ~ p_β(h|v), each h_j ~ Bernoulli(σ(β(c + Wᵀv)_j)), then v ~ p_β(v|h), each
// v_i ~ Bernoulli(σ((1−β) b_A,i + β(b + W h)_i)). As a kernel on v alone it is reversible
// with respect to p_β(v), which reverse AIS relies on.
//
// # Forward AIS: a stochastic lower bound on log Z
//
// Each of M independent runs draws v_0 ~ p_A exactly and then, for k = 1..K,
//
//	log w += log f_{β_k}(v_{k−1}) − log f_{β_{k−1}}(v_{k−1}),   v_k ~ T_k(· | v_{k−1})
//
// (the last transition is skipped: its state is never used). Then E[w] = Z_B/Z_A exactly
// (Neal 2001), and the estimate is
//
//	log Ẑ = log Z_A + log((1/M) Σ_m w_m).
//
// Ẑ is unbiased but log Ẑ is not: by Jensen's inequality E[log Ẑ] ≤ log Z, so AIS
// under-estimates log Z in expectation, and over-estimates the log-likelihood. The error is
// largest when the schedule is short and the model has strong weights.
//
// # Reverse AIS: a stochastic upper bound on log Z
//
// Each run starts at a data row x = v_K and walks the schedule backwards: for k = K..1,
//
//	v_{k−1} ~ T_k(· | v_k),   log w_rev += log f_{β_{k−1}}(v_{k−1}) − log f_{β_k}(v_{k−1}),
//
// so that the first step draws h ~ p(h|x) at β = 1. The estimate is
//
//	log Ẑ_rev = log Z_A − log((1/M) Σ_m w_rev,m).
//
// What this bounds, precisely. Let p_ann(v) be the law of v_K when v_0 ~ p_A and
// v_k ~ T_k(· | v_{k−1}) for k = 1..K (the "annealing model" of Burda et al. 2015), which
// tends to p_B as the schedule gets finer. Because each T_k is reversible, the reverse run is an importance sampler for
// p_ann: with ŵ(x) = exp(−F(x))·w_rev/Z_A, E[ŵ(x)] = p_ann(x) for every start x (this is
// RAISE), hence E[w_rev,m] = (Z_A/Z_B)·p_ann(x_m)/p_B(x_m) and
//
//	E[log Ẑ_rev] ≥ log Z − log r,   r = (1/M) Σ_m p_ann(x_m)/p_B(x_m).
//
// When the runs start from exact draws of p_B, E[r] = 1 and log Ẑ_rev is a stochastic
// upper bound on log Z (Jensen again); starting at held-out data, as RAISE does, it is one to
// the extent that the annealing model matches the RBM where the data lie (r ≈ 1), and
// ⟨−F(x)⟩_X − log Ẑ_rev is then a stochastic lower bound on the mean test log-likelihood.
// The rigorous statement is RAISE's, per row: E[log ŵ(x)] ≤ log p_ann(x), a lower bound on
// the annealing model's log-likelihood. A large gap between log Ẑ_rev and log Ẑ says that
// the schedule is too short, or that the chains do not mix, for either number to be
// trusted (Bracket); so does a reverse estimate below the forward one by more than the noise
// of their difference, which no pair of valid bounds produces (Judge).
//
// # Other unit types
//
// Models that are not Bernoulli–Bernoulli (Gaussian visible units, ReLU or dReLU hidden
// units) take the generic path when both layers implement Annealable: the same forward and
// reverse estimators and the same verdicts, along the geometric path between a base model
// with no weights and the target, each intermediate distribution an RBM sampled through the
// layers' own Sample (see Annealable). The base visible layer is fitted to the data when
// there are data (Reverse, Sandwich: the base rates for Bernoulli units), and is the model's
// own visible layer without weights otherwise (Forward). When the visible layer is a
// PowerSampler (Gaussian units), AIS integrates it out instead and anneals the hidden
// layer, from a base hidden layer fitted to the hidden means E[h|v] of the data (see
// PowerSampler): on learned-σ Gaussian models of MNIST this is the path whose brackets
// hold. Either runs in float64 whatever Options.Precision says, one stream per run as the
// fused path does, at two (hidden path) to four (visible path) matrix products of M×nv by
// nv×nh per temperature step.
//
// # Standard errors
//
// For w_1..w_M with sample mean w̄ and standard deviation s (denominator M−1), the
// delta-method standard error of log w̄ is s/(√M·w̄); it is computed from w_m/max_m w_m,
// so no weight overflows. It measures the spread of the runs only: it does not include the
// bias above, which is why forward and reverse estimates are compared.
//
// # Cost and concurrency
//
// Each temperature step costs two matrix products of M×nv by nv×nh (4·M·nv·nh flops) and
// O(M·(nv+nh)) exponentials and uniform draws; a step allocates nothing. The M runs are the
// rows of one matrix per layer; the matrix products run on up to GOMAXPROCS goroutines
// (the matrix-product kernel), and the elementwise work is split over goroutines in fixed blocks of rows.
// Forward run m draws from its own random stream, PCG(seed, m), reverse run m from another
// stream of its own, so the same Options give bit-identical results whatever GOMAXPROCS is;
// and since a run's arithmetic does not depend on the other runs, SandwichSpan can run any
// contiguous range of runs on another machine and MergeSandwich reassembles Sandwich's result
// bit for bit.
// The functions are safe for concurrent use as long as nobody modifies the model meanwhile.
//
// # Precision
//
// Options.Precision Float32 runs the same runs and steps with float32 matrix products
// (the single-precision product kernel), exponentials and Bernoulli draws, and float64 log weights: about a third
// of the float64 time on 784×500. Each run keeps its stream and the results still do not
// depend on GOMAXPROCS, but the draws differ from Float64's, so the two precisions give two
// independent estimates, which agree within their standard errors (see annealer32 in
// anneal32.go for the error budget, and bench/boltzbench aischeck for the measurements on
// MNIST-trained models). Float64, the zero value, is the reference path.
//
// Functions panic with a "boltz/ais: " message on a programmer's mistake (a nil model, a
// base bias or data of the wrong width). They return an error when the model, the data or
// the options are at fault: NaN or ±Inf parameters, non-Bernoulli units, data outside
// {0,1}, fewer than 2 runs, a schedule that does not rise strictly from 0 to 1
// (*ScheduleError), a cancelled context.
package ais

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/rbm"
)

// DefaultRuns is the default number of independent annealing runs M, as in Salakhutdinov &
// Murray (2008).
const DefaultRuns = 100

// DefaultGapThreshold is the default largest gap, in nats, of the reverse over the forward
// estimate of log Z for which Bracket calls them trustworthy (see Judge). If both bounds hold, log Z
// lies between them, so the gap bounds the error of either one. One nat is about 1% of the
// mean log-likelihood of a binary MNIST RBM (around −86 nats for 500 hidden units,
// Salakhutdinov & Murray 2008), well below the differences between training methods that such
// comparisons are run to resolve (several nats), and above the few hundredths of a nat that
// the standard errors of 100 runs of the default schedule amount to on well-annealed models,
// so a gap above it is bias, not noise.
const DefaultGapThreshold = 1.0

// DefaultBaseRateSmoothing is the default α of BaseRate: as if every unit had been seen on
// and off in an extra 5% of the data. It bounds the base-rate biases by
// |b_A,i| ≤ log((1+α)/α) = log 21 ≈ 3.04, so that pixels that are never on in the data are not
// pinned to 0 at β = 0, where the target may still give them weight. Salakhutdinov & Murray
// (2008) smooth the marginals for the same reason; the value and the symmetric form are our
// choice.
const DefaultBaseRateSmoothing = 0.05

// BaseRate returns the visible biases of the base-rate model of the rows of x (Salakhutdinov &
// Murray 2008): with p̄_i the mean of column i,
//
//	b_A,i = log((p̄_i + α)/(1 − p̄_i + α)),
//
// the log-odds of the smoothed marginal (p̄_i + α)/(1 + 2α), that is α·N pseudo-observations
// of each value added to the N rows. The base rate model is a proposal: any b_A gives a
// consistent estimate of log Z, but the closer p_A is to the target, the lower the variance.
// With no rows it returns zeros (the uniform distribution). Cost O(N·nv). It panics unless
// alpha > 0.
func BaseRate(x *matrix.Dense, alpha float64) []float64 {
	if !(alpha > 0) {
		panic(fmt.Sprintf("boltz/ais: BaseRate: alpha must be positive, got %v", alpha))
	}
	b := make([]float64, x.Cols)
	if x.Rows == 0 {
		return b
	}
	for r := 0; r < x.Rows; r++ {
		for i, v := range x.Row(r) {
			b[i] += v
		}
	}
	for i := range b {
		b[i] /= float64(x.Rows)
	}
	return BaseRateFromMeans(b, alpha)
}

// BaseRateFromMeans returns the base-rate biases for column means p̄ given directly (as
// model files record them: rbm.Meta.DataMean), b_A,i = log((p̄_i + α)/(1 − p̄_i + α)), the
// same as BaseRate of rows with those means. It panics unless alpha > 0.
func BaseRateFromMeans(means []float64, alpha float64) []float64 {
	if !(alpha > 0) {
		panic(fmt.Sprintf("boltz/ais: BaseRateFromMeans: alpha must be positive, got %v", alpha))
	}
	b := make([]float64, len(means))
	for i, p := range means {
		b[i] = math.Log((p + alpha) / (1 - p + alpha))
	}
	return b
}

// StartInputs returns the visible inputs at which chains start from the data's marginals
// (mcmc.Chains.DrawVisible), given the data mean of each visible unit, with the smoothing α
// of BaseRateFromMeans: its base-rate logits for Bernoulli units; for spins, with
// p = (1 + m̄)/2 the fraction of +1, ½ log((p + α)/(1 − p + α)); for Potts units
// log(p̄ + α). nil for other unit types, whose chains start from zero inputs.
func StartInputs(layer rbm.Layer, mean []float64) []float64 {
	const alpha = DefaultBaseRateSmoothing
	switch layer.(type) {
	case *rbm.Bernoulli:
		return BaseRateFromMeans(mean, alpha)
	case *rbm.Spin:
		u := make([]float64, len(mean))
		for i, m := range mean {
			p := (1 + m) / 2
			u[i] = 0.5 * math.Log((p+alpha)/(1-p+alpha))
		}
		return u
	case *rbm.Potts:
		u := make([]float64, len(mean))
		for i, m := range mean {
			u[i] = math.Log(m + alpha)
		}
		return u
	}
	return nil
}

// Options configures an AIS run. A nil *Options means the defaults.
type Options struct {
	// Runs is the number M of independent annealing runs; 0 means DefaultRuns. At least 2,
	// so that there is a standard error.
	Runs int
	// Betas is the schedule of inverse temperatures, rising strictly from exactly 0 to
	// exactly 1 (see Schedule and Linear); nil means Schedule(DefaultSteps). Reverse AIS
	// walks it backwards.
	Betas []float64
	// Seed selects the random streams: run m uses rng.PCG(Seed, m).
	Seed uint64
	// BaseBias is b_A, the visible biases of the base-rate model (see BaseRate). In Sandwich
	// (and LogLikelihood) nil means BaseRate(x, DefaultBaseRateSmoothing) of the rows x. In
	// Forward and Reverse, which have no data to fit it to, nil is an error for Bernoulli
	// visible units unless UniformBase is set: a base far from the model makes AIS slow
	// and its estimate poor, so the choice is the caller's to make. It is for Bernoulli
	// visible units: the generic path ignores it for other unit types (see Annealable).
	BaseBias []float64
	// UniformBase lets Forward and Reverse start from the uniform distribution (b_A = 0)
	// when BaseBias is nil.
	UniformBase bool
	// BaseRows, when not nil, are rows of data (nv columns) that Forward fits the base
	// model of the other unit types to, as Sandwich fits it to its rows: the hidden path's
	// base hidden layer to their hidden means, the generic path's base visible layer to
	// their column moments. Without them Forward's base there is the model's own layers
	// without weights. The fused Bernoulli path ignores them (it takes BaseBias).
	BaseRows *matrix.Dense
	// GapThreshold is the largest reverse − forward gap in nats that Sandwich calls
	// trustworthy (see Judge); 0 means DefaultGapThreshold.
	GapThreshold float64
	// Precision selects the arithmetic of the annealing steps: Float64 (the zero value) or
	// Float32, float32 matrix products and sampling with the log weights still accumulated
	// in float64 (see Precision).
	Precision Precision
	// Progress, when not nil, is called from the calling goroutine after every temperature
	// step with the number of steps done and the total (K for Forward and Reverse, 2K for
	// Sandwich).
	Progress func(done, total int)
}

// Precision is the arithmetic of the annealing steps; it is mcmc's type, so one value
// chooses the arithmetic of both packages (boltz eval's -precision).
//
// Float64 runs every step in double precision. It is the zero value and the reference.
// Float32 computes the matrix products W h and Wᵀv (float32 products, linalg.Sgemm), the
// exponentials and the Bernoulli draws in single precision, about four times as fast on
// 784×500; the weight increments are formed from float32 exponentials and summed in float64
// (see annealer32 for the error budget, a few 10⁻⁴ nats over the default schedule). The draws
// use the runs' own streams, as in Float64, but not the same uniforms, so the two precisions
// give different, equally valid, estimates.
type Precision = mcmc.Precision

// The two precisions, as in package mcmc.
const (
	Float64 = mcmc.Float64
	Float32 = mcmc.Float32
)

// Result is an AIS estimate of log Z from M runs.
type Result struct {
	// LogWeights holds log w_m of each run m: the forward importance weights, which
	// estimate Z/Z_A, or for reverse AIS the reverse weights, which estimate Z_A/Z.
	LogWeights []float64
	// LogZ is the estimate of log Z: log Z_A + log mean(w) forward, log Z_A − log mean(w_rev)
	// reverse.
	LogZ float64
	// LogZStderr is the delta-method standard error of LogZ, s_w/(√M·w̄).
	LogZStderr float64
	// Lower3 and Upper3 are LogZ ∓ 3·LogZStderr.
	Lower3, Upper3 float64
	// ESS is the effective sample size of the weights, (Σ w)²/Σ w², between 1 and M.
	ESS float64
	// LogZBase is log Z_A, the log partition function of the base-rate model.
	LogZBase float64
	// Runs and Steps are M and K, the number of runs and of temperature steps.
	Runs, Steps int
}

// Bracket is a forward and a reverse AIS estimate of the same log Z.
type Bracket struct {
	Forward, Reverse Result
	// Gap is Reverse.LogZ − Forward.LogZ, positive in expectation; it bounds the error of
	// either estimate when both bounds hold.
	Gap float64
	// Threshold is the largest Gap in nats that is called trustworthy.
	Threshold float64
	// Verdict is JudgeBracket's verdict: Consistent, GapTooWide, Inverted or LowESS.
	Verdict Verdict
	// Trustworthy reports Verdict == Consistent.
	Trustworthy bool
}

// Verdict says whether a forward and a reverse estimate of log Z form a bracket that can be
// trusted and, when not, which side of the check failed (see Judge).
type Verdict int

const (
	// Consistent: −3·sqrt(se_fwd² + se_rev²) ≤ Gap ≤ Threshold.
	Consistent Verdict = iota
	// GapTooWide: Gap > Threshold (or Gap is NaN). The bounds are consistent but too far
	// apart: log Z lies somewhere in a bracket wider than the threshold, so neither estimate
	// is known to within it. The usual cause is a schedule too short for the model.
	GapTooWide
	// Inverted: Gap < −3·sqrt(se_fwd² + se_rev²). The upper bound lies below the lower one
	// by more than the ±3σ noise of their difference, which cannot happen when both bounds
	// hold: reverse AIS started at data the annealing does not reach (the r ≈ 1 condition
	// of the package documentation fails), or a standard error under-states the spread of
	// heavy-tailed weights (a low ESS).
	Inverted
	// LowESS: the gap is within bounds, but the forward or the reverse estimate is carried
	// by a handful of runs: its effective sample size is below MinESS(M). The mean of such
	// weights is dominated by its largest terms, and the standard error, computed from the
	// same few runs, under-states the spread, so neither the estimate nor its error bar
	// can be taken at face value.
	LowESS
)

// MinESS returns the smallest effective sample size of M runs' weights that JudgeBracket
// accepts: a tenth of the runs, and never fewer than 3. With 100 runs, an estimate whose
// weights behave like fewer than 10 equal ones is called untrustworthy; with 16 runs, one
// carried by one or two runs is. The tenth is the usual rule of thumb for importance weights
// (an ESS below 10% of the sample signals a proposal far from the target); the floor of 3
// keeps the rule meaningful for few runs.
func MinESS(runs int) float64 { return max(3, 0.1*float64(runs)) }

// String returns "consistent", "gap_too_wide", "inverted" or "low_ess", the names boltz
// eval prints.
func (v Verdict) String() string {
	switch v {
	case Consistent:
		return "consistent"
	case GapTooWide:
		return "gap_too_wide"
	case Inverted:
		return "inverted"
	case LowESS:
		return "low_ess"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Judge decides whether a forward estimate (a stochastic lower bound on log Z, standard error
// fwdSE) and a reverse estimate (a stochastic upper bound, standard error revSE) whose gap is
// gap = reverse − forward can be trusted:
//
//	GapTooWide   if gap > threshold (or gap is NaN)
//	Inverted     if gap < −3·sqrt(fwdSE² + revSE²)
//	Consistent   otherwise
//
// A positive gap is the width of the bracket, so it must be small; a negative gap is only
// allowed as far as the noise of the difference of two independent estimates, 3 standard
// errors of it. Cost O(1); no randomness.
func Judge(gap, fwdSE, revSE, threshold float64) Verdict {
	switch {
	case !(gap <= threshold):
		return GapTooWide
	case gap < NoiseFloor(fwdSE, revSE):
		return Inverted
	}
	return Consistent
}

// JudgeBracket is Judge on the gap of a forward and a reverse estimate, followed by a check
// of their effective sample sizes: a bracket that Judge calls Consistent is LowESS when
// either estimate's ESS is below MinESS of its runs. Cost O(1); no randomness.
func JudgeBracket(fwd, rev *Result, threshold float64) Verdict {
	if v := Judge(rev.LogZ-fwd.LogZ, fwd.LogZStderr, rev.LogZStderr, threshold); v != Consistent {
		return v
	}
	if fwd.ESS < MinESS(fwd.Runs) || rev.ESS < MinESS(rev.Runs) {
		return LowESS
	}
	return Consistent
}

// NoiseFloor returns −3·sqrt(fwdSE² + revSE²), the most negative gap that Judge puts down to
// noise.
func NoiseFloor(fwdSE, revSE float64) float64 { return -3 * math.Hypot(fwdSE, revSE) }

// ErrUnsupported is returned for models whose unit types the annealer does not implement:
// Bernoulli–Bernoulli models take the fused annealer, others the generic path when both
// layers implement Annealable (Gaussian, ReLU, dReLU, Bernoulli do).
// It is rbm.ErrUnsupported, wrapped in an *rbm.UnsupportedError that names the unit types.
var ErrUnsupported = rbm.ErrUnsupported

// Forward estimates log Z of m by AIS from the base-rate model with biases opts.BaseBias to
// m, along opts.Betas, with opts.Runs independent runs (see the package documentation for
// the estimator, its bias and its standard error).
//
// Cost: K temperature steps of 4·M·nv·nh flops each (two matrix products) plus O(M·(nv+nh))
// exponentials; 100 runs of the default 14,500 steps on a 784×500 model is 2.3·10^12 flops.
// It uses random streams rng.PCG(opts.Seed, m) and its result does not depend on
// GOMAXPROCS. It returns an error for an invalid model or options, or ctx's error when ctx is
// cancelled. It panics if m is nil or opts.BaseBias has the wrong length.
func Forward(ctx context.Context, m *rbm.RBM, opts *Options) (*Result, error) {
	cfg, err := configure(m, opts, nil)
	if err != nil {
		return nil, err
	}
	if err := cfg.needBase(opts, "Forward"); err != nil {
		return nil, err
	}
	return forward(ctx, m, cfg, 0, cfg.steps())
}

// Reverse estimates log Z of m by reverse AIS: run r starts at row ⌊r·N/M⌋ of x (so the M
// runs spread evenly over the N rows), draws h ~ p(h|v) at β = 1 and anneals down the
// schedule to the base-rate model, accumulating the reverse weights. log Z_A − log mean(w_rev)
// is a stochastic upper bound on log Z in the sense the package documentation makes
// precise: exactly so when the rows are draws from m, approximately when they are held-out
// data and the annealing is slow enough.
//
// Cost as Forward, plus one extra transition. Run m uses its own random stream, separate from
// Forward's. It returns an error when x has no rows or a value
// outside {0,1}, and as Forward otherwise. It panics if x does not have nv columns.
func Reverse(ctx context.Context, m *rbm.RBM, x *matrix.Dense, opts *Options) (*Result, error) {
	cfg, err := configure(m, opts, x)
	if err != nil {
		return nil, err
	}
	if err := cfg.needBase(opts, "Reverse"); err != nil {
		return nil, err
	}
	return reverse(ctx, m, x, cfg, 0, cfg.steps())
}

// Sandwich runs Forward and then Reverse, started at the rows of x, with the same options and
// returns both with their gap: log Z lies between Forward.LogZ and Reverse.LogZ in
// expectation (as far as the reverse bound holds), and the estimates are flagged
// untrustworthy (JudgeBracket) when the reverse estimate exceeds the forward one by more than
// opts.GapThreshold nats, falls below it by more than 3 standard errors of the difference, or
// either is carried by too few runs (an ESS below MinESS). When opts.BaseBias is nil both use BaseRate(x, DefaultBaseRateSmoothing). Cost, errors and panics as Forward and
// Reverse together.
func Sandwich(ctx context.Context, m *rbm.RBM, x *matrix.Dense, opts *Options) (*Bracket, error) {
	cfg, err := configure(m, opts, x)
	if err != nil {
		return nil, err
	}
	sp, err := sandwichSpan(ctx, m, x, cfg, 0, cfg.runs)
	if err != nil {
		return nil, err
	}
	return MergeSandwich([]*Span{sp}, cfg.threshold)
}

// config is Options with the defaults filled in and validated.
type config struct {
	runs      int
	betas     []float64
	seed      uint64
	baseBias  []float64
	threshold float64
	precision Precision
	progress  func(done, total int)
	generic   bool // the model is not Bernoulli–Bernoulli: the generic path (Annealable), in float64
	hidden    bool // of those, one AIS anneals on the hidden side (hiddenSide)
	baseRows  *matrix.Dense
}

func (c *config) steps() int { return len(c.betas) - 1 }

// Supports returns an *rbm.UnsupportedError (errors.Is rbm.ErrUnsupported) unless AIS takes
// models with these layers: Bernoulli on both sides (the fused annealer) or layers that both
// implement Annealable (the generic path).
func Supports(visible, hidden rbm.Layer) error {
	_, bv := visible.(*rbm.Bernoulli)
	_, bh := hidden.(*rbm.Bernoulli)
	_, av := visible.(Annealable)
	_, ah := hidden.(Annealable)
	if (bv && bh) || (av && ah) {
		return nil
	}
	return &rbm.UnsupportedError{Op: "ais", Want: "bernoulli units, or unit types with an AIS path (ais.Annealable)",
		Layer: visible.Name() + " visible and " + hidden.Name() + " hidden"}
}

// needBase returns an error when Forward or Reverse (op) would start the fused Bernoulli
// path from a base the caller did not choose: no BaseBias and no UniformBase.
func (c *config) needBase(opts *Options, op string) error {
	if c.generic || c.baseBias != nil || (opts != nil && opts.UniformBase) {
		return nil
	}
	return fmt.Errorf("ais: %s: Options.BaseBias is nil; pass BaseRate(x, DefaultBaseRateSmoothing) of the data "+
		"(a far better start than the uniform distribution), or set Options.UniformBase", op)
}

// configure validates m, opts and, when not nil, the data x.
func configure(m *rbm.RBM, opts *Options, x *matrix.Dense) (*config, error) {
	if m == nil {
		panic("boltz/ais: nil model")
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("ais: model: %w", err)
	}
	if err := Supports(m.Visible, m.Hidden); err != nil {
		return nil, err
	}
	_, bv := m.Visible.(*rbm.Bernoulli)
	_, bh := m.Hidden.(*rbm.Bernoulli)
	generic := !bv || !bh
	if err := m.CheckNormalizable(); err != nil {
		return nil, fmt.Errorf("ais: %w", err)
	}
	if opts == nil {
		opts = &Options{}
	}
	c := &config{runs: opts.Runs, betas: opts.Betas, seed: opts.Seed, baseBias: opts.BaseBias,
		threshold: opts.GapThreshold, precision: opts.Precision, progress: opts.Progress, generic: generic,
		hidden: generic && hiddenSide(m)}
	if c.runs == 0 {
		c.runs = DefaultRuns
	}
	if c.runs < 2 {
		return nil, fmt.Errorf("ais: Options.Runs must be at least 2, got %d", c.runs)
	}
	if c.betas == nil {
		c.betas = Schedule(DefaultSteps)
	} else if err := CheckSchedule(c.betas); err != nil {
		return nil, err
	}
	if c.threshold == 0 {
		c.threshold = DefaultGapThreshold
	}
	if c.precision != Float64 && c.precision != Float32 {
		return nil, fmt.Errorf("ais: Options.Precision must be Float64 or Float32, got %v", c.precision)
	}
	if !(c.threshold > 0) {
		return nil, fmt.Errorf("ais: Options.GapThreshold must be positive, got %v", c.threshold)
	}
	if c.baseBias != nil {
		if len(c.baseBias) != m.NV() {
			panic(fmt.Sprintf("boltz/ais: BaseBias has length %d, model has %d visible units", len(c.baseBias), m.NV()))
		}
		for i, b := range c.baseBias {
			if math.IsNaN(b) || math.IsInf(b, 0) {
				return nil, fmt.Errorf("ais: Options.BaseBias[%d] is %v", i, b)
			}
		}
	}
	if opts.BaseRows != nil {
		b := opts.BaseRows
		if b.Cols != m.NV() || b.Rows == 0 {
			return nil, fmt.Errorf("ais: Options.BaseRows is %d×%d, want rows of %d columns", b.Rows, b.Cols, m.NV())
		}
		for r := 0; r < b.Rows; r++ {
			if err := m.Visible.Check(b.Row(r)); err != nil {
				return nil, fmt.Errorf("ais: Options.BaseRows row %d: %w", r+1, err)
			}
		}
		c.baseRows = b
	}
	if x != nil {
		if x.Cols != m.NV() {
			panic(fmt.Sprintf("boltz/ais: data has %d columns, model has %d visible units", x.Cols, m.NV()))
		}
		if x.Rows == 0 {
			return nil, errors.New("ais: no data rows to start reverse AIS from")
		}
		for r := 0; r < x.Rows; r++ {
			if err := m.Visible.Check(x.Row(r)); err != nil {
				return nil, fmt.Errorf("ais: data row %d: %w", r+1, err)
			}
		}
	}
	return c, nil
}

func (c *config) base(nv int) []float64 {
	if c.baseBias == nil {
		return make([]float64, nv)
	}
	return c.baseBias
}

func forward(ctx context.Context, m *rbm.RBM, c *config, offset, total int) (*Result, error) {
	if c.hidden {
		p := newHiddenPath(m, c.baseRows)
		logW, err := hiddenForward(ctx, p, c, 0, c.runs, offset, total)
		if err != nil {
			return nil, err
		}
		return summarize(logW, p.logZA, 1, c.steps()), nil
	}
	if c.generic {
		p := newGenericPath(m, c, c.baseRows)
		logW, err := genericForward(ctx, p, c, 0, c.runs, offset, total)
		if err != nil {
			return nil, err
		}
		return summarize(logW, p.logZA, 1, c.steps()), nil
	}
	bA := c.base(m.NV())
	logW, err := forwardWeights(ctx, m, c, bA, 0, c.runs, offset, total)
	if err != nil {
		return nil, err
	}
	return summarize(logW, logZBase(bA, m.NH()), 1, c.steps()), nil
}

func reverse(ctx context.Context, m *rbm.RBM, x *matrix.Dense, c *config, offset, total int) (*Result, error) {
	if c.hidden {
		p := newHiddenPath(m, x)
		logW, err := hiddenReverse(ctx, p, x, c, 0, c.runs, offset, total)
		if err != nil {
			return nil, err
		}
		return summarize(logW, p.logZA, -1, c.steps()), nil
	}
	if c.generic {
		p := newGenericPath(m, c, x)
		logW, err := genericReverse(ctx, p, x, c, 0, c.runs, offset, total)
		if err != nil {
			return nil, err
		}
		return summarize(logW, p.logZA, -1, c.steps()), nil
	}
	bA := c.base(m.NV())
	logW, err := reverseWeights(ctx, m, x, c, bA, 0, c.runs, offset, total)
	if err != nil {
		return nil, err
	}
	return summarize(logW, logZBase(bA, m.NH()), -1, c.steps()), nil
}

// forwardWeights returns the log weights of forward runs [lo, hi) of c.runs.
func forwardWeights(ctx context.Context, m *rbm.RBM, c *config, bA []float64, lo, hi, offset, total int) ([]float64, error) {
	s := c.newStepper(m, bA, nil, lo, hi-lo)
	if a, ok := s.(*annealer); ok {
		a.sampleBase()
	} else {
		s.visible(0) // v ~ p_A: the visible inputs at β = 0 are b_A
	}
	if err := anneal(ctx, s, c.betas, false, c.progress, offset, total); err != nil {
		return nil, err
	}
	return s.logWeights(), nil
}

// reverseWeights returns the log weights of reverse runs [lo, hi) of c.runs, run r started
// at row ⌊r·N/c.runs⌋ of x.
func reverseWeights(ctx context.Context, m *rbm.RBM, x *matrix.Dense, c *config, bA []float64, lo, hi, offset, total int) ([]float64, error) {
	s := c.newStepper(m, bA, []uint64{streamReverse}, lo, hi-lo)
	switch a := s.(type) {
	case *annealer:
		a.setStart(x, lo, c.runs)
	case *annealer32:
		a.setStart(x, lo, c.runs)
	}
	down := make([]float64, len(c.betas))
	for k, b := range c.betas {
		down[len(down)-1-k] = b
	}
	if err := anneal(ctx, s, down, true, c.progress, offset, total); err != nil {
		return nil, err
	}
	return s.logWeights(), nil
}

// newStepper returns the annealer of the configured precision for runs first ..
// first+runs−1 of m, with base biases bA and the random streams under stream.
func (c *config) newStepper(m *rbm.RBM, bA []float64, stream []uint64, first, runs int) stepper {
	if c.precision == Float32 {
		return newAnnealer32(m, first, runs, bA, c.seed, stream)
	}
	return newAnnealer(m, first, runs, bA, c.seed, stream)
}

// logZBase returns log Z_A = Σ_i softplus(b_A,i) + nh·log 2.
func logZBase(bA []float64, nh int) float64 {
	s := float64(nh) * math.Ln2
	for _, b := range bA {
		s += numeric.Softplus(b)
	}
	return s
}

// summarize turns the log weights into an estimate: log Z = logZA + sign·log mean(w), with
// sign +1 for forward weights (which estimate Z/Z_A) and −1 for reverse ones (Z_A/Z).
func summarize(logW []float64, logZA, sign float64, steps int) *Result {
	n := float64(len(logW))
	top := math.Inf(-1)
	for _, lw := range logW {
		top = max(top, lw)
	}
	var s1, s2 float64 // Σ w̃, Σ w̃² with w̃ = w/max w
	for _, lw := range logW {
		w := math.Exp(lw - top)
		s1 += w
		s2 += w * w
	}
	mean := s1 / n
	var ss float64 // Σ (w̃ − mean)², two-pass so that nearly equal weights lose nothing
	for _, lw := range logW {
		d := math.Exp(lw-top) - mean
		ss += d * d
	}
	se := math.Sqrt(ss/(n-1)) / (math.Sqrt(n) * mean)
	logZ := logZA + sign*(top+math.Log(mean))
	return &Result{
		LogWeights: append([]float64(nil), logW...),
		LogZ:       logZ, LogZStderr: se,
		Lower3: logZ - 3*se, Upper3: logZ + 3*se,
		ESS:      s1 * s1 / s2,
		LogZBase: logZA, Runs: len(logW), Steps: steps,
	}
}
