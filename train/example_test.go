package train_test

import (
	"context"
	"fmt"
	"log"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/train"
)

// Train an RBM on the 14 bars-and-stripes patterns of 3×3 with the exact negative phase and
// measure it exactly: every update is a step along the true gradient of the log-likelihood
// (with the default momentum and centering). The best any model can do is −log 14 = −2.64.
func Example() {
	x := data.BarsAndStripes(3).X
	cfg := train.Defaults()
	cfg.Hidden, cfg.Method, cfg.Epochs, cfg.Batch, cfg.LR = 8, "exact", 2000, x.Rows, 0.1
	cfg.ExactMonitor = 0 // no per-epoch monitors: only the final figure is printed
	t, err := train.New(cfg, x)
	if err != nil {
		log.Fatal(err)
	}
	if err := t.Run(context.Background(), x, train.Options{}); err != nil {
		log.Fatal(err)
	}
	logZ, err := exact.LogZ(t.Model, nil)
	if err != nil {
		log.Fatal(err)
	}
	before := -float64(x.Cols) * 0.6931471805599453 // the uniform distribution: −9 log 2
	fmt.Printf("mean log-likelihood %.1f nats (uniform: %.1f)\n", exact.MeanLogLikelihood(t.Model, x, logZ), before)
	// Output: mean log-likelihood -2.7 nats (uniform: -6.2)
}
