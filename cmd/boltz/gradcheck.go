package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// Defaults of boltz gradcheck's random model and data, in one place.
const (
	gradcheckNV       = 9   // matches bas:3
	gradcheckNH       = 4   // 2^4 hidden states: every log Z is instant
	gradcheckStd      = 0.5 // large enough that the gradient is far from its value at W = 0
	gradcheckRows     = 20  // random rows when no bars-and-stripes set has nv units
	gradcheckTol      = 1e-6
	gradcheckRNGModel = 0x6d6f64656c // stream paths under -seed
	gradcheckRNGData  = 0x64617461
)

func init() {
	register(&command{
		Name:  "gradcheck",
		Usage: "boltz gradcheck [-model M.npz | -nv N -nh M -seed S] [-data SPEC] [-eps E] [-tol T] [-json]",
		Short: "check the exact log-likelihood gradient against finite differences",
		Long: `Gradcheck computes the exact gradient of the mean log-likelihood of a data set,

  ∂⟨log p(v)⟩/∂W = ⟨v E[h|v]ᵀ⟩_data − ⟨v hᵀ⟩_model   (and likewise for b and c),

the positive phase minus the negative phase, with the model's moments summed exactly over
every hidden (or visible) state. It compares every element with a five-point central finite
difference of the mean log-likelihood itself, recomputing the exact log Z at each of the four
perturbed parameter values:

  ∂f/∂θ ≈ [8(f(θ+ε) − f(θ−ε)) − (f(θ+2ε) − f(θ−2ε))] / (12ε).

It prints, per block (W, b, c), the largest absolute error, the largest relative error
|a − f| / max(|a|, |f|, 1e-6) and where it occurs, and fails (exit 1) when the largest
relative error exceeds -tol. The default tolerance, 1e-6, sits far from both sides: a
correct gradient of a small model agrees to about 1e-9 (the difference formula's error is
about 1e-12 absolute), while a wrong sign or a missing term gives errors of order 1.

Without -model it checks a random Bernoulli RBM with -nv visible and -nh hidden units whose
weights and biases are drawn from N(0, std²) with -std, from -seed; -visible-units and
-hidden-units choose other unit types (gaussian, relu, drelu, …), whose further parameters
(σ, γ, …) are drawn uniformly from [0.5, 1.5]. One of the two layers must have finitely many
states, as every exact sum needs. Without -data it uses
bars-and-stripes bas:N when nv = N² (N in 2..8; bas:3 for the default nv = 9), and otherwise
20 random binary rows from -seed. With -data and no -model, nv defaults to the data's width.

Each check costs 4·(nv·nh + nv + nh) exact log Z computations, so it is for small models.`,
		Flags: gradcheckFlags,
	})
}

func gradcheckFlags(fs *flag.FlagSet) func(*env, []string) error {
	model := fs.String("model", "", "model `FILE` (.npz) to check; without it a random model is made")
	nv := fs.Int("nv", gradcheckNV, "visible units of the random model (with -data: the data's width)")
	nh := fs.Int("nh", gradcheckNH, "hidden units of the random model")
	std := fs.Float64("std", gradcheckStd, "standard deviation of the random model's weights and biases")
	seed := fs.Uint64("seed", 1, "seed of the random model and of random data")
	spec := fs.String("data", "", "data `SPEC`: bas:N, shifter:N, or a .csv or .npy file (default: bas:N when nv = N², else random rows)")
	eps := fs.Float64("eps", exact.DefaultGradCheckEps, "finite-difference step ε; 1e-3 balances the ε⁴ truncation error of the five-point formula against rounding/ε")
	tol := fs.Float64("tol", gradcheckTol, "largest relative error that passes")
	asJSON := fs.Bool("json", false, "print one JSON object on stdout instead of a table")
	maxStates := fs.Float64("max-states", exact.DefaultMaxStates, "refuse to enumerate more than `N` states of one layer")
	maxSeconds := maxSecondsFlag(fs)
	visUnits := fs.String("visible-units", "bernoulli", "unit type of the random model's visible layer (see docs/units.md)")
	hidUnits := fs.String("hidden-units", "bernoulli", "unit type of the random model's hidden layer")
	return func(e *env, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if *model != "" {
			for _, name := range []string{"nv", "nh", "std", "visible-units", "hidden-units"} {
				if set[name] {
					return flagError(name, "applies to the random model only, not with -model")
				}
			}
		}
		switch {
		case !(*eps > 0) || math.IsInf(*eps, 0):
			return flagError("eps", "must be a positive number, got %v", *eps)
		case !(*tol > 0):
			return flagError("tol", "must be positive, got %v", *tol)
		case !(*maxStates >= 1):
			return flagError("max-states", "must be at least 1, got %v", *maxStates)
		case checkMaxSeconds(*maxSeconds) != nil:
			return checkMaxSeconds(*maxSeconds)
		case *nh < 1:
			return flagError("nh", "must be at least 1, got %d", *nh)
		case *nv < 1:
			return flagError("nv", "must be at least 1, got %d", *nv)
		case !(*std >= 0) || math.IsInf(*std, 0):
			return flagError("std", "must be a finite number ≥ 0, got %v", *std)
		}
		var m *rbm.RBM
		if *model != "" {
			var err error
			if m, _, err = loadModel(e, *model); err != nil {
				return err
			}
		}
		var ds *data.Dataset
		if *spec != "" {
			var err error
			if ds, err = data.Load(*spec, data.LoadOptions{Fetch: true, Progress: e.stderr}); err != nil {
				return fmt.Errorf("-data %s: %w", *spec, err)
			}
			if m == nil && !set["nv"] {
				*nv = ds.X.Cols
			}
		}
		if m == nil {
			if err := e.checkGradcheckMemory(*nv, *nh, true, ds == nil); err != nil {
				return err
			}
			var err error
			if m, err = randomLayerModel(*visUnits, *hidUnits, *nv, *nh, *std, *seed); err != nil {
				return err
			}
		} else if err := e.checkGradcheckMemory(m.NV(), m.NH(), false, ds == nil); err != nil {
			return err
		}
		var err error
		x := (*matrix.Dense)(nil)
		switch _, bernoulli := m.Visible.(*rbm.Bernoulli); {
		case ds == nil && bernoulli:
			ds = defaultGradcheckData(m.NV(), *seed)
			x = ds.X
		case ds == nil:
			ds = randomStates(m.Visible, *seed) // already states: nothing to encode
			x = ds.X
		default:
			x, _, err = encodeForLayer(ds.X, m.Visible, m.NV())
		}
		if err == nil {
			ds.X = x
			err = checkData(ds.X, m.Visible, m.NV())
		}
		if err != nil {
			return fmt.Errorf("-data %s: %w", ds.Name, err)
		}
		res, err := exact.GradCheck(m, ds.X, *eps, &exact.Options{MaxStates: *maxStates, MaxSeconds: *maxSeconds,
			Progress: enumProgress(e.stderr, "boltz gradcheck: log Z evaluations")})
		if err != nil {
			return tooSlowError(enumerationError(err))
		}
		passed := res.MaxRelError <= *tol
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(gradcheckJSON(res, *tol, passed)); err != nil {
				return err
			}
		} else {
			printGradcheck(e.stdout, res, m, ds, *tol, passed)
		}
		if !passed {
			return fmt.Errorf("gradient check failed: max relative error %.3g exceeds tolerance %.3g", res.MaxRelError, *tol)
		}
		return nil
	}
}

// randomGradcheckModel returns a Bernoulli RBM with weights and biases drawn from N(0, std²).
func randomGradcheckModel(nv, nh int, std float64, seed uint64) *rbm.RBM {
	r := rng.New(seed, gradcheckRNGModel)
	m := rbm.New(nv, nh)
	m.InitNormalWithBiases(std, std, r)
	return m
}

// defaultGradcheckData returns bars-and-stripes when nv is a square it has, else random
// binary rows.
func defaultGradcheckData(nv int, seed uint64) *data.Dataset {
	for n := 2; n <= 8; n++ {
		if n*n == nv {
			return data.BarsAndStripes(n)
		}
	}
	r := rng.New(seed, gradcheckRNGData)
	x := matrix.NewDense(gradcheckRows, nv)
	for i := range x.Data {
		x.Data[i] = float64(r.IntN(2))
	}
	return &data.Dataset{Name: fmt.Sprintf("%d random rows", gradcheckRows), X: x}
}

func gradcheckJSON(res *exact.GradCheckResult, tol float64, passed bool) map[string]any {
	blocks := map[string]any{}
	for _, b := range res.Blocks {
		blocks[b.Name] = map[string]any{
			"max_abs_error": b.MaxAbsError, "max_rel_error": b.MaxRelError, "worst_index": b.WorstIndex,
		}
	}
	return map[string]any{
		"max_abs_error": res.MaxAbsError, "max_rel_error": res.MaxRelError,
		"tolerance": tol, "passed": passed, "eps": res.Eps, "blocks": blocks,
		"log_z": res.LogZ, "mean_log_likelihood": res.MeanLogLikelihood,
	}
}

func printGradcheck(w io.Writer, res *exact.GradCheckResult, m *rbm.RBM, ds *data.Dataset, tol float64, passed bool) {
	fmt.Fprintf(w, "model: %d visible × %d hidden; data: %s (%d rows)\n", m.NV(), m.NH(), ds.Name, ds.X.Rows)
	fmt.Fprintf(w, "log Z = %.12g, mean log-likelihood = %.12g, ε = %g\n\n", res.LogZ, res.MeanLogLikelihood, res.Eps)
	fmt.Fprintf(w, "%-5s  %-13s  %-13s  %s\n", "block", "max abs error", "max rel error", "worst index")
	for _, b := range res.Blocks {
		fmt.Fprintf(w, "%-5s  %-13.3g  %-13.3g  %v\n", b.Name, b.MaxAbsError, b.MaxRelError, b.WorstIndex)
	}
	verdict := "passed"
	if !passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "\nmax relative error %.3g, tolerance %.3g: %s\n", res.MaxRelError, tol, verdict)
}
