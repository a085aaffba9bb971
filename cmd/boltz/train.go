package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/atomicfile"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/train"
)

func init() {
	register(&command{
		Name:  "train",
		Usage: "boltz train [-data SPEC] [-hidden N] [-method exact|cd|pcd|fpcd|pt] [-epochs E] [flags] -o DIR\n       boltz train -resume DIR [-epochs E]",
		Short: "train an RBM and write a run directory",
		Long: `Train fits an RBM by stochastic gradient ascent on the log-likelihood: the positive phase
(the minibatch's statistics, with E[h|v]) minus a negative phase estimated by -method (exact
enumeration, CD-k, PCD-k, fast PCD or parallel tempering). The units are binary unless
-visible-units and -hidden-units choose spin, Potts, Gaussian, ReLU or dReLU units
(docs/units.md).

It writes DIR/run.json (every setting, the seed, the version), DIR/metrics.jsonl (one JSON
object per epoch; a metric that is undefined or infinite, such as a swap rate with no swap
attempted or the log-likelihood of a diverging model, is written as null, drawn as a gap in
the curves, and does not stop training), DIR/checkpoint.npz after every epoch, DIR/model.npz at the end, and the
pictures and report.html of 'boltz report'. An existing DIR is refused unless -resume or
-force is given; -force first removes every file boltz writes there (model, checkpoint,
run.json, metrics, pictures, report, temporary files). Ctrl-C stops at the end of the
current minibatch, leaves a checkpoint and exits with code 130; 'boltz train -resume DIR'
continues it, bit for bit, and '-resume DIR -epochs E' extends a finished run to E epochs in
total. A run killed at any moment (kill -9, power loss) resumes the same way: from its last
checkpoint, or from run.json when it had none yet (the run is deterministic, so it ends as
it would have); temporary files it left are removed. Resuming a finished run without more
epochs changes nothing. A run holds DIR/.boltz.lock while it works, and a second run or
resume in DIR is refused with the PID of the first.

At the end it measures the final model on held-out data (-final-eval): -test SPEC when given,
else the data set's test split (mnist → mnist:test), else the -valid rows; without any, it
says it skipped. The log-likelihood is exact
when the smaller layer has at most 24 units, else estimated by forward and reverse AIS as
'boltz eval' does (100 runs × 14,500 temperatures, reverse AIS from model samples, float32),
with its verdict. It is the last line on stderr, the test_* keys of the last metrics record and
of model.npz's metrics, and the first line of the report's final metrics. During training a
quick AIS estimate of the log-likelihood (16 runs × 500 temperatures) is recorded as often
as costs under a tenth of the training time (-ais-every), unless the model is small enough for
the exact monitor.

The defaults train a 784×500 model on MNIST (fetched on first use), chosen by a measured grid
(docs/mnist.md §0): centered PCD-1 for 30 epochs, batch 100 with one persistent chain per
row, learning rate 0.01 falling linearly to 0, momentum 0.5 rising to 0.9 after 5 epochs,
L2 1e-4. When -batch is not given and the data set has fewer rows, all rows form one
minibatch. Under the linear schedule the learning rate depends on -epochs, so '-resume DIR
-epochs E' continues along the schedule stretched to E epochs, which is not the run of E
epochs from the start. '-optimizer sgd -momentum 0 -lr-schedule constant' is plain gradient
ascent, as in the textbook.`,
		Flags: trainFlags,
	})
}

type trainOpts struct {
	cfg      train.Config
	data     dataFlags
	out      string
	resume   string
	force    bool
	json     bool
	noReport bool
	seed     uint64
	final    finalEval
	// resumed is the last record of metrics.jsonl when a run resumes at its epoch, so that
	// a run with no epoch left still writes it into model.npz.
	resumed *train.Metrics
}

func trainFlags(fs *flag.FlagSet) func(*env, []string) error {
	o := &trainOpts{cfg: train.Defaults(), final: defaultFinalEval()}
	c := &o.cfg
	o.data.register(fs, "mnist")
	o.final.register(fs)
	fs.StringVar(&o.out, "o", "", "run `DIR` to create")
	fs.StringVar(&o.resume, "resume", "", "continue the run in `DIR` from its checkpoint (from run.json when it was stopped before its first)")
	fs.BoolVar(&o.force, "force", false, "start over in an existing run directory, removing every file boltz wrote there first")
	fs.BoolVar(&o.json, "json", false, "print a JSON summary on stdout at the end")
	fs.BoolVar(&o.noReport, "no-report", false, "skip the pictures and report.html at the end")
	fs.IntVar(&c.Hidden, "hidden", c.Hidden, "number of hidden units")
	fs.StringVar(&c.VisibleUnits, "visible-units", "bernoulli", "unit type of the visible layer (docs/units.md): "+strings.Join(unitNames(false), ", ")+
		"; potts:Q takes one category 0…Q−1 per column, and potts alone reads Q from the data")
	fs.StringVar(&c.HiddenUnits, "hidden-units", "bernoulli", "unit type of the hidden layer: "+strings.Join(unitNames(true), ", ")+
		" (potts:Q, with -hidden a multiple of Q: sites × Q one-hot units)")
	fs.StringVar((*string)(&c.Method), "method", string(c.Method), "negative phase: exact, cd, pcd, fpcd or pt")
	fs.IntVar(&c.K, "k", c.K, "Gibbs sweeps per update")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "passes over the training data (with -resume: the total to reach)")
	fs.IntVar(&c.Batch, "batch", c.Batch, "minibatch rows (the last incomplete minibatch of an epoch is dropped)")
	fs.Float64Var(&c.LR, "lr", c.LR, "learning rate")
	fs.StringVar((*string)(&c.LRSchedule), "lr-schedule", string(c.LRSchedule), "learning-rate schedule: constant, linear (to -lr-final) or exp (×-lr-decay per epoch)")
	fs.Float64Var(&c.LRFinal, "lr-final", c.LRFinal, "final learning rate of the linear schedule, floor of the exp schedule")
	fs.Float64Var(&c.LRDecay, "lr-decay", c.LRDecay, "per-epoch factor of the exp schedule")
	fs.StringVar((*string)(&c.Optimizer), "optimizer", string(c.Optimizer), "sgd (with momentum) or adam")
	fs.Float64Var(&c.Momentum, "momentum", c.Momentum, "SGD momentum after the first -momentum-epochs epochs")
	fs.Float64Var(&c.MomentumInitial, "momentum-initial", c.MomentumInitial, "SGD momentum for the first -momentum-epochs epochs (capped at -momentum)")
	fs.IntVar(&c.MomentumEpochs, "momentum-epochs", c.MomentumEpochs, "epochs at -momentum-initial")
	fs.Float64Var(&c.AdamBeta1, "adam-beta1", c.AdamBeta1, "Adam's first-moment decay")
	fs.Float64Var(&c.AdamBeta2, "adam-beta2", c.AdamBeta2, "Adam's second-moment decay")
	fs.Float64Var(&c.AdamEps, "adam-eps", c.AdamEps, "Adam's ε")
	fs.Float64Var(&c.L2, "l2", c.L2, "L2 weight decay on W")
	fs.Float64Var(&c.L1, "l1", c.L1, "L1 weight decay on W")
	fs.Float64Var(&c.ClipNorm, "clip-norm", c.ClipNorm, "cap the Euclidean norm of each update's gradient (all parameters) at this value; 0 disables it")
	fs.Float64Var(&c.Sparsity, "sparsity", c.Sparsity, "target mean hidden activation (0: no sparsity penalty)")
	fs.Float64Var(&c.SparsityCost, "sparsity-cost", c.SparsityCost, "weight of the sparsity penalty")
	fs.BoolVar(&c.Centered, "centered", c.Centered, "centered gradient (Melchior, Fischer & Wiskott 2016)")
	fs.Float64Var(&c.CenterRate, "center-rate", c.CenterRate, "sliding factor of the hidden offset for -centered")
	fs.IntVar(&c.Chains, "chains", c.Chains, "persistent chains for pcd, fpcd and pt (0: one per minibatch row)")
	fs.IntVar(&c.Replicas, "replicas", c.Replicas, "temperatures in the parallel-tempering ladder, β=1 included")
	fs.Float64Var(&c.BetaMin, "beta-min", c.BetaMin, "smallest inverse temperature of the PT ladder")
	fs.StringVar(&c.Ladder, "ladder", c.Ladder, "spacing of the PT ladder: geometric or linear")
	fs.Float64Var(&c.FastLR, "fast-lr", c.FastLR, "learning rate of fast PCD's fast weights (0: same as -lr)")
	fs.Float64Var(&c.FastDecay, "fast-decay", c.FastDecay, "factor applied to fast weights after each update")
	c.Precision = "auto"
	fs.StringVar((*string)(&c.Precision), "precision", string(c.Precision), "arithmetic of the minibatch products and sampling: float64, float32 (cd and pcd, on Bernoulli or Gaussian visible units with Bernoulli hidden units; about twice as fast with sgd or adam and no -l1, -sparsity or -clip-norm, when the update is one fused pass; parameters and their updates stay float64), or auto: float32 where it is that fast, float64 otherwise (run.json records the choice)")
	fs.Float64Var(&c.InitStd, "init-std", c.InitStd, "standard deviation of the initial weights")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "random seed: the same seed gives the same model, bit for bit")
	fs.IntVar(&c.MonitorRows, "monitor-rows", c.MonitorRows, "rows of training and held-out data the per-epoch monitors use (0: all)")
	fs.IntVar(&c.ExactMonitor, "exact-monitor", c.ExactMonitor, "exact log-likelihood and gradient-bias meter when min(nv, nh) ≤ this")
	fs.IntVar(&c.AISEvery, "ais-every", c.AISEvery, "estimate the log-likelihood of the training and held-out rows by a quick AIS "+
		"every `N` epochs (0: never; default: as often as keeps it under a tenth of the training time, never for models "+
		"small enough for the exact monitor)")
	fs.IntVar(&c.AISRuns, "ais-runs", c.AISRuns, "AIS runs for -ais-every")
	fs.IntVar(&c.AISBetas, "ais-betas", c.AISBetas, "AIS temperatures for -ais-every")
	return func(e *env, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		return runTrain(e, o, set)
	}
}

// runInfo is run.json: what a run was asked to do, enough to redo it.
type runInfo struct {
	Version    string       `json:"version"`
	Data       string       `json:"data"`
	Valid      int          `json:"valid"`
	Binarize   string       `json:"binarize"`
	Threshold  float64      `json:"threshold"`
	Seed       uint64       `json:"seed"`
	NV         int          `json:"nv"`
	NH         int          `json:"nh"`
	ImageShape *[2]int      `json:"image_shape,omitempty"`
	TrainRows  int          `json:"train_rows"`
	ValidRows  int          `json:"valid_rows,omitempty"`
	Config     train.Config `json:"config"`

	// BinarizeStream names the stream of -binarize stochastic: "seed+spec"
	// (data.BinarizeStream); absent in runs written before, which drew from the seed alone.
	BinarizeStream string `json:"binarize_stream,omitempty"`

	// FinalEval is the final evaluation's settings; absent in runs written before it
	// existed, which get defaultFinalEval.
	FinalEval *finalEval `json:"final_eval,omitempty"`

	// NoReport records -no-report, which a resume keeps unless it is given again.
	NoReport bool `json:"no_report,omitempty"`

	// Scale records -scale when it is not none.
	Scale string `json:"scale,omitempty"`
}

func runTrain(e *env, o *trainOpts, set map[string]bool) error {
	if o.resume != "" {
		for name := range set {
			switch name {
			case "resume", "epochs", "json", "no-report", "final-eval", "test", "final-ais-runs", "final-ais-betas":
			default:
				return flagError(name, "cannot be changed when resuming (the run keeps its settings; only -epochs may grow)")
			}
		}
		if err := o.final.check(); err != nil {
			return err
		}
		return resumeTrain(e, o, set)
	}
	if o.out == "" {
		return flagError("o", "a run directory is required")
	}
	if err := o.data.check(); err != nil {
		return err
	}
	if err := o.final.check(); err != nil {
		return err
	}
	if o.data.valid > 0 && !strings.HasPrefix(o.data.spec, "mnist") {
		return flagError("valid", "holds out rows of the MNIST training set only; -data %s has no held-out split, got %d", o.data.spec, o.data.valid)
	}
	if err := checkUnitsFlag("visible-units", o.cfg.VisibleUnits, true); err != nil {
		return err
	}
	if err := checkUnitsFlag("hidden-units", o.cfg.HiddenUnits, false); err != nil {
		return err
	}
	if _, err := rbm.LayerByName(o.cfg.HiddenUnits, o.cfg.Hidden); err != nil && o.cfg.Hidden > 0 {
		return flagError("hidden", "%v", err) // a Potts layer needs whole sites
	}
	// Bernoulli units are recorded as no unit type at all, as before the flags existed, so
	// run.json and the model's training record are unchanged for them.
	if o.cfg.VisibleUnits == "bernoulli" {
		o.cfg.VisibleUnits = ""
	}
	if o.cfg.HiddenUnits == "bernoulli" {
		o.cfg.HiddenUnits = ""
	}
	if !slices.Contains([]train.Precision{train.PrecisionAuto, train.Float64, train.Float32}, o.cfg.Precision) {
		return flagError("precision", "must be auto, float64 or float32, got %s", o.cfg.Precision)
	}
	if st, err := os.Stat(o.out); err == nil && !st.IsDir() {
		return fmt.Errorf("-o %s: is a file, not a directory", o.out)
	}
	if holdsRun(o.out) && !o.force {
		if err := lockHolder(o.out); err != nil {
			return err
		}
		return fmt.Errorf("-o %s: the directory exists (use -resume to continue it or -force to start over)", o.out)
	}
	if err := resolvePottsUnits(&o.cfg.VisibleUnits, o.data.spec, &o.data, e.stderr); err != nil {
		return err
	}
	o.data.visible = o.cfg.VisibleUnits
	if err := o.data.checkScale(); err != nil {
		return err
	}
	gaussianDefaults(e.stderr, &o.cfg, set)
	warnUnits(e.stderr, o.cfg)
	ds, valid, err := loadTrainData(e, &o.data, o.data.spec, o.cfg.Seed, o.cfg.VisibleUnits)
	if err != nil {
		return err
	}
	if o.cfg.Precision == "auto" {
		o.cfg.Precision = "float64"
		if o.cfg.Float32Covers() && unitsFloat32(o.cfg.VisibleUnits, o.cfg.HiddenUnits) {
			o.cfg.Precision = "float32"
		}
	}
	batchNote := ""
	if !set["batch"] && o.cfg.Batch > ds.X.Rows {
		batchNote = fmt.Sprintf("boltz train: the default -batch %d exceeds the %d rows of %s: using all %d rows as one minibatch\n",
			o.cfg.Batch, ds.X.Rows, o.data.spec, ds.X.Rows)
		o.cfg.Batch = ds.X.Rows
	}
	if !set["ais-every"] {
		o.cfg.AISEvery = o.cfg.AutoAISEvery(ds.X.Rows, ds.X.Cols)
		if err := aisSupports(o.cfg.VisibleUnits, o.cfg.HiddenUnits); o.cfg.AISEvery > 0 && err != nil {
			o.cfg.AISEvery = 0
			fmt.Fprintf(e.stderr, "boltz train: no AIS monitor: %v\n", err)
		}
	}
	if err := o.cfg.Validate(ds.X.Rows, ds.X.Cols); err != nil {
		return &usageError{cliMessage(err)}
	}

	if err := e.checkTrainMemory(o.cfg, ds.X.Rows, ds.X.Cols, set); err != nil {
		return err
	}
	t, err := newRunTrainer(o.cfg, ds, &o.data)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	rd, err := claimRunDir(o.out, o.force, e.stderr)
	if err != nil {
		return err
	}
	defer rd.release()
	info := runInfo{
		Version: version, Data: o.data.spec, Valid: o.data.valid, Binarize: o.data.binarizeMode(o.data.spec),
		Threshold: o.data.threshold, BinarizeStream: "seed+spec", Seed: o.cfg.Seed, NV: ds.X.Cols, NH: o.cfg.Hidden,
		TrainRows: ds.X.Rows, Config: o.cfg, FinalEval: &o.final, NoReport: o.noReport,
	}
	if o.data.scale == "standard" || o.data.scale == "unit" {
		info.Scale = o.data.scale
	}
	if ds.Shape != [2]int{} {
		info.ImageShape = &ds.Shape
	}
	if valid != nil {
		info.ValidRows = valid.X.Rows
	}
	if err := writeJSONFile(filepath.Join(o.out, "run.json"), info); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(o.out, "metrics.jsonl"), 0o644, func(io.Writer) error { return nil }); err != nil {
		return err
	}
	fmt.Fprint(e.stderr, batchNote) // once the run has started, so that a refusal stays one line
	if perEpoch := ds.X.Rows / o.cfg.Batch; o.cfg.Epochs*perEpoch < minUpdatesHint && o.cfg.Method != "exact" {
		need := (minUpdatesHint + perEpoch - 1) / perEpoch // epochs for minUpdatesHint updates
		fmt.Fprintf(e.stderr, "boltz train: warning: only %d parameter updates in all (%s of %d minibatches); training "+
			"usually needs at least %d, for example -epochs %d, or a larger -lr\n", o.cfg.Epochs*perEpoch,
			plural(o.cfg.Epochs, "epoch"), perEpoch, minUpdatesHint, need)
	}
	fmt.Fprintf(e.stderr, "boltz train: %d×%d RBM, %s-%d, %d rows of %s, %d epochs → %s\n",
		ds.X.Cols, o.cfg.Hidden, o.cfg.Method, o.cfg.K, ds.X.Rows, o.data.spec, o.cfg.Epochs, o.out)
	return trainLoop(e, o, t, ds, valid, &info)
}

// loadTrainData loads the training set and, when -valid holds rows out of MNIST, the
// held-out set, checked against (and, for Potts units, encoded for) visible units of the
// type units ("" for Bernoulli).
//
// Under -binarize dynamic, d.grey receives the training set's grey values and the returned
// training set is one stochastic draw of them, for the monitors.
func loadTrainData(e *env, d *dataFlags, spec string, seed uint64, units string) (*data.Dataset, *data.Dataset, error) {
	d.visible = units
	proto, err := d.trainLayer()
	if err != nil {
		return nil, nil, err
	}
	ds, err := d.loadKeep(spec, seed, proto, 0, e.stderr, &d.grey)
	if err != nil {
		return nil, nil, err
	}
	if d.valid == 0 || !strings.HasPrefix(spec, "mnist") {
		return ds, nil, nil
	}
	valid, err := d.load("mnist:valid", seed, proto, 0, e.stderr)
	if err != nil {
		return nil, nil, err
	}
	return ds, valid, nil
}

// resumeTrain continues the run in o.resume from its checkpoint. A run killed before its
// first checkpoint starts again from run.json, which holds every setting and the seed, so
// that it ends as the uninterrupted run would have; a finished run resumed with no more
// epochs is left as it is.
func resumeTrain(e *env, o *trainOpts, set map[string]bool) error {
	epochsSet := set["epochs"]
	dir := o.resume
	if st, err := os.Stat(dir); err != nil {
		return fmt.Errorf("-resume: %w", err)
	} else if !st.IsDir() {
		return fmt.Errorf("-resume: %s: not a directory", dir)
	}
	rd, err := claimRunDir(dir, false, e.stderr)
	if err != nil {
		return fmt.Errorf("-resume: %w", err)
	}
	defer rd.release()
	var info runInfo
	raw, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("-resume: %s has no run.json: the run stopped before it started; run the original command again", dir)
	}
	if err != nil {
		return fmt.Errorf("-resume: %w", err)
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		return fmt.Errorf("-resume: %s: %w", filepath.Join(dir, "run.json"), err)
	}
	var t *train.Trainer
	fromStart := !fileExists(filepath.Join(dir, checkpointFile))
	if !fromStart {
		if t, _, err = train.LoadCheckpoint(filepath.Join(dir, checkpointFile)); err != nil {
			return fmt.Errorf("-resume: %w", err)
		}
		if (!epochsSet || o.cfg.Epochs == t.Epoch) && t.Epoch >= t.Config.Epochs && t.Batch == 0 && modelFinished(dir, &info) {
			return runComplete(e, o, dir, t)
		}
	}
	done := 0
	if t != nil {
		done = t.Epoch
	}
	if epochsSet {
		if o.cfg.Epochs < done {
			return flagError("epochs", "must be at least the %d epochs already done, got %d", done, o.cfg.Epochs)
		}
		info.Config.Epochs = o.cfg.Epochs
		if t != nil {
			t.Config.Epochs = o.cfg.Epochs
		}
	}
	o.data = dataFlags{spec: info.Data, binarize: info.Binarize, threshold: info.Threshold, valid: info.Valid,
		legacyStream: info.BinarizeStream == "", visible: info.Config.VisibleUnits, scale: info.Scale}
	info.FinalEval = resumedFinalEval(info.FinalEval, &o.final, set)
	if set["no-report"] {
		info.NoReport = o.noReport
	} else {
		o.noReport = info.NoReport // a run started with -no-report resumes without the report
	}
	ds, valid, err := loadTrainData(e, &o.data, info.Data, info.Seed, info.Config.VisibleUnits)
	if err != nil {
		return err
	}
	if fromStart {
		if t, err = newRunTrainer(info.Config, ds, &o.data); err != nil {
			return fmt.Errorf("-resume: %s: %w", filepath.Join(dir, "run.json"), err)
		}
	}
	if ds.X.Cols != t.Model.NV() {
		return fmt.Errorf("-resume: %s has %d columns, the model has %d visible units", info.Data, ds.X.Cols, t.Model.NV())
	}
	metrics := filepath.Join(dir, "metrics.jsonl")
	if err := truncateMetrics(metrics, t.Epoch); err != nil {
		return err
	}
	if o.resumed, err = lastMetrics(metrics, t.Epoch); err != nil {
		return err
	}
	if err := writeJSONFile(filepath.Join(dir, "run.json"), info); err != nil {
		return err
	}
	if fromStart {
		fmt.Fprintf(e.stderr, "boltz train: %s has no checkpoint (stopped during its first epoch); starting it again from run.json, to %d epochs\n",
			dir, t.Config.Epochs)
	} else {
		fmt.Fprintf(e.stderr, "boltz train: resuming %s %s\n", dir, position(t))
	}
	o.out = dir
	return trainLoop(e, o, t, ds, valid, &info)
}

// minUpdatesHint is the number of parameter updates below which boltz train warns that a run
// is too short to learn much: the defaults make 18,000 on MNIST, while on a data set smaller
// than one minibatch they make one an epoch (30 in all), which leaves a model near uniform.
const minUpdatesHint = 1000

// columnMeans returns the mean of each column of x over its rows, summed in row order.
func columnMeans(x *matrix.Dense) []float64 {
	mean := make([]float64, x.Cols)
	for r := 0; r < x.Rows; r++ {
		for i, v := range x.Row(r) {
			mean[i] += v
		}
	}
	for i := range mean {
		mean[i] /= float64(x.Rows)
	}
	return mean
}

// resumedFinalEval returns the final evaluation of a resumed run: the one in its run.json
// (or the default, for runs older than it), with the final-evaluation flags given on the
// command line in place of their values.
func resumedFinalEval(stored, flags *finalEval, set map[string]bool) *finalEval {
	f := defaultFinalEval()
	if stored != nil {
		f = *stored
	}
	if set["final-eval"] {
		f.Mode = flags.Mode
	}
	if set["test"] {
		f.Test = flags.Test
	}
	if set["final-ais-runs"] {
		f.Runs = flags.Runs
	}
	if set["final-ais-betas"] {
		f.Betas = flags.Betas
	}
	return &f
}

// newRunTrainer returns the trainer a new run of cfg on ds starts from: visible biases from
// the grey means under -binarize dynamic, from the data otherwise.
func newRunTrainer(cfg train.Config, ds *data.Dataset, d *dataFlags) (*train.Trainer, error) {
	initData := ds.X
	if d.grey != nil {
		initData = d.grey // visible biases from the grey means, the expected binarised data
	}
	return train.New(cfg, initData)
}

// trainLoop runs the trainer, writing metrics and a checkpoint after every epoch, and the
// model and report at the end.
func trainLoop(e *env, o *trainOpts, t *train.Trainer, ds, valid *data.Dataset, info *runInfo) error {
	dir := o.out
	meta := &rbm.Meta{Data: info.Data, DataMean: columnMeans(ds.X)}
	if o.data.grey != nil {
		meta.DataMean = columnMeans(o.data.grey) // the expected binarised data
	}
	if info.ImageShape != nil {
		meta.ImageShape = *info.ImageShape
	}
	if p := o.data.pixel; p != nil {
		meta.PixelMean, meta.PixelStd = p.mean, p.std
	}
	cfgJSON, err := json.Marshal(t.Config)
	if err != nil {
		return err
	}
	meta.Training = cfgJSON
	fe := defaultFinalEval()
	if info.FinalEval != nil {
		fe = *info.FinalEval
	}
	held, err := heldOut(e, info, &fe, t.Model, valid, o.data.pixel)
	if err != nil {
		return err
	}
	ckpt := filepath.Join(dir, "checkpoint.npz")
	prog := newProgress(e.stderr, t.Config.Epochs)
	last := o.resumed
	opts := train.Options{
		OnBatch: prog.batch,
		OnEpoch: func(t *train.Trainer, m train.Metrics) error {
			prog.epoch(t, m)
			if err := appendMetrics(filepath.Join(dir, "metrics.jsonl"), m); err != nil {
				return err
			}
			last = &m
			return t.SaveCheckpoint(ckpt, meta)
		},
	}
	if valid != nil {
		opts.Valid = valid.X
	} else if held != nil {
		opts.Valid = held.X // the held-out monitors (free-energy gap, AIS) watch the test rows
	}
	if o.data.grey != nil {
		opts.Prepare = dynamicBinarizer(o.data.grey, info.Seed)
	}
	err = t.Run(e.ctx, ds.X, opts)
	prog.done()
	if errors.Is(err, train.ErrInterrupted) {
		if serr := t.SaveCheckpoint(ckpt, meta); serr != nil {
			return fmt.Errorf("interrupted, and the checkpoint could not be written: %w", serr)
		}
		return &interruptedError{fmt.Sprintf("interrupted %s; checkpoint written; continue with: boltz train -resume %s", position(t), dir)}
	}
	if err != nil {
		return err
	}
	modelPath := filepath.Join(dir, "model.npz")
	if err := saveModel(t, modelPath, meta, last); err != nil {
		return err
	}
	testMsg := ""
	if last != nil {
		if testMsg, err = runFinalEval(e, dir, &fe, info.Seed, t, held, last, meta.DataMean, ds.X); err != nil {
			return err
		}
		if last.TestLogLikelihood != nil {
			if err := saveModel(t, modelPath, meta, last); err != nil {
				return err
			}
		}
	}
	if !o.noReport {
		if err := writeReport(e, dir, o.data.pixel.dataset(ds)); err != nil && e.ctx.Err() != nil {
			return &interruptedError{fmt.Sprintf("interrupted while drawing the report; %s is written; draw the report with: boltz report %s",
				filepath.Join(dir, "model.npz"), dir)}
		} else if err != nil {
			fmt.Fprintf(e.stderr, "boltz train: warning: report: %v\n", err)
		}
	}
	fmt.Fprintf(e.stderr, "boltz train: wrote %s\n", modelPath)
	if testMsg != "" {
		fmt.Fprintln(e.stderr, testMsg)
	}
	if o.json {
		sum := map[string]any{
			"dir": dir, "model": modelPath, "epochs": t.Epoch, "steps": t.Step,
			"elapsed_seconds": t.Elapsed.Seconds(), "final": last,
			"test_log_likelihood": nil, "test_log_likelihood_stderr": nil, "test_log_likelihood_reverse": nil,
			"test_log_likelihood_method": nil, "trustworthy": nil,
		}
		if last != nil && last.TestLogLikelihood != nil {
			sum["test_log_likelihood"] = last.TestLogLikelihood
			sum["test_log_likelihood_stderr"] = last.TestLogLikelihoodStderr
			sum["test_log_likelihood_reverse"] = last.TestLogLikelihoodReverse
			sum["test_log_likelihood_method"] = last.TestLogLikelihoodMethod
			sum["trustworthy"] = last.Trustworthy
		}
		return writeJSON(e.stdout, sum)
	}
	return nil
}

// saveModel writes the model with the last metrics record in its meta.json (without the
// elapsed time, so that reruns write identical files).
func saveModel(t *train.Trainer, path string, meta *rbm.Meta, last *train.Metrics) error {
	if last != nil {
		final := *last
		final.ElapsedSeconds = 0
		raw, err := marshalMetrics(final)
		if err != nil {
			return err
		}
		meta.Metrics = raw
	}
	return t.Model.Save(path, meta)
}

// appendMetrics adds one JSON line to path and syncs it.
func appendMetrics(path string, m train.Metrics) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	line, err := marshalMetrics(m)
	if err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// marshalMetrics is the JSON form of one metrics record, as metrics.jsonl and model.npz
// store it.
func marshalMetrics(m train.Metrics) ([]byte, error) { return json.Marshal(m) }

// truncateMetrics keeps the lines of metrics.jsonl up to and including epoch, dropping any
// written after the checkpoint a run resumes from (and a torn last line).
func truncateMetrics(path string, epoch int) error {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		raw = nil
	} else if err != nil {
		return err
	}
	var keep bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var m train.Metrics
		if json.Unmarshal(sc.Bytes(), &m) != nil || m.Epoch > epoch {
			break
		}
		keep.Write(sc.Bytes())
		keep.WriteByte('\n')
	}
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(keep.Bytes())
		return err
	})
}

func writeJSONFile(path string, v any) error {
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error { return writeJSON(w, v) })
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// progress draws a progress bar on a terminal and one line per epoch elsewhere.
type progress struct {
	w        io.Writer
	tty      bool
	epochs   int
	start    time.Time
	lastDraw time.Time
	drawn    bool
	latest   string // the previous epoch's headline metrics, shown at the end of the bar
}

func newProgress(w io.Writer, epochs int) *progress {
	p := &progress{w: w, epochs: epochs, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) batch(t *train.Trainer, perEpoch int) {
	if !p.tty || time.Since(p.lastDraw) < 100*time.Millisecond {
		return
	}
	p.lastDraw = time.Now()
	done := t.Epoch*perEpoch + t.Batch
	total := p.epochs * perEpoch
	frac := float64(done) / float64(total)
	const width = 30
	bar := strings.Repeat("█", int(frac*width)) + strings.Repeat("·", width-int(frac*width))
	rate := float64(t.Batch*t.Config.Batch) / max(time.Since(p.start).Seconds(), 1e-9)
	eta := "?"
	if t.Elapsed > 0 && done > 0 {
		eta = (time.Duration(float64(t.Elapsed) / float64(done) * float64(total-done))).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r\033[Kepoch %d/%d %s %d/%d  %.0f rows/s  ETA %s%s", t.Epoch+1, p.epochs, bar, t.Batch, perEpoch, rate, eta, p.latest)
	p.drawn = true
}

func (p *progress) epoch(t *train.Trainer, m train.Metrics) {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
	p.start = time.Now()
	fmt.Fprintf(p.w, "epoch %d/%d  %s\n", m.Epoch, p.epochs, summarize(m))
	p.latest = "  | recon " + fmtMetric("%.4g", m.ReconError) + "  pll " + fmtMetric("%.4g", m.PseudoLogLikelihood)
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// summarize formats the headline metrics of an epoch on one line. A value that is not finite
// prints as n/a (NaN) or ±inf; metrics.jsonl records it as null.
func summarize(m train.Metrics) string {
	s := "recon " + fmtMetric("%.4g", m.ReconError) + "  pll " + fmtMetric("%.4g", m.PseudoLogLikelihood) +
		fmt.Sprintf("  %.1fs", m.ElapsedSeconds)
	if m.FreeEnergyGap != nil {
		s += "  F-gap " + fmtMetric("%.3g", *m.FreeEnergyGap)
	}
	if m.LogLikelihood != nil {
		s += "  loglik " + fmtMetric("%.4f", *m.LogLikelihood)
	}
	if m.GradCosine != nil {
		s += "  grad-cos " + fmtMetric("%.4f", *m.GradCosine)
	}
	if m.AISLogLikelihood != nil {
		s += "  ais-loglik " + fmtMetric("%.2f", *m.AISLogLikelihood)
		if m.AISLogLikelihoodStderr != nil {
			s += "±" + fmtMetric("%.2f", *m.AISLogLikelihoodStderr)
		}
	}
	if finite := finiteOnly(m.SwapRates); len(finite) > 0 {
		s += fmt.Sprintf("  swaps %.2f…%.2f", minf(finite), maxf(finite))
	} else if len(m.SwapRates) > 0 {
		s += "  swaps n/a" // no swap attempted between some pair this epoch
	}
	return s
}

// fmtMetric formats x with verb (in %g form when it is 1e9 or more in magnitude, where %f
// would print hundreds of digits), or as n/a, +inf or -inf when it is not finite.
func fmtMetric(verb string, x float64) string {
	switch {
	case math.IsNaN(x):
		return "n/a"
	case math.IsInf(x, 1):
		return "+inf"
	case math.IsInf(x, -1):
		return "-inf"
	case math.Abs(x) >= 1e9:
		return fmt.Sprintf("%.4g", x)
	}
	return fmt.Sprintf(verb, x)
}

// finiteOnly returns the finite values of x.
func finiteOnly(x []float64) []float64 {
	var f []float64
	for _, v := range x {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			f = append(f, v)
		}
	}
	return f
}

func minf(x []float64) float64 {
	m := x[0]
	for _, v := range x {
		m = min(m, v)
	}
	return m
}

func maxf(x []float64) float64 {
	m := x[0]
	for _, v := range x {
		m = max(m, v)
	}
	return m
}
