package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
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
	// allowDynamic accepts -binarize dynamic (boltz train only: other commands need one
	// fixed data set).
	allowDynamic bool
	// grey is the training set's grey values under -binarize dynamic (set by
	// loadTrainData), nil otherwise.
	grey *matrix.Dense
	// continuous is set for data of continuous visible units: -binarize auto is none.
	continuous bool
	// visible is the unit spec of the visible layer the training data are for ("" means
	// bernoulli): loadTrainData checks the rows against it.
	visible string
	// scale is -scale (boltz train): none or standard.
	scale string
	// pixel, when not nil, standardises every loaded data set (scale.go): set from the
	// training set under -scale standard, or from the model file by the commands that read
	// one (pixelFromMeta).
	pixel *pixelScale
}

const specHelp = "data `SPEC`: bas:N (bars and stripes N×N), shifter:N, ising:L:T[:N[:SEED]], potts-chain:Q:N[:ROWS[:SEED]], " +
	"mnist, mnist:test, mnist:valid, " +
	"or a .csv, .npy, .idx or .idx.gz file"

func (d *dataFlags) register(fs *flag.FlagSet, defaultSpec string) {
	fs.StringVar(&d.spec, "data", defaultSpec, specHelp)
	d.allowDynamic = true
	d.registerBinarize(fs)
	fs.IntVar(&d.valid, "valid", 0, "hold out the last `N` rows of the MNIST training set as mnist:valid")
	fs.StringVar(&d.scale, "scale", "none", "rescale real-valued data for Gaussian visible units: none (as loaded; "+
		"MNIST grey levels in [0, 1]), unit (the training set's range of values onto [0, 1]) or standard (each column "+
		"to mean 0 and standard deviation 1 over the training set); the map is recorded in the model, so that "+
		"other commands apply it and samples and pictures show in pixel space")
}

// registerBinarize registers the flags that say how grey values become 0/1.
func (d *dataFlags) registerBinarize(fs *flag.FlagSet) {
	dynamic := ""
	if d.allowDynamic {
		dynamic = ", dynamic (grey values kept, every minibatch drawn afresh from a stream of -seed, the epoch " +
			"and the minibatch; the monitors and -valid use the one stochastic draw)"
	}
	fs.StringVar(&d.binarize, "binarize", "auto",
		"turn grey values into 0/1 for Bernoulli units: none (refuse non-binary data), threshold, stochastic "+
			"(one Bernoulli draw of each value, from a stream of the seed and the -data SPEC as written, so "+
			"mnist and mnist:test get independent bits)"+dynamic+", or auto (threshold for MNIST, none otherwise)")
	fs.Float64Var(&d.threshold, "threshold", 0.5, "threshold for -binarize threshold: values ≥ it become 1")
}

func (d *dataFlags) check() error {
	switch d.binarize {
	case "auto", "none", "threshold", "stochastic":
	case "dynamic":
		if !d.allowDynamic {
			return flagError("binarize", "dynamic is for boltz train only: this command measures one fixed data set; "+
				"use stochastic (one fixed draw) or threshold")
		}
	default:
		return flagError("binarize", "must be none, threshold, stochastic or auto, got %q", d.binarize)
	}
	if !(d.threshold > 0 && d.threshold <= 1) {
		return flagError("threshold", "must be in (0, 1], got %v", d.threshold)
	}
	if d.valid < 0 {
		return flagError("valid", "must be at least 0, got %d", d.valid)
	}
	switch d.scale {
	case "", "none", "unit", "standard":
	default:
		return flagError("scale", "must be none, unit or standard, got %q", d.scale)
	}
	return nil
}

// binarizeMode resolves "auto" for a SPEC: threshold for MNIST, none otherwise, and none
// for data of continuous visible units (-visible-units gaussian), which take grey levels.
func (d *dataFlags) binarizeMode(spec string) string {
	if d.binarize != "auto" {
		return d.binarize
	}
	if strings.HasPrefix(spec, "mnist") && !d.continuous {
		return "threshold"
	}
	return "none"
}

// load reads SPEC (fetching MNIST when needed), binarises it as the flags say (stochastic
// binarisation draws from data.BinarizeStream(seed, spec), so a rerun gets the same bits and
// another data set other bits), encodes categories as one-hot states for Potts units
// (encodeForLayer) and checks it against the model it is for: nv columns (when nv > 0) and
// every value in the support of the visible layer's units. Errors name the flag
// and the first bad row (from 1). Under -binarize dynamic it returns the same stochastic
// draw: what the monitors and -valid measure.
func (d *dataFlags) load(spec string, seed uint64, layer rbm.Layer, nv int, progress io.Writer) (*data.Dataset, error) {
	return d.loadKeep(spec, seed, layer, nv, progress, nil)
}

// loadKeep is load that, under -binarize dynamic and when keepGrey is not nil, also stores
// the grey values (checked to lie in [0, 1]) in *keepGrey.
func (d *dataFlags) loadKeep(spec string, seed uint64, layer rbm.Layer, nv int, progress io.Writer, keepGrey **matrix.Dense) (*data.Dataset, error) {
	ds, err := data.Load(spec, data.LoadOptions{Valid: d.valid, Fetch: true, Progress: progress})
	if err != nil {
		return nil, fmt.Errorf("-data %s: %w", spec, err)
	}
	if layer.Values() == nil {
		d.continuous = true
	}
	mode := d.binarizeMode(spec)
	if d.continuous && mode != "none" {
		return nil, flagError("binarize", "%s turns values into 0/1 for Bernoulli units; the model's %s units take "+
			"real values as they are (leave -binarize at auto or none)", mode, layer.Name())
	}
	if mode == "dynamic" && keepGrey != nil {
		if err := checkProbabilities(ds.X); err != nil {
			return nil, fmt.Errorf("-data %s: %w (-binarize dynamic draws each value as a probability)", spec, err)
		}
		*keepGrey = ds.X.Clone()
	}
	switch mode {
	case "threshold":
		data.Threshold(ds.X, d.threshold)
	case "stochastic", "dynamic":
		r := data.BinarizeStream(seed, spec)
		if d.legacyStream {
			r = rng.New(seed, 0xb1a)
		}
		data.BinarizeStochastic(ds.X, r)
	}
	if err := d.standardise(ds.X); err != nil {
		return nil, fmt.Errorf("-data %s: %w", spec, err)
	}
	x, layer, err := encodeForLayer(ds.X, layer, nv)
	if err == nil {
		ds.X = x
		err = checkData(ds.X, layer, nv)
	}
	if err != nil {
		if mode == "none" && strings.Contains(err.Error(), "not a bernoulli state") {
			err = fmt.Errorf("%w (%s)", err, bernoulliHint(ds.X))
		}
		return nil, fmt.Errorf("-data %s: %w", spec, err)
	}
	return ds, nil
}

// loadFor loads SPEC for model m: nv columns, values in its visible units' support.
func (d *dataFlags) loadFor(e *env, spec string, seed uint64, m *rbm.RBM) (*data.Dataset, error) {
	return d.load(spec, seed, m.Visible, m.NV(), e.stderr)
}

// checkProbabilities checks that every value of x lies in [0, 1]. Rows count from 1.
func checkProbabilities(x *matrix.Dense) error {
	for i, v := range x.Data {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("row %d: value %v outside [0, 1]", i/x.Cols+1, v)
		}
	}
	return nil
}

// dynamicBinarizer returns the train.Options.Prepare hook of -binarize dynamic: it replaces
// each minibatch by a fresh Bernoulli draw of the grey values of its rows, from the stream
// data.DynamicStream(seed, epoch, index), so every epoch sees a new draw of every image and
// a resumed run draws what an uninterrupted one would.
func dynamicBinarizer(grey *matrix.Dense, seed uint64) func(batch *matrix.Dense, rows []int, epoch, index int) {
	return func(batch *matrix.Dense, rows []int, epoch, index int) {
		data.Gather(batch, grey, rows)
		data.BinarizeStochastic(batch, data.DynamicStream(seed, epoch, index))
	}
}

// checkData checks that x has rows, nv columns (when nv > 0) and values the layer's units
// can take. Rows count from 1 in the messages.
func checkData(x *matrix.Dense, layer rbm.Layer, nv int) error {
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
