package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/rbm"
)

func init() {
	register(&command{
		Name:  "merge",
		Usage: "boltz merge [-json] PART.json...",
		Short: "merge the partial results of eval -shard or exact -shard into the unsharded output",
		Long: `Merge reads the partial results that 'boltz eval -method ais -shard I/N -o PART.json' or
'boltz exact -shard I/N -o PART.json' wrote, one per shard, in any order, and prints what the
command prints when run without -shard, bit for bit (with -json, its JSON).

The partials must be the N shards 0..N−1 of one run: the same model file (by SHA-256), data
SPEC and binarisation, settings and boltz version, each shard exactly once. Merge refuses,
naming the files and what differs, partials of different runs; and it names the missing or
duplicated shard indices.

For eval the AIS log weights of all runs are summarised in run order and the data measures
come from shard 0. For exact the partial sums of the enumeration are merged in range order;
the entropy and the -data measures need the whole log Z, so merge loads the model (checking
its SHA-256) and the data and computes them, as boltz exact does.`,
		Flags: mergeFlags,
	})
}

func mergeFlags(fs *flag.FlagSet) func(*env, []string) error {
	asJSON := fs.Bool("json", false, "print one JSON object on stdout instead of a table, as the command's -json does")
	return func(e *env, args []string) error {
		if len(args) == 0 {
			return usagef("needs the partial result files of one sharded run")
		}
		var parts []*partial
		for _, path := range args {
			p, err := readPartial(path)
			if err != nil {
				return err
			}
			parts = append(parts, p)
		}
		parts, err := checkShards(parts)
		if err != nil {
			return err
		}
		if parts[0].Command == "eval" {
			return mergeEval(e, parts, *asJSON)
		}
		return mergeExact(e, parts, *asJSON)
	}
}

// mergeEval prints boltz eval's result from the shards of its AIS runs.
func mergeEval(e *env, parts []*partial, asJSON bool) error {
	p0, s := parts[0], parts[0].Eval
	var spans []*ais.Span
	for _, p := range parts {
		spans = append(spans, p.AIS.span())
	}
	br, err := ais.MergeSandwich(spans, s.Gap)
	if err != nil {
		return err
	}
	c := &evalConfig{model: p0.Model, spec: p0.Data.Spec, method: s.Method, shape: s.Schedule,
		runs: s.Runs, betas: s.Betas, seed: s.Seed, binarizeSeed: p0.Data.BinarizeSeed, gap: s.Gap, asJSON: asJSON,
		reverseStart: s.ReverseStart, reverseSweeps: s.ReverseSweeps, langevinRounds: s.ReverseLangevin,
		temperReplicas: s.ReverseTemperingReplicas, temperSweeps: s.ReverseTemperingSweeps, precision: s.Precision}
	res := &evalResult{Method: s.Method, Rows: p0.Data.Rows, NV: p0.NV, NH: p0.NH, Trustworthy: true, gapMax: s.Gap,
		enumBits: float64(min(p0.NV, p0.NH))}
	prec := ais.Float64
	if s.Precision == ais.Float32.String() {
		prec = ais.Float32
	}
	res.setBracket(br, c, prec)
	res.setLogLikelihoods(p0.Rows.MeanNegF, p0.Rows.DataStderr)
	res.PLL, res.Recon = p0.Rows.PLL, p0.Rows.Recon
	if res.PLL == nil {
		res.pllUnsupported = errors.New(p0.Rows.PLLNote)
	}
	return res.report(e, c, p0.Data.Name)
}

// mergeExact prints boltz exact's result from the shards of its enumeration.
func mergeExact(e *env, parts []*partial, asJSON bool) error {
	p0 := parts[0]
	var logZParts []*exact.LogZPart
	for _, p := range parts {
		logZParts = append(logZParts, p.LogZPart)
	}
	logZ, err := exact.MergeLogZ(logZParts)
	if err != nil {
		return err
	}
	m, err := loadShardModel(p0)
	if err != nil {
		return err
	}
	var ds *data.Dataset
	if p0.Data != nil {
		d := dataFlags{binarize: p0.Data.Binarize, threshold: p0.Data.Threshold}
		if ds, err = d.loadFor(e, p0.Data.Spec, p0.Data.BinarizeSeed, m); err != nil {
			return err
		}
		if sum := matrixSHA256(ds.X); sum != p0.Data.SHA256 {
			return fmt.Errorf("the data %s differs from what the shards saw (SHA-256 %s, theirs %s)", p0.Data.Spec, sum, p0.Data.SHA256)
		}
	}
	res, err := measureExactGiven(m, ds, &exact.Options{MaxStates: p0.Exact.MaxStates}, logZ)
	if err != nil {
		return err
	}
	return res.report(e, asJSON, p0.Model, ds)
}

// loadShardModel loads the model the shards measured, refusing a file that has changed since.
func loadShardModel(p *partial) (*rbm.RBM, error) {
	sum, err := fileSHA256(p.Model)
	if err != nil {
		return nil, fmt.Errorf("the shards' model: %w", err)
	}
	if sum != p.ModelSHA256 {
		return nil, fmt.Errorf("the shards' model %s has changed since they ran (SHA-256 %s, theirs %s)", p.Model, sum, p.ModelSHA256)
	}
	m, _, err := rbm.Load(p.Model)
	return m, err
}
