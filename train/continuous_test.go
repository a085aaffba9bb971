package train

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// twoClusters returns n rows of 3 real values from two Gaussian clusters at ±(1, 1, −1)
// with standard deviation 0.3: data a Gaussian–Bernoulli RBM models well and an
// independent Gaussian does not.
func twoClusters(n int, seed uint64) *matrix.Dense {
	r := rand.New(rand.NewPCG(seed, 3))
	x := matrix.NewDense(n, 3)
	for k := 0; k < n; k++ {
		s := 1.0
		if k%2 == 1 {
			s = -1
		}
		for i, c := range []float64{1, 1, -1} {
			x.Set(k, i, s*c+0.3*r.NormFloat64())
		}
	}
	return x
}

// A Gaussian–Bernoulli model trained with the exact negative phase and with PCD gains exact
// log-likelihood on real-valued data: σ learned with Adam (plain SGD on σ is unstable at
// this rate, as Cho et al. 2011 report), σ fixed with SGD.
func TestGaussianBernoulliLearns(t *testing.T) {
	x := twoClusters(40, 1)
	for _, run := range []struct {
		method, units string
		opt           Optimizer
	}{{"exact", "gaussian", Adam}, {"pcd", "gaussian", Adam}, {"cd", "gaussian:fixed", SGD}} {
		c := smallConfig(run.method)
		c.VisibleUnits, c.Hidden, c.Batch, c.Epochs, c.LR, c.Optimizer = run.units, 3, 10, 60, 0.02, run.opt
		_, ms := runToEnd(t, c, x)
		first, last := *ms[0].LogLikelihood, *ms[len(ms)-1].LogLikelihood
		if !(last > first+0.3) {
			t.Errorf("%+v: exact log-likelihood %v after the first epoch, %v at the end: no clear gain", run, first, last)
		}
	}
}

// Gaussian–ReLU and Gaussian–dReLU models train with CD without error, and Bernoulli–ReLU
// with the exact monitor (the visible layer enumerated).
func TestReLUTrains(t *testing.T) {
	x := twoClusters(20, 2)
	for _, hid := range []string{"relu", "drelu"} {
		c := smallConfig("cd")
		c.VisibleUnits, c.HiddenUnits, c.Batch, c.Epochs = "gaussian", hid, 10, 3
		tr, _ := runToEnd(t, c, x)
		if err := tr.Model.Validate(); err != nil {
			t.Errorf("%s: %v", hid, err)
		}
	}
}

// Parallel tempering refuses continuous units with an error that says why; a Gaussian
// hidden layer is refused.
func TestContinuousRefusals(t *testing.T) {
	x := twoClusters(20, 3)
	c := smallConfig("pt")
	c.VisibleUnits, c.Batch = "gaussian", 10
	if _, err := New(c, x); err == nil || !strings.Contains(err.Error(), "continuous") {
		t.Errorf("PT on Gaussian units: %v", err)
	}
	c = smallConfig("cd")
	c.VisibleUnits, c.HiddenUnits, c.Batch = "gaussian", "gaussian", 10
	var ce *ConfigError
	if _, err := New(c, x); !errors.As(err, &ce) {
		t.Errorf("Gaussian hidden units: %v", err)
	}
}

// With ClipNorm every update moves the parameters by at most lr·ClipNorm (plain SGD without
// momentum or weight decay).
func TestClipNorm(t *testing.T) {
	x := twoClusters(20, 4)
	c := smallConfig("cd")
	c.VisibleUnits, c.Batch, c.Epochs, c.LR, c.ClipNorm = "gaussian", 20, 1, 0.5, 0.1
	c.Momentum, c.MomentumInitial, c.L2 = 0, 0, 0
	tr, err := New(c, x)
	if err != nil {
		t.Fatal(err)
	}
	before := tr.Model.Clone()
	if err := tr.update(x, false); err != nil {
		t.Fatal(err)
	}
	var s float64
	after := rbm.ParamData(tr.Model)
	for k, a := range rbm.ParamData(before) {
		for i := range a {
			d := after[k][i] - a[i]
			s += d * d
		}
	}
	if d := math.Sqrt(s); d > c.LR*c.ClipNorm*(1+1e-9) {
		t.Errorf("step length %v exceeds lr·clip %v", d, c.LR*c.ClipNorm)
	}
}
