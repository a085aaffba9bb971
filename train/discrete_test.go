package train

import (
	"testing"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// Spin and Potts models train end to end: exact-gradient ascent from the data-initialised
// independent model raises (by more than 1e-3 nats, far above rounding) the exact log-likelihood of 3×3 Ising configurations (spin
// visible and hidden units) and of a 4-site, 3-state Potts chain (Potts visible units).
func TestDiscreteLayersTrain(t *testing.T) {
	pc := data.PottsChainData(3, 4, 300, 1).X
	pv := rbm.NewPotts(4, 3)
	onehot, err := rbm.EncodeRows(pv, pc)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, vis, hid string
		x              *matrix.Dense
	}{
		{"ising 3×3", "spin", "spin", data.Ising(3, 2.0, 300, 1).X},
		{"potts chain", pv.Name(), "bernoulli", onehot},
	} {
		cfg := smallConfig("exact")
		cfg.VisibleUnits, cfg.HiddenUnits = c.vis, c.hid
		cfg.Batch, cfg.Epochs, cfg.LR, cfg.Hidden = c.x.Rows, 30, 0.05, 3
		cfg.Momentum, cfg.MomentumInitial, cfg.L2 = 0, 0, 0
		tr, ms := runToEnd(t, cfg, c.x)
		if tr.Model.Visible.Name() != c.vis || tr.Model.Hidden.Name() != c.hid {
			t.Fatalf("%s: trained %s/%s units", c.name, tr.Model.Visible.Name(), tr.Model.Hidden.Name())
		}
		first, last := *ms[0].LogLikelihood, *ms[len(ms)-1].LogLikelihood
		lz, err := exact.LogZ(tr.Model, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ll := exact.MeanLogLikelihood(tr.Model, c.x, lz); ll != last || !(last > first+1e-3) {
			t.Errorf("%s: log-likelihood %v after epoch 1, %v at the end (recomputed %v)", c.name, first, last, ll)
		}
	}
}
