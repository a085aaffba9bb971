package train

import (
	"errors"
	"fmt"

	"github.com/boltzgo/boltz/matrix"
)

// structural lists the settings that New turns into the trainer's estimator, optimiser and
// buffers. They cannot change afterwards: Run refuses a Config whose structural settings
// differ from those the trainer was built with. Batch is structural only where it sizes
// something (see batchSizes).
func structural(c *Config) map[string]any {
	return map[string]any{
		"method": c.Method, "k": c.K, "hidden": c.Hidden, "chains": c.Chains,
		"replicas": c.Replicas, "beta-min": c.BetaMin, "ladder": c.Ladder,
		"fast-lr": c.FastLR, "fast-decay": c.FastDecay, "optimizer": c.Optimizer,
		"adam-beta1": c.AdamBeta1, "adam-beta2": c.AdamBeta2, "adam-eps": c.AdamEps,
		"precision": c.Precision, "seed": c.Seed,
	}
}

// structuralOrder is the order in which Run reports changed settings, so the error is
// the same from run to run.
var structuralOrder = []string{"method", "k", "hidden", "chains", "replicas", "beta-min", "ladder",
	"fast-lr", "fast-decay", "optimizer", "adam-beta1", "adam-beta2", "adam-eps", "precision", "seed"}

// batchSizes reports whether the minibatch size fixed buffers or chains at New: CD restarts
// one chain per minibatch row, persistent chains default to one per row, and the float32
// path allocates its matrices for one minibatch.
func batchSizes(c *Config) bool {
	return c.Method == "cd" || (c.Chains == 0 && c.Method != "exact") || c.Precision == "float32"
}

// ChangedError is a setting of Trainer.Config changed after New (or LoadCheckpoint) that
// the trainer cannot honour, because it was built into the trainer's state.
type ChangedError struct {
	Field    string // the setting's JSON key (the CLI flag name with _ for -)
	Was, Now any
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("train: Config.%s changed from %v to %v after the trainer was built; build a new Trainer (New) for it", goField(e.Field), e.Was, e.Now)
}

// checkRun validates, before Run touches anything, the configuration Run is about to use
// against the trainer it has, the training data and the held-out data.
func (t *Trainer) checkRun(x, valid *matrix.Dense) error {
	if x == nil {
		return errors.New("no training data (nil matrix)")
	}
	if t.Model == nil {
		return errors.New("trainer has no model")
	}
	nv, nh := t.Model.NV(), t.Model.NH()
	if nv != len(t.visOffset) || nh != len(t.hidOffset) {
		return fmt.Errorf("Model is %d×%d, the trainer was built for %d×%d", nv, nh, len(t.visOffset), len(t.hidOffset))
	}
	if err := t.Model.Validate(); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if x.Cols != nv {
		return fmt.Errorf("training data has %d columns, model has %d visible units", x.Cols, nv)
	}
	if x.Rows < 1 {
		return errors.New("training data has no rows")
	}
	if valid != nil && valid.Cols != nv {
		return fmt.Errorf("held-out data (Options.Valid) has %d columns, model has %d visible units", valid.Cols, nv)
	}
	if err := t.Config.Validate(x.Rows, nv); err != nil {
		return err
	}
	was, now := structural(&t.built), structural(&t.Config)
	for _, f := range structuralOrder {
		if was[f] != now[f] {
			return &ChangedError{Field: f, Was: was[f], Now: now[f]}
		}
	}
	if t.Config.Batch != t.built.Batch && batchSizes(&t.built) {
		return &ChangedError{Field: "batch", Was: t.built.Batch, Now: t.Config.Batch}
	}
	if t.Batch > 0 && t.Batch >= x.Rows/t.Config.Batch {
		return fmt.Errorf("the run stopped after minibatch %d of an epoch, past the %d rows of this training data with batch %d", t.Batch, x.Rows, t.Config.Batch)
	}
	return nil
}
