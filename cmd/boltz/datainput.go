package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/rbm"
)

// dataFlags are the flags every command that reads data shares.
type dataFlags struct {
	spec      string
	binarize  string
	threshold float64
	valid     int
	// legacyStream draws stochastic bits from rng.New(seed, 0xb1a) for every data set, as
	// runs written before the stream depended on the data set's name did; resuming such a
	// run sets it, so that it continues on the bits it started with.
	legacyStream bool
}

const specHelp = "data `SPEC`: bas:N (bars and stripes N×N), shifter:N, mnist, mnist:test, mnist:valid, " +
	"or a .csv, .npy, .idx or .idx.gz file"

func (d *dataFlags) register(fs *flag.FlagSet, defaultSpec string) {
	fs.StringVar(&d.spec, "data", defaultSpec, specHelp)
	d.registerBinarize(fs)
	fs.IntVar(&d.valid, "valid", 0, "hold out the last `N` rows of the MNIST training set as mnist:valid")
}

// registerBinarize registers the flags that say how grey values become 0/1.
func (d *dataFlags) registerBinarize(fs *flag.FlagSet) {
	fs.StringVar(&d.binarize, "binarize", "auto",
		"turn grey values into 0/1 for Bernoulli units: none (refuse non-binary data), threshold, stochastic "+
			"(one Bernoulli draw of each value, from a stream of the seed and the -data SPEC as written, so "+
			"mnist and mnist:test get independent bits), or auto (threshold for MNIST, none otherwise)")
	fs.Float64Var(&d.threshold, "threshold", 0.5, "threshold for -binarize threshold: values ≥ it become 1")
}

func (d *dataFlags) check() error {
	switch d.binarize {
	case "auto", "none", "threshold", "stochastic":
	default:
		return flagError("binarize", "must be none, threshold, stochastic or auto, got %q", d.binarize)
	}
	if !(d.threshold > 0 && d.threshold <= 1) {
		return flagError("threshold", "must be in (0, 1], got %v", d.threshold)
	}
	if d.valid < 0 {
		return flagError("valid", "must be at least 0, got %d", d.valid)
	}
	return nil
}

// binarizeMode resolves "auto" for a SPEC.
func (d *dataFlags) binarizeMode(spec string) string {
	if d.binarize != "auto" {
		return d.binarize
	}
	if strings.HasPrefix(spec, "mnist") {
		return "threshold"
	}
	return "none"
}

// load reads SPEC (fetching MNIST when needed), binarises it as the flags say (stochastic
// binarisation draws from data.BinarizeStream(seed, spec), so a rerun gets the same bits and
// another data set other bits) and checks
// it against the model it is for: nv columns (when nv > 0) and every value in the support
// of the visible layer's units. Errors name the flag and the first bad row (from 1).
func (d *dataFlags) load(spec string, seed uint64, layer rbm.Layer, nv int, progress io.Writer) (*data.Dataset, error) {
	ds, err := data.Load(spec, data.LoadOptions{Valid: d.valid, Fetch: true, Progress: progress})
	if err != nil {
		return nil, fmt.Errorf("-data %s: %w", spec, err)
	}
	mode := d.binarizeMode(spec)
	switch mode {
	case "threshold":
		data.Threshold(ds.X, d.threshold)
	case "stochastic":
		r := data.BinarizeStream(seed, spec)
		if d.legacyStream {
			r = rng.New(seed, 0xb1a)
		}
		data.BinarizeStochastic(ds.X, r)
	}
	if err := checkData(ds.X, layer, nv); err != nil {
		if mode == "none" && strings.Contains(err.Error(), "not a bernoulli state") {
			err = fmt.Errorf("%w (use -binarize threshold or stochastic for grey values)", err)
		}
		return nil, fmt.Errorf("-data %s: %w", spec, err)
	}
	return ds, nil
}

// loadFor loads SPEC for model m: nv columns, values in its visible units' support.
func (d *dataFlags) loadFor(e *env, spec string, seed uint64, m *rbm.RBM) (*data.Dataset, error) {
	return d.load(spec, seed, m.Visible, m.NV(), e.stderr)
}

// checkData checks that x has rows, nv columns (when nv > 0) and values the layer's units
// can take. Rows count from 1 in the messages.
func checkData(x *linalg.Dense, layer rbm.Layer, nv int) error {
	if x.Rows == 0 {
		return errors.New("no rows")
	}
	if nv > 0 && x.Cols != nv {
		return fmt.Errorf("rows have %d values, the model has %d visible units", x.Cols, nv)
	}
	for r := 0; r < x.Rows; r++ {
		if err := layer.Check(x.Row(r)); err != nil {
			return fmt.Errorf("row %d: %w", r+1, err)
		}
	}
	return nil
}
