package train

import (
	"context"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// aisMonitor adds an AIS estimate of log Z, and through it of the mean log-likelihood of
// the monitored rows, every Config.AISEvery epochs: Config.AISRuns runs along the
// Salakhutdinov–Murray schedule shape with Config.AISBetas temperatures, from the base-rate
// model of the training rows. The standard errors are those of log Z, which the
// log-likelihoods inherit (the rows themselves are fixed). With few runs and temperatures
// this is a rough, downward-biased estimate of log Z (so an upward-biased log-likelihood);
// 'boltz eval' gives the careful one. It runs in float32 (ais.Float32).
func (t *Trainer) aisMonitor(met *Metrics, train, valid *matrix.Dense) error {
	if t.Config.AISEvery == 0 || t.Epoch%t.Config.AISEvery != 0 {
		return nil
	}
	if t.Model.CheckNormalizable() != nil {
		return nil // log Z is +∞: no estimate to report (boltz eval says why)
	}
	opts := &ais.Options{
		Runs:     t.Config.AISRuns,
		Betas:    ais.Schedule(t.Config.AISBetas),
		Seed:     rng.New(t.Config.Seed, streamAIS, uint64(t.Epoch)).Uint64(),
		BaseBias: ais.BaseRate(train, ais.DefaultBaseRateSmoothing),
		// float32 products and draws with float64 log weights: a third of the float64 time
		// (the ais package's Precision), so the monitor stays cheap.
		Precision: ais.Float32,
	}
	if _, ok := t.Model.Visible.(*rbm.Bernoulli); !ok || !bernoulliHidden(t.Model) {
		// base rates are for the fused Bernoulli path; the others fit their base to the rows
		opts.BaseBias, opts.BaseRows = nil, train
	}
	res, err := ais.Forward(context.Background(), t.Model, opts)
	if err != nil {
		return err
	}
	logZ, se := res.LogZ, res.LogZStderr
	ll := -mean(t.Model.FreeEnergyBatch(nil, train, nil)) - logZ
	met.AISLogZ, met.AISLogZStderr = &logZ, &se
	met.AISLogLikelihood, met.AISLogLikelihoodStderr = &ll, &se
	if valid != nil {
		vll := -mean(t.Model.FreeEnergyBatch(nil, valid, nil)) - logZ
		met.AISValidLogLikelihood, met.AISValidLogLikelihoodStderr = &vll, &se
	}
	return nil
}

func bernoulliHidden(m *rbm.RBM) bool {
	_, ok := m.Hidden.(*rbm.Bernoulli)
	return ok
}
