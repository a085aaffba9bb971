package train

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// Every fused route of the update computes the one reference gradient, the data statistics
// minus the model statistics (rbm.RBM.Statistics, Grad.Sub), at the parameters before the
// step: float64 (the model term subtracted inside the W product) and float32 (one product of
// the stacked minibatch and chain states), for CD and PCD, for Bernoulli visible units and
// for Gaussian ones with learned and with fixed σ (which meet W through t(v) = v/σ², and
// whose σ statistic has a coupling term).
func TestGradientRoutes(t *testing.T) {
	bas := data.BarsAndStripes(3).X
	r := rand.New(rand.NewPCG(3, 4))
	grey := matrix.NewDense(bas.Rows, bas.Cols)
	for i := range grey.Data {
		grey.Data[i] = 0.3*r.NormFloat64() + 0.2*bas.Data[i]
	}
	for _, units := range []string{"bernoulli", "gaussian", "gaussian:fixed"} {
		x := bas
		if units != "bernoulli" {
			x = grey
		}
		for _, method := range []Method{MethodCD, MethodPCD} {
			for _, prec := range []Precision{Float64, Float32} {
				c := smallConfig(string(method))
				c.VisibleUnits, c.Precision, c.Batch, c.K = units, prec, x.Rows, 2
				tr, err := New(c, x)
				if err != nil {
					t.Fatal(err)
				}
				if units != "bernoulli" {
					// Move σ off the data's standard deviations and b off the means, so that
					// every term of the statistics is far from zero.
					for i := range tr.Model.Visible.Params()[1].Data {
						tr.Model.Visible.Params()[1].Data[i] *= 0.7 + 0.05*float64(i%5)
						tr.Model.B()[i] += 0.1 * float64(i%3-1)
					}
					if tr.f32 != nil {
						tr.f32.refresh(tr.Model)
					}
				}
				before := tr.Model.Clone()
				if err := tr.PartialFit(x); err != nil {
					t.Fatal(err)
				}
				ch := tr.neg.(*chainPhase).chains
				v := ch.V
				// Absolute tolerances, relative for statistics above 1 (a Gaussian layer's σ
				// statistic, with its 1/σ³, reaches about 10 here).
				tol := 1e-12
				if prec == Float32 {
					v = matrix.NewDense(tr.f32.v.Rows, tr.f32.v.Cols)
					for i, s := range tr.f32.v.Data {
						v.Data[i] = float64(s)
					}
					tol = 1e-6 // products and hidden means in float32
				}
				pos, neg, want := rbm.GradLike(before), rbm.GradLike(before), rbm.GradLike(before)
				before.Statistics(pos, x, nil)
				before.Statistics(neg, v, nil)
				want.Sub(pos, neg)
				got := tr.grad
				if prec == Float32 {
					tr.f32.gradW(got)
				}
				pw, pg := want.Parts(), got.Parts()
				for k := range pw {
					for i, w := range pw[k].X {
						if d := math.Abs(pg[k].X[i] - w); d > tol*math.Max(1, math.Abs(w)) {
							t.Fatalf("%s %s %s: %s[%d] = %v, reference %v (|Δ| %.2g > %.0g)", units, method, prec, pw[k].Name, i, pg[k].X[i], w, d, tol)
						}
					}
				}
			}
		}
	}
}

// countingPhase is a negative phase written against the public interface only: CD with
// its own number of sweeps, counting its calls.
type countingPhase struct {
	sweeps, calls int
	inner         NegativePhase
}

func (p *countingPhase) Init(m *rbm.RBM, batch int, seed uint64) error {
	p.inner = CD(p.sweeps)
	return p.inner.Init(m, batch, seed)
}

func (p *countingPhase) Moments(neg *rbm.Grad, m *rbm.RBM, b *Batch) error {
	p.calls++
	return p.inner.Moments(neg, m, b)
}

// A Config.Negative value replaces Method: the run records "custom", calls it once per
// update, and its checkpoint resumes only with the value passed again.
func TestCustomNegativePhase(t *testing.T) {
	x := data.BarsAndStripes(3).X
	c := smallConfig("pcd")
	c.Negative = &countingPhase{sweeps: 3}
	c.Method, c.K = "", 0 // ignored with Negative
	tr, err := New(c, x)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background(), x, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := c.Negative.(*countingPhase).calls; got != tr.Step || tr.Step != c.Epochs*(x.Rows/c.Batch) {
		t.Errorf("%d calls for %d updates", got, tr.Step)
	}
	if tr.Config.Method != MethodCustom || tr.Config.Precision != Float64 {
		t.Errorf("method %q, precision %q; want custom, float64", tr.Config.Method, tr.Config.Precision)
	}
	a, err := tr.Archive(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := FromArchive(a); err == nil {
		t.Error("a custom run's checkpoint resumed without its negative phase")
	}
	if _, _, err := FromArchiveWith(a, &countingPhase{sweeps: 3}); err != nil {
		t.Errorf("FromArchiveWith: %v", err)
	}
}

// Fit returns the model and one Metrics per epoch; ErrStop from a hook ends it cleanly;
// a cancelled context gives an error that is both ErrInterrupted and context.Canceled.
func TestFitStopAndInterrupt(t *testing.T) {
	x := data.BarsAndStripes(3).X
	c := smallConfig("pcd")
	m, hist, err := Fit(context.Background(), x, c, Options{})
	if err != nil || m == nil || len(hist) != c.Epochs {
		t.Fatalf("Fit: %v, %d metrics, want %d", err, len(hist), c.Epochs)
	}
	_, hist, err = Fit(context.Background(), x, c, Options{OnEpoch: func(*Trainer, Metrics) error { return ErrStop }})
	if err != nil || len(hist) != 1 {
		t.Errorf("Fit with ErrStop after epoch 1: %v, %d metrics", err, len(hist))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = Fit(ctx, x, c, Options{})
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Fit: %v, want ErrInterrupted wrapping context.Canceled", err)
	}
}

// NewFromModel continues from the given parameters: a trainer started from a model
// reaches the bits a run that never stopped reaches, when the rest of the state is fresh
// (plain SGD without momentum or centering has no other state).
func TestNewFromModelWarmStart(t *testing.T) {
	x := data.BarsAndStripes(3).X
	c := smallConfig("exact")
	c.Momentum, c.MomentumInitial, c.Epochs = 0, 0, 2
	whole, _, err := Fit(context.Background(), x, c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.Epochs = 1
	first, _, err := Fit(context.Background(), x, c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.Hidden = 0
	tr, err := NewFromModel(c, first, x)
	if err != nil {
		t.Fatal(err)
	}
	tr.Epoch, tr.Config.Epochs = 1, 2 // continue along the same schedule and shuffles
	if err := tr.Run(context.Background(), x, Options{}); err != nil {
		t.Fatal(err)
	}
	for i, w := range whole.W.Data {
		if tr.Model.W.Data[i] != w {
			t.Fatalf("W[%d] = %v after warm start, %v in one run", i, tr.Model.W.Data[i], w)
		}
	}
	c.Hidden = 3
	if _, err := NewFromModel(c, first, x); err == nil {
		t.Error("NewFromModel accepted a Config.Hidden unlike the model's")
	}
	if err := tr.PartialFit(x.Slice(0, 3)); err == nil {
		t.Error("PartialFit accepted a batch of the wrong size")
	}
}

// Layers with parameters beyond their biases (a Gaussian layer's σ) take the fused SGD pass
// plus stepFurther, which give the general route's bits without centering: the same updates
// with ClipNorm set far above any gradient norm (which forces the general route) end with
// identical parameters, in float64 and in float32.
func TestFusedStepWithFurtherParameters(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := matrix.NewDense(40, 6)
	for i := range x.Data {
		x.Data[i] = r.NormFloat64()
	}
	for _, prec := range []Precision{Float64, Float32} {
		run := func(clip float64) *rbm.RBM {
			c := smallConfig("cd")
			c.VisibleUnits, c.Batch, c.Epochs, c.LR, c.ClipNorm, c.Precision = "gaussian", 10, 2, 0.01, clip, prec
			m, _, err := Fit(context.Background(), x, c, Options{})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		fused, general := run(0), run(1e300)
		for k, p := range fused.Visible.Params() {
			q := general.Visible.Params()[k]
			for i, v := range p.Data {
				if q.Data[i] != v {
					t.Fatalf("%s: %s[%d]: fused %v, general %v", prec, p.Name, i, v, q.Data[i])
				}
			}
		}
		for i, w := range fused.W.Data {
			if general.W.Data[i] != w {
				t.Fatalf("%s: W[%d]: fused %v, general %v", prec, i, w, general.W.Data[i])
			}
		}
	}
}
