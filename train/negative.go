package train

import (
	"fmt"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// NegativePhase estimates the model term of the gradient: the model statistics ⟨v hᵀ⟩,
// ⟨v⟩, ⟨h⟩ (and any other layer statistics, see rbm.Grad) under the model at the current
// parameters. The trainer subtracts them from the minibatch's statistics.
//
// The built-in estimators are values made by CD, PCD, FastPCD, PT and Exact; set
// Config.Negative to one of them, or to your own implementation, to choose it in code
// (Config.Method names them for the command line and run.json). An implementation may also
// implement GradientObserver, Checkpointer and StatsReporter.
type NegativePhase interface {
	// Init prepares the estimator for training m with minibatches of batch rows (chains
	// are sized and started here); seed is the run's seed. New and FromArchive call it
	// once, before any update.
	Init(m *rbm.RBM, batch int, seed uint64) error
	// Moments sets neg to the estimated model statistics of m. Estimators that keep
	// chains advance them here.
	Moments(neg *rbm.Grad, m *rbm.RBM, b *Batch) error
}

// Batch is what a negative phase sees of the current minibatch.
type Batch struct {
	X *matrix.Dense // the minibatch, one row per example
	// HiddenInput holds the rows' hidden inputs c + Xᵀ… under the model, 1cᵀ + X·W (CD
	// starts its chains from them without recomputing them). It may be nil.
	HiddenInput *matrix.Dense
}

// GradientObserver is implemented by estimators that need the gradient estimate of every
// update: g = data − model statistics, before centering and regularisation, and the update's
// learning rate (fast PCD moves its fast weights by it). g must not be modified.
type GradientObserver interface {
	ObserveGradient(g *rbm.Grad, lr float64)
}

// Checkpointer is implemented by estimators with state to keep across a checkpoint
// (chains, random streams, fast weights). Array and file names must not collide with the
// trainer's own (W, b, c, opt_*, center_*, sparsity_mean, meta.json, checkpoint.json):
// prefix them with the estimator's name.
type Checkpointer interface {
	SaveState(a *npz.Archive) error
	LoadState(a *npz.Archive) error
}

// StatsReporter is implemented by estimators with per-epoch diagnostics (PT's swap rates),
// which Metrics.SwapRates records.
type StatsReporter interface {
	Stats() []float64
}

// negativePhase returns the estimator the configuration names: Config.Negative when set,
// else the one Config.Method names, with the Config's settings.
func (c *Config) negativePhase() (NegativePhase, error) {
	if c.Negative != nil {
		return c.Negative, nil
	}
	switch c.Method {
	case MethodExact:
		return Exact(), nil
	case MethodCD:
		return CD(c.K), nil
	case MethodPCD:
		return PCD(c.K, c.Chains), nil
	case MethodFastPCD:
		return FastPCD(c.K, c.Chains, c.FastLR, c.FastDecay), nil
	case MethodPT:
		return PT(c.K, c.Chains, c.Replicas, c.BetaMin, c.Ladder), nil
	}
	return nil, fmt.Errorf("unknown method %q", c.Method)
}

// chainCount returns the number of chains: n, or one per minibatch row when n is 0.
func chainCount(n, batch int) int {
	if n == 0 {
		return batch
	}
	return n
}
