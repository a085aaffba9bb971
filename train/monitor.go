package train

import (
	"math"

	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// exactPLLUnits is the largest nv for which the pseudo-log-likelihood monitor sums over
// every unit; above it, one random unit per row stands in for all (an unbiased estimate
// costing 1/nv as much).
const exactPLLUnits = 64

// enumerable reports whether the exact monitors (log-likelihood, gradient-bias meter) run.
func (t *Trainer) enumerable() bool {
	m, n := t.Model, math.MaxInt // only a layer with finitely many states can be enumerated
	if m.Visible.Values() != nil {
		n = m.NV()
	}
	if m.Hidden.Values() != nil {
		n = min(n, m.NH())
	}
	return n <= t.Config.ExactMonitor
}

// measureBias compares the estimator's gradient t.grad on the current minibatch with the
// exact gradient on the same minibatch at the same parameters. Both share the positive
// phase, so the difference is the negative phase's error alone.
func (t *Trainer) measureBias() error {
	neg, err := exact.ModelMoments(t.Model, nil)
	if err != nil {
		return err
	}
	want := rbm.GradLike(t.Model)
	want.Sub(t.pos, neg)
	diff := rbm.GradLike(t.Model)
	diff.Sub(t.grad, want)
	t.biasCos = t.grad.Dot(want) / (t.grad.Norm() * want.Norm())
	t.biasRel = diff.Norm() / want.Norm()
	t.biasValid = true
	return nil
}

// biasMetrics returns the meter's reading, each nil when undefined: the cosine when either
// gradient is exactly zero (CD-1 on a model that reconstructs its minibatch perfectly gives
// g = 0), the relative error when the exact gradient is zero.
func (t *Trainer) biasMetrics() (cos, rel *float64) {
	if !t.biasValid {
		return nil, nil
	}
	t.biasValid = false
	return finiteOrNil(t.biasCos), finiteOrNil(t.biasRel)
}

// monitorRows returns the first Config.MonitorRows rows of x (all when it is 0 or larger).
func (t *Trainer) monitorRows(x *matrix.Dense) *matrix.Dense {
	if x == nil || t.Config.MonitorRows == 0 || x.Rows <= t.Config.MonitorRows {
		return x
	}
	return x.Slice(0, t.Config.MonitorRows)
}

// monitor evaluates the model after an epoch.
func (t *Trainer) monitor(train, valid *matrix.Dense) (Metrics, error) {
	m := t.Model
	met := Metrics{Epoch: t.Epoch, Step: t.Step, ElapsedSeconds: t.Elapsed.Seconds(), LearningRate: t.lr}
	if r, ok := t.neg.(StatsReporter); ok {
		met.SwapRates = r.Stats()
	}
	if t.Config.NoMonitors {
		met.ReconError, met.PseudoLogLikelihood, met.PseudoLogLikelihoodPerUnit = math.NaN(), math.NaN(), math.NaN()
		t.biasValid = false
		return met, nil
	}
	tr, va := t.monitorRows(train), t.monitorRows(valid)
	met.ReconError = m.ReconError(tr)
	met.PseudoLogLikelihood = math.NaN() // undefined for these unit types (written as null)
	if m.CheckPseudoLikelihood() == nil {
		var r = rng.New(t.Config.Seed, streamMonitor, uint64(t.Epoch))
		if m.NV() <= exactPLLUnits {
			r = nil
		}
		met.PseudoLogLikelihood = m.PseudoLogLikelihoodBatch(tr, r)
	}
	met.PseudoLogLikelihoodPerUnit = met.PseudoLogLikelihood / float64(m.NV())
	ftr := mean(m.FreeEnergyBatch(nil, tr, nil))
	met.FreeEnergyTrain = &ftr
	if va != nil {
		fva := mean(m.FreeEnergyBatch(nil, va, nil))
		gap := fva - ftr
		met.FreeEnergyValid, met.FreeEnergyGap = &fva, &gap
	}
	if t.enumerable() {
		logZ, err := exact.LogZ(m, nil)
		if err != nil {
			return met, err
		}
		ll := exact.MeanLogLikelihood(m, train, logZ)
		met.LogZ, met.LogLikelihood = &logZ, &ll
		if valid != nil {
			vll := exact.MeanLogLikelihood(m, valid, logZ)
			met.ValidLogLikelihood = &vll
		}
	}
	met.GradCosine, met.GradRelError = t.biasMetrics()
	if err := t.aisMonitor(&met, tr, va); err != nil {
		return met, err
	}
	return met, nil
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func finiteOrNil(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
