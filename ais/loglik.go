package ais

import (
	"context"
	"errors"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/rbm"
)

// DefaultReverseSweeps is the number of Gibbs sweeps of the chains whose final states
// reverse AIS starts from in LogLikelihood (and boltz eval's -reverse-sweeps).
const DefaultReverseSweeps = 2000

// streamReverseStart is the stream path of those chains, apart from the runs' own streams.
const streamReverseStart = 0x7273 // "rs"

// LogLikelihoodOptions configures LogLikelihood; a nil pointer means the defaults.
type LogLikelihoodOptions struct {
	// Options are the AIS settings (runs, schedule, seed, gap threshold, precision,
	// progress). A nil BaseBias means the base-rate model of the states reverse AIS starts
	// from.
	Options
	// ReverseSweeps is the number of Gibbs sweeps of the Options.Runs chains, started from
	// the base-rate model of x, whose final states reverse AIS starts from; 0 means
	// DefaultReverseSweeps. A negative value starts reverse AIS from the rows of x
	// themselves (cheaper, and biased low when the model puts mass the data do not reach).
	ReverseSweeps int
}

// Estimate is an AIS estimate of the mean log-likelihood of some rows.
type Estimate struct {
	// Mean is ⟨−F(v)⟩ − log Ẑ with the forward estimate of log Z: an estimate of the mean
	// log-likelihood that is too high, in expectation, by the forward estimate's bias.
	Mean float64
	// Stderr is the standard error carried over from log Ẑ; DataStderr the sampling
	// error of the mean over the rows (0 for one row).
	Stderr, DataStderr float64
	// Reverse is the same mean with reverse AIS's estimate of log Z.
	Reverse float64
	// Bracket holds both AIS estimates and the verdict on them (Trustworthy).
	Bracket *Bracket
}

// LogLikelihood estimates the mean log-likelihood of the rows of x under m by forward and
// reverse AIS, as boltz eval does: reverse AIS starts from the final states of Gibbs chains
// of the model (opts.ReverseSweeps), whose base-rate model also starts forward AIS, and the
// two estimates of log Z bracket the truth when the verdict is trustworthy. It returns the
// errors of Sandwich, and ctx's error if it is cancelled while the chains run.
func LogLikelihood(ctx context.Context, m *rbm.RBM, x *matrix.Dense, opts *LogLikelihoodOptions) (*Estimate, error) {
	if opts == nil {
		opts = &LogLikelihoodOptions{}
	}
	if x == nil || x.Rows == 0 {
		return nil, errors.New("ais: LogLikelihood: no rows")
	}
	aopts := opts.Options
	start := x
	if opts.ReverseSweeps >= 0 {
		sweeps := opts.ReverseSweeps
		if sweeps == 0 {
			sweeps = DefaultReverseSweeps
		}
		runs := aopts.Runs
		if runs == 0 {
			runs = DefaultRuns
		}
		if _, err := configure(m, &aopts, x); err != nil {
			return nil, err
		}
		var err error
		if start, err = ReverseStart(ctx, m, x, runs, sweeps, aopts.Seed, aopts.Precision); err != nil {
			return nil, err
		}
	}
	br, err := Sandwich(ctx, m, start, &aopts)
	if err != nil {
		return nil, err
	}
	mean, se := m.MeanNegFreeEnergy(x)
	e := &Estimate{Mean: mean - br.Forward.LogZ, Stderr: br.Forward.LogZStderr, Reverse: mean - br.Reverse.LogZ, Bracket: br}
	if x.Rows > 1 {
		e.DataStderr = se
	}
	return e, nil
}

// ReverseStart returns the final visible states of runs Gibbs chains of sweeps sweeps, started
// from the base-rate model of the rows of x (BaseRate) and drawing from streams of seed apart
// from the AIS runs' own: the states reverse AIS starts from in LogLikelihood and boltz eval.
// Reverse AIS is a stochastic upper bound on log Z when it starts from exact samples of the
// model (Burda, Grosse & Salakhutdinov 2015); long chains approximate them far better than
// held-out rows do. It returns ctx's error if ctx is cancelled between blocks of 100 sweeps.
//
// For Gaussian visible units the chains start at N(x̄_i, σ_i²), x̄ the column means of x;
// the Gibbs sweeps are followed by sweeps/10 rounds of Gibbs–Langevin sampling
// (mcmc.GibbsLangevinFrom, 5 Langevin steps of ε = 0.1 per round), and those by parallel
// tempering along the hidden path of AIS, the chains' states its β = 1 replica's start
// (ReverseStartTempering, TemperHidden). Block Gibbs alone leaves the chains in regions of a
// learned-σ model that hold little of its mass: on a 784×500 model of MNIST, reverse AIS
// came out 5 nats lower from Gibbs states than from Gibbs–Langevin ones, and on a 784×20
// model 19 nats below the exact log Z from either, but within 0.15 nats from tempered ones.
func ReverseStart(ctx context.Context, m *rbm.RBM, x *matrix.Dense, runs, sweeps int, seed uint64, prec Precision) (*matrix.Dense, error) {
	chains := mcmc.NewChains(m, runs, seed, streamReverseStart)
	chains.SetPrecision(prec)
	_, gaussian := m.Visible.(*rbm.Gaussian)
	if gaussian {
		mean := make([]float64, x.Cols)
		rbm.ColMeans(mean, x)
		chains.DrawVisible(m, mean)
	} else {
		chains.DrawVisible(m, BaseRate(x, DefaultBaseRateSmoothing))
	}
	for done := 0; done < sweeps; done += 100 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		chains.Sweep(m, 1, min(100, sweeps-done))
	}
	if rounds := ReverseStartLangevin(m, sweeps); rounds > 0 {
		if _, err := mcmc.GibbsLangevinFrom(ctx, m, chains.V, rounds, reverseLangevinSteps, reverseLangevinEps, seed, streamReverseStart); err != nil {
			return nil, err
		}
	}
	if replicas, ptSweeps := ReverseStartTempering(m, sweeps); replicas > 0 {
		return TemperHidden(ctx, m, x, chains.V, runs, ptSweeps, replicas, seed)
	}
	return chains.V, nil
}

// ReverseStartTempering returns the replicas and the sweeps of the parallel tempering along
// the hidden path (TemperHidden) that ReverseStart runs after sweeps Gibbs sweeps (and the
// Gibbs–Langevin rounds) on m: 20 replicas and sweeps/10 sweeps for models that AIS anneals
// on the hidden side (a PowerSampler visible layer, such as Gaussian units), none for others
// and when sweeps/10 is 0.
// On a 784×20 Gaussian (σ learned) model of MNIST trained 10 epochs by CD, reverse AIS from
// the Gibbs and Gibbs–Langevin states fell 19 nats below the exact log Z (the chains never
// reached the hidden states that hold most of p(h)); from the tempered states it came within
// 0.15 nats, as from exact samples.
func ReverseStartTempering(m *rbm.RBM, sweeps int) (replicas, ptSweeps int) {
	if hiddenSide(m) && sweeps >= 10 {
		return reverseTemperReplicas, sweeps / 10
	}
	return 0, 0
}

// reverseTemperReplicas is the number of replicas of ReverseStart's parallel tempering.
const reverseTemperReplicas = 20

// ReverseStartLangevin returns the number of Gibbs–Langevin rounds that ReverseStart runs
// after sweeps Gibbs sweeps on m: sweeps/10 for Gaussian visible units, 0 for others.
func ReverseStartLangevin(m *rbm.RBM, sweeps int) int {
	if _, ok := m.Visible.(*rbm.Gaussian); ok {
		return sweeps / 10
	}
	return 0
}

// The Gibbs–Langevin rounds of ReverseStart for Gaussian visible units: Langevin steps per
// round and their size (ε = 0.1 accepts about 75% of the proposals on 784×500 MNIST models).
const (
	reverseLangevinSteps = 5
	reverseLangevinEps   = 0.1
)
