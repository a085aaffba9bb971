package train

import (
	"bytes"
	"context"
	"errors"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// smallConfig is a quick problem: 3×3 bars-and-stripes (14 patterns, 9 visible units).
func smallConfig(method string) Config {
	c := Defaults()
	c.Hidden, c.Method, c.Epochs, c.Batch, c.LR = 4, Method(method), 3, 7, 0.05
	c.InitStd = 0.1
	c.MonitorRows = 0
	c.ExactMonitor = 9
	c.Replicas = 4
	// The tests below were written for a constant learning rate without centering; the
	// defaults' linear decay to 0 spends the last epoch at rate 0.
	c.LRSchedule, c.Centered = "constant", false
	return c
}

func runToEnd(t *testing.T, c Config, x *matrix.Dense) (*Trainer, []Metrics) {
	t.Helper()
	tr, err := New(c, x)
	if err != nil {
		t.Fatal(err)
	}
	var ms []Metrics
	err = tr.Run(context.Background(), x, Options{OnEpoch: func(_ *Trainer, m Metrics) error {
		ms = append(ms, m)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	return tr, ms
}

func modelBytes(t *testing.T, m *rbm.RBM) []byte {
	t.Helper()
	a, err := m.Archive(nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := npz.Write(&buf, a); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// With the exact negative phase, the full batch and a small learning rate, every update is
// a small step along the exact gradient, so the exact log-likelihood rises at every step.
func TestExactGradientAscentIsMonotone(t *testing.T) {
	x := data.BarsAndStripes(3).X
	c := smallConfig("exact")
	c.Batch, c.Epochs, c.LR = x.Rows, 40, 0.02
	c.Momentum, c.MomentumInitial, c.L2 = 0, 0, 0
	_, ms := runToEnd(t, c, x)
	for i := 1; i < len(ms); i++ {
		if !(*ms[i].LogLikelihood > *ms[i-1].LogLikelihood) {
			t.Fatalf("epoch %d: log-likelihood %v after %v: not rising", ms[i].Epoch, *ms[i].LogLikelihood, *ms[i-1].LogLikelihood)
		}
	}
	if ms[len(ms)-1].LogLikelihood == ms[0].LogLikelihood {
		t.Fatal("no progress")
	}
}

// The gradient-bias meter reads cosine 1 for the exact estimator and clearly less for CD-1
// on a model with structure.
func TestGradientBiasMeter(t *testing.T) {
	x := data.BarsAndStripes(3).X
	c := smallConfig("exact")
	c.Epochs = 5
	_, ms := runToEnd(t, c, x)
	for _, m := range ms {
		if math.Abs(*m.GradCosine-1) > 1e-9 || *m.GradRelError > 1e-9 {
			t.Fatalf("exact estimator: cosine %v, relative error %v; want 1 and 0", *m.GradCosine, *m.GradRelError)
		}
	}
	// Train a model with structure, then measure CD-1 on it.
	c = smallConfig("cd")
	c.Epochs, c.LR, c.InitStd = 200, 0.1, 1
	_, ms = runToEnd(t, c, x)
	last := ms[len(ms)-1]
	if *last.GradCosine > 0.99 || *last.GradRelError < 0.05 {
		t.Fatalf("CD-1 on a trained model: cosine %v, relative error %v; want visibly biased", *last.GradCosine, *last.GradRelError)
	}
}

// sameAcrossGOMAXPROCS runs c on x to the end with GOMAXPROCS=1 and again with 2, and
// reports whether the two model files are byte-identical.
func sameAcrossGOMAXPROCS(t *testing.T, c Config, x *matrix.Dense) bool {
	t.Helper()
	var out [2][]byte
	for i, procs := range []int{1, 2} {
		old := par.SetThreads(procs)
		tr, _ := runToEnd(t, c, x)
		runtime.GOMAXPROCS(old)
		out[i] = modelBytes(t, tr.Model)
	}
	return bytes.Equal(out[0], out[1])
}

// The same seed gives byte-identical model files whatever GOMAXPROCS is.
func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	x := data.BarsAndStripes(4).X
	for _, method := range []string{"cd", "pcd", "fpcd", "pt"} {
		t.Run(method, func(t *testing.T) {
			c := smallConfig(method)
			c.Hidden, c.Batch, c.Epochs, c.ExactMonitor = 20, 10, 3, 0
			if !sameAcrossGOMAXPROCS(t, c, x) {
				t.Fatal("GOMAXPROCS=1 and GOMAXPROCS=2 gave different model files")
			}
		})
	}
}

// A run interrupted at a minibatch, checkpointed, loaded and continued ends byte-identical
// to the uninterrupted run, for every estimator and optimiser state.
func TestResumeEqualsUninterrupted(t *testing.T) {
	x := data.BarsAndStripes(3).X
	configs := map[string]func(c *Config){
		"cd":          func(c *Config) { c.Method = "cd" },
		"pcd-adam":    func(c *Config) { c.Method, c.Optimizer, c.LR = "pcd", "adam", 0.01 },
		"fpcd":        func(c *Config) { c.Method = "fpcd" },
		"pt-centered": func(c *Config) { c.Method, c.Centered = "pt", true },
		"pcd-sparse":  func(c *Config) { c.Method, c.Sparsity, c.L1 = "pcd", 0.1, 1e-3 },
		"exact-exp":   func(c *Config) { c.Method, c.LRSchedule = "exact", "exp" },
		"cd-float32":  func(c *Config) { c.Method, c.Precision = "cd", "float32" },
		"pcd-float32-centered": func(c *Config) {
			c.Method, c.Precision, c.Centered = "pcd", "float32", true
		},
		"pcd-float64-gaussian-adam": func(c *Config) {
			c.Method, c.Precision, c.VisibleUnits, c.Optimizer, c.LR = "pcd", "float64", "gaussian", "adam", 0.002
		},
		"pcd-float32-gaussian-adam": func(c *Config) {
			c.Method, c.Precision, c.VisibleUnits, c.Optimizer, c.LR = "pcd", "float32", "gaussian", "adam", 0.002
		},
	}
	for name, set := range configs {
		t.Run(name, func(t *testing.T) {
			c := smallConfig("")
			set(&c)
			c.Epochs = 4
			want, _ := runToEnd(t, c, x)

			tr, err := New(c, x)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			stopAt := 5 // minibatches: mid-way through epoch 3 (2 per epoch)
			err = tr.Run(ctx, x, Options{OnBatch: func(t *Trainer, _ int) {
				if t.Step == stopAt {
					cancel()
				}
			}})
			if !errors.Is(err, ErrInterrupted) {
				t.Fatalf("Run: %v, want ErrInterrupted", err)
			}
			path := filepath.Join(t.TempDir(), "checkpoint.npz")
			if err := tr.SaveCheckpoint(path, nil); err != nil {
				t.Fatal(err)
			}
			resumed, _, err := LoadCheckpoint(path)
			if err != nil {
				t.Fatal(err)
			}
			if resumed.Step != stopAt {
				t.Fatalf("resumed at step %d, want %d", resumed.Step, stopAt)
			}
			if err := resumed.Run(context.Background(), x, Options{}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(modelBytes(t, want.Model), modelBytes(t, resumed.Model)) {
				t.Fatal("the resumed run ended with different parameters")
			}
		})
	}
}

// The centered gradient is the gradient of the log-likelihood with respect to the centered
// parameters (W, b̃ = b + Wλ, c̃ = c + Wᵀμ), checked by finite differences of the exact
// log-likelihood through that reparameterisation.
func TestCenteredGradientMatchesFiniteDifferences(t *testing.T) {
	x := data.BarsAndStripes(2).X
	c := smallConfig("exact")
	c.Hidden, c.Batch, c.Centered = 3, x.Rows, true
	tr, err := New(c, x)
	if err != nil {
		t.Fatal(err)
	}
	m := tr.Model
	for i := range m.W.Data {
		m.W.Data[i] = math.Sin(float64(i)) // a model with structure
	}
	for j := range tr.hidOffset {
		tr.hidOffset[j] = 0.3 + 0.1*float64(j)
	}
	g, err := exact.Gradient(m, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr.center(g)
	mu, lam := tr.visOffset, tr.hidOffset
	ll := func(m *rbm.RBM) float64 {
		lz, err := exact.LogZ(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		return exact.MeanLogLikelihood(m, x, lz)
	}
	const eps = 1e-5
	for i := 0; i < m.NV(); i++ {
		for j := 0; j < m.NH(); j++ {
			// Moving centered W_ij by ε with b̃, c̃ fixed moves b_i by −ελ_j and c_j by −εμ_i.
			f := func(e float64) float64 {
				p := m.Clone()
				p.W.Data[i*m.NH()+j] += e
				p.B()[i] -= e * lam[j]
				p.C()[j] -= e * mu[i]
				return ll(p)
			}
			fd := (f(eps) - f(-eps)) / (2 * eps)
			if got := g.W.At(i, j); math.Abs(got-fd) > 1e-7 {
				t.Errorf("centered ∂/∂W_%d%d = %v, finite difference %v", i, j, got, fd)
			}
		}
	}
}

// The step taken in centered coordinates maps back to ordinary parameters so that the
// model moves exactly as the centered parameterisation says.
func TestUncenterStep(t *testing.T) {
	tr := &Trainer{visOffset: []float64{0.2, 0.7}, hidOffset: []float64{0.4, 0.1, 0.9}}
	s := rbm.NewGrad(2, 3)
	for i := range s.W.Data {
		s.W.Data[i] = float64(i + 1)
	}
	s.B()[0], s.C()[2] = 1, -1
	tr.uncenterStep(s)
	// b = b̃ − Wλ: Δb_0 = Δb̃_0 − Σ_j ΔW_0j λ_j = 1 − (1·0.4 + 2·0.1 + 3·0.9).
	if want := 1 - (0.4 + 0.2 + 2.7); math.Abs(s.B()[0]-want) > 1e-12 {
		t.Errorf("Δb_0 = %v, want %v", s.B()[0], want)
	}
	// c = c̃ − Wᵀμ: Δc_2 = −1 − (3·0.2 + 6·0.7).
	if want := -1 - (0.6 + 4.2); math.Abs(s.C()[2]-want) > 1e-12 {
		t.Errorf("Δc_2 = %v, want %v", s.C()[2], want)
	}
}

func TestValidateNamesTheFlag(t *testing.T) {
	cases := []struct {
		set  func(c *Config)
		flag string
	}{
		{func(c *Config) { c.K = 0 }, "-k:"},
		{func(c *Config) { c.LR = -1 }, "-lr:"},
		{func(c *Config) { c.Batch = 100 }, "-batch:"},
		{func(c *Config) { c.Method = "foo" }, "-method:"},
		{func(c *Config) { c.Momentum = 1 }, "-momentum:"},
		{func(c *Config) { c.Method, c.Replicas = "pt", 1 }, "-replicas:"},
		{func(c *Config) { c.Sparsity = 1.5 }, "-sparsity:"},
		{func(c *Config) { c.Optimizer = "rmsprop" }, "-optimizer:"},
		{func(c *Config) { c.Precision = "float16" }, "-precision:"},
		{func(c *Config) { c.Method, c.Precision = "pt", "float32" }, "-precision:"},
	}
	for _, tc := range cases {
		c := smallConfig("pcd")
		tc.set(&c)
		err := c.Validate(14, 9)
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.HasPrefix(ce.Flag(), tc.flag) {
			t.Errorf("Validate: %v, want a ConfigError whose Flag starts %q", err, tc.flag)
			continue
		}
		if want := "train: Config." + ce.GoField() + " must be "; !strings.HasPrefix(err.Error(), want) || ce.GoField() == ce.Field {
			t.Errorf("Validate: %q, want it to start %q with the Go field name", err, want)
		}
	}
	c := smallConfig("pcd")
	if err := c.Validate(14, 9); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
}

// A learning rate far too large drives the parameters to Inf or NaN; Run must say so with
// an error, not carry on.
func TestDivergenceIsAnError(t *testing.T) {
	x := data.BarsAndStripes(3).X
	c := smallConfig("cd")
	c.LR, c.Epochs = 1e300, 5
	tr, err := New(c, x)
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Run(context.Background(), x, Options{})
	if err == nil || !strings.Contains(err.Error(), "NaN or Inf") {
		t.Fatalf("Run: %v, want a NaN or Inf error", err)
	}
}

// The AIS monitor's estimate agrees with the exact log-likelihood within 4 of its
// standard errors (plus the small downward bias of few runs, which the standard error
// covers at this size).
func TestAISMonitorMatchesExact(t *testing.T) {
	x := data.BarsAndStripes(3).X
	c := smallConfig("pcd")
	c.Epochs, c.AISEvery, c.AISRuns, c.AISBetas, c.InitStd = 4, 2, 64, 2000, 0.5
	_, ms := runToEnd(t, c, x)
	if ms[0].AISLogZ != nil || ms[1].AISLogZ == nil || ms[3].AISLogZ == nil {
		t.Fatal("AIS estimates not on epochs 2 and 4 only")
	}
	for _, m := range []Metrics{ms[1], ms[3]} {
		if d := math.Abs(*m.AISLogLikelihood - *m.LogLikelihood); d > 4**m.AISLogLikelihoodStderr+1e-3 {
			t.Errorf("epoch %d: AIS %v ± %v, exact %v", m.Epoch, *m.AISLogLikelihood, *m.AISLogLikelihoodStderr, *m.LogLikelihood)
		}
	}
}

// On 4×4 bars-and-stripes (30 patterns; optimum −ln 30 = −3.401 nats; the uniform model
// −16 ln 2 = −11.09), a 16-hidden RBM trained with parallel tempering reaches a mean exact
// log-likelihood of at least −5 nats within a budget of 6000 updates (2000 epochs of 3
// minibatches of 10). Fischer & Igel (2010) report PT as the estimator that comes closest to
// the optimum on this problem. The best value depends on the seed: over seeds 1–8 it spread
// from −4.09 to −4.85 (and from −4.23 to −4.71 after the sampler's uniforms changed), so the
// threshold sits below that spread rather than at one seed's luck.
func TestBarsAndStripesPTReachesTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	x := data.BarsAndStripes(4).X
	c := Defaults()
	c.Hidden, c.Method, c.Epochs, c.Batch, c.Chains = 16, "pt", 2000, 10, 10
	c.Optimizer, c.LR, c.L2, c.InitStd = "adam", 0.01, 0, 0.1
	c.ExactMonitor, c.MonitorRows = 0, 0
	tr, err := New(c, x)
	if err != nil {
		t.Fatal(err)
	}
	best := math.Inf(-1)
	err = tr.Run(context.Background(), x, Options{OnEpoch: func(tr *Trainer, _ Metrics) error {
		if tr.Epoch%100 == 0 {
			lz, err := exact.LogZ(tr.Model, nil)
			if err != nil {
				return err
			}
			best = math.Max(best, exact.MeanLogLikelihood(tr.Model, x, lz))
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if best < -5 {
		t.Fatalf("best exact log-likelihood %v, want at least −5", best)
	}
	t.Logf("best exact log-likelihood %.4f (optimum %.4f)", best, -math.Log(30))
}

// When the estimator's gradient is exactly zero (CD-1 reconstructing its minibatch
// perfectly), the cosine is undefined: the meter omits it rather than writing NaN, which
// JSON cannot hold.
func TestBiasMeterZeroGradient(t *testing.T) {
	tr := &Trainer{Model: rbm.New(2, 2), pos: rbm.NewGrad(2, 2), grad: rbm.NewGrad(2, 2), Config: Config{ExactMonitor: 2}}
	tr.pos.B()[0] = 1 // data moments differ from the uniform model's, so the exact gradient ≠ 0
	if err := tr.measureBias(); err != nil {
		t.Fatal(err)
	}
	cos, rel := tr.biasMetrics()
	if cos != nil || rel == nil || *rel != 1 {
		t.Fatalf("zero gradient: cosine %v, relative error %v; want omitted and 1", cos, rel)
	}
}

// AutoAISEvery keeps the AIS monitor's products under a tenth of training's: every epoch on
// MNIST (16 × 500 temperatures against 60,000 rows of PCD-1: 5%), rarely on small data, and
// never when the exact monitor covers the model.
func TestAutoAISEvery(t *testing.T) {
	c := Defaults()
	if got := c.AutoAISEvery(60000, 784); got != 1 {
		t.Errorf("MNIST 784×500: every %d epochs, want 1", got)
	}
	// 2·16·500/(1000·5) = 3.2 → a share of 10% needs every 32 epochs.
	if got := c.AutoAISEvery(1000, 784); got != 32 {
		t.Errorf("1000 rows: every %d epochs, want 32", got)
	}
	c.Hidden = 16
	if got := c.AutoAISEvery(60000, 784); got != 0 {
		t.Errorf("784×16 (exact monitor): every %d epochs, want 0", got)
	}
}
