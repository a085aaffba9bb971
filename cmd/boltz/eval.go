package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

func init() {
	register(&command{
		Name:  "eval",
		Usage: "boltz eval -model M.npz -data SPEC [-method auto|exact|ais] [-runs N] [-betas K] [-seed S] [-precision auto|float32|float64] [-json] [-shard I/N -o PART.json]",
		Short: "log Z, log-likelihood (exact or AIS with error bars), pseudo-log-likelihood, reconstruction error",
		Long: `Eval measures a model on a data set. It prints:

  log Z                 the log partition function: exact, or estimated by annealed importance
                        sampling (AIS) with its standard error
  mean log-likelihood   ⟨log p(v)⟩ = ⟨−F(v)⟩ − log Z over the rows of the data, with two
                        errors: the error of log Z carried over (the estimator's), and the
                        sampling standard error of the mean of −F(v) over the rows (the
                        data's: how much another sample of as many rows would move it)
  pseudo-log-likelihood ⟨Σ_i log p(v_i | v_−i)⟩, exact over every unit, from the free-energy
                        differences F(v) − F(v with bit i flipped)
  reconstruction error  ⟨Σ_i (v_i − E[v | E[h|v]]_i)²⟩

-method exact enumerates the smaller layer (boltz exact; 2^min(nv,nh) states). -method ais
runs forward AIS from a base model without weights (for Bernoulli units the base-rate
model, Salakhutdinov & Murray 2008; for Gaussian units see the hidden path below) to the
model with -runs independent runs over -betas temperatures, and reverse AIS back down
(Burda, Grosse & Salakhutdinov 2015). Where the reverse runs start is -reverse-start:
samples (the default) runs -runs Gibbs chains for -reverse-sweeps sweeps from the base-rate
model of the data (for Gaussian visible units, from the data's column means, followed by
-reverse-sweeps/10 rounds of Gibbs–Langevin sampling and then -reverse-sweeps/10 sweeps of
parallel tempering over 20 replicas along the hidden path, which reach regions of the model
block Gibbs leaves) and starts from their final states, to which forward AIS also fits its
base model (bidirectional Monte Carlo with approximate samples: Grosse, Ghahramani & Adams
2015); data starts at the data rows, to which forward AIS then fits its base model (the only
start of earlier versions of boltz). Reverse AIS is an upper bound on log Z only when it
starts from samples of the model: started at MNIST test rows it fell 1.4 to 3 nats below
forward AIS on 784×500 models trained for 20 to 30 epochs, where model samples gave brackets
0.5 nats wide. Forward AIS under-estimates log Z in expectation (so it over-estimates the
log-likelihood); reverse AIS over-estimates it (so its log-likelihood is a stochastic lower
bound, to the extent that the samples and the annealing reach the model; see the ais
package). So log Z should lie between them, and the gap (reverse − forward) should be
positive up to noise. Eval calls the bracket UNTRUSTWORTHY, and warns on stderr, when:

  gap > -gap NATS       the bracket is too wide: log Z lies in it, but neither estimate is
                        known to within -gap nats (the schedule is too short)
  gap < −3·sqrt(se_fwd² + se_rev²)
                        the bracket is inverted: the upper bound lies below the lower one
                        by more than the ±3σ noise of their difference, which valid bounds
                        never do (reverse AIS from data the annealing does not reach, or
                        weights so heavy-tailed that the standard errors under-state them)
  ESS < max(3, runs/10) in either direction
                        the estimate rests on a few runs (low effective sample size): its
                        mean is dominated by its largest weights and its standard error
                        under-states the spread

For Gaussian visible units AIS takes the hidden path: it integrates the visible layer out
(exactly) and anneals the hidden layer, from independent hidden units fitted to the hidden
means of the states the reverse runs start from to the model's marginal p(h). Its steps run
in float64.

-method auto, the default, is exact when the smaller layer has at most 24 units (2^24
states: a few seconds for 784 visible units, where 2^32 would take an hour) and AIS
otherwise. -method ais on a small model shows how close AIS comes to the exact value.

The data must have the model's nv columns and values in the visible units' support: 0 or 1
for Bernoulli units (-binarize threshold turns grey values into 0/1; auto does so for MNIST),
any finite value for Gaussian units, which see the data through the scaling the model
records (-scale at training). -binarize stochastic draws the bits from
-binarize-seed (default 1) and the -data SPEC as written, never from -seed: AIS reruns with
other seeds, and other models, see the same data bits, and mnist:test never gets the bits
'boltz train -seed S' drew for mnist. -binarize dynamic is refused: eval needs one fixed data
set. The same seeds give the same numbers whatever GOMAXPROCS is. Progress goes to
stderr.

-precision float32 runs the AIS steps with float32 matrix products, exponentials and draws,
the log weights summed in float64 (ais.Float32): about twice as fast on MNIST-sized
models, and within the standard errors of float64 (float32 and float64 draw different
uniforms, so their numbers differ like two seeds'). It needs Bernoulli units on both sides
and is refused for other models. auto, the default, is float32 for Bernoulli models and
float64 for the others; -precision float64 is the reference.

With -json the results are one JSON object with the keys method, log_z, log_z_stderr,
log_z_reverse, log_z_reverse_stderr, mean_log_likelihood, mean_log_likelihood_stderr (the
log Z error carried over), mean_log_likelihood_data_stderr (the data's sampling error),
mean_log_likelihood_reverse, ess, ess_reverse, gap, trustworthy, pseudo_log_likelihood, recon_error,
n_rows, nv, nh, runs, betas, seed and precision, and untrustworthy_reason ("gap_too_wide", "inverted" or
"low_ess", null when trustworthy), gap_noise_floor (−3·sqrt(se_fwd² + se_rev²)),
reverse_start, reverse_sweeps, reverse_langevin_rounds (the Gibbs–Langevin rounds after
the sweeps), reverse_tempering_replicas and reverse_tempering_sweeps (the parallel tempering
after those; the last three are 0 unless the visible units are Gaussian, and the last four
null for -reverse-start data); the AIS-only ones are null for -method exact.

-shard I/N -o PART.json (with -method ais) runs only the AIS runs [I·runs/N, (I+1)·runs/N),
forward and reverse, and writes their log weights to PART.json; shard 0 also measures the
data rows. Each run draws from its own random stream, so 'boltz merge' of the N partials, in
any order, prints what boltz eval prints without -shard, bit for bit.`,
		Flags: evalFlags,
	})
}

// maxAutoExactUnits is the largest smaller layer that -method auto enumerates: 2^24 states
// of a 784-unit layer take a few seconds on two cores (boltz exact: 0.3 s for 2^20), so auto
// never waits long, and every model above it gets AIS.
const maxAutoExactUnits = 24

type evalConfig struct {
	model, spec, method, shape string
	langevinRounds             int // Gibbs–Langevin rounds after the reverse start's sweeps (ais.ReverseStartLangevin)
	temperReplicas             int // replicas of the parallel tempering after them (ais.ReverseStartTempering)
	temperSweeps               int // and its sweeps
	data                       dataFlags
	runs, betas                int
	seed, binarizeSeed         uint64
	gap                        float64
	asJSON                     bool
	shard                      shardFlags // -shard I/N -o FILE: write a partial for boltz merge
	maxSeconds                 float64    // -max-seconds: the time limit of -method exact (0: none)
	reverseStart               string     // samples or data: where reverse AIS starts
	reverseSweeps              int        // Gibbs sweeps of the model samples reverse AIS starts from
	precision                  string
}

// defaultReverseSweeps is the length of the Gibbs chains whose final states start reverse
// AIS (and set the base-rate model of forward AIS) under -reverse-start samples: a seventh
// of the cost of the default 14,500-temperature forward pass. On a 784×500 MNIST model
// trained for 30 epochs, 5000 sweeps gave a forward/reverse gap of +0.45 nats, where starting
// at the test rows gave −1.4 to −2.0 (an inverted bracket).
const defaultReverseSweeps = 2000

func evalFlags(fs *flag.FlagSet) func(*env, []string) error {
	var c evalConfig
	fs.StringVar(&c.model, "model", "", "model `FILE` (.npz) to measure; required")
	fs.StringVar(&c.spec, "data", "", "data `SPEC` to measure on: bas:N, shifter:N, mnist, mnist:test, or a .csv, .npy, .idx or .idx.gz file; required")
	fs.StringVar(&c.method, "method", "auto", "auto, exact or ais (see above)")
	fs.IntVar(&c.runs, "runs", ais.DefaultRuns, "independent AIS runs (at least 2)")
	fs.IntVar(&c.betas, "betas", ais.DefaultSteps, "AIS temperature steps (the Salakhutdinov & Murray schedule, scaled)")
	fs.StringVar(&c.shape, "schedule", "murray", "shape of the temperature schedule: murray (denser near β = 1) or linear")
	fs.Uint64Var(&c.seed, "seed", 1, "random `SEED` for AIS (not for the data bits: see -binarize-seed)")
	fs.Uint64Var(&c.binarizeSeed, "binarize-seed", 1, "random `SEED` of -binarize stochastic, with the -data SPEC as written (independent of -seed)")
	fs.Float64Var(&c.gap, "gap", ais.DefaultGapThreshold, "warn when reverse AIS exceeds forward AIS by more than this many `NATS` (a reverse estimate below the forward one by more than 3σ is always flagged)")
	c.data.registerBinarize(fs)
	fs.BoolVar(&c.asJSON, "json", false, "print one JSON object on stdout instead of a table")
	fs.StringVar(&c.precision, "precision", "auto", "arithmetic of the AIS steps: float32 (Bernoulli models only), float64, or auto (float32 for Bernoulli models, float64 for others)")
	fs.StringVar(&c.reverseStart, "reverse-start", "samples", "where reverse AIS starts: samples (the final states of -runs Gibbs chains "+
		"of -reverse-sweeps sweeps, for Gaussian units followed by Gibbs–Langevin rounds and parallel tempering; forward AIS "+
		"fits its base model to them) or data (the data rows, to which forward AIS then fits its base model)")
	fs.IntVar(&c.reverseSweeps, "reverse-sweeps", defaultReverseSweeps, "Gibbs sweeps of the chains that -reverse-start samples starts from (for Gaussian units also ten times the Gibbs–Langevin rounds and the tempering sweeps that follow)")
	c.shard.register(fs, "AIS runs")
	fs.Float64Var(&c.maxSeconds, "max-seconds", defaultMaxSeconds, "refuse an exact enumeration estimated (by a short timed probe) to take more than `S` seconds; 0 removes the limit")
	return func(e *env, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		if err := c.shard.check(); err != nil {
			return err
		}
		if err := c.check(); err != nil {
			return err
		}
		return runEval(e, &c)
	}
}

func (c *evalConfig) check() error {
	switch {
	case c.model == "":
		return flagError("model", "a model file is required")
	case c.spec == "":
		return flagError("data", "a data SPEC is required")
	case c.method != "auto" && c.method != "exact" && c.method != "ais":
		return flagError("method", "must be auto, exact or ais, got %q", c.method)
	case c.runs < 2:
		return flagError("runs", "must be at least 2 (a standard error needs two runs), got %d", c.runs)
	case !(c.maxSeconds >= 0) || c.maxSeconds > 1e15:
		return flagError("max-seconds", "must be a number of seconds ≥ 0 (0: no limit), got %v", c.maxSeconds)
	case c.reverseStart != "samples" && c.reverseStart != "data":
		return flagError("reverse-start", "must be samples or data, got %q", c.reverseStart)
	case c.reverseSweeps < 1:
		return flagError("reverse-sweeps", "must be at least 1, got %d", c.reverseSweeps)
	case c.betas < 1:
		return flagError("betas", "must be at least 1, got %d", c.betas)
	case c.shape != "murray" && c.shape != "linear":
		return flagError("schedule", "must be murray or linear, got %q", c.shape)
	case !(c.gap > 0) || math.IsInf(c.gap, 1):
		return flagError("gap", "must be a positive number of nats, got %v", c.gap)
	case !validPrecision(c.precision):
		return flagError("precision", "must be auto, float32 or float64, got %q", c.precision)
	}
	return c.data.check()
}

// evalResult is what boltz eval reports. The AIS fields are nil for the exact method.
type evalResult struct {
	Method           string   `json:"method"`
	LogZ             float64  `json:"log_z"`
	LogZStderr       float64  `json:"log_z_stderr"`
	LogZReverse      *float64 `json:"log_z_reverse"`
	LogZReverseSE    *float64 `json:"log_z_reverse_stderr"`
	MeanLL           float64  `json:"mean_log_likelihood"`
	MeanLLStderr     float64  `json:"mean_log_likelihood_stderr"`
	MeanLLDataStderr *float64 `json:"mean_log_likelihood_data_stderr"` // null for one row
	MeanLLReverse    *float64 `json:"mean_log_likelihood_reverse"`
	ESS              *float64 `json:"ess"`
	Gap              *float64 `json:"gap"`
	Trustworthy      bool     `json:"trustworthy"`
	// UntrustworthyReason is ais.Verdict's name, "gap_too_wide" or "inverted", or null.
	UntrustworthyReason *string  `json:"untrustworthy_reason"`
	GapNoiseFloor       *float64 `json:"gap_noise_floor"`
	PLL                 *float64 `json:"pseudo_log_likelihood"` // null unless the visible units are Bernoulli
	Recon               float64  `json:"recon_error"`
	Rows                int      `json:"n_rows"`
	NV                  int      `json:"nv"`
	NH                  int      `json:"nh"`
	Runs                *int     `json:"runs"`
	Betas               *int     `json:"betas"`
	Seed                *uint64  `json:"seed"`
	ESSReverse          *float64 `json:"ess_reverse"`
	ReverseStart        *string  `json:"reverse_start"`  // samples or data
	ReverseSweeps       *int     `json:"reverse_sweeps"` // null unless reverse_start is samples
	// ReverseLangevin is the number of Gibbs–Langevin rounds after those sweeps (Gaussian
	// visible units; 0 for others), null unless reverse_start is samples.
	ReverseLangevin *int `json:"reverse_langevin_rounds"`
	// ReverseTemperingReplicas and ReverseTemperingSweeps describe the parallel tempering
	// along AIS's hidden path that follows (Gaussian visible units; 0 for others), null
	// unless reverse_start is samples.
	ReverseTemperingReplicas *int `json:"reverse_tempering_replicas"`
	ReverseTemperingSweeps   *int `json:"reverse_tempering_sweeps"`
	// Precision is the arithmetic of the AIS steps, "float32" or "float64"; null for exact.
	Precision *string `json:"precision"`

	bracket        *ais.Bracket
	gapMax         float64
	pllUnsupported error   // why PLL is null
	enumBits       float64 // log₂ of the states enumerated (exact)
}

func runEval(e *env, c *evalConfig) error {
	m, meta, err := loadModel(e, c.model)
	if err != nil {
		return err
	}
	c.data.pixel = pixelFromMeta(meta)
	ds, err := c.data.loadFor(e, c.spec, c.binarizeSeed, m)
	if err != nil {
		return err
	}
	if c.shard.set() {
		return runEvalShard(e, c, m, ds)
	}
	res, err := measureLogLikelihood(e, c, m, ds, "eval")
	if err != nil {
		return err
	}
	if res.pllUnsupported = m.CheckPseudoLikelihood(); res.pllUnsupported == nil {
		pll := pseudoLogLikelihood(e.stderr, m, ds.X)
		res.PLL = &pll
	}
	res.Recon = m.ReconError(ds.X)
	return res.report(e, c, ds.Name)
}

// report writes the result to stdout, as a table or JSON, and the warning of an
// untrustworthy bracket to stderr.
func (r *evalResult) report(e *env, c *evalConfig, dataName string) error {
	if !r.Trustworthy {
		warnGap(e.stderr, r, "boltz eval")
	}
	if c.asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	r.print(e.stdout, c, dataName)
	return nil
}

// resolveMethod returns -method, with auto resolved for m.
func (c *evalConfig) resolveMethod(m *rbm.RBM) string {
	if c.method != "auto" {
		return c.method
	}
	if enumerationBits(m) <= maxAutoExactUnits {
		return "exact"
	}
	return "ais"
}

// measureLogLikelihood finds log Z of m by c.method (auto: exact when the smaller layer has
// at most maxAutoExactUnits units, else forward and reverse AIS with c's runs, temperatures
// and seed) and the mean log-likelihood of the rows of ds with its errors. It leaves the
// pseudo-log-likelihood and the reconstruction error at zero. Progress lines on stderr start
// with who. boltz eval and boltz train's final evaluation both measure through it, so the
// two print the same numbers for the same model, data and seed.
func measureLogLikelihood(e *env, c *evalConfig, m *rbm.RBM, ds *data.Dataset, who string) (*evalResult, error) {
	method := c.resolveMethod(m)
	c.langevinRounds = ais.ReverseStartLangevin(m, c.reverseSweeps)
	c.temperReplicas, c.temperSweeps = ais.ReverseStartTempering(m, c.reverseSweeps)
	res := &evalResult{Method: method, Rows: ds.X.Rows, NV: m.NV(), NH: m.NH(), Trustworthy: true, gapMax: c.gap, enumBits: enumerationBits(m)}
	if method == "exact" {
		start := time.Now()
		var err error
		opts := &exact.Options{MaxSeconds: c.maxSeconds, Progress: enumProgress(e.stderr, who+":")}
		if res.LogZ, err = exact.LogZ(m, opts); err != nil {
			var tl *exact.ErrTooLarge
			if errors.As(err, &tl) {
				return nil, fmt.Errorf("-method exact: %w; use -method ais", err)
			}
			return nil, tooSlowError(err)
		}
		fmt.Fprintf(e.stderr, "%s: enumerated 2^%.4g states in %s\n", who, enumerationBits(m), time.Since(start).Round(time.Millisecond))
	} else if err := e.checkMemory("runs", c.aisMemory(m)); err != nil {
		return nil, err
	} else if err := res.runAIS(e, c, m, ds, who); err != nil {
		return nil, err
	}
	res.logLikelihoods(m, ds)
	return res, nil
}

// aisStart returns the rows that reverse AIS starts from and whose base-rate model forward
// AIS starts from: the data rows under -reverse-start data; under samples, the final states
// of c.runs Gibbs chains of c.reverseSweeps sweeps from the seed, started from the base-rate
// model of the data rows. Reverse AIS is a stochastic upper bound on log Z when it starts
// from exact samples of the model (Burda, Grosse & Salakhutdinov 2015; Grosse, Ghahramani &
// Adams 2015, bidirectional Monte Carlo); long chains approximate them far better than the
// data rows do, whose reverse estimate falls below log Z when the model puts mass where the
// annealing does not reach.
func (c *evalConfig) aisStart(e *env, m *rbm.RBM, ds *data.Dataset, who string) (*matrix.Dense, error) {
	if c.reverseStart == "data" {
		return ds.X, nil
	}
	prec, err := mcmcPrecision(c.precision, m)
	if err != nil {
		return nil, err
	}
	c.langevinRounds = ais.ReverseStartLangevin(m, c.reverseSweeps)
	c.temperReplicas, c.temperSweeps = ais.ReverseStartTempering(m, c.reverseSweeps)
	fmt.Fprintf(e.stderr, "%s: %d Gibbs chains × %d sweeps%s for reverse AIS to start from\n", who, c.runs, c.reverseSweeps, c.startThen())
	return ais.ReverseStart(e.ctx, m, ds.X, c.runs, c.reverseSweeps, c.seed, prec)
}

// aisMemory is the estimate of the bytes AIS with c's runs needs on m: the annealers', or the
// reverse start's tempering replicas when those need more (they end before AIS begins).
func (c *evalConfig) aisMemory(m *rbm.RBM) int64 {
	need := ais.MemoryNeeded(m.NV(), m.NH(), c.runs)
	if c.reverseStart == "samples" {
		need = max(need, ais.ReverseStartMemory(m, c.runs, c.reverseSweeps))
	}
	return need
}

// startThen describes what follows the reverse start's Gibbs sweeps: Gibbs–Langevin rounds
// and parallel tempering along AIS's hidden path, for Gaussian visible units.
func (c *evalConfig) startThen() string {
	then := ""
	if c.langevinRounds > 0 {
		then = fmt.Sprintf(", then %d Gibbs–Langevin rounds", c.langevinRounds)
	}
	if c.temperReplicas > 0 {
		then += fmt.Sprintf(", then %d sweeps of parallel tempering over %d replicas", c.temperSweeps, c.temperReplicas)
	}
	return then
}

// runAIS brackets log Z by forward and reverse AIS, with progress on stderr.
func (r *evalResult) runAIS(e *env, c *evalConfig, m *rbm.RBM, ds *data.Dataset, who string) error {
	betas := c.schedule()
	prec, err := mcmcPrecision(c.precision, m)
	if err != nil {
		return err
	}
	start, err := c.aisStart(e, m, ds, who)
	if err != nil {
		return err
	}
	p := &aisProgress{w: e.stderr, who: who, start: time.Now()}
	br, err := ais.Sandwich(e.ctx, m, start, &ais.Options{
		Runs: c.runs, Betas: betas, Seed: c.seed, GapThreshold: c.gap, Progress: p.report,
		Precision: prec,
	})
	if err != nil {
		return err
	}
	r.setBracket(br, c, prec)
	return nil
}

// setBracket fills in the AIS fields from a forward and reverse bracket of log Z.
func (r *evalResult) setBracket(br *ais.Bracket, c *evalConfig, prec ais.Precision) {
	fwd, rev := br.Forward, br.Reverse
	r.bracket = br
	r.LogZ, r.LogZStderr = fwd.LogZ, fwd.LogZStderr
	r.LogZReverse, r.LogZReverseSE = &rev.LogZ, &rev.LogZStderr
	r.ESS, r.ESSReverse, r.Gap = &fwd.ESS, &rev.ESS, &br.Gap
	r.Runs, r.Betas, r.Seed = &c.runs, &c.betas, &c.seed
	r.ReverseStart = &c.reverseStart
	if c.reverseStart == "samples" {
		r.ReverseSweeps, r.ReverseLangevin = &c.reverseSweeps, &c.langevinRounds
		r.ReverseTemperingReplicas, r.ReverseTemperingSweeps = &c.temperReplicas, &c.temperSweeps
	}
	name := prec.String()
	r.Precision = &name
	r.judge()
}

// judge sets Trustworthy, UntrustworthyReason and GapNoiseFloor from the bracket by
// ais.JudgeBracket: untrustworthy when the gap exceeds -gap (too wide), falls below
// −3·sqrt(se_fwd² + se_rev²) (inverted), or either estimate's effective sample size is
// below ais.MinESS of the runs (low ESS).
func (r *evalResult) judge() {
	f, rv := r.bracket.Forward, r.bracket.Reverse
	floor := ais.NoiseFloor(f.LogZStderr, rv.LogZStderr)
	v := ais.JudgeBracket(&f, &rv, r.gapMax)
	r.GapNoiseFloor, r.Trustworthy, r.UntrustworthyReason = &floor, v == ais.Consistent, nil
	if !r.Trustworthy {
		reason := v.String()
		r.UntrustworthyReason = &reason
	}
}

// logLikelihoods fills in the mean log-likelihood of the rows, ⟨−F(v)⟩ − log Z, its errors
// and, after AIS, the reverse estimate. The data's standard error needs two rows: with one
// it stays nil.
func (r *evalResult) logLikelihoods(m *rbm.RBM, ds *data.Dataset) {
	r.setLogLikelihoods(meanNegF(m, ds.X))
}

// meanNegF returns ⟨−F(v)⟩ over the rows of x and its sampling standard error (nil for one
// row).
func meanNegF(m *rbm.RBM, x *matrix.Dense) (mean float64, se *float64) {
	mean, s := m.MeanNegFreeEnergy(x)
	if x.Rows > 1 {
		se = &s
	}
	return mean, se
}

// setLogLikelihoods sets the mean log-likelihoods from ⟨−F(v)⟩, its standard error and log Z.
func (r *evalResult) setLogLikelihoods(mean float64, se *float64) {
	r.MeanLLDataStderr = se
	r.MeanLL, r.MeanLLStderr = mean-r.LogZ, r.LogZStderr
	if r.LogZReverse != nil {
		rev := mean - *r.LogZReverse
		r.MeanLLReverse = &rev
	}
}

// pllProgressWork is the number of (row, visible, hidden) terms of the pseudo-log-likelihood
// above which eval reports its progress: 10^9 terms take some seconds on two cores (784×500
// on 10,000 MNIST rows is 3.9·10^9).
const pllProgressWork = 1e9

// pseudoLogLikelihood returns the exact mean pseudo-log-likelihood of the rows of x: the
// per-row values of rbm.PseudoLogLikelihoods, computed in tenths of the rows (with a line on
// w after each when the work is long) and summed in row order, so it does not depend on
// GOMAXPROCS.
func pseudoLogLikelihood(w io.Writer, m *rbm.RBM, x *matrix.Dense) float64 {
	if m.CheckPseudoLikelihood() != nil {
		return math.NaN() // not defined for these unit types
	}
	const tenths = 10
	rows := make([]float64, x.Rows)
	long := float64(x.Rows)*float64(m.NV())*float64(m.NH()) >= pllProgressWork
	start := time.Now()
	for i := range tenths {
		lo, hi := i*x.Rows/tenths, (i+1)*x.Rows/tenths
		if lo == hi {
			continue
		}
		m.PseudoLogLikelihoods(rows[lo:hi], x.Slice(lo, hi))
		if long {
			fmt.Fprintf(w, "eval: pseudo-log-likelihood %3d%% (%d of %d rows, %s)\n", 100*hi/x.Rows, hi, x.Rows,
				time.Since(start).Round(time.Second))
		}
	}
	var s float64
	for _, v := range rows {
		s += v
	}
	return s / float64(x.Rows)
}

// warnGap explains on w, in lines that start with who, why the AIS bracket is not trusted.
func warnGap(w io.Writer, r *evalResult, who string) {
	say := func(format string, args ...any) { fmt.Fprintf(w, who+": WARNING: "+format+"\n", args...) }
	switch *r.UntrustworthyReason {
	case ais.Inverted.String():
		say("the AIS bracket is inverted: reverse AIS (an upper bound) is %.3g nats BELOW forward AIS", -*r.Gap)
		say("(a lower bound): log Z %.6g vs %.6g, beyond the ±3σ noise of the difference (%.3g nats).",
			*r.LogZReverse, r.LogZ, -*r.GapNoiseFloor)
		say("at least one bound does not hold, so neither estimate can be trusted: the annealing")
		say("does not reach the data, or the runs are too few. Use more -betas and -runs.")
	case ais.LowESS.String():
		f, rv := r.bracket.Forward, r.bracket.Reverse
		say("the AIS estimates rest on too few runs: effective sample size %.1f (forward) and %.1f (reverse)", f.ESS, rv.ESS)
		say("of %d runs, below the %.0f required. A mean of such weights is dominated by its largest terms", f.Runs, ais.MinESS(f.Runs))
		say("and its standard error under-states the spread. Use more temperatures (-betas) and -runs.")
	default:
		say("the AIS bracket is too wide: reverse AIS exceeds forward AIS by %.3g nats (log Z %.6g vs %.6g),", *r.Gap, *r.LogZReverse, r.LogZ)
		say("more than -gap %g. Neither estimate of log Z or the log-likelihood can be trusted to", r.gapMax)
		say("within it; the true value most likely lies between them. Use more temperatures (-betas).")
	}
}

func (r *evalResult) print(w io.Writer, c *evalConfig, dataName string) {
	fmt.Fprintf(w, "model:                  %s (%d visible × %d hidden)\n", c.model, r.NV, r.NH)
	fmt.Fprintf(w, "data:                   %s (%d rows)\n", dataName, r.Rows)
	if r.bracket == nil {
		fmt.Fprintf(w, "method:                 exact (2^%.4g states enumerated)\n", r.enumBits)
		fmt.Fprintf(w, "log Z:                  %.10g\n", r.LogZ)
		fmt.Fprintf(w, "mean log-likelihood:    %.10g nats%s\n", r.MeanLL, r.dataError(" ± %.3g (sampling error of the mean over the rows)"))
	} else {
		f, rv := r.bracket.Forward, r.bracket.Reverse
		fmt.Fprintf(w, "method:                 ais (%d runs, %d temperatures, %s schedule, seed %d%s)\n", c.runs, c.betas, c.shape, c.seed, r.precisionNote())
		fmt.Fprintf(w, "log Z (forward AIS):    %.8g ± %.3g   [%.8g, %.8g] at ±3σ; ESS %.1f of %d; under-estimates in expectation\n",
			f.LogZ, f.LogZStderr, f.Lower3, f.Upper3, f.ESS, f.Runs)
		from := "from the data rows"
		if c.reverseStart == "samples" {
			from = fmt.Sprintf("from %d model samples (Gibbs, %d sweeps%s)", c.runs, c.reverseSweeps, c.startThen())
		}
		fmt.Fprintf(w, "log Z (reverse AIS):    %.8g ± %.3g   [%.8g, %.8g] at ±3σ; %s; over-estimates in expectation\n",
			rv.LogZ, rv.LogZStderr, rv.Lower3, rv.Upper3, from)
		fmt.Fprintf(w, "gap (reverse − forward): %.4g nats (trusted in [%.3g, %g]): %s\n", *r.Gap, *r.GapNoiseFloor, r.gapMax, r.verdict())
		fmt.Fprintf(w, "mean log-likelihood:    %.8g nats ± %.3g (log Z error, forward AIS)%s\n",
			r.MeanLL, r.MeanLLStderr, r.dataError(" ± %.3g (sampling error of the mean over the rows)"))
		fmt.Fprintf(w, "  from reverse AIS:     %.8g nats (stochastic lower bound)\n", *r.MeanLLReverse)
	}
	if r.PLL != nil {
		fmt.Fprintf(w, "pseudo-log-likelihood:  %.8g nats\n", *r.PLL)
	} else {
		fmt.Fprintf(w, "pseudo-log-likelihood:  n/a (%v)\n", r.pllUnsupported)
	}
	fmt.Fprintf(w, "reconstruction error:   %.8g\n", r.Recon)
}

// dataError formats the data's standard error with format, or returns "" when there is
// none (a single row).
func (r *evalResult) dataError(format string) string {
	if r.MeanLLDataStderr == nil {
		return ""
	}
	return fmt.Sprintf(format, *r.MeanLLDataStderr)
}

// precisionNote is ", float32" or ", float64" for the method line, empty when unknown.
func (r *evalResult) precisionNote() string {
	if r.Precision == nil {
		return ""
	}
	return ", " + *r.Precision
}

// verdict is the text form of the trust check, naming the side that failed.
func (r *evalResult) verdict() string {
	switch {
	case r.Trustworthy:
		return "trustworthy"
	case *r.UntrustworthyReason == ais.Inverted.String():
		return "UNTRUSTWORTHY (inverted: reverse below forward beyond 3σ noise)"
	case *r.UntrustworthyReason == ais.LowESS.String():
		return "UNTRUSTWORTHY (low ESS: the estimates rest on a few runs)"
	default:
		return "UNTRUSTWORTHY (too wide: gap above the threshold)"
	}
}

// aisProgress writes one line to stderr for every 10% of the annealing steps.
type aisProgress struct {
	w     io.Writer
	who   string // the start of every line: "eval", "final eval"
	start time.Time
	last  int
}

func (p *aisProgress) report(done, total int) {
	pct := 100 * done / total
	if pct/10 == p.last/10 && done != total {
		return
	}
	p.last = pct
	phase := "forward"
	if 2*done > total {
		phase = "reverse"
	}
	fmt.Fprintf(p.w, "%s: AIS %3d%% (%s, %d of %d temperature steps, %s)\n", p.who, pct, phase, done, total,
		time.Since(p.start).Round(time.Second))
}
