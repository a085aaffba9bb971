package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/boltzgo/boltz/internal/atomicfile"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/npz"
)

func init() {
	register(&command{
		Name:  "features",
		Usage: "boltz features -model M.npz -data SPEC [-dtype float32|float64] -o F.npy",
		Short: "write the hidden means E[h|v] of every data row, as features for another model",
		Long: `Features computes, for every row v of the data, the hidden units' conditional means

  E[h_j | v] = σ(c_j + Σ_i v_i W_ij)

(what scikit-learn's BernoulliRBM.transform returns) and writes them as an N×nh .npy array,
float32 by default (-dtype float64 for full precision). The rows are processed and written in
blocks of -block rows, so the output never sits in memory whole: 60,000 MNIST rows of a
784×500 model write 120 MB (float32) through a few megabytes of buffers. The data are read and
binarised as boltz eval reads them (-binarize auto thresholds MNIST at 0.5).

bench/probe.py trains a logistic regression on these features; docs/interop.md shows them
against scikit-learn's transform.`,
		Flags: featuresFlags,
	})
}

func featuresFlags(fs *flag.FlagSet) func(*env, []string) error {
	model := fs.String("model", "", "model `FILE` (.npz)")
	spec := fs.String("data", "", "data `SPEC` whose rows to transform")
	out := fs.String("o", "", "output `FILE` (.npy)")
	dtype := fs.String("dtype", "float32", "float32 or float64")
	block := fs.Int("block", 1024, "rows per block")
	var d dataFlags
	d.registerBinarize(fs)
	return func(e *env, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		descr := map[string]string{"float32": "<f4", "float64": "<f8"}[*dtype]
		switch {
		case *model == "":
			return flagError("model", "a model file is required")
		case *spec == "":
			return flagError("data", "a data SPEC is required")
		case *out == "":
			return flagError("o", "an output file (.npy) is required")
		case !strings.HasSuffix(*out, ".npy"):
			return flagError("o", "must end in .npy, got %q", *out)
		case descr == "":
			return flagError("dtype", "must be float32 or float64, got %q", *dtype)
		case *block < 1:
			return flagError("block", "must be at least 1, got %d", *block)
		}
		if err := d.check(); err != nil {
			return err
		}
		m, meta, err := loadModel(e, *model)
		if err != nil {
			return err
		}
		d.pixel = pixelFromMeta(meta)
		ds, err := d.loadFor(e, *spec, 1, m)
		if err != nil {
			return err
		}
		x := ds.X
		err = atomicfile.WriteFile(*out, 0o644, func(w io.Writer) error {
			bw := bufio.NewWriterSize(w, 1<<20)
			nw, err := npz.NewNPYWriter(bw, []int{x.Rows, m.NH()}, descr)
			if err != nil {
				return err
			}
			h := matrix.NewDense(min(*block, x.Rows), m.NH())
			for lo := 0; lo < x.Rows; lo += *block {
				hi := min(lo+*block, x.Rows)
				hb := &matrix.Dense{Rows: hi - lo, Cols: m.NH(), Data: h.Data[:(hi-lo)*m.NH()]}
				m.HiddenMeansBatch(hb, x.Slice(lo, hi))
				if err := nw.Write(hb.Data); err != nil {
					return err
				}
			}
			if err := nw.Close(); err != nil {
				return err
			}
			return bw.Flush()
		})
		if err != nil {
			return fmt.Errorf("-o: %w", err)
		}
		fmt.Fprintf(e.stderr, "boltz features: wrote %s: %d rows × %d hidden means (%s)\n", *out, x.Rows, m.NH(), *dtype)
		return nil
	}
}
