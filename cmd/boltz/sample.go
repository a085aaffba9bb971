package main

import (
	"flag"
	"fmt"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/matrix"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/atomicfile"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/report"
)

func init() {
	register(&command{
		Name:  "sample",
		Usage: "boltz sample -model M.npz [-n N] [-steps K] [-method gibbs|pt|langevin] [-start auto|data|uniform] [-precision P] [-seed S] [-clamp SPEC -mask MASK] -o out.png|out.npy",
		Short: "draw samples from a model by Gibbs or parallel-tempering chains",
		Long: `Sample runs N chains of block Gibbs sampling (or parallel tempering with -method pt) for K
sweeps from random visible states and writes the final states.

-start says how the Gibbs chains' random starting states are drawn: data draws each pixel
independently with the training data's mean for it (the base-rate model of AIS; boltz train
records the means in the model file as data_mean), uniform draws each as a fair coin, and auto
(the default) is data when the model file has data_mean and uniform otherwise. Chains started
from uniform noise on MNIST tend to fall into a few large basins (most samples one or two
digits after 1000 sweeps), chains started from the pixel means spread over the classes.
Parallel tempering always starts uniform (its hot replicas mix anyway).

-method langevin, for Gaussian visible units, alternates each Gibbs sweep with
-langevin-steps steps of Metropolis-adjusted Langevin dynamics on the marginal p(v) of step
size -eps (Gibbs–Langevin sampling, after Liao et al. 2022), from N(0, 1) noise in the
model's (standardised) units; it prints the fraction of Langevin proposals accepted.

With -o out.png it draws one tile per chain: the visible means E[v|h] of the last sweep (for
-method langevin, of one draw h ~ p(h|v) from the final state, so the picture leaves out the
pixel noise σ adds) as grey levels, in the image shape of -shape, else the model's (meta.json), else a near-square
shape. With -o out.npy it writes the N×nv binary visible states, which numpy loads.

With -clamp SPEC the chains start at the first N rows of SPEC and the pixels that -mask
marks as known stay fixed, so the chains fill in the others from p(v_missing | v_known):
conditional sampling. MASK is top, bottom, left or right (that half of each image is
missing and resampled) or a .csv/.npy file holding one row of nv values, 1 where a value is
missing.

-precision float32 runs the sweeps with float32 matrix products and draws (mcmc.Float32),
several times faster than float64 on MNIST-sized models; each chain draws the same uniforms
from its own stream in either precision. auto, the default, is float32 for Bernoulli
models. -clamp sampling is float64 whatever -precision says.`,
		Flags: sampleFlags,
	})
}

func sampleFlags(fs *flag.FlagSet) func(*env, []string) error {
	model := fs.String("model", "", "model `FILE` (.npz)")
	n := fs.Int("n", 100, "number of chains (samples)")
	steps := fs.Int("steps", 1000, "Gibbs sweeps (or PT steps) per chain")
	method := fs.String("method", "gibbs", "sampler: gibbs, pt, or langevin (Gaussian visible units)")
	langevinSteps := fs.Int("langevin-steps", 5, "Langevin steps after every Gibbs sweep, for -method langevin")
	eps := fs.Float64("eps", 0.01, "Langevin step size, for -method langevin")
	start := fs.String("start", "auto", "random starting states of Gibbs chains: data (pixel means of the training data), uniform, or auto (data when the model records them)")
	replicas := fs.Int("replicas", 10, "temperatures for -method pt, β=1 included")
	betaMin := fs.Float64("beta-min", 0.1, "smallest inverse temperature for -method pt (geometric ladder)")
	seed := fs.Uint64("seed", 1, "random seed")
	precision := fs.String("precision", "auto", "arithmetic of the sweeps: float32, float64, or auto (float32 for Bernoulli models)")
	out := fs.String("o", "", "output `FILE`: .png (tiled picture) or .npy (binary states)")
	shape := fs.String("shape", "", "image shape HxW of a visible vector in the picture (default: from the model)")
	var d dataFlags
	d.registerBinarize(fs)
	clamp := fs.String("clamp", "", "start from the rows of data `SPEC` and keep their known pixels fixed (needs -mask)")
	mask := fs.String("mask", "", "which values -clamp resamples: top, bottom, left, right, or a .csv/.npy `FILE` with one row of 0/1 (1 = missing)")
	return func(e *env, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		switch {
		case *model == "":
			return flagError("model", "a model file is required")
		case *out == "":
			return flagError("o", "an output file (.png or .npy) is required")
		case !strings.HasSuffix(*out, ".png") && !strings.HasSuffix(*out, ".npy"):
			return flagError("o", "must end in .png or .npy, got %q", *out)
		case *n < 1:
			return flagError("n", "must be at least 1, got %d", *n)
		case *steps < 0:
			return flagError("steps", "must be at least 0, got %d", *steps)
		case *method != "gibbs" && *method != "pt" && *method != "langevin":
			return flagError("method", "must be gibbs, pt or langevin, got %q", *method)
		case *method == "langevin" && (*langevinSteps < 0 || !(*eps > 0) || math.IsInf(*eps, 0)):
			return flagError("eps", "and -langevin-steps must be positive and at least 0, got %v and %d", *eps, *langevinSteps)
		case (*clamp == "") != (*mask == ""):
			return flagError("clamp", "and -mask go together")
		case *method == "pt" && *replicas < 2:
			return flagError("replicas", "must be at least 2 for parallel tempering, got %d", *replicas)
		case *clamp != "" && *method == "pt":
			return flagError("clamp", "works with -method gibbs only")
		case !validPrecision(*precision):
			return flagError("precision", "must be auto, float32 or float64, got %q", *precision)
		}
		if err := d.check(); err != nil {
			return err
		}
		switch *start {
		case "auto", "data", "uniform":
		default:
			return flagError("start", "must be auto, data or uniform, got %q", *start)
		}
		m, meta, err := loadModel(e, *model)
		if err != nil {
			return err
		}
		d.pixel = pixelFromMeta(meta)
		img := meta.ImageShape
		if *shape != "" {
			if img, err = parseReportShape(*shape); err != nil {
				return flagError("shape", "%v", err)
			}
		}
		if img != [2]int{} && img[0]*img[1] != m.NV() {
			return flagError("shape", "%d×%d does not hold the model's %d visible units", img[0], img[1], m.NV())
		}
		if err := e.checkSampleMemory(m.NV(), m.NH(), *n, *replicas, *method == "pt"); err != nil {
			return err
		}
		prec, err := mcmcPrecision(*precision, m)
		if err != nil {
			return err
		}
		var states, means *matrix.Dense
		if *clamp != "" {
			states, means, err = sampleClamped(e, m, &d, *clamp, *mask, img, *n, *steps, *seed)
		} else if *method == "langevin" {
			var res *mcmc.LangevinResult
			if res, err = mcmc.GibbsLangevin(m, *n, *steps, *langevinSteps, *eps, *seed); err == nil {
				states, means = res.Samples, langevinMeans(m, res.Samples, *seed)
				fmt.Fprintf(e.stderr, "boltz sample: Langevin proposals accepted: %.1f%%\n", 100*res.Acceptance)
			}
		} else {
			var from []float64
			switch {
			case *start == "data" && meta.DataMean == nil:
				return flagError("start", "data: %s records no data_mean (train it with boltz train, or use -start uniform)", *model)
			case *start != "uniform" && *method == "gibbs":
				from = meta.DataMean
			}
			states, means, err = sampleFree(m, *method, *n, *steps, *replicas, *betaMin, *seed, from, prec)
		}
		if err != nil {
			return err
		}
		states, means = d.pixel.pixels(states), d.pixel.pixels(means) // standardised data back to pixel space
		write := func(w io.Writer) error {
			out := outputStates(m.Visible, states) // categories for Potts units
			return npz.WriteNPY(w, &npz.Array{Shape: []int{out.Rows, out.Cols}, Data: out.Data, Dtype: "<f8"})
		}
		if strings.HasSuffix(*out, ".png") {
			if img == [2]int{} {
				img = report.ShapeFor(m.NV())
			}
			pic := report.Tile(pictureValues(m.Visible, means), img, report.TileOptions{})
			write = func(w io.Writer) error { return png.Encode(w, pic) }
		}
		if err := atomicfile.WriteFile(*out, 0o644, write); err != nil {
			return fmt.Errorf("-o: %w", err)
		}
		fmt.Fprintf(e.stderr, "boltz sample: %d samples after %d %s steps → %s\n", states.Rows, *steps, *method, filepath.Clean(*out))
		return nil
	}
}

// langevinMeans returns, for the pictures of Gibbs–Langevin samples, E[v|h] at one draw h ~
// p(h|v) from each final state v (row k from the stream (seed, streamLangevinMeans, k)): the
// picture of a sample without the pixel noise σ adds to it, as block Gibbs sampling's
// pictures are.
func langevinMeans(m *rbm.RBM, v *matrix.Dense, seed uint64) *matrix.Dense {
	means := matrix.NewDense(v.Rows, v.Cols)
	h := make([]float64, m.NH())
	for k := range v.Rows {
		r := rand.New(rng.PCG(seed, streamLangevinMeans, uint64(k)))
		m.SampleHidden(h, v.Row(k), r)
		m.VisibleMeans(means.Row(k), h)
	}
	return means
}

// streamLangevinMeans separates langevinMeans' draws from the chains' own streams.
const streamLangevinMeans = 0x6c6d65616e73 // "lmeans"

// sampleFree runs chains from random states (drawn from the base-rate model of dataMean
// when it is not nil, else uniform) and returns their final visible
// states and the visible means given the final hidden states.
func sampleFree(m *rbm.RBM, method string, n, steps, replicas int, betaMin float64, seed uint64, dataMean []float64, prec mcmc.Precision) (*matrix.Dense, *matrix.Dense, error) {
	var c *mcmc.Chains
	if method == "pt" {
		betas, err := mcmc.Ladder(replicas, betaMin, "geometric")
		if err != nil {
			return nil, nil, &usageError{"-replicas/-beta-min: " + err.Error()}
		}
		t, err := mcmc.NewTempering(m, betas, n, seed)
		if err != nil {
			return nil, nil, err
		}
		t.SetPrecision(prec)
		t.Step(m, steps)
		c = t.Samples()
	} else {
		c = mcmc.NewChains(m, n, seed)
		c.SetPrecision(prec)
		if u := ais.StartInputs(m.Visible, dataMean); dataMean != nil && u != nil {
			c.DrawVisible(m, u)
		} else if dataMean != nil && m.Visible.Values() == nil {
			c.DrawVisible(m, dataMean) // continuous units: the input is the mean
		}
		c.Sweep(m, 1, steps)
	}
	return c.V, m.VisibleMeansBatch(nil, c.H), nil
}

// sampleClamped fills in the values the mask marks missing, for the first n rows of SPEC,
// by Gibbs sweeps that reset the known values after every visible draw. The chains then
// sample p(v_missing | v_known).
func sampleClamped(e *env, m *rbm.RBM, d *dataFlags, spec, maskSpec string, img [2]int, n, steps int, seed uint64) (*matrix.Dense, *matrix.Dense, error) {
	ds, err := d.loadFor(e, spec, seed, m)
	if err != nil {
		return nil, nil, fmt.Errorf("-clamp %s", strings.TrimPrefix(err.Error(), "-data "))
	}
	if img == [2]int{} {
		img = ds.Shape
	}
	missing, err := parseMask(maskSpec, m.NV(), img)
	if err != nil {
		return nil, nil, err
	}
	known := ds.X.Slice(0, min(n, ds.X.Rows)).Clone()
	c := mcmc.NewChains(m, known.Rows, seed)
	c.SetVisible(m, known)
	restore := func(v *matrix.Dense) {
		for r := 0; r < v.Rows; r++ {
			row, kr := v.Row(r), known.Row(r)
			for i, miss := range missing {
				if !miss {
					row[i] = kr[i]
				}
			}
		}
	}
	for range steps {
		c.SampleHidden(m, 1)
		c.SampleVisible(m, 1)
		restore(c.V)
	}
	c.SampleHidden(m, 1)
	means := m.VisibleMeansBatch(nil, c.H)
	restore(means)
	return c.V, means, nil
}

// parseMask returns, per visible unit, whether it is missing (to be sampled).
func parseMask(spec string, nv int, img [2]int) ([]bool, error) {
	missing := make([]bool, nv)
	switch spec {
	case "top", "bottom", "left", "right":
		if img == [2]int{} {
			return nil, flagError("mask", "%s needs an image shape (-shape HxW)", spec)
		}
		h, w := img[0], img[1]
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				missing[y*w+x] = spec == "top" && y < h/2 || spec == "bottom" && y >= h/2 ||
					spec == "left" && x < w/2 || spec == "right" && x >= w/2
			}
		}
		return missing, nil
	}
	ds, err := data.Load(spec, data.LoadOptions{})
	if err != nil {
		return nil, fmt.Errorf("-mask: %w", err)
	}
	if ds.X.Rows != 1 || ds.X.Cols != nv {
		return nil, fmt.Errorf("-mask %s: want one row of %d values, got %d×%d", spec, nv, ds.X.Rows, ds.X.Cols)
	}
	for i, v := range ds.X.Row(0) {
		if v != 0 && v != 1 {
			return nil, fmt.Errorf("-mask %s: value %v at column %d is not 0 or 1", spec, v, i+1)
		}
		missing[i] = v == 1
	}
	return missing, nil
}
