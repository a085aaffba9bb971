package train

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// Fit trains a fresh model on the rows of x with cfg (New, then Run) and returns it with
// the metrics of every epoch. opts may carry held-out data and hooks; its OnEpoch, when set,
// is called after the metrics are recorded. On an error the model trained so far is returned
// with it (nil if none was built), so an interrupted Fit keeps its work.
func Fit(ctx context.Context, x *matrix.Dense, cfg Config, opts Options) (*rbm.RBM, []Metrics, error) {
	t, err := New(cfg, x)
	if err != nil {
		return nil, nil, err
	}
	var history []Metrics
	hook := opts.OnEpoch
	opts.OnEpoch = func(t *Trainer, m Metrics) error {
		history = append(history, m)
		if hook != nil {
			return hook(t, m)
		}
		return nil
	}
	err = t.Run(ctx, x, opts)
	return t.Model, history, err
}

// NewFromModel returns a trainer that continues from m (a warm start, or fine-tuning on new
// data): m's parameters are trained as they are, not re-initialised, and the trainer keeps
// m itself (Clone it first to keep the original). cfg.Hidden must be m.NH() or 0 (then it is
// taken from m); cfg.VisibleUnits and HiddenUnits are ignored, the units being m's. The
// visible centering offset is the column means of x, the rows to be trained on.
func NewFromModel(cfg Config, m *rbm.RBM, x *matrix.Dense) (*Trainer, error) {
	if m == nil {
		return nil, errors.New("train: NewFromModel: nil model")
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("train: NewFromModel: model: %w", err)
	}
	if x == nil {
		return nil, errors.New("no training data (nil matrix)")
	}
	if x.Cols != m.NV() {
		return nil, fmt.Errorf("training data has %d columns, model has %d visible units", x.Cols, m.NV())
	}
	if cfg.Hidden == 0 {
		cfg.Hidden = m.NH()
	}
	if cfg.Hidden != m.NH() {
		return nil, &ConfigError{Field: "hidden", Want: fmt.Sprintf("0 or the model's %d hidden units", m.NH()), Value: cfg.Hidden}
	}
	cfg.VisibleUnits, cfg.HiddenUnits = "", ""
	if err := cfg.Validate(x.Rows, x.Cols); err != nil {
		return nil, err
	}
	mean := make([]float64, x.Cols)
	rbm.ColMeans(mean, x)
	return newTrainer(cfg, m, mean)
}

// PartialFit makes one parameter update on batch, which must hold Config.Batch rows: the
// step Run takes for each minibatch, at the learning rate and momentum of the current epoch
// (scikit-learn's partial_fit). It counts the update in Step but leaves Epoch and Batch,
// Run's position, alone, and runs no monitor. It returns the error Run would for a bad
// configuration or data width, and a diverged update's error.
func (t *Trainer) PartialFit(batch *matrix.Dense) error {
	if batch != nil && batch.Rows != t.Config.Batch {
		return fmt.Errorf("train: PartialFit: batch has %d rows, Config.Batch is %d", batch.Rows, t.Config.Batch)
	}
	if err := t.checkRun(batch, nil); err != nil {
		return err
	}
	if t.f32 != nil {
		t.f32.refresh(t.Model)
	}
	start := time.Now()
	err := t.update(batch, false)
	t.Elapsed += time.Since(start)
	if err == nil {
		t.Step++
	}
	return err
}
