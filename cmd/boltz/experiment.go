package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/atomicfile"
	"github.com/boltzgo/boltz/report"
	"github.com/boltzgo/boltz/train"
)

func init() {
	register(&command{
		Name:  "experiment",
		Usage: "boltz experiment bas [-seeds N] [-epochs E] [-lr LR] [-batch B] [-json] -o DIR",
		Short: "reproduce a study: bars-and-stripes, every negative phase against the exact likelihood",
		Long: `Experiment bas trains a 16×16 RBM on 4×4 bars-and-stripes (30 patterns; the best possible
mean log-likelihood is −ln 30 = −3.401 nats) with the exact gradient, CD-1, CD-10, PCD-1,
fast PCD and parallel tempering, from the same initialisation and seed, and logs the exact
log-likelihood after every epoch. It repeats this for -seeds seeds (1, 2, …) and prints the
final log-likelihood per method, its mean and standard deviation over seeds, and the best
value reached during training. This is the comparison of Fischer & Igel (2010): CD's bias
can carry it away from the optimum; PT comes closest.

It writes DIR/METHOD/seedS.jsonl (the metrics of each run), DIR/summary.json and
DIR/bas.svg (exact log-likelihood against epoch, seed 1, one line per method).`,
		Flags: experimentFlags,
	})
}

// basMethod is one arm of the bars-and-stripes study.
type basMethod struct {
	Name   string
	Method string
	K      int
}

var basMethods = []basMethod{
	{"exact", "exact", 1}, {"cd1", "cd", 1}, {"cd10", "cd", 10}, {"pcd1", "pcd", 1}, {"fpcd", "fpcd", 1}, {"pt", "pt", 1},
}

// basResult summarises one method over seeds.
type basResult struct {
	Method    string    `json:"method"`
	Final     []float64 `json:"final_log_likelihood"` // per seed
	Best      []float64 `json:"best_log_likelihood"`  // per seed, the maximum over epochs
	FinalMean float64   `json:"final_mean"`
	FinalSD   float64   `json:"final_sd"`
	BestMean  float64   `json:"best_mean"`
}

func experimentFlags(fs *flag.FlagSet) func(*env, []string) error {
	seeds := fs.Int("seeds", 5, "number of seeds (1, 2, …) per method")
	epochs := fs.Int("epochs", 1000, "epochs per run")
	lr := fs.Float64("lr", 0.05, "learning rate (plain gradient ascent, no momentum or decay, as in Fischer & Igel 2010)")
	batch := fs.Int("batch", 10, "minibatch rows (30 is full batch)")
	out := fs.String("o", "", "output `DIR`")
	asJSON := fs.Bool("json", false, "print the summary as JSON on stdout")
	return func(e *env, args []string) error {
		if len(args) != 1 || args[0] != "bas" {
			return usagef("wants the study name 'bas', got %q", args)
		}
		switch {
		case *out == "":
			return flagError("o", "an output directory is required")
		case *seeds < 1:
			return flagError("seeds", "must be at least 1, got %d", *seeds)
		}
		return runBAS(e, *out, *seeds, *epochs, *lr, *batch, *asJSON)
	}
}

func basConfig(m basMethod, seed uint64, epochs int, lr float64, batch int) train.Config {
	c := train.Defaults()
	c.Hidden, c.Method, c.K, c.Epochs, c.Batch, c.LR, c.Seed = 16, train.Method(m.Method), m.K, epochs, batch, lr, seed
	c.Momentum, c.MomentumInitial, c.L2 = 0, 0, 0
	c.Precision = train.Float64 // the figures of docs/bas.md were made in float64
	c.InitStd = 0.01
	c.MonitorRows = 0
	c.ExactMonitor = 16
	c.Chains = batch
	return c
}

func runBAS(e *env, out string, seeds, epochs int, lr float64, batch int, asJSON bool) error {
	ds := data.BarsAndStripes(4)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	optimum := -math.Log(float64(ds.X.Rows))
	curves := map[string][]train.Metrics{}
	var results []basResult
	for _, bm := range basMethods {
		res := basResult{Method: bm.Name}
		if err := os.MkdirAll(filepath.Join(out, bm.Name), 0o755); err != nil {
			return err
		}
		for s := 1; s <= seeds; s++ {
			cfg := basConfig(bm, uint64(s), epochs, lr, batch)
			if err := cfg.Validate(ds.X.Rows, ds.X.Cols); err != nil {
				return &usageError{cliMessage(err)}
			}
			t, err := train.New(cfg, ds.X)
			if err != nil {
				return err
			}
			var ms []train.Metrics
			best := math.Inf(-1)
			err = t.Run(e.ctx, ds.X, train.Options{OnEpoch: func(_ *train.Trainer, m train.Metrics) error {
				ms = append(ms, m)
				best = math.Max(best, *m.LogLikelihood)
				return nil
			}})
			if err != nil {
				return fmt.Errorf("%s, seed %d: %w", bm.Name, s, err)
			}
			final := *ms[len(ms)-1].LogLikelihood
			res.Final = append(res.Final, final)
			res.Best = append(res.Best, best)
			fmt.Fprintf(e.stderr, "%-6s seed %d: final %.4f, best %.4f\n", bm.Name, s, final, best)
			if err := writeJSONLines(filepath.Join(out, bm.Name, fmt.Sprintf("seed%d.jsonl", s)), ms); err != nil {
				return err
			}
			if s == 1 {
				curves[bm.Name] = ms
			}
		}
		res.FinalMean, res.FinalSD = meanSD(res.Final)
		res.BestMean, _ = meanSD(res.Best)
		results = append(results, res)
	}
	svg, err := report.StudyPlot(curves, optimum)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(out, "bas.svg"), 0o644, func(w io.Writer) error {
		_, err := w.Write(svg)
		return err
	}); err != nil {
		return err
	}
	summary := map[string]any{"optimum": optimum, "seeds": seeds, "epochs": epochs, "lr": lr, "batch": batch, "results": results}
	if err := writeJSONFile(filepath.Join(out, "summary.json"), summary); err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, summary)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "method\tfinal mean\tfinal sd\tbest mean\t\n")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t\n", r.Method, r.FinalMean, r.FinalSD, r.BestMean)
	}
	fmt.Fprintf(tw, "optimum\t%.4f\t\t\t\n", optimum)
	return tw.Flush()
}

func writeJSONLines(path string, ms []train.Metrics) error {
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		for _, m := range ms {
			if err := enc.Encode(m); err != nil {
				return err
			}
		}
		return nil
	})
}

// meanSD returns the mean and the sample standard deviation (0 for one value).
func meanSD(x []float64) (float64, float64) {
	var s float64
	for _, v := range x {
		s += v
	}
	m := s / float64(len(x))
	if len(x) < 2 {
		return m, 0
	}
	var ss float64
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return m, math.Sqrt(ss / float64(len(x)-1))
}
