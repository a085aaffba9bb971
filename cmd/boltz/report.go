package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/report"
)

func init() {
	register(&command{
		Name:  "report",
		Usage: "boltz report DIR [-samples N] [-sweeps K] [-seed S] [-shape HxW]",
		Short: "draw filters, samples, learning curves and report.html for a run directory",
		Long: `
Report draws the pictures of a training run directory DIR (as written by 'boltz train') into
it and prints the path of DIR/report.html on stdout:

  filters.png          incoming weights of up to 100 hidden units, strongest first
  samples.png          E[v|h] after K Gibbs sweeps of N chains started at random
  reconstructions.png  data rows next to their one-step reconstructions E[v|E[h|v]]
  curves.svg, .png     every metric of metrics.jsonl against the epoch
  report.html          one self-contained page with all of it and the run configuration

Only DIR/model.npz is required; what cannot be drawn (no metrics.jsonl, data set not
cached) is left out with a note on the page and on stderr. 'boltz train' runs this at the end
of every run with the default flags.`,
		Flags: func(fs *flag.FlagSet) func(e *env, args []string) error {
			var o report.Options
			var shape string
			fs.IntVar(&o.Samples, "samples", report.DefaultSamples, "sample chains in samples.png")
			fs.IntVar(&o.Sweeps, "sweeps", report.DefaultSweeps, "Gibbs sweeps before the samples are drawn")
			fs.Uint64Var(&o.Seed, "seed", 0, "seed of the sample chains")
			fs.StringVar(&shape, "shape", "", "draw visible vectors as HxW images (default: the run's image shape)")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usagef("takes one run directory, got %d arguments", len(args))
				}
				if o.Samples < 1 {
					return flagError("samples", "must be at least 1, got %d", o.Samples)
				}
				if o.Sweeps < 0 {
					return flagError("sweeps", "must be at least 0, got %d", o.Sweeps)
				}
				if o.Sweeps == 0 {
					o.Sweeps = -1 // report.Options: negative means no sweeps, zero the default
				}
				if shape != "" {
					s, err := parseReportShape(shape)
					if err != nil {
						return flagError("shape", "%v", err)
					}
					o.ImageShape = s
				}
				o.Progress, o.Context = e.stderr, e.ctx
				return runReport(args[0], o, e)
			}
		},
	})
}

// runReport checks dir, writes its report and prints the page's path.
func runReport(dir string, o report.Options, e *env) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no such directory", dir)
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: not a directory", dir)
	}
	if m, _, err := rbm.Load(filepath.Join(dir, report.ModelFile)); err == nil {
		if err := e.checkMemory("samples", report.SamplesMemory(m.NV(), m.NH(), o.Samples)); err != nil {
			return err
		}
	}
	if err := report.Write(dir, o); err != nil {
		if e.ctx.Err() != nil {
			return &interruptedError{fmt.Sprintf("interrupted; the report of %s is incomplete: run boltz report %s again", dir, dir)}
		}
		if errors.Is(err, report.ErrNoModel) {
			return fmt.Errorf("%s: no %s (is it a 'boltz train' run directory?)", dir, report.ModelFile)
		}
		return err
	}
	fmt.Fprintln(e.stdout, filepath.Join(dir, report.HTMLFile))
	return nil
}

// writeReport draws the report of a run directory with the default options, progress on
// stderr; boltz train calls it at the end of a run.
func writeReport(e *env, dir string, ds *data.Dataset) error {
	return report.Write(dir, report.Options{Data: ds, Progress: e.stderr, Context: e.ctx})
}

// parseReportShape parses "HxW" (or "H×W") into a positive height and width.
func parseReportShape(s string) ([2]int, error) {
	hs, ws, ok := strings.Cut(strings.ReplaceAll(s, "×", "x"), "x")
	if !ok {
		return [2]int{}, fmt.Errorf("want HxW, got %q", s)
	}
	h, err1 := strconv.Atoi(hs)
	w, err2 := strconv.Atoi(ws)
	if err1 != nil || err2 != nil || h < 1 || w < 1 {
		return [2]int{}, fmt.Errorf("want HxW with positive integers, got %q", s)
	}
	return [2]int{h, w}, nil
}
