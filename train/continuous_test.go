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
// this rate, as Cho et al. 2011 report), σ fixed with SGD; the chain methods in float64 and
// in float32.
func TestGaussianBernoulliLearns(t *testing.T) {
	x := twoClusters(40, 1)
	for _, run := range []struct {
		method, units string
		opt           Optimizer
		prec          Precision
	}{
		{"exact", "gaussian", Adam, Float64},
		{"pcd", "gaussian", Adam, Float64}, {"pcd", "gaussian", Adam, Float32},
		{"cd", "gaussian:fixed", SGD, Float64}, {"cd", "gaussian:fixed", SGD, Float32},
	} {
		c := smallConfig(run.method)
		c.VisibleUnits, c.Hidden, c.Batch, c.Epochs, c.LR, c.Optimizer, c.Precision = run.units, 3, 10, 60, 0.02, run.opt, run.prec
		_, ms := runToEnd(t, c, x)
		first, last := *ms[0].LogLikelihood, *ms[len(ms)-1].LogLikelihood
		if !(last > first+0.3) {
			t.Errorf("%+v: exact log-likelihood %v after the first epoch, %v at the end: no clear gain", run, first, last)
		}
	}
}

// Float32 training of a Gaussian–Bernoulli model (learned σ, PCD-1, Adam at rate 0.002,
// 100 epochs of 100 rows of the two clusters in minibatches of 20) reaches the exact
// log-likelihood float64 training reaches: over 8 seeds the mean final log-likelihoods may
// differ by at most 4 standard errors of a difference of two 8-seed means, the standard
// deviation taken from the float64 runs' seed-to-seed spread (0.93 nats when written). The
// runs are paired by seed and draw the same normal deviates, so they follow each other far
// more closely (to 1e-4 nats when written). At ten times the rate some seeds' σ collapse in
// either precision, which says nothing about float32.
func TestGaussianFloat32TrainsAsFloat64(t *testing.T) {
	x := twoClusters(100, 1)
	const seeds = 8
	var ll [2][seeds]float64
	for s := range seeds {
		for i, prec := range []Precision{Float64, Float32} {
			c := smallConfig("pcd")
			c.VisibleUnits, c.Hidden, c.Batch, c.Epochs, c.LR, c.Optimizer = "gaussian", 3, 20, 100, 0.002, Adam
			c.Seed, c.Precision = uint64(s+1), prec
			_, ms := runToEnd(t, c, x)
			ll[i][s] = *ms[len(ms)-1].LogLikelihood
		}
	}
	mean := func(v []float64) float64 {
		var s float64
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	m64, m32 := mean(ll[0][:]), mean(ll[1][:])
	var ss float64
	for _, v := range ll[0] {
		ss += (v - m64) * (v - m64)
	}
	sd := math.Sqrt(ss / (seeds - 1))
	tol := 4 * sd * math.Sqrt(2.0/seeds)
	t.Logf("mean exact log-likelihood: float64 %.4f, float32 %.4f; seed spread (sd) %.4f; tolerance %.4f", m64, m32, sd, tol)
	t.Logf("per seed: float64 %.4f\n          float32 %.4f", ll[0], ll[1])
	if math.Abs(m32-m64) > tol {
		t.Fatalf("float32 mean %.4f differs from float64 mean %.4f by more than %.4f", m32, m64, tol)
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

// The gradient-bias meter reads the same on the float32 route as in float64 for a Gaussian–
// Bernoulli model (PCD-1, learned σ): both runs draw the same normal deviates, so their
// gradients differ by float32 rounding only, and the meter (which compares each with the
// exact gradient at the same minibatch, coupling terms included) must agree to about that.
// 1e-4 leaves room for the rounding to move a few chain states after ten epochs.
func TestGaussianBiasMeterFloat32(t *testing.T) {
	x := twoClusters(40, 3)
	var cos, rel [2][]float64
	for i, prec := range []Precision{Float64, Float32} {
		c := smallConfig("pcd")
		c.VisibleUnits, c.Hidden, c.Batch, c.Epochs, c.LR, c.Optimizer, c.Precision = "gaussian", 3, 10, 10, 0.002, Adam, prec
		_, ms := runToEnd(t, c, x)
		for _, m := range ms {
			if m.GradCosine == nil || m.GradRelError == nil {
				t.Fatalf("%s: epoch %d has no bias meter reading", prec, m.Epoch)
			}
			cos[i], rel[i] = append(cos[i], *m.GradCosine), append(rel[i], *m.GradRelError)
		}
	}
	t.Logf("cosine float64 %.6f\n       float32 %.6f", cos[0], cos[1])
	for e := range cos[0] {
		if math.Abs(cos[1][e]-cos[0][e]) > 1e-4 || math.Abs(rel[1][e]-rel[0][e]) > 1e-4 {
			t.Fatalf("epoch %d: float32 meter cosine %v, relative error %v; float64 %v, %v", e+1, cos[1][e], rel[1][e], cos[0][e], rel[0][e])
		}
	}
}
