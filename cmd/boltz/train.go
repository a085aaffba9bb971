package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/atomicfile"
	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/train"
)

func init() {
	register(&command{
		Name:  "train",
		Usage: "boltz train [-data SPEC] [-hidden N] [-method exact|cd|pcd|fpcd|pt] [-epochs E] [flags] -o DIR\n       boltz train -resume DIR [-epochs E]",
		Short: "train an RBM and write a run directory",
		Long: `Train fits a binary RBM by stochastic gradient ascent on the log-likelihood: the positive
phase E[h|v] on each minibatch minus a negative phase estimated by -method (exact enumeration,
CD-k, PCD-k, fast PCD or parallel tempering).

It writes DIR/run.json (every setting, the seed, the version), DIR/metrics.jsonl (one JSON
object per epoch), DIR/checkpoint.npz after every epoch, DIR/model.npz at the end, and the
pictures and report.html of 'boltz report'. An existing DIR is refused unless -resume or
-force is given. Ctrl-C stops at the end of the current minibatch and leaves a checkpoint;
'boltz train -resume DIR' continues it, bit for bit, and '-resume DIR -epochs E' extends a
finished run to E epochs in total.

The defaults train a 784×500 model on MNIST (fetched on first use) with PCD-1.
'-optimizer sgd -momentum 0' is plain gradient ascent, as in the textbook.`,
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
}

func trainFlags(fs *flag.FlagSet) func(*env, []string) error {
	o := &trainOpts{cfg: train.Defaults()}
	c := &o.cfg
	o.data.register(fs, "mnist")
	fs.StringVar(&o.out, "o", "", "run `DIR` to create")
	fs.StringVar(&o.resume, "resume", "", "continue the run in `DIR` from its checkpoint")
	fs.BoolVar(&o.force, "force", false, "overwrite an existing run directory")
	fs.BoolVar(&o.json, "json", false, "print a JSON summary on stdout at the end")
	fs.BoolVar(&o.noReport, "no-report", false, "skip the pictures and report.html at the end")
	fs.IntVar(&c.Hidden, "hidden", c.Hidden, "number of hidden units")
	fs.StringVar(&c.Method, "method", c.Method, "negative phase: exact, cd, pcd, fpcd or pt")
	fs.IntVar(&c.K, "k", c.K, "Gibbs sweeps per update")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "passes over the training data (with -resume: the total to reach)")
	fs.IntVar(&c.Batch, "batch", c.Batch, "minibatch rows (the last incomplete minibatch of an epoch is dropped)")
	fs.Float64Var(&c.LR, "lr", c.LR, "learning rate")
	fs.StringVar(&c.LRSchedule, "lr-schedule", c.LRSchedule, "learning-rate schedule: constant, linear (to -lr-final) or exp (×-lr-decay per epoch)")
	fs.Float64Var(&c.LRFinal, "lr-final", c.LRFinal, "final learning rate of the linear schedule, floor of the exp schedule")
	fs.Float64Var(&c.LRDecay, "lr-decay", c.LRDecay, "per-epoch factor of the exp schedule")
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "sgd (with momentum) or adam")
	fs.Float64Var(&c.Momentum, "momentum", c.Momentum, "SGD momentum after the first -momentum-epochs epochs")
	fs.Float64Var(&c.MomentumInitial, "momentum-initial", c.MomentumInitial, "SGD momentum for the first -momentum-epochs epochs (capped at -momentum)")
	fs.IntVar(&c.MomentumEpochs, "momentum-epochs", c.MomentumEpochs, "epochs at -momentum-initial")
	fs.Float64Var(&c.AdamBeta1, "adam-beta1", c.AdamBeta1, "Adam's first-moment decay")
	fs.Float64Var(&c.AdamBeta2, "adam-beta2", c.AdamBeta2, "Adam's second-moment decay")
	fs.Float64Var(&c.AdamEps, "adam-eps", c.AdamEps, "Adam's ε")
	fs.Float64Var(&c.L2, "l2", c.L2, "L2 weight decay on W")
	fs.Float64Var(&c.L1, "l1", c.L1, "L1 weight decay on W")
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
	fs.StringVar(&c.Precision, "precision", c.Precision, "arithmetic of the minibatch products and sampling: float64, float32 (faster; cd and pcd with sgd, no -l1 or -sparsity; parameters and their updates stay float64), or auto: float32 where it applies, float64 otherwise (run.json records the choice)")
	fs.Float64Var(&c.InitStd, "init-std", c.InitStd, "standard deviation of the initial weights")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "random seed: the same seed gives the same model, bit for bit")
	fs.IntVar(&c.MonitorRows, "monitor-rows", c.MonitorRows, "rows of training and held-out data the per-epoch monitors use (0: all)")
	fs.IntVar(&c.ExactMonitor, "exact-monitor", c.ExactMonitor, "exact log-likelihood and gradient-bias meter when min(nv, nh) ≤ this")
	fs.IntVar(&c.AISEvery, "ais-every", c.AISEvery, "estimate the log-likelihood by AIS every `N` epochs (0: never)")
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
}

func runTrain(e *env, o *trainOpts, set map[string]bool) error {
	if o.resume != "" {
		for name := range set {
			switch name {
			case "resume", "epochs", "json", "no-report":
			default:
				return flagError(name, "cannot be changed when resuming (the run keeps its settings; only -epochs may grow)")
			}
		}
		return resumeTrain(e, o, set["epochs"])
	}
	if o.out == "" {
		return flagError("o", "a run directory is required")
	}
	if err := o.data.check(); err != nil {
		return err
	}
	if _, err := os.Stat(o.out); err == nil && !o.force {
		return fmt.Errorf("-o %s: the directory exists (use -resume to continue it or -force to start over)", o.out)
	}
	ds, valid, err := loadTrainData(e, &o.data, o.data.spec, o.cfg.Seed)
	if err != nil {
		return err
	}
	if o.cfg.Precision == "auto" {
		o.cfg.Precision = "float64"
		if o.cfg.Float32Covers() {
			o.cfg.Precision = "float32"
		}
	}
	if err := o.cfg.Validate(ds.X.Rows, ds.X.Cols); err != nil {
		return &usageError{err.Error()}
	}
	if err := e.checkTrainMemory(o.cfg, ds.X.Rows, ds.X.Cols, set); err != nil {
		return err
	}
	initData := ds.X
	if o.data.grey != nil {
		initData = o.data.grey // visible biases from the grey means, the expected binarised data
	}
	t, err := train.New(o.cfg, initData)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	info := runInfo{
		Version: version, Data: o.data.spec, Valid: o.data.valid, Binarize: o.data.binarizeMode(o.data.spec),
		Threshold: o.data.threshold, BinarizeStream: "seed+spec", Seed: o.cfg.Seed, NV: ds.X.Cols, NH: o.cfg.Hidden,
		TrainRows: ds.X.Rows, Config: o.cfg,
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
	fmt.Fprintf(e.stderr, "boltz train: %d×%d RBM, %s-%d, %d rows of %s, %d epochs → %s\n",
		ds.X.Cols, o.cfg.Hidden, o.cfg.Method, o.cfg.K, ds.X.Rows, o.data.spec, o.cfg.Epochs, o.out)
	return trainLoop(e, o, t, ds, valid, &info)
}

// loadTrainData loads the training set and, when -valid holds rows out of MNIST, the
// held-out set.
//
// Under -binarize dynamic, d.grey receives the training set's grey values and the returned
// training set is one stochastic draw of them, for the monitors.
func loadTrainData(e *env, d *dataFlags, spec string, seed uint64) (*data.Dataset, *data.Dataset, error) {
	ds, err := d.loadKeep(spec, seed, rbm.Bernoulli{}, 0, e.stderr, &d.grey)
	if err != nil {
		return nil, nil, err
	}
	if d.valid == 0 || !strings.HasPrefix(spec, "mnist") {
		return ds, nil, nil
	}
	valid, err := d.load("mnist:valid", seed, rbm.Bernoulli{}, 0, e.stderr)
	if err != nil {
		return nil, nil, err
	}
	return ds, valid, nil
}

func resumeTrain(e *env, o *trainOpts, epochsSet bool) error {
	dir := o.resume
	var info runInfo
	raw, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		return fmt.Errorf("-resume: %w", err)
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		return fmt.Errorf("-resume: %s: %w", filepath.Join(dir, "run.json"), err)
	}
	t, _, err := train.LoadCheckpoint(filepath.Join(dir, "checkpoint.npz"))
	if err != nil {
		return fmt.Errorf("-resume: %w", err)
	}
	if epochsSet {
		if o.cfg.Epochs < t.Epoch {
			return flagError("epochs", "must be at least the %d epochs already done, got %d", t.Epoch, o.cfg.Epochs)
		}
		t.Config.Epochs = o.cfg.Epochs
		info.Config.Epochs = o.cfg.Epochs
	}
	o.data = dataFlags{spec: info.Data, binarize: info.Binarize, threshold: info.Threshold, valid: info.Valid,
		legacyStream: info.BinarizeStream == ""}
	ds, valid, err := loadTrainData(e, &o.data, info.Data, info.Seed)
	if err != nil {
		return err
	}
	if ds.X.Cols != t.Model.NV() {
		return fmt.Errorf("-resume: %s has %d columns, the model has %d visible units", info.Data, ds.X.Cols, t.Model.NV())
	}
	if err := truncateMetrics(filepath.Join(dir, "metrics.jsonl"), t.Epoch); err != nil {
		return err
	}
	if err := writeJSONFile(filepath.Join(dir, "run.json"), info); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "boltz train: resuming %s at epoch %d, minibatch %d, to %d epochs\n", dir, t.Epoch, t.Batch, t.Config.Epochs)
	o.out = dir
	return trainLoop(e, o, t, ds, valid, &info)
}

// trainLoop runs the trainer, writing metrics and a checkpoint after every epoch, and the
// model and report at the end.
func trainLoop(e *env, o *trainOpts, t *train.Trainer, ds, valid *data.Dataset, info *runInfo) error {
	dir := o.out
	meta := &rbm.Meta{Data: info.Data}
	if info.ImageShape != nil {
		meta.ImageShape = *info.ImageShape
	}
	cfgJSON, err := json.Marshal(t.Config)
	if err != nil {
		return err
	}
	meta.Training = cfgJSON
	ckpt := filepath.Join(dir, "checkpoint.npz")
	prog := newProgress(e.stderr, t.Config.Epochs)
	var last *train.Metrics
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
		return fmt.Errorf("interrupted at epoch %d, minibatch %d; checkpoint written; continue with: boltz train -resume %s", t.Epoch+1, t.Batch, dir)
	}
	if err != nil {
		return err
	}
	if last != nil {
		final := *last
		final.ElapsedSeconds = 0 // keep model files identical across reruns
		meta.Metrics, _ = json.Marshal(final)
	}
	if err := t.Model.Save(filepath.Join(dir, "model.npz"), meta); err != nil {
		return err
	}
	if !o.noReport {
		if err := writeReport(e, dir, ds); err != nil {
			fmt.Fprintf(e.stderr, "boltz train: warning: report: %v\n", err)
		}
	}
	fmt.Fprintf(e.stderr, "boltz train: wrote %s\n", filepath.Join(dir, "model.npz"))
	if o.json {
		sum := map[string]any{
			"dir": dir, "model": filepath.Join(dir, "model.npz"), "epochs": t.Epoch, "steps": t.Step,
			"elapsed_seconds": t.Elapsed.Seconds(), "final": last,
		}
		return writeJSON(e.stdout, sum)
	}
	return nil
}

// appendMetrics adds one JSON line to path and syncs it.
func appendMetrics(path string, m train.Metrics) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	line, err := json.Marshal(m)
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
	p.latest = fmt.Sprintf("  | recon %.4g  pll %.4g", m.ReconError, m.PseudoLogLikelihood)
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// summarize formats the headline metrics of an epoch on one line.
func summarize(m train.Metrics) string {
	s := fmt.Sprintf("recon %.4g  pll %.4g  %.1fs", m.ReconError, m.PseudoLogLikelihood, m.ElapsedSeconds)
	if m.FreeEnergyGap != nil {
		s += fmt.Sprintf("  F-gap %.3g", *m.FreeEnergyGap)
	}
	if m.LogLikelihood != nil {
		s += fmt.Sprintf("  loglik %.4f", *m.LogLikelihood)
	}
	if m.GradCosine != nil {
		s += fmt.Sprintf("  grad-cos %.4f", *m.GradCosine)
	}
	if m.AISLogLikelihood != nil {
		s += fmt.Sprintf("  ais-loglik %.2f±%.2f", *m.AISLogLikelihood, *m.AISLogLikelihoodStderr)
	}
	if len(m.SwapRates) > 0 {
		s += fmt.Sprintf("  swaps %.2f…%.2f", minf(m.SwapRates), maxf(m.SwapRates))
	}
	return s
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
