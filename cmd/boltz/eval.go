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
	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/rbm"
)

func init() {
	register(&command{
		Name:  "eval",
		Usage: "boltz eval -model M.npz -data SPEC [-method auto|exact|ais] [-runs N] [-betas K] [-seed S] [-json]",
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
runs forward AIS from the base-rate model of the data (Salakhutdinov & Murray 2008) to the
model with -runs independent runs over -betas temperatures, and reverse AIS started at the
data rows (Burda, Grosse & Salakhutdinov 2015). Forward AIS under-estimates log Z in
expectation (so it over-estimates the log-likelihood); reverse AIS over-estimates it (so its
log-likelihood is a stochastic lower bound, to the extent that the annealing reaches the
model; see the ais package). So log Z should lie between them, and the gap (reverse −
forward) should be positive up to noise. Eval calls the bracket UNTRUSTWORTHY, and warns on
stderr, on either side:

  gap > -gap NATS       the bracket is too wide: log Z lies in it, but neither estimate is
                        known to within -gap nats (the schedule is too short)
  gap < −3·sqrt(se_fwd² + se_rev²)
                        the bracket is inverted: the upper bound lies below the lower one
                        by more than the ±3σ noise of their difference, which valid bounds
                        never do (reverse AIS from data the annealing does not reach, or
                        weights so heavy-tailed that the standard errors under-state them)
 -method auto, the default, is exact when the smaller
layer has at most 24 units (2^24 states: a few seconds for 784 visible units, where 2^32 would
take an hour) and AIS otherwise. -method ais on a small model shows how close AIS comes to
the exact value.

The data must have the model's nv columns and values 0 or 1 (-binarize threshold turns grey
values into 0/1; auto does so for MNIST). -binarize stochastic draws the bits from
-binarize-seed (default 1) and the -data SPEC as written, never from -seed: AIS reruns with
other seeds, and other models, see the same data bits, and mnist:test never gets the bits
'boltz train -seed S' drew for mnist. -binarize dynamic is refused: eval needs one fixed data
set. The same seeds give the same numbers whatever GOMAXPROCS is. Progress goes to
stderr.

With -json the results are one JSON object with the keys method, log_z, log_z_stderr,
log_z_reverse, log_z_reverse_stderr, mean_log_likelihood, mean_log_likelihood_stderr (the
log Z error carried over), mean_log_likelihood_data_stderr (the data's sampling error),
mean_log_likelihood_reverse, ess, gap, trustworthy, pseudo_log_likelihood, recon_error,
n_rows, nv, nh, runs, betas and seed, and untrustworthy_reason ("gap_too_wide" or
"inverted", null when trustworthy) and gap_noise_floor (−3·sqrt(se_fwd² + se_rev²)); the
AIS-only ones are null for -method exact.`,
		Flags: evalFlags,
	})
}

// maxAutoExactUnits is the largest smaller layer that -method auto enumerates: 2^24 states
// of a 784-unit layer take a few seconds on two cores (boltz exact: 0.3 s for 2^20), so auto
// never waits long, and every model above it gets AIS.
const maxAutoExactUnits = 24

type evalConfig struct {
	model, spec, method, shape string
	data                       dataFlags
	runs, betas                int
	seed, binarizeSeed         uint64
	gap                        float64
	asJSON                     bool
}

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
	return func(e *env, args []string) error {
		if err := noArgs(args); err != nil {
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
	case c.betas < 1:
		return flagError("betas", "must be at least 1, got %d", c.betas)
	case c.shape != "murray" && c.shape != "linear":
		return flagError("schedule", "must be murray or linear, got %q", c.shape)
	case !(c.gap > 0) || math.IsInf(c.gap, 1):
		return flagError("gap", "must be a positive number of nats, got %v", c.gap)
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
	MeanLLDataStderr float64  `json:"mean_log_likelihood_data_stderr"`
	MeanLLReverse    *float64 `json:"mean_log_likelihood_reverse"`
	ESS              *float64 `json:"ess"`
	Gap              *float64 `json:"gap"`
	Trustworthy      bool     `json:"trustworthy"`
	// UntrustworthyReason is ais.Verdict's name, "gap_too_wide" or "inverted", or null.
	UntrustworthyReason *string  `json:"untrustworthy_reason"`
	GapNoiseFloor       *float64 `json:"gap_noise_floor"`
	PLL                 float64  `json:"pseudo_log_likelihood"`
	Recon               float64  `json:"recon_error"`
	Rows                int      `json:"n_rows"`
	NV                  int      `json:"nv"`
	NH                  int      `json:"nh"`
	Runs                *int     `json:"runs"`
	Betas               *int     `json:"betas"`
	Seed                *uint64  `json:"seed"`

	bracket *ais.Bracket
	gapMax  float64
}

func runEval(e *env, c *evalConfig) error {
	m, _, err := rbm.Load(c.model)
	if err != nil {
		return fmt.Errorf("-model: %w", err)
	}
	ds, err := c.data.loadFor(e, c.spec, c.binarizeSeed, m)
	if err != nil {
		return err
	}
	method := c.method
	if method == "auto" {
		method = "ais"
		if min(m.NV(), m.NH()) <= maxAutoExactUnits {
			method = "exact"
		}
	}
	res := &evalResult{Method: method, Rows: ds.X.Rows, NV: m.NV(), NH: m.NH(), Trustworthy: true, gapMax: c.gap}
	if method == "exact" {
		fmt.Fprintf(e.stderr, "eval: enumerating 2^%d states\n", min(m.NV(), m.NH()))
		if res.LogZ, err = exact.LogZ(m, nil); err != nil {
			var tl *exact.ErrTooLarge
			if errors.As(err, &tl) {
				return fmt.Errorf("-method exact: %w; use -method ais", err)
			}
			return err
		}
	} else if err := e.checkMemory("runs", ais.MemoryNeeded(m.NV(), m.NH(), c.runs)); err != nil {
		return err
	} else if err := res.runAIS(e, c, m, ds); err != nil {
		return err
	}
	res.dataMeasures(e.stderr, m, ds)
	if !res.Trustworthy {
		warnGap(e.stderr, res)
	}
	if c.asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	res.print(e.stdout, c, ds)
	return nil
}

// runAIS brackets log Z by forward and reverse AIS, with progress on stderr.
func (r *evalResult) runAIS(e *env, c *evalConfig, m *rbm.RBM, ds *data.Dataset) error {
	betas := ais.Schedule(c.betas)
	if c.shape == "linear" {
		betas = ais.Linear(c.betas)
	}
	p := &aisProgress{w: e.stderr, start: time.Now()}
	br, err := ais.Sandwich(e.ctx, m, ds.X, &ais.Options{
		Runs: c.runs, Betas: betas, Seed: c.seed, GapThreshold: c.gap, Progress: p.report,
	})
	if err != nil {
		return err
	}
	fwd, rev := br.Forward, br.Reverse
	r.bracket = br
	r.LogZ, r.LogZStderr = fwd.LogZ, fwd.LogZStderr
	r.LogZReverse, r.LogZReverseSE = &rev.LogZ, &rev.LogZStderr
	r.ESS, r.Gap = &fwd.ESS, &br.Gap
	r.Runs, r.Betas, r.Seed = &c.runs, &c.betas, &c.seed
	r.judge()
	return nil
}

// judge sets Trustworthy, UntrustworthyReason and GapNoiseFloor from the bracket by
// ais.Judge: untrustworthy when the gap exceeds -gap (too wide) or falls below
// −3·sqrt(se_fwd² + se_rev²) (inverted).
func (r *evalResult) judge() {
	f, rv := r.bracket.Forward, r.bracket.Reverse
	floor := ais.NoiseFloor(f.LogZStderr, rv.LogZStderr)
	v := ais.Judge(*r.Gap, f.LogZStderr, rv.LogZStderr, r.gapMax)
	r.GapNoiseFloor, r.Trustworthy, r.UntrustworthyReason = &floor, v == ais.Consistent, nil
	if !r.Trustworthy {
		reason := v.String()
		r.UntrustworthyReason = &reason
	}
}

// dataMeasures fills in the log-likelihoods, pseudo-log-likelihood and reconstruction error,
// with progress on w while the pseudo-log-likelihood takes long.
func (r *evalResult) dataMeasures(w io.Writer, m *rbm.RBM, ds *data.Dataset) {
	x := ds.X
	negF := m.FreeEnergyBatch(nil, x, nil)
	var mean, ss float64
	for _, f := range negF {
		mean -= f
	}
	mean /= float64(len(negF))
	for _, f := range negF {
		d := -f - mean
		ss += d * d
	}
	if n := float64(len(negF)); n > 1 {
		r.MeanLLDataStderr = math.Sqrt(ss/(n-1)) / math.Sqrt(n)
	}
	r.MeanLL, r.MeanLLStderr = mean-r.LogZ, r.LogZStderr
	if r.LogZReverse != nil {
		rev := mean - *r.LogZReverse
		r.MeanLLReverse = &rev
	}
	r.PLL = pseudoLogLikelihood(w, m, x)
	r.Recon = m.ReconError(x)
}

// pllProgressWork is the number of (row, visible, hidden) terms of the pseudo-log-likelihood
// above which eval reports its progress: 10^9 terms take some seconds on two cores (784×500
// on 10,000 MNIST rows is 3.9·10^9).
const pllProgressWork = 1e9

// pseudoLogLikelihood returns the exact mean pseudo-log-likelihood of the rows of x: the
// per-row values of rbm.PseudoLogLikelihoods, computed in tenths of the rows (with a line on
// w after each when the work is long) and summed in row order, so it does not depend on
// GOMAXPROCS.
func pseudoLogLikelihood(w io.Writer, m *rbm.RBM, x *linalg.Dense) float64 {
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

func warnGap(w io.Writer, r *evalResult) {
	if r.UntrustworthyReason != nil && *r.UntrustworthyReason == ais.Inverted.String() {
		fmt.Fprintf(w, "boltz eval: WARNING: the AIS bracket is inverted: reverse AIS (an upper bound) is %.3g nats BELOW forward AIS\n",
			-*r.Gap)
		fmt.Fprintf(w, "boltz eval: WARNING: (a lower bound): log Z %.6g vs %.6g, beyond the ±3σ noise of the difference (%.3g nats).\n",
			*r.LogZReverse, r.LogZ, -*r.GapNoiseFloor)
		fmt.Fprintf(w, "boltz eval: WARNING: at least one bound does not hold, so neither estimate can be trusted: the annealing\n")
		fmt.Fprintf(w, "boltz eval: WARNING: does not reach the data, or the runs are too few. Use more -betas and -runs.\n")
		return
	}
	fmt.Fprintf(w, "boltz eval: WARNING: the AIS bracket is too wide: reverse AIS exceeds forward AIS by %.3g nats (log Z %.6g vs %.6g),\n",
		*r.Gap, *r.LogZReverse, r.LogZ)
	fmt.Fprintf(w, "boltz eval: WARNING: more than -gap %g. Neither estimate of log Z or the log-likelihood can be trusted to\n", r.gapMax)
	fmt.Fprintf(w, "boltz eval: WARNING: within it; the true value most likely lies between them. Use more temperatures (-betas).\n")
}

func (r *evalResult) print(w io.Writer, c *evalConfig, ds *data.Dataset) {
	fmt.Fprintf(w, "model:                  %s (%d visible × %d hidden)\n", c.model, r.NV, r.NH)
	fmt.Fprintf(w, "data:                   %s (%d rows)\n", ds.Name, r.Rows)
	if r.bracket == nil {
		fmt.Fprintf(w, "method:                 exact (2^%d states enumerated)\n", min(r.NV, r.NH))
		fmt.Fprintf(w, "log Z:                  %.10g\n", r.LogZ)
		fmt.Fprintf(w, "mean log-likelihood:    %.10g nats ± %.3g (sampling error of the mean over the rows)\n", r.MeanLL, r.MeanLLDataStderr)
	} else {
		f, rv := r.bracket.Forward, r.bracket.Reverse
		fmt.Fprintf(w, "method:                 ais (%d runs, %d temperatures, %s schedule, seed %d)\n", c.runs, c.betas, c.shape, c.seed)
		fmt.Fprintf(w, "log Z (forward AIS):    %.8g ± %.3g   [%.8g, %.8g] at ±3σ; ESS %.1f of %d; under-estimates in expectation\n",
			f.LogZ, f.LogZStderr, f.Lower3, f.Upper3, f.ESS, f.Runs)
		fmt.Fprintf(w, "log Z (reverse AIS):    %.8g ± %.3g   [%.8g, %.8g] at ±3σ; from the data rows; over-estimates in expectation\n",
			rv.LogZ, rv.LogZStderr, rv.Lower3, rv.Upper3)
		fmt.Fprintf(w, "gap (reverse − forward): %.4g nats (trusted in [%.3g, %g]): %s\n", *r.Gap, *r.GapNoiseFloor, r.gapMax, r.verdict())
		fmt.Fprintf(w, "mean log-likelihood:    %.8g nats ± %.3g (log Z error, forward AIS) ± %.3g (sampling error of the mean over the rows)\n",
			r.MeanLL, r.MeanLLStderr, r.MeanLLDataStderr)
		fmt.Fprintf(w, "  from reverse AIS:     %.8g nats (stochastic lower bound)\n", *r.MeanLLReverse)
	}
	fmt.Fprintf(w, "pseudo-log-likelihood:  %.8g nats\n", r.PLL)
	fmt.Fprintf(w, "reconstruction error:   %.8g\n", r.Recon)
}

// verdict is the text form of the trust check, naming the side that failed.
func (r *evalResult) verdict() string {
	switch {
	case r.Trustworthy:
		return "trustworthy"
	case *r.UntrustworthyReason == ais.Inverted.String():
		return "UNTRUSTWORTHY (inverted: reverse below forward beyond 3σ noise)"
	default:
		return "UNTRUSTWORTHY (too wide: gap above the threshold)"
	}
}

// aisProgress writes one line to stderr for every 10% of the annealing steps.
type aisProgress struct {
	w     io.Writer
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
	fmt.Fprintf(p.w, "eval: AIS %3d%% (%s, %d of %d temperature steps, %s)\n", pct, phase, done, total,
		time.Since(p.start).Round(time.Second))
}
