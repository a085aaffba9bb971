// Command boltzbench is the boltz side of bench/run.sh: it times one workload and prints one
// JSON object on stdout. The workloads are those of the peers in bench/peers.py:
//
//	boltzbench cd1    one epoch of CD-1 on thresholded MNIST (784×500, batch 100)
//	boltzbench pcd1   one epoch of PCD-1, the same otherwise (100 persistent chains)
//	boltzbench gibbs  block Gibbs sweeps of 100 chains on a 784×500 model, in sweeps/s
//	boltzbench ais    forward AIS, 100 runs × 14,500 temperatures, on a 784×500 model
//	boltzbench aischeck  the accuracy of float32 AIS: a 784×-hidden model trained for -epochs
//	                  of CD-1 on MNIST, forward AIS (and with -reverse reverse AIS from the
//	                  training rows) in float32 and float64, and exact log Z when the
//	                  hidden layer has at most 24 units
//
// Training uses train.Defaults() with Method, K, Epochs, Hidden, Batch and LR set and the
// per-epoch monitors made as cheap as the configuration allows (MonitorRows 100,
// ExactMonitor 0, AISEvery 0). "seconds" is Trainer.Elapsed: the minibatch loop (gather,
// positive phase, negative phase, optimiser step), monitors excluded. "run_seconds" is the
// wall time of the whole Run call, monitors included, and "cpu_seconds" the process CPU
// time (user + system) of that call. Loading MNIST and train.New are not timed.
//
// -precision float32 sets train.Config.Precision for cd1 and pcd1 (the float32 minibatch
// path, parameters and their updates still float64), mcmc.Float32 for gibbs and
// ais.Float32 for ais (the model AIS measures is trained in float64 either way, so both
// precisions measure the same model). The JSON echoes it as "precision".
//
// ais -save FILE also writes the trained model (rbm.Save), for bench/peers.py numpy-ais.
//
// -cpuprofile writes a pprof CPU profile of the timed region.
//
//go:build unix

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/train"
)

type options struct {
	rows, hidden, batch int
	lr                  float64
	seed                uint64
	sweeps, chains      int
	runs, betas         int
	precision           string
	cpuprofile          string
	save                string
	epochs              int
	reverse             bool
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: boltzbench cd1|pcd1|gibbs|ais|aischeck [flags]")
		os.Exit(2)
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet("boltzbench "+cmd, flag.ExitOnError)
	var o options
	fs.IntVar(&o.rows, "rows", 0, "use the first `N` MNIST training rows (0: all 60000)")
	fs.IntVar(&o.hidden, "hidden", 500, "hidden units")
	fs.IntVar(&o.batch, "batch", 100, "minibatch rows")
	fs.Float64Var(&o.lr, "lr", 0.01, "learning rate")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed")
	fs.IntVar(&o.sweeps, "sweeps", 1000, "Gibbs sweeps to time (gibbs)")
	fs.IntVar(&o.chains, "chains", 100, "Gibbs chains (gibbs)")
	fs.IntVar(&o.runs, "runs", ais.DefaultRuns, "AIS runs (ais)")
	fs.IntVar(&o.betas, "betas", ais.DefaultSteps, "AIS temperature steps (ais)")
	fs.StringVar(&o.precision, "precision", "float64", "arithmetic of the minibatch kernels (cd1, pcd1), the sweeps (gibbs) or the annealing steps (ais): float64 or float32")
	fs.StringVar(&o.save, "save", "", "ais: also write the trained model to `FILE` (.npz)")
	fs.IntVar(&o.epochs, "epochs", 1, "aischeck: CD-1 epochs of training before the check")
	fs.BoolVar(&o.reverse, "reverse", false, "aischeck: also run reverse AIS from the training rows")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the timed region to `FILE`")
	fs.Parse(os.Args[2:])
	if o.precision != "float64" && o.precision != "float32" {
		fmt.Fprintf(os.Stderr, "boltzbench %s: -precision must be float64 or float32, got %q\n", cmd, o.precision)
		os.Exit(2)
	}

	var res map[string]any
	var err error
	switch cmd {
	case "cd1":
		res, err = epoch(o, "cd")
	case "pcd1":
		res, err = epoch(o, "pcd")
	case "gibbs":
		res, err = gibbs(o)
	case "ais":
		res, err = forwardAIS(o)
	case "aischeck":
		res, err = aisCheck(o)
	default:
		fmt.Fprintf(os.Stderr, "boltzbench: unknown workload %q (want cd1, pcd1, gibbs, ais or aischeck)\n", cmd)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "boltzbench %s: %v\n", cmd, err)
		os.Exit(1)
	}
	res["bench"], res["build"], res["gomaxprocs"] = cmd, build, runtime.GOMAXPROCS(0)
	json.NewEncoder(os.Stdout).Encode(res)
}

// mnist returns the MNIST training images thresholded at 0.5, the first o.rows of them
// when o.rows > 0.
func mnist(o options) (*matrix.Dense, error) {
	ds, err := data.Load("mnist", data.LoadOptions{Fetch: true, Progress: os.Stderr})
	if err != nil {
		return nil, err
	}
	x := ds.X
	if o.rows > 0 && o.rows < x.Rows {
		x = x.Slice(0, o.rows)
	}
	data.Threshold(x, data.DefaultThreshold)
	return x, nil
}

func config(o options, method string) train.Config {
	cfg := train.Defaults()
	cfg.Method, cfg.K, cfg.Epochs = train.Method(method), 1, 1
	cfg.Hidden, cfg.Batch, cfg.LR, cfg.Seed = o.hidden, o.batch, o.lr, o.seed
	cfg.Precision = train.Precision(o.precision)
	cfg.Chains = 0 // pcd: one chain per minibatch row
	// The cheapest monitors the configuration allows: they run after the epoch, outside
	// Trainer.Elapsed, and are reported separately as run_seconds − seconds.
	cfg.MonitorRows, cfg.ExactMonitor, cfg.AISEvery = 100, 0, 0
	return cfg
}

// epoch times one epoch of CD-1 or PCD-1.
func epoch(o options, method string) (map[string]any, error) {
	x, err := mnist(o)
	if err != nil {
		return nil, err
	}
	t, err := train.New(config(o, method), x)
	if err != nil {
		return nil, err
	}
	var met train.Metrics
	opts := train.Options{OnEpoch: func(_ *train.Trainer, m train.Metrics) error { met = m; return nil }}
	var runErr error
	wall, cpu, err := timed(o.cpuprofile, func() { runErr = t.Run(context.Background(), x, opts) })
	if err != nil {
		return nil, err
	}
	if runErr != nil {
		return nil, runErr
	}
	return map[string]any{
		"seconds": t.Elapsed.Seconds(), "run_seconds": wall, "cpu_seconds": cpu,
		"rows": x.Rows, "updates": t.Step, "recon_error": met.ReconError,
		"precision": t.Config.Precision,
	}, nil
}

// gibbs times o.sweeps block Gibbs sweeps of o.chains chains on a 784×o.hidden model with
// W ~ N(0, 0.01²) and zero biases, after 10 untimed sweeps.
func gibbs(o options) (map[string]any, error) {
	m := rbm.New(784, o.hidden)
	m.InitNormal(0.01, rng.New(o.seed, 1))
	c := mcmc.NewChains(m, o.chains, o.seed, 2)
	if o.precision == "float32" {
		c.SetPrecision(mcmc.Float32)
	}
	c.Sweep(m, 1, 10)
	wall, cpu, err := timed(o.cpuprofile, func() { c.Sweep(m, 1, o.sweeps) })
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"seconds": wall, "cpu_seconds": cpu, "sweeps": o.sweeps, "chains": o.chains,
		"sweeps_per_second": float64(o.sweeps) / wall, "precision": o.precision,
	}, nil
}

// forwardAIS trains a model for one untimed epoch of CD-1 in float64 (so that log Z is that
// of a model with some structure, not of the initial one, and the same model whatever
// -precision says) and times ais.Forward on it with a base-rate model from the data.
func forwardAIS(o options) (map[string]any, error) {
	x, err := mnist(o)
	if err != nil {
		return nil, err
	}
	tc := config(o, "cd")
	tc.Precision = "float64"
	t, err := train.New(tc, x)
	if err != nil {
		return nil, err
	}
	if err := t.Run(context.Background(), x, train.Options{}); err != nil {
		return nil, err
	}
	if o.save != "" {
		if err := t.Model.Save(o.save, &rbm.Meta{}); err != nil {
			return nil, err
		}
	}
	aopts := &ais.Options{
		Runs: o.runs, Betas: ais.Schedule(o.betas), Seed: o.seed,
		BaseBias: ais.BaseRate(x, ais.DefaultBaseRateSmoothing),
	}
	if o.precision == "float32" {
		aopts.Precision = ais.Float32
	}
	var r *ais.Result
	var aisErr error
	wall, cpu, err := timed(o.cpuprofile, func() { r, aisErr = ais.Forward(context.Background(), t.Model, aopts) })
	if err != nil {
		return nil, err
	}
	if aisErr != nil {
		return nil, aisErr
	}
	return map[string]any{
		"seconds": wall, "cpu_seconds": cpu, "runs": r.Runs, "steps": r.Steps,
		"log_z": r.LogZ, "log_z_stderr": r.LogZStderr, "ess": r.ESS, "precision": o.precision,
	}, nil
}

// aisCheck trains a 784×o.hidden model for o.epochs of CD-1 in float64 and estimates its log Z
// by forward AIS (and reverse AIS with o.reverse) in float64 and in float32 with the same
// options, and exactly when the hidden layer is small enough. The JSON holds every estimate,
// its standard error and time, the float32 − float64 differences in standard errors of the
// difference, and the error against exact log Z over (stderr + 0.05), the criterion
// (at most 1 when met).
func aisCheck(o options) (map[string]any, error) {
	x, err := mnist(o)
	if err != nil {
		return nil, err
	}
	tc := config(o, "cd")
	tc.Precision, tc.Epochs = "float64", o.epochs
	t, err := train.New(tc, x)
	if err != nil {
		return nil, err
	}
	if err := t.Run(context.Background(), x, train.Options{}); err != nil {
		return nil, err
	}
	m := t.Model
	res := map[string]any{"nv": m.NV(), "nh": m.NH(), "epochs": o.epochs, "runs": o.runs, "steps": o.betas}
	var exactZ *float64
	if m.NH() <= 24 {
		z, err := exact.LogZ(m, nil)
		if err != nil {
			return nil, err
		}
		exactZ = &z
		res["exact_log_z"] = z
	}
	dirs := []string{"forward"}
	if o.reverse {
		dirs = append(dirs, "reverse")
	}
	for _, dir := range dirs {
		est := map[string]*ais.Result{}
		for _, p := range []ais.Precision{ais.Float64, ais.Float32} {
			opts := &ais.Options{Runs: o.runs, Betas: ais.Schedule(o.betas), Seed: o.seed,
				BaseBias: ais.BaseRate(x, ais.DefaultBaseRateSmoothing), Precision: p}
			var r *ais.Result
			var aisErr error
			wall, _, _ := timed("", func() {
				if dir == "forward" {
					r, aisErr = ais.Forward(context.Background(), m, opts)
				} else {
					r, aisErr = ais.Reverse(context.Background(), m, x, opts)
				}
			})
			if aisErr != nil {
				return nil, aisErr
			}
			est[p.String()] = r
			key := dir + "_" + p.String()
			res[key+"_log_z"], res[key+"_log_z_stderr"], res[key+"_seconds"] = r.LogZ, r.LogZStderr, wall
			if exactZ != nil {
				res[key+"_error"] = r.LogZ - *exactZ
				res[key+"_error_over_se_plus_0.05"] = math.Abs(r.LogZ-*exactZ) / (r.LogZStderr + 0.05)
			}
		}
		f32, f64 := est["float32"], est["float64"]
		res[dir+"_f32_minus_f64_in_se"] = (f32.LogZ - f64.LogZ) / math.Hypot(f32.LogZStderr, f64.LogZStderr)
	}
	return res, nil
}

// timed runs f and returns its wall time and the process CPU time it used, in seconds,
// writing a CPU profile of it to profile unless that is empty.
func timed(profile string, f func()) (wall, cpu float64, err error) {
	if profile != "" {
		pf, err := os.Create(profile)
		if err != nil {
			return 0, 0, err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return 0, 0, err
		}
		defer pprof.StopCPUProfile()
	}
	cpu0, start := cpuTime(), time.Now()
	f()
	return time.Since(start).Seconds(), (cpuTime() - cpu0).Seconds(), nil
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
