package train_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
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

// Train on your own matrix with a hook that stops once the exact log-likelihood is within
// 0.05 nats of the best possible, −log 4 (train.ErrStop ends the run cleanly), then
// checkpoint and resume for more epochs.
func Example_hookAndResume() {
	x, err := matrix.FromRows([][]float64{{1, 1, 0, 0}, {0, 0, 1, 1}, {1, 0, 1, 0}, {0, 1, 0, 1}})
	if err != nil {
		log.Fatal(err)
	}
	cfg := train.Defaults()
	cfg.Hidden, cfg.Epochs, cfg.Batch, cfg.LR, cfg.Method = 4, 500, 4, 0.1, train.MethodExact
	cfg.LRSchedule, cfg.Centered = train.ScheduleConstant, false
	t, err := train.New(cfg, x)
	if err != nil {
		log.Fatal(err)
	}
	var ll float64
	stop := func(t *train.Trainer, m train.Metrics) error {
		if ll = *m.LogLikelihood; ll > -math.Log(4)-0.05 {
			return train.ErrStop
		}
		return nil
	}
	if err := t.Run(context.Background(), x, train.Options{OnEpoch: stop}); err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(os.TempDir(), "boltz-example-checkpoint.npz")
	defer os.Remove(path)
	if err := t.SaveCheckpoint(path, nil); err != nil {
		log.Fatal(err)
	}
	resumed, _, err := train.LoadCheckpoint(path)
	if err != nil {
		log.Fatal(err)
	}
	resumed.Config.Epochs = t.Epoch + 10
	if err := resumed.Run(context.Background(), x, train.Options{}); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("stopped after %d epochs at %.2f nats, resumed to epoch %d\n", t.Epoch, ll, resumed.Epoch)
	// Output: stopped after 295 epochs at -1.44 nats, resumed to epoch 305
}

// countedCD is a negative phase of your own: CD with three sweeps, counting its calls.
type countedCD struct {
	train.NegativePhase
	calls int
}

func (c *countedCD) Moments(neg *rbm.Grad, m *rbm.RBM, b *train.Batch) error {
	c.calls++
	return c.NegativePhase.Moments(neg, m, b)
}

// Plug your own estimator of the model statistics into the trainer.
func ExampleNegativePhase() {
	x := data.BarsAndStripes(3).X
	cd3 := &countedCD{NegativePhase: train.CD(3)}
	cfg := train.Defaults()
	cfg.Hidden, cfg.Epochs, cfg.Batch, cfg.Negative = 8, 10, 7, cd3
	if _, _, err := train.Fit(context.Background(), x, cfg, train.Options{}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("updates:", cd3.calls)
	// Output: updates: 20
}
