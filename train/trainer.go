package train

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// Stream purposes: every random choice of a run draws from a stream derived from the seed
// and one of these, so runs are reproducible and resumable (see internal/rng).
const (
	streamInit    = 1 // initial weights
	streamShuffle = 2 // minibatch order, one stream per epoch
	streamChains  = 3 // sampler chains, one stream per chain
	streamMonitor = 4 // stochastic monitors, one stream per epoch
	streamAIS     = 5 // AIS monitor runs
)

// Trainer holds a model and everything needed to continue training it: the optimiser's
// state, the estimator's chains, the centering offsets and the position in the run.
// It is not safe for concurrent use.
type Trainer struct {
	// Config is the run's configuration. Epochs, the learning-rate schedule, momentum,
	// penalties, centering and monitors may change between calls to Run; the settings that
	// New built into the trainer (method, chains, optimiser, precision, seed and, where it
	// sizes chains or buffers, batch) may not, and Run returns a *ChangedError if they did.
	Config Config
	Model  *rbm.RBM

	built Config // the configuration the estimator, optimiser and buffers were built for

	neg NegativePhase
	opt optimizer

	// Position: epochs completed, minibatches of the current epoch completed, updates.
	Epoch, Batch, Step int
	Elapsed            time.Duration // training time so far, monitors excluded

	visOffset []float64 // μ: data mean of v (centering)
	hidOffset []float64 // λ: running mean of E[h|v] on the data (centering)
	hidMean   []float64 // q: running mean of hidden activations (sparsity)

	// work buffers, reused across minibatches
	batch, hin, hpos *matrix.Dense // minibatch, its hidden inputs and E[h|v]
	pos              *rbm.Grad     // positive moments: B and C always, W for the bias meter only
	grad, stepG      *rbm.Grad     // ascent direction and parameter step
	apply            sgdStep       // the fused SGD pass and its per-block sums
	adamApply        adamStep      // the fused Adam pass
	f32              *minibatch32  // float32 minibatch state (Precision "float32"), else nil
	lr               float64       // learning rate of the last update

	// gradient-bias meter, measured on the last minibatch of an epoch
	biasCos, biasRel float64
	biasValid        bool
}

// New returns a trainer for a fresh model with cfg.Hidden hidden units of the unit types
// cfg.VisibleUnits and cfg.HiddenUnits (Bernoulli when empty) and weights drawn from
// N(0, InitStd²) with the run's seed. A visible layer that can (rbm.DataInitializer) starts
// from the training data: Bernoulli biases at the log-odds log(p̄_i/(1−p̄_i)) of the column
// means (Hinton 2010, §8).
func New(cfg Config, train *matrix.Dense) (*Trainer, error) {
	if train == nil {
		return nil, errors.New("no training data (nil matrix)")
	}
	if err := cfg.Validate(train.Rows, train.Cols); err != nil {
		return nil, err
	}
	vis, err := rbm.LayerByName(unitsOrBernoulli(cfg.VisibleUnits), train.Cols)
	if err != nil {
		return nil, &ConfigError{Field: "visible_units", Want: "a registered unit type (" + strings.Join(rbm.LayerNames(), ", ") + ")", Value: cfg.VisibleUnits}
	}
	hid, err := rbm.LayerByName(unitsOrBernoulli(cfg.HiddenUnits), cfg.Hidden)
	if err != nil {
		return nil, &ConfigError{Field: "hidden_units", Want: "a registered unit type (" + strings.Join(rbm.LayerNames(), ", ") + ")", Value: cfg.HiddenUnits}
	}
	if _, ok := hid.(rbm.Coupling); ok {
		return nil, &ConfigError{Field: "hidden_units", Want: "a unit type that can be hidden (" + hid.Name() + " units are visible-only)", Value: cfg.HiddenUnits}
	}
	m := rbm.NewWithLayers(vis, hid)
	m.InitNormal(cfg.InitStd, rng.New(cfg.Seed, streamInit))
	if d, ok := m.Visible.(rbm.DataInitializer); ok {
		d.InitFromData(train)
	}
	mean := make([]float64, train.Cols)
	rbm.ColMeans(mean, train)
	return newTrainer(cfg, m, mean)
}

func unitsOrBernoulli(s string) string {
	if s == "" {
		return "bernoulli"
	}
	return s
}

func newTrainer(cfg Config, m *rbm.RBM, dataMean []float64) (*Trainer, error) {
	neg, err := cfg.negativePhase()
	if err != nil {
		return nil, err
	}
	if err := neg.Init(m, cfg.Batch, cfg.Seed); err != nil {
		return nil, err
	}
	if cfg.Negative != nil {
		cfg.Method = methodOf(cfg.Negative)
	}
	if cfg.Precision == PrecisionAuto {
		cfg.Precision = Float64
		if cfg.Float32Covers() && layers32(m) {
			cfg.Precision = Float32
		}
	}
	t := &Trainer{
		Config: cfg, built: cfg, Model: m, neg: neg, opt: newOptimizer(&cfg, m),
		visOffset: dataMean, hidOffset: make([]float64, m.NH()), hidMean: make([]float64, m.NH()),
		pos: rbm.GradLike(m), grad: rbm.GradLike(m), stepG: rbm.GradLike(m),
	}
	for j := range t.hidOffset {
		t.hidOffset[j] = 0.5 // centering starts at σ(0), Melchior et al. 2016 §5
		t.hidMean[j] = cfg.Sparsity
	}
	if cfg.Precision == Float32 {
		if t.f32, err = newMinibatch32(m, neg, cfg.Batch); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// methodOf returns the Method that names a Negative value: the built-in one's, or custom.
func methodOf(n NegativePhase) Method {
	switch e := n.(type) {
	case *chainPhase:
		return e.method
	case *fastPCD:
		return MethodFastPCD
	case *pt:
		return MethodPT
	case exactPhase:
		return MethodExact
	}
	return MethodCustom
}

// Options are the hooks of a training run.
type Options struct {
	// Valid is held-out data for the free-energy gap and held-out log-likelihood; may be nil.
	Valid *matrix.Dense
	// OnEpoch is called after every epoch with its metrics; an error stops the run.
	OnEpoch func(t *Trainer, m Metrics) error
	// OnBatch is called after every minibatch (for progress bars); may be nil.
	OnBatch func(t *Trainer, batchesPerEpoch int)
	// Prepare, when not nil, may rewrite each minibatch before the update: batch holds the
	// training rows listed in rows, for minibatch index (from 0) of epoch epoch (from 0).
	// It must be a deterministic function of its arguments for runs to resume bit for bit
	// (dynamic binarisation draws from a stream of the seed, epoch and index).
	Prepare func(batch *matrix.Dense, rows []int, epoch, index int)
}

// ErrInterrupted is returned by Run when its context is cancelled; the trainer stopped at
// the end of a minibatch and can be checkpointed and resumed. Run's error wraps both it and
// the context's error, so errors.Is(err, context.Canceled) (or DeadlineExceeded) holds too.
var ErrInterrupted = errors.New("training interrupted")

// ErrStop, returned by an OnEpoch hook (or wrapped in its error), ends Run cleanly after that
// epoch: Run returns nil, and the trainer can be checkpointed or run again.
var ErrStop = errors.New("stop training")

// interrupted is Run's error on a cancelled context.
type interrupted struct{ cause error }

func (e *interrupted) Error() string   { return ErrInterrupted.Error() + ": " + e.cause.Error() }
func (e *interrupted) Unwrap() []error { return []error{ErrInterrupted, e.cause} }

// Run trains until Config.Epochs epochs are complete or ctx is cancelled, in which case it
// stops after the current minibatch and returns ErrInterrupted. It may be called again to
// continue (after raising Config.Epochs, or after an interruption).
//
// Before it changes anything, Run checks the configuration against the trainer and the data
// and returns an error for what it cannot honour: a nil or empty data set, data or
// Options.Valid of the wrong width, a Config that fails Validate (for example Batch above the
// number of rows, or 0), or a structural setting changed since New (*ChangedError).
func (t *Trainer) Run(ctx context.Context, train *matrix.Dense, opts Options) error {
	if err := t.checkRun(train, opts.Valid); err != nil {
		return err
	}
	if t.f32 != nil {
		t.f32.refresh(t.Model) // the caller may have changed the model since the last update
	}
	nb := train.Rows / t.Config.Batch
	for t.Epoch < t.Config.Epochs {
		order := data.Shuffle(train.Rows, rng.New(t.Config.Seed, streamShuffle, uint64(t.Epoch)))
		for t.Batch < nb {
			if err := ctx.Err(); err != nil {
				return &interrupted{err}
			}
			start := time.Now()
			rows := order[t.Batch*t.Config.Batch : (t.Batch+1)*t.Config.Batch]
			t.batch = data.Gather(t.batch, train, rows)
			if opts.Prepare != nil {
				opts.Prepare(t.batch, rows, t.Epoch, t.Batch)
			}
			err := t.update(t.batch, t.Batch == nb-1)
			t.Elapsed += time.Since(start)
			if err != nil {
				return err
			}
			t.Batch++
			t.Step++
			if opts.OnBatch != nil {
				opts.OnBatch(t, nb)
			}
		}
		t.Epoch++
		t.Batch = 0
		met, err := t.monitor(train, opts.Valid)
		if err != nil {
			return err
		}
		if opts.OnEpoch != nil {
			if err := opts.OnEpoch(t, met); errors.Is(err, ErrStop) {
				return nil
			} else if err != nil {
				return err
			}
		}
	}
	return nil
}

// update performs one parameter update on a minibatch: the gradient
//
//	g = ⟨statistics⟩_batch − ⟨statistics⟩_model   (rbm.RBM.Statistics, Grad.Sub)
//
// computed by gradient64 or, when the run is in float32, gradient32, then centering,
// regularisation, the optimiser's step and the finiteness check (step). Both gradient
// routes are fused forms of that one difference, pinned to it by TestGradientRoutes. No
// allocation in steady state.
func (t *Trainer) update(batch *matrix.Dense, meter bool) error {
	c := &t.Config
	meter = meter && !c.NoMonitors && t.enumerable()
	var err error
	if t.f32 != nil {
		err = t.gradient32(batch, meter)
	} else {
		err = t.gradient64(batch, meter)
	}
	if err != nil {
		return err
	}
	lr, mom := c.learningRate(t.Epoch), c.momentum(t.Epoch)
	t.lr = lr
	g := t.grad
	if o, ok := t.neg.(GradientObserver); ok {
		if t.f32 != nil {
			t.f32.gradW(g)
		}
		o.ObserveGradient(g, lr)
	}
	if err := t.step(g, lr, mom); err != nil {
		return t.diverged(err)
	}
	if t.f32 != nil {
		t.f32.refreshBiases(t.Model)
	}
	if c.Centered {
		t.moveHiddenOffset()
	}
	return nil
}

// gradient64 sets t.grad to the gradient on batch in float64. The negative phase writes its
// statistics into the gradient and the batch's W statistic is added to them in the same
// matrix product (beta = −1), so g costs no pass of its own.
func (t *Trainer) gradient64(batch *matrix.Dense, meter bool) error {
	m := t.Model
	t.hin = m.HiddenInputBatch(t.hin, batch)
	g := t.grad
	if err := t.neg.Moments(g, m, &Batch{X: batch, HiddenInput: t.hin}); err != nil {
		return err
	}
	t.positive(g, batch, meter)
	if meter {
		return t.measureBias()
	}
	return nil
}

// moveHiddenOffset slides the hidden centering offset towards the minibatch's mean hidden
// activation, λ ← (1−ν)λ + ν⟨E[h|v]⟩_data (Melchior et al. 2016, Algorithm 1).
func (t *Trainer) moveHiddenOffset() {
	for j, h := range t.pos.C() {
		t.hidOffset[j] += t.Config.CenterRate * (h - t.hidOffset[j])
	}
}

// step moves the model along the ascent direction g at learning rate lr and momentum mom,
// and returns an error naming the parameter if one became NaN or ±Inf. SGD and Adam without
// L1, sparsity or clipping take the fused passes of sgdStep and adamStep; everything else
// takes the general route:
// center, regularise, the optimiser's step, uncenterStep, ApplyTo and Validate, which
// overwrites g with the centered, regularised direction.
func (t *Trainer) step(g *rbm.Grad, lr, mom float64) error {
	m, c := t.Model, &t.Config
	if t.fusable() {
		var mu, lam []float64
		if c.Centered {
			mu, lam = t.visOffset, t.hidOffset
		}
		switch o := t.opt.(type) {
		case *sgd:
			if t.f32 != nil {
				// The fused pass reads the W gradient in float32 and refreshes the float32 W.
				t.apply.w32, t.apply.gw32 = t.f32.w32.Data, t.f32.gw.Data
				defer func() { t.apply.w32, t.apply.gw32 = nil, nil }()
			}
			ok := t.apply.run(m, o.vel, g, c.L2, lr, mom, mu, lam)
			return checkStep(m, ok, stepFurther(m, o.vel, g, lr, mom))
		case *adam:
			if t.f32 != nil {
				t.adamApply.w32, t.adamApply.gw32 = t.f32.w32.Data, t.f32.gw.Data
				defer func() { t.adamApply.w32, t.adamApply.gw32 = nil, nil }()
			}
			ok, further := t.adamApply.run(m, o, g, t.stepG, c.L2, lr, mu, lam)
			return checkStep(m, ok, further)
		}
	}
	if t.f32 != nil {
		t.f32.gradW(g)
		defer t.f32.refresh(m)
	}
	if c.ClipNorm > 0 {
		if n := g.Norm(); n > c.ClipNorm {
			g.Scale(c.ClipNorm / n)
		}
	}
	if c.Centered {
		t.center(g)
	}
	t.regularise(g)
	t.opt.step(t.stepG, g, lr, mom)
	if c.Centered {
		t.uncenterStep(t.stepG)
	}
	t.stepG.ApplyTo(m, 1)
	constrain(m)
	return m.Validate()
}

// checkStep finishes a fused step: when the model has further parameters (further) it
// constrains and validates it, as the general route does; otherwise it validates only when
// the pass saw a parameter that is not finite (finite false), to name it.
func checkStep(m *rbm.RBM, finite, further bool) error {
	if further {
		constrain(m)
		return m.Validate()
	}
	if !finite {
		return m.Validate()
	}
	return nil
}

// constrain moves the parameters of layers with a domain back into it (rbm.Constrainer:
// a Gaussian layer's σ, a ReLU layer's γ above their floors).
func constrain(m *rbm.RBM) {
	for _, l := range []rbm.Layer{m.Visible, m.Hidden} {
		if c, ok := l.(rbm.Constrainer); ok {
			c.Constrain()
		}
	}
}

// positive turns the model statistics in g into the gradient g = pos − g, where pos are
// the batch's statistics ⟨v E[h|v]ᵀ⟩ and the layers' (⟨v⟩, ⟨E[h|v]⟩ for Bernoulli units)
// from the hidden inputs t.hin. It keeps the layer statistics in t.pos (sparsity and
// centering use them), and ⟨v E[h|v]ᵀ⟩ too when withW (the bias meter compares the gradient
// with the exact one), at the cost of one more product.
func (t *Trainer) positive(g *rbm.Grad, batch *matrix.Dense, withW bool) {
	m := t.Model
	t.hpos = linalg.Reuse(t.hpos, t.hin.Rows, t.hin.Cols)
	if _, ok := m.Visible.(rbm.Coupling); ok {
		// Units that meet W through t(v) (a Gaussian layer's v/σ²): the batch's statistics
		// are rbm.Statistics', coupling terms included, and g = pos − g.
		m.StatisticsAt(t.pos, batch, t.hin, t.hpos)
		g.Sub(t.pos, g)
		return
	}
	m.Hidden.Means(t.hpos.Data, t.hin.Data)
	n := batch.Rows
	if withW {
		m.Statistics(t.pos, batch, t.hpos)
	} else {
		m.Visible.Stats(t.pos.Vis, batch)
		if cs, ok := m.Hidden.(rbm.ConditionalStats); ok {
			cs.MeanStats(t.pos.Hid, t.hin)
		} else {
			m.Hidden.Stats(t.pos.Hid, t.hpos)
		}
	}
	linalg.MulTN(g.W, 1/float64(n), batch, t.hpos, -1)
	for _, blocks := range [2][2][][]float64{{t.pos.Vis, g.Vis}, {t.pos.Hid, g.Hid}} {
		for k, pos := range blocks[0] {
			gk := blocks[1][k][:len(pos)]
			for i, v := range pos {
				gk[i] = v - gk[i]
			}
		}
	}
}

// fusable reports whether the update can run as the one pass of sgdStep (W, b and c) and
// stepFurther (the layers' other parameters), or of adamStep: no L1, sparsity or clipping (they stay on the
// general route, which is fast enough for their rare use).
func (t *Trainer) fusable() bool {
	c := &t.Config
	return c.L1 == 0 && c.Sparsity == 0 && c.ClipNorm == 0
}

// stepFurther takes the SGD step of the layer parameters beyond the biases (a Gaussian
// layer's σ, a ReLU layer's γ), u ← mom·u + lr·g, θ += u, with the operations of the general
// route (no weight decay or centering applies to them), and reports whether there were
// any, in which case the caller constrains and validates the model.
func stepFurther(m *rbm.RBM, vel, g *rbm.Grad, lr, mom float64) bool {
	further := false
	for side, l := range [2]rbm.Layer{m.Visible, m.Hidden} {
		vb, gb := vel.Vis, g.Vis
		if side == 1 {
			vb, gb = vel.Hid, g.Hid
		}
		for k, p := range l.Params()[1:] {
			further = true
			u, gk := vb[k+1], gb[k+1]
			for i := range p.Data {
				u[i] = mom*u[i] + lr*gk[i]
				p.Data[i] += u[i]
			}
		}
	}
	return further
}

func (t *Trainer) diverged(err error) error {
	return fmt.Errorf("epoch %d, update %d: %w (try a smaller -lr)", t.Epoch+1, t.Step+1, err)
}

// center turns the gradient g of the ordinary parameters into the centered gradient of
// Melchior, Fischer & Wiskott (2016), with offsets μ (visible) and λ (hidden):
//
//	∇W = ⟨(v−μ)(h−λ)ᵀ⟩_data − ⟨(v−μ)(h−λ)ᵀ⟩_model = g_W − μ g_cᵀ − g_b λᵀ
//
// The bias gradients g_b, g_c are unchanged in centered coordinates.
func (t *Trainer) center(g *rbm.Grad) {
	mu, lam := t.visOffset, t.hidOffset
	for i := range mu {
		row := g.W.Row(i)
		for j := range row {
			row[j] -= mu[i]*g.C()[j] + g.B()[i]*lam[j]
		}
	}
}

// uncenterStep maps a step (ΔW, Δb̃, Δc̃) taken in centered coordinates to the ordinary
// parameters the model stores, b = b̃ − Wλ and c = c̃ − Wᵀμ:
//
//	Δb = Δb̃ − ΔW λ,   Δc = Δc̃ − ΔWᵀ μ
func (t *Trainer) uncenterStep(s *rbm.Grad) {
	mu, lam := t.visOffset, t.hidOffset
	for i := range mu {
		row := s.W.Row(i)
		var dot float64
		for j, w := range row {
			dot += w * lam[j]
			s.C()[j] -= w * mu[i]
		}
		s.B()[i] -= dot
	}
}

// regularise adds the weight-decay and sparsity terms to the ascent direction g, in the
// order sgdApply uses for L2 (the only one it takes): L2, L1, then sparsity.
func (t *Trainer) regularise(g *rbm.Grad) {
	c, w := &t.Config, t.Model.W.Data
	if c.L2 > 0 {
		gw := g.W.Data[:len(w)]
		for i, x := range w {
			gw[i] -= c.L2 * x
		}
	}
	if c.L1 > 0 {
		for i, x := range w {
			g.W.Data[i] -= c.L1 * sign(x)
		}
	}
	if c.Sparsity > 0 {
		// Hinton 2010, §11: q_j is a running mean (decay 0.9) of the hidden probabilities;
		// the penalty's derivative with respect to unit j's total input is q_j − p, and
		// with respect to W_ij that times ⟨v_i⟩ of the batch (t.pos.B()).
		for j, h := range t.pos.C() {
			t.hidMean[j] = 0.9*t.hidMean[j] + 0.1*h
			d := c.SparsityCost * (c.Sparsity - t.hidMean[j])
			g.C()[j] += d
			for i, v := range t.pos.B() {
				g.W.Data[i*g.W.Cols+j] += d * v
			}
		}
	}
}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
