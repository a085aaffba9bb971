package boltz_test

import (
	"context"
	"fmt"
	"log"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/train"
)

// Train on your own rows, turn them into features, sample from the model and measure it,
// exactly and by AIS. The rows are the 6 patterns of 2×2 bars and stripes, repeated.
func Example() {
	var rows [][]float64
	for range 20 {
		rows = append(rows, []float64{0, 0, 0, 0}, []float64{1, 1, 1, 1},
			[]float64{1, 1, 0, 0}, []float64{0, 0, 1, 1}, []float64{1, 0, 1, 0}, []float64{0, 1, 0, 1})
	}
	x, err := matrix.FromRows(rows)
	if err != nil {
		log.Fatal(err)
	}
	cfg := train.Defaults()
	cfg.Hidden, cfg.Epochs, cfg.Batch, cfg.LR = 6, 300, 20, 0.1
	cfg.Negative = train.PCD(1, 0) // one persistent chain per minibatch row
	m, _, err := train.Fit(context.Background(), x, cfg, train.Options{})
	if err != nil {
		log.Fatal(err)
	}
	features := m.Transform(x) // E[h|v], one row per input row
	samples := mcmc.Sample(m, 5, 100, 1, nil)
	logZ, err := exact.LogZ(m, nil)
	if err != nil {
		log.Fatal(err)
	}
	est, err := ais.LogLikelihood(context.Background(), m, x, &ais.LogLikelihoodOptions{Options: ais.Options{Betas: ais.Schedule(1000)}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("features %d×%d, samples %d×%d\n", features.Rows, features.Cols, samples.Rows, samples.Cols)
	fmt.Printf("exact %.1f nats, AIS %.1f nats (trustworthy %v); best possible %.1f\n",
		exact.MeanLogLikelihood(m, x, logZ), est.Mean, est.Bracket.Trustworthy, -1.79)
	// Output:
	// features 120×6, samples 5×4
	// exact -1.9 nats, AIS -1.9 nats (trustworthy true); best possible -1.8
}
