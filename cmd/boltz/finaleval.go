package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/atomicfile"
	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/train"
)

// finalEval is what boltz train measures at the end of a run: the test log-likelihood of
// the final model on held-out rows, exactly or by forward and reverse AIS, through the same
// code as boltz eval (measureLogLikelihood).
type finalEval struct {
	Mode  string `json:"mode"`           // auto, exact, ais or none
	Test  string `json:"test,omitempty"` // the -test SPEC, when given
	Runs  int    `json:"ais_runs"`       // AIS runs
	Betas int    `json:"ais_betas"`      // AIS temperatures
}

// defaultFinalEval is the final evaluation of runs whose run.json predates it, and the
// flags' defaults: boltz eval's AIS settings (100 runs × 14,500 temperatures).
func defaultFinalEval() finalEval {
	return finalEval{Mode: "auto", Runs: ais.DefaultRuns, Betas: ais.DefaultSteps}
}

func (f *finalEval) register(fs *flag.FlagSet) {
	fs.StringVar(&f.Mode, "final-eval", f.Mode, "measure the final model's log-likelihood on held-out data: auto (exact when "+
		"the smaller layer has at most 24 units, else forward and reverse AIS), exact, ais or none")
	fs.StringVar(&f.Test, "test", f.Test, "held-out data `SPEC` for the final evaluation (default: the data set's test split, "+
		"mnist → mnist:test, else the -valid rows)")
	fs.IntVar(&f.Runs, "final-ais-runs", f.Runs, "AIS runs of the final evaluation")
	fs.IntVar(&f.Betas, "final-ais-betas", f.Betas, "AIS temperatures of the final evaluation")
}

func (f *finalEval) check() error {
	switch {
	case f.Mode != "auto" && f.Mode != "exact" && f.Mode != "ais" && f.Mode != "none":
		return flagError("final-eval", "must be auto, exact, ais or none, got %q", f.Mode)
	case f.Runs < 2:
		return flagError("final-ais-runs", "must be at least 2 (a standard error needs two runs), got %d", f.Runs)
	case f.Betas < 1:
		return flagError("final-ais-betas", "must be at least 1, got %d", f.Betas)
	}
	return nil
}

// testSplit returns the test split of a training SPEC ("mnist" → "mnist:test"), or "".
func testSplit(spec string) string {
	if spec == "mnist" || spec == "mnist:train" {
		return "mnist:test"
	}
	return ""
}

// heldOut returns the rows the final evaluation measures and a name for them: -test SPEC
// when given, else the training set's test split, else the -valid rows; nil when there
// are none. Grey values are binarised as the training data were: by the same threshold,
// or, for stochastic and dynamic training, by one stochastic draw from seed 1 and the SPEC
// (boltz eval's default -binarize-seed), so that every model is measured on the same bits.
func heldOut(e *env, info *runInfo, f *finalEval, m *rbm.RBM, valid *data.Dataset, pixel *pixelScale) (*data.Dataset, error) {
	spec := f.Test
	if spec == "" {
		spec = testSplit(info.Data)
	}
	if spec == "" {
		return valid, nil
	}
	d := &dataFlags{binarize: info.Binarize, threshold: info.Threshold, pixel: pixel}
	if d.binarize == "dynamic" {
		d.binarize = "stochastic"
	}
	ds, err := d.load(spec, 1, m.Visible, m.NV(), e.stderr)
	if err != nil {
		if f.Test != "" {
			return nil, fmt.Errorf("-test: %w", err)
		}
		return nil, fmt.Errorf("final evaluation: %w", err)
	}
	return ds, nil
}

// runFinalEval measures the saved model on the held-out rows and records the result in the
// metrics record last and in the last line of DIR/metrics.jsonl (the caller saves it in
// model.npz). AIS draws from seed, as boltz eval -seed does. It returns the line that boltz
// train prints last, or "" when the evaluation is off.
func runFinalEval(e *env, dir string, f *finalEval, seed uint64, t *train.Trainer, held *data.Dataset, last *train.Metrics, dataMean []float64, trainX *matrix.Dense) (string, error) {
	if f.Mode == "none" {
		return "", nil
	}
	if held == nil {
		return "final evaluation skipped: no held-out data (give -test SPEC, or -valid N for mnist)", nil
	}
	m := t.Model
	fmt.Fprintf(e.stderr, "final eval: log-likelihood of the %d rows of %s\n", held.X.Rows, held.Name)
	c := &evalConfig{method: f.Mode, runs: f.Runs, betas: f.Betas, shape: "murray", seed: seed, gap: ais.DefaultGapThreshold,
		reverseStart: "samples", reverseSweeps: defaultReverseSweeps, precision: "auto", maxSeconds: defaultMaxSeconds}
	res, err := measureLogLikelihood(e, c, m, held, "final eval")
	if errors.Is(err, context.Canceled) {
		return "", &interruptedError{fmt.Sprintf("interrupted during the final evaluation; the model is saved in %s; "+
			"'boltz train -resume %s' measures it", filepath.Join(dir, "model.npz"), dir)}
	}
	if f.Mode == "auto" && errors.Is(err, rbm.ErrUnsupported) {
		return fmt.Sprintf("final evaluation skipped: %v (too many states to enumerate)", err), nil
	}
	if err != nil {
		return "", fmt.Errorf("final evaluation: %w (the model is saved: %s)", err, filepath.Join(dir, "model.npz"))
	}
	if !res.Trustworthy {
		warnGap(e.stderr, res, "final eval")
	}
	recordTest(last, res, held.Name)
	if err := rewriteLastMetrics(filepath.Join(dir, "metrics.jsonl"), *last); err != nil {
		return "", err
	}
	if line := scaleLine(m, held, dataMean, trainX); line != "" {
		return line + "\n" + testLine(res), nil
	}
	return testLine(res), nil
}

// scaleLine puts the final figure in scale for a newcomer: the exact mean log-likelihood, on
// the same held-out rows, of the model in which every pixel is independent and fitted to the
// training data, the baseline any RBM must beat. For Bernoulli units that is each pixel at
// the training data's frequency (the base-rate model AIS starts from,
// ais.BaseRateFromMeans, from dataMean); for Gaussian units each pixel a Gaussian with the
// training rows' mean and variance (trainX, in the model's scaling; the variance floored at
// rbm.SigmaFloor² as the layer's AISBase does). Empty for other unit types, or when the
// training data's means are not known.
func scaleLine(m *rbm.RBM, held *data.Dataset, dataMean []float64, trainX *matrix.Dense) string {
	switch l := m.Visible.(type) {
	case *rbm.Bernoulli:
		if dataMean == nil || len(dataMean) != m.NV() {
			return ""
		}
		b := ais.BaseRateFromMeans(dataMean, ais.DefaultBaseRateSmoothing)
		var logZ float64
		for _, x := range b {
			logZ += numeric.Softplus(x)
		}
		var ll float64
		for r := range held.X.Rows {
			ll += numeric.Dot(held.X.Row(r), b) - logZ
		}
		return fmt.Sprintf("for scale: independent pixels at the training data's frequencies score %.2f nats on these rows; higher is better",
			ll/float64(held.X.Rows))
	case *rbm.Gaussian:
		if trainX == nil || trainX.Rows == 0 || trainX.Cols != m.NV() {
			return ""
		}
		mean, variance := make([]float64, m.NV()), make([]float64, m.NV())
		rbm.ColMeans(mean, trainX)
		rbm.ColStds(variance, mean, trainX)
		for i, s := range variance {
			variance[i] = s * s
		}
		base := l.AISBase(mean, variance)
		logZ := base.LogNormalizer(base.Bias())
		var ll float64
		for r := range held.X.Rows {
			ll += -base.Energy(held.X.Row(r)) - logZ
		}
		return fmt.Sprintf("for scale: independent Gaussian pixels with the training data's means and variances score %.2f nats on these rows; higher is better",
			ll/float64(held.X.Rows))
	}
	return ""
}

// recordTest copies the final evaluation into m's test_* fields.
func recordTest(m *train.Metrics, r *evalResult, name string) {
	ll, se := r.MeanLL, r.MeanLLStderr
	trust := r.Trustworthy
	m.TestData = name
	m.TestLogLikelihood, m.TestLogLikelihoodStderr = &ll, &se
	m.TestLogLikelihoodDataStderr = r.MeanLLDataStderr
	m.TestLogLikelihoodMethod = r.Method
	m.TestLogLikelihoodReverse = r.MeanLLReverse
	m.Trustworthy = &trust
	m.UntrustworthyReason = r.UntrustworthyReason
	if r.bracket != nil {
		m.TestAISRuns, m.TestAISBetas = &r.bracket.Forward.Runs, &r.bracket.Forward.Steps
		m.TestAISESS = &r.bracket.Forward.ESS
	}
}

// testLine is the last line of boltz train: the test log-likelihood, how it was measured,
// and for AIS the reverse estimate and the verdict in words.
func testLine(r *evalResult) string {
	data := r.dataError("; data s.e. %.2f")
	if r.bracket == nil {
		return fmt.Sprintf("test log-likelihood %.2f nats (exact, 2^%d states%s)", r.MeanLL, min(r.NV, r.NH), data)
	}
	f := r.bracket.Forward
	verdict := "trustworthy"
	if !r.Trustworthy {
		verdict = "UNTRUSTWORTHY: " + map[string]string{
			ais.GapTooWide.String(): "reverse and forward AIS disagree by more than 1 nat",
			ais.Inverted.String():   "reverse AIS lies below forward AIS beyond noise",
			ais.LowESS.String():     "the estimate rests on a few runs (low ESS)",
		}[*r.UntrustworthyReason]
	}
	return fmt.Sprintf("test log-likelihood %.2f ± %.2f nats (AIS, %d×%s; reverse %.2f; ESS %.0f; %s%s)",
		r.MeanLL, r.MeanLLStderr, f.Runs, thousands(f.Steps), *r.MeanLLReverse, f.ESS, verdict, data)
}

// thousands formats n with commas between groups of three digits: 14500 → "14,500".
func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// rewriteLastMetrics replaces the last record of metrics.jsonl by m (the same epoch, with
// the final evaluation added), atomically.
func rewriteLastMetrics(path string, m train.Metrics) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := strings.SplitAfter(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) == 0 || lines[0] == "" {
		return errors.New("final evaluation: metrics.jsonl has no records")
	}
	line, err := marshalMetrics(m)
	if err != nil {
		return err
	}
	lines[len(lines)-1] = string(line) + "\n"
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		_, err := io.WriteString(w, strings.Join(lines, ""))
		return err
	})
}
