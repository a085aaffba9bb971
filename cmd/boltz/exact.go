package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/rbm"
)

func init() {
	register(&command{
		Name:  "exact",
		Usage: "boltz exact -model M.npz [-data SPEC] [-json] [-max-states N] [-shard I/N -o PART.json]",
		Short: "exact log Z, log-likelihood, KL, total variation and entropy of a small model",
		Long: `Exact computes the log partition function of a model by enumerating every state of its
smaller layer and summing the other layer analytically through the free energy:
log Z = log Σ_h exp(−F(h)), 2^nh states for Bernoulli hidden units (or Σ_v exp(−F(v))).
It is exact to float64 rounding, and takes about 0.3 s for 784 visible × 20 hidden units on
two cores; every further hidden unit doubles the time.

It also prints the entropy of the model's visible distribution, H(p) = −Σ_v p(v) log p(v),
which needs every visible state, so it is shown only when 2^nv is within -max-states
("n/a (nv too large)" otherwise, and left out of -json).

With -data it also prints, over the rows of the data set (a repeated row counts as often as
it occurs):
  mean log-likelihood   ⟨log p(v)⟩ = ⟨−F(v)⟩ − log Z
  data entropy          H(data) of the empirical distribution P_data(v) = count(v)/N
  KL(data‖model)        Σ_v P_data(v) log(P_data(v)/p(v)) = −H(data) − ⟨log p(v)⟩
  total variation       ½ Σ_v |P_data(v) − p(v)|, over every visible state; the states
                        outside the data contribute 1 − Σ_{v∈data} p(v), so this needs no
                        enumeration of v
The data must have the model's nv columns and values in the visible units' support (0 or 1
for Bernoulli units); rows and columns count from 1 in error messages.

With -json the results are one JSON object on stdout with the keys log_z, nv, nh,
model_entropy (when enumerable) and, with -data, n_rows, mean_log_likelihood, data_entropy,
kl_data_model and total_variation.

-shard I/N -o PART.json enumerates only shard I of the states (shards 0 to N−1 split the
enumeration's fixed ranges, at most 64, into N near-equal contiguous parts) and writes their
partial log-sum-exp sums; 'boltz merge' of the N partials prints what boltz exact prints, bit
for bit, computing the entropy and the -data measures from the merged log Z.`,
		Flags: exactFlags,
	})
}

func exactFlags(fs *flag.FlagSet) func(*env, []string) error {
	model := fs.String("model", "", "model `FILE` (.npz) to measure; required")
	spec := fs.String("data", "", "data `SPEC` to measure the model on: bas:N, shifter:N, mnist, mnist:test, or a .csv, .npy, .idx or .idx.gz file; values must be 0 or 1 for Bernoulli units (see -binarize)")
	asJSON := fs.Bool("json", false, "print one JSON object on stdout instead of a table")
	var d dataFlags
	d.registerBinarize(fs)
	maxStates := fs.Float64("max-states", exact.DefaultMaxStates, "refuse to enumerate more than `N` states of one layer (the time grows linearly with N)")
	var shard shardFlags
	shard.register(fs, "enumeration of log Z")
	maxSeconds := maxSecondsFlag(fs)
	return func(e *env, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		if err := shard.check(); err != nil {
			return err
		}
		if *model == "" {
			return flagError("model", "a model file is required")
		}
		if err := d.check(); err != nil {
			return err
		}
		if !(*maxStates >= 1) {
			return flagError("max-states", "must be at least 1, got %v", *maxStates)
		}
		if err := checkMaxSeconds(*maxSeconds); err != nil {
			return err
		}
		m, meta, err := loadModel(e, *model)
		if err != nil {
			return err
		}
		d.pixel = pixelFromMeta(meta)
		opts := &exact.Options{MaxStates: *maxStates}
		var ds *data.Dataset
		if *spec != "" {
			if ds, err = d.loadFor(e, *spec, 1, m); err != nil {
				return err
			}
		}
		if shard.set() {
			return runExactShard(e, &shard, *model, m, &d, *spec, ds, opts)
		}
		opts.MaxSeconds, opts.Progress = *maxSeconds, enumProgress(e.stderr, "boltz exact:")
		res, err := measureExact(m, ds, opts)
		if err != nil {
			return err
		}
		return res.report(e, *asJSON, *model, ds)
	}
}

// report writes the result to stdout, as a table or JSON.
func (r *exactResult) report(e *env, asJSON bool, model string, ds *data.Dataset) error {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r.json())
	}
	r.print(e.stdout, model, ds)
	return nil
}

// exactResult holds what boltz exact reports; pointers are nil when not computed.
type exactResult struct {
	nv, nh                      int
	logZ                        float64
	entropy                     *float64
	rows                        int
	meanLL, dataEntropy, kl, tv float64
	hasData                     bool
}

func measureExact(m *rbm.RBM, ds *data.Dataset, opts *exact.Options) (*exactResult, error) {
	logZ, err := exact.LogZ(m, opts)
	if err != nil {
		return nil, tooSlowError(enumerationError(err))
	}
	return measureExactGiven(m, ds, opts, logZ)
}

// measureExactGiven is measureExact with log Z given (by boltz merge of shards).
func measureExactGiven(m *rbm.RBM, ds *data.Dataset, opts *exact.Options, logZ float64) (*exactResult, error) {
	res := &exactResult{nv: m.NV(), nh: m.NH(), logZ: logZ}
	h, err := exact.EntropyGivenLogZ(m, opts, logZ)
	var tooLarge *exact.ErrTooLarge
	var tooSlow *exact.ErrTooSlow
	switch {
	case err == nil:
		res.entropy = &h
	case !errors.As(err, &tooLarge) && !errors.As(err, &tooSlow):
		return nil, err
	}
	if ds != nil {
		x := ds.X
		res.hasData, res.rows = true, x.Rows
		res.meanLL = exact.MeanLogLikelihood(m, x, logZ)
		res.dataEntropy = exact.DataEntropy(x)
		res.kl = exact.KL(m, x, logZ)
		res.tv = exact.TotalVariation(m, x, logZ)
	}
	return res, nil
}

func (r *exactResult) json() map[string]any {
	out := map[string]any{"log_z": r.logZ, "nv": r.nv, "nh": r.nh}
	if r.entropy != nil {
		out["model_entropy"] = *r.entropy
	}
	if r.hasData {
		out["n_rows"] = r.rows
		out["mean_log_likelihood"] = r.meanLL
		out["data_entropy"] = r.dataEntropy
		out["kl_data_model"] = r.kl
		out["total_variation"] = r.tv
	}
	return out
}

func (r *exactResult) print(w io.Writer, model string, ds *data.Dataset) {
	fmt.Fprintf(w, "model:                %s (%d visible × %d hidden)\n", model, r.nv, r.nh)
	fmt.Fprintf(w, "log Z:                %.12g\n", r.logZ)
	if r.entropy != nil {
		fmt.Fprintf(w, "model entropy:        %.12g nats\n", *r.entropy)
	} else {
		fmt.Fprintf(w, "model entropy:        n/a (nv too large)\n")
	}
	if !r.hasData {
		return
	}
	fmt.Fprintf(w, "data:                 %s (%d rows)\n", ds.Name, r.rows)
	fmt.Fprintf(w, "mean log-likelihood:  %.12g nats\n", r.meanLL)
	fmt.Fprintf(w, "data entropy:         %.12g nats\n", r.dataEntropy)
	fmt.Fprintf(w, "KL(data‖model):       %.12g nats\n", r.kl)
	fmt.Fprintf(w, "total variation:      %.12g\n", r.tv)
}

// enumerationError adds the flag that raises the limit to an ErrTooLarge.
func enumerationError(err error) error {
	var tl *exact.ErrTooLarge
	if errors.As(err, &tl) {
		return fmt.Errorf("%w; raise -max-states to allow it", err)
	}
	return err
}
