// Package train fits an RBM by stochastic gradient ascent on the mean log-likelihood. Every
// update is the positive phase (exact, from E[h|v] on the minibatch) minus a negative phase
// (the model expectation, estimated by one of the methods below), passed through an
// optimiser with optional weight decay, sparsity and centering:
//
//	Δθ ∝ ⟨−∂F(v)/∂θ⟩_minibatch − ⟨−∂F(v)/∂θ⟩_model
//
// Negative phases: exact enumeration, CD-k (Hinton 2002), PCD-k (Tieleman 2008), fast PCD
// (Tieleman & Hinton 2009) and parallel tempering (Desjardins et al. 2010). Each is one
// implementation of NegativePhase, in a file of its own, made by Exact, CD, PCD, FastPCD or
// PT; your own implementation plugs in the same way (Config.Negative).
//
// Fit trains a model in one call; New and Run give control over a run (hooks, checkpoints,
// resuming); NewFromModel continues from an existing model; PartialFit makes one update.
package train

import (
	"fmt"
	"math"
	"reflect"
	"strings"
)

// Method names a negative-phase estimator in Config, run.json and on the command line.
type Method string

// The estimators Config.Method can name.
const (
	MethodExact   Method = "exact" // Exact()
	MethodCD      Method = "cd"    // CD(K)
	MethodPCD     Method = "pcd"   // PCD(K, Chains)
	MethodFastPCD Method = "fpcd"  // FastPCD(K, Chains, FastLR, FastDecay)
	MethodPT      Method = "pt"    // PT(K, Chains, Replicas, BetaMin, Ladder)
	// MethodCustom is recorded for a run whose Config.Negative is the caller's own value.
	MethodCustom Method = "custom"
)

// Optimizer names the optimiser.
type Optimizer string

// The optimisers.
const (
	SGD  Optimizer = "sgd"  // gradient ascent with classical momentum
	Adam Optimizer = "adam" // Kingma & Ba 2015
)

// Schedule names a learning-rate schedule.
type Schedule string

// The learning-rate schedules.
const (
	ScheduleConstant Schedule = "constant" // LR throughout
	ScheduleLinear   Schedule = "linear"   // LR to LRFinal at the last epoch
	ScheduleExp      Schedule = "exp"      // ×LRDecay per epoch, floored at LRFinal
)

// Precision names the arithmetic of the minibatch kernels.
type Precision string

// The precisions.
const (
	// PrecisionAuto is float32 where the fast route covers the configuration and the
	// model's layers offer float32 kernels (Config.Float32Covers), float64 elsewhere; New
	// records the choice in Config.Precision.
	PrecisionAuto Precision = "auto"
	Float64       Precision = "float64"
	Float32       Precision = "float32"
)

// Config is every setting of a training run. Its JSON form is stored in run.json, in
// checkpoints and in model files; the JSON keys are the CLI flag names.
type Config struct {
	Hidden int `json:"hidden"` // number of hidden units
	// VisibleUnits and HiddenUnits are the unit types of a fresh model, as registered
	// with rbm.RegisterLayer ("bernoulli", …); empty means bernoulli.
	VisibleUnits string `json:"visible_units,omitempty"`
	HiddenUnits  string `json:"hidden_units,omitempty"`
	Method       Method `json:"method"` // exact, cd, pcd, fpcd or pt (ignored when Negative is set)
	// Negative, when not nil, is the negative phase (CD(1), PT(…), your own); it
	// replaces Method and the estimator settings below (K, Chains, Replicas, BetaMin,
	// Ladder, FastLR, FastDecay), and Method is recorded as "custom" unless it names a
	// built-in one. It is not stored in run.json or checkpoints: pass it again to resume.
	Negative NegativePhase `json:"-"`
	K        int           `json:"k"`      // Gibbs sweeps per update (cd, pcd, fpcd, pt)
	Epochs   int           `json:"epochs"` // passes over the training data
	Batch    int           `json:"batch"`  // minibatch rows; the last incomplete minibatch of an epoch is dropped

	LR         float64  `json:"lr"`          // initial learning rate
	LRSchedule Schedule `json:"lr_schedule"` // constant, linear (to LRFinal at the last epoch) or exp (×LRDecay per epoch)
	LRFinal    float64  `json:"lr_final"`    // floor of the linear schedule
	LRDecay    float64  `json:"lr_decay"`    // per-epoch factor of the exp schedule

	Optimizer       Optimizer `json:"optimizer"`        // sgd or adam
	Momentum        float64   `json:"momentum"`         // final SGD momentum
	MomentumInitial float64   `json:"momentum_initial"` // SGD momentum for the first MomentumEpochs epochs
	MomentumEpochs  int       `json:"momentum_epochs"`  // epochs at MomentumInitial (Hinton 2010, §9: 0.5 then 0.9 after 5 epochs)
	AdamBeta1       float64   `json:"adam_beta1"`
	AdamBeta2       float64   `json:"adam_beta2"`
	AdamEps         float64   `json:"adam_eps"`

	L2           float64 `json:"l2"`            // L2 weight decay on W
	L1           float64 `json:"l1"`            // L1 weight decay on W
	Sparsity     float64 `json:"sparsity"`      // target mean hidden activation; 0 disables the penalty
	SparsityCost float64 `json:"sparsity_cost"` // weight of the sparsity penalty
	// ClipNorm, when positive, caps the Euclidean norm of each update's gradient over all
	// parameters (rescaling it to ClipNorm when it is longer), before centering, the
	// penalties and the optimiser; 0 disables it.
	ClipNorm   float64 `json:"clip_norm,omitempty"`
	Centered   bool    `json:"centered"`    // centered gradient (Melchior, Fischer & Wiskott 2016)
	CenterRate float64 `json:"center_rate"` // sliding factor of the hidden offset

	Chains    int     `json:"chains"`     // persistent chains (pcd, fpcd, pt); 0 means one per minibatch row
	Replicas  int     `json:"replicas"`   // temperatures in the PT ladder, β=1 included
	BetaMin   float64 `json:"beta_min"`   // smallest inverse temperature of the PT ladder
	Ladder    string  `json:"ladder"`     // geometric or linear spacing of the PT ladder
	FastLR    float64 `json:"fast_lr"`    // fast-weight learning rate (fpcd); 0 means equal to lr
	FastDecay float64 `json:"fast_decay"` // fast weights are multiplied by this after every update (fpcd)

	// Precision is the arithmetic of the minibatch kernels: float64, or float32 for products,
	// hidden means and chain states while the parameters, the velocity and the centering
	// offsets stay float64 (cd and pcd on layers with float32 kernels; see gradient32), or
	// auto: float32 where it is fastest (Float32Covers), as the command line does.
	Precision Precision `json:"precision"`

	InitStd float64 `json:"init_std"` // weights start from N(0, init_std²)
	Seed    uint64  `json:"seed"`

	MonitorRows int `json:"monitor_rows"` // rows of training (and held-out) data the monitors use; 0 means all
	// NoMonitors turns off the per-epoch monitors (free energies, pseudo-log-likelihood,
	// reconstruction error, exact log-likelihood, gradient-bias meter, AIS): Metrics then
	// holds only the epoch, the learning rate and the times.
	NoMonitors bool `json:"no_monitors,omitempty"`
	// ExactMonitor turns on the exact log-likelihood and the gradient-bias meter when
	// min(nv,nh) ≤ it. The default, 16, keeps them under a second per epoch on MNIST: the
	// meter's exact moments of a 784×16 model evaluate 2^16·784 sigmoids.
	ExactMonitor int `json:"exact_monitor"`
	AISEvery     int `json:"ais_every"` // an AIS estimate every this many epochs; 0 disables it
	AISRuns      int `json:"ais_runs"`  // AIS runs for the monitor
	AISBetas     int `json:"ais_betas"` // AIS temperatures for the monitor
}

// Defaults returns the settings boltz uses when none are given: a centered 784×500-sized
// RBM trained by PCD-1 for 30 epochs, the learning rate 0.01 falling linearly to 0, momentum
// 0.5 rising to 0.9 after 5 epochs (Hinton 2010, "A practical guide", §9), L2 1e-4 (§10),
// batch 100 with one persistent chain per minibatch row. They were chosen by a measured grid
// on MNIST (docs/mnist.md §0, experiments/default_grid.sh): on the 2-core development machine
// they train in about a minute to a test log-likelihood of −77.3 nats (AIS, trustworthy),
// where the previous defaults (10 epochs, constant learning rate, not centered) gave −142.6
// and an untrustworthy estimate. Nothing depends on the data set's size or the model's: a
// smaller data set gets the same number of epochs, and so fewer updates (boltz train shrinks
// the batch to the rows of a data set smaller than it).
func Defaults() Config {
	return Config{
		Hidden: 500, Method: "pcd", K: 1, Epochs: 30, Batch: 100,
		LR: 0.01, LRSchedule: "linear", LRFinal: 0, LRDecay: 0.95,
		Optimizer: "sgd", Momentum: 0.9, MomentumInitial: 0.5, MomentumEpochs: 5,
		AdamBeta1: 0.9, AdamBeta2: 0.999, AdamEps: 1e-8,
		L2: 1e-4, SparsityCost: 0.1, Centered: true, CenterRate: 0.01,
		Replicas: 10, BetaMin: 0.1, Ladder: "geometric", FastDecay: 19.0 / 20,
		Precision: PrecisionAuto, InitStd: 0.01, Seed: 1,
		MonitorRows: 1000, ExactMonitor: 16, AISRuns: 16, AISBetas: 500,
	}
}

// ConfigError is a setting outside its valid range. Field is its JSON key in run.json, which
// is also the command line's flag name with - for _; Error names the Go field
// ("train: Config.Hidden must be at least 1, got 0") and Flag the flag ("-hidden: must be
// at least 1, got 0").
type ConfigError struct {
	Field string
	Want  string // the valid range, in words
	Value any
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("train: Config.%s must be %s, got %v", e.GoField(), e.Want, e.Value)
}

// Flag returns the message in the command line's terms.
func (e *ConfigError) Flag() string {
	return fmt.Sprintf("-%s: must be %s, got %v", strings.ReplaceAll(e.Field, "_", "-"), e.Want, e.Value)
}

// GoField returns the name of the Config field the error is about.
func (e *ConfigError) GoField() string { return goField(e.Field) }

// goField returns the name of the Config field whose JSON key is key.
func goField(key string) string {
	t := reflect.TypeFor[Config]()
	key = strings.ReplaceAll(key, "-", "_")
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag == key {
			return t.Field(i).Name
		}
	}
	return key
}

// Methods lists the built-in negative-phase estimators by name.
var Methods = []Method{MethodExact, MethodCD, MethodPCD, MethodFastPCD, MethodPT}

// Validate checks every setting against its range, for training on nRows rows with nv
// visible units. It returns the first *ConfigError found. The estimator settings (K,
// Chains, Replicas, BetaMin, Ladder, FastLR, FastDecay) are checked only when Negative is
// nil, since a Negative value carries its own.
func (c *Config) Validate(nRows, nv int) error {
	bad := func(field, want string, v any) error { return &ConfigError{field, want, v} }
	finitePos := func(x float64) bool { return x > 0 && !math.IsInf(x, 0) }
	if c.Negative == nil {
		if err := c.validateEstimator(nv); err != nil {
			return err
		}
	}
	switch {
	case c.Hidden < 1:
		return bad("hidden", "at least 1", c.Hidden)
	case c.Epochs < 1:
		return bad("epochs", "at least 1", c.Epochs)
	case c.Batch < 1:
		return bad("batch", "at least 1", c.Batch)
	case c.Batch > nRows:
		return bad("batch", fmt.Sprintf("at most the %d rows of the training data", nRows), c.Batch)
	case !finitePos(c.LR):
		return bad("lr", "positive and finite", c.LR)
	case !oneOf(c.LRSchedule, ScheduleConstant, ScheduleLinear, ScheduleExp):
		return bad("lr_schedule", "one of constant, linear, exp", c.LRSchedule)
	case c.LRFinal < 0 || c.LRFinal > c.LR:
		return bad("lr_final", fmt.Sprintf("in [0, lr=%v]", c.LR), c.LRFinal)
	case !(c.LRDecay > 0 && c.LRDecay <= 1):
		return bad("lr_decay", "in (0, 1]", c.LRDecay)
	case !oneOf(c.Optimizer, SGD, Adam):
		return bad("optimizer", "sgd or adam", c.Optimizer)
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return bad("momentum", "in [0, 1)", c.Momentum)
	case !(c.MomentumInitial >= 0 && c.MomentumInitial < 1):
		return bad("momentum_initial", "in [0, 1)", c.MomentumInitial)
	case c.MomentumEpochs < 0:
		return bad("momentum_epochs", "at least 0", c.MomentumEpochs)
	case !(c.AdamBeta1 >= 0 && c.AdamBeta1 < 1):
		return bad("adam_beta1", "in [0, 1)", c.AdamBeta1)
	case !(c.AdamBeta2 >= 0 && c.AdamBeta2 < 1):
		return bad("adam_beta2", "in [0, 1)", c.AdamBeta2)
	case !finitePos(c.AdamEps):
		return bad("adam_eps", "positive", c.AdamEps)
	case !(c.L2 >= 0) || math.IsInf(c.L2, 0):
		return bad("l2", "at least 0", c.L2)
	case !(c.L1 >= 0) || math.IsInf(c.L1, 0):
		return bad("l1", "at least 0", c.L1)
	case !(c.ClipNorm >= 0) || math.IsInf(c.ClipNorm, 0):
		return bad("clip_norm", "at least 0 (0 disables it)", c.ClipNorm)
	case !(c.Sparsity >= 0 && c.Sparsity < 1):
		return bad("sparsity", "in [0, 1) (0 disables it)", c.Sparsity)
	case !(c.SparsityCost >= 0) || math.IsInf(c.SparsityCost, 0):
		return bad("sparsity_cost", "at least 0", c.SparsityCost)
	case !(c.CenterRate > 0 && c.CenterRate <= 1):
		return bad("center_rate", "in (0, 1]", c.CenterRate)
	case !oneOf(c.Precision, Float64, Float32, PrecisionAuto):
		return bad("precision", "float64, float32 or auto", c.Precision)
	case c.Precision == Float32 && !c.chainMethod():
		return bad("precision", fmt.Sprintf("float64 for method %s (float32 covers cd and pcd)", c.Method), c.Precision)
	case !(c.InitStd >= 0) || math.IsInf(c.InitStd, 0):
		return bad("init_std", "at least 0", c.InitStd)
	case c.MonitorRows < 0:
		return bad("monitor_rows", "at least 0 (0 means all)", c.MonitorRows)
	case c.ExactMonitor < 0 || c.ExactMonitor > 32:
		return bad("exact_monitor", "in [0, 32]", c.ExactMonitor)
	case c.AISEvery < 0:
		return bad("ais_every", "at least 0", c.AISEvery)
	case c.AISEvery > 0 && c.AISRuns < 2:
		return bad("ais_runs", "at least 2", c.AISRuns)
	case c.AISEvery > 0 && c.AISBetas < 2:
		return bad("ais_betas", "at least 2", c.AISBetas)
	}
	return nil
}

// validateEstimator checks the settings of the estimator Method names.
func (c *Config) validateEstimator(nv int) error {
	bad := func(field, want string, v any) error { return &ConfigError{field, want, v} }
	switch {
	case !oneOf(c.Method, Methods...):
		return bad("method", "one of exact, cd, pcd, fpcd, pt", c.Method)
	case c.K < 1:
		return bad("k", "at least 1", c.K)
	case c.Chains < 0:
		return bad("chains", "at least 0 (0 means one per minibatch row)", c.Chains)
	case c.Method == MethodPT && c.Replicas < 2:
		return bad("replicas", "at least 2 for parallel tempering", c.Replicas)
	case c.Method == MethodPT && !(c.BetaMin >= 0 && c.BetaMin < 1):
		return bad("beta_min", "in [0, 1)", c.BetaMin)
	case !oneOf(c.Ladder, "geometric", "linear"):
		return bad("ladder", "geometric or linear", c.Ladder)
	case c.Ladder == "geometric" && c.Method == MethodPT && c.BetaMin == 0:
		return bad("beta_min", "above 0 for a geometric ladder", c.BetaMin)
	case !(c.FastLR >= 0) || math.IsInf(c.FastLR, 0):
		return bad("fast_lr", "at least 0 (0 means equal to lr)", c.FastLR)
	case !(c.FastDecay >= 0 && c.FastDecay <= 1):
		return bad("fast_decay", "in [0, 1]", c.FastDecay)
	case c.Method == MethodExact && min(nv, c.Hidden) > 32:
		return bad("method", fmt.Sprintf("cd, pcd, fpcd or pt for a %d×%d model (exact enumerates 2^%d states)", nv, c.Hidden, min(nv, c.Hidden)), c.Method)
	}
	return nil
}

// chainMethod reports whether the estimator is CD or PCD, whose chains the float32 route
// runs: a built-in one named by Method, or a Negative made by CD or PCD.
func (c *Config) chainMethod() bool {
	if c.Negative != nil {
		_, ok := c.Negative.(gibbsSource)
		return ok
	}
	return oneOf(c.Method, MethodCD, MethodPCD)
}

func oneOf[S ~string](s S, set ...S) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// learningRate returns the learning rate for an update in the given epoch (0-based).
func (c *Config) learningRate(epoch int) float64 {
	switch c.LRSchedule {
	case "linear":
		if c.Epochs <= 1 {
			return c.LR
		}
		f := float64(epoch) / float64(c.Epochs-1)
		return c.LR + f*(c.LRFinal-c.LR)
	case "exp":
		return math.Max(c.LR*math.Pow(c.LRDecay, float64(epoch)), c.LRFinal)
	}
	return c.LR
}

// momentum returns the SGD momentum for an update in the given epoch (0-based).
func (c *Config) momentum(epoch int) float64 {
	if epoch < c.MomentumEpochs {
		return math.Min(c.MomentumInitial, c.Momentum)
	}
	return c.Momentum
}

// aisMonitorShare is the largest share of the training time that AutoAISEvery lets the AIS
// monitor take.
const aisMonitorShare = 0.10

// AutoAISEvery returns the AIS monitor's period for training on rows rows: 0 (off) when the
// model is small enough for the exact monitor (min(nv, Hidden) ≤ ExactMonitor), else the
// smallest number of epochs between estimates that keeps the monitor's matrix products
// under a tenth of those of training. A forward AIS run costs two products of one row by W
// per temperature, a training row 2k+3 (the positive phase, k Gibbs sweeps of two products,
// the weight gradient's two), so the share of an estimate every E epochs is
//
//	2·AISRuns·AISBetas / (E·rows·(2k+3)),
//
// about 5% at E = 1 for MNIST (60,000 rows, CD-1 or PCD-1) with 16 runs × 500 temperatures.
func (c *Config) AutoAISEvery(rows, nv int) int {
	if min(nv, c.Hidden) <= c.ExactMonitor || rows == 0 {
		return 0
	}
	share := 2 * float64(c.AISRuns) * float64(c.AISBetas) / (float64(rows) * float64(2*c.K+3))
	return max(1, int(math.Ceil(share/aisMonitorShare)))
}

// Float32Covers reports whether the float32 route is the fast one for this configuration's
// method, optimiser and penalties (cd or pcd, SGD or Adam, no L1, sparsity or clipping: the
// update then runs in one fused pass), whatever Precision says. Precision auto uses it, with
// the layers' float32 kernels, to pick float32; an explicit float32 also covers L1,
// sparsity and clipping, through the general update route.
func (c *Config) Float32Covers() bool {
	return c.chainMethod() && (c.Optimizer == SGD || c.Optimizer == Adam) && c.L1 == 0 && c.Sparsity == 0 && c.ClipNorm == 0
}
