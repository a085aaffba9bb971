package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
)

// One update in float32 moves the parameters as the float64 update does, to float32
// rounding of the gradient: the steps agree to 1e-5 relative to the largest step. (The
// chains draw the same uniforms in either precision; a sample differs only where a uniform
// falls between the two precisions' thresholds, about 1e-7 per unit, none here.)
func TestFloat32StepMatchesFloat64(t *testing.T) {
	for _, tc := range []struct {
		method   string
		centered bool
	}{{"cd", false}, {"pcd", false}, {"cd", true}, {"pcd", true}} {
		c := Defaults()
		c.Method, c.Hidden, c.Batch, c.K, c.Centered, c.ExactMonitor = Method(tc.method), 30, 20, 2, tc.centered, 0
		c.InitStd, c.LR = 0.3, 0.1
		x := randomBinary(40, 50, rand.New(rand.NewPCG(7, 1)))
		var steps [2][]float64
		for i, prec := range []string{"float64", "float32"} {
			c.Precision = Precision(prec)
			tr, err := New(c, x)
			if err != nil {
				t.Fatal(err)
			}
			before := tr.Model.Clone()
			if err := tr.update(x.Slice(0, c.Batch), false); err != nil {
				t.Fatal(err)
			}
			for _, p := range [][2][]float64{{tr.Model.W.Data, before.W.Data}, {tr.Model.B(), before.B()}, {tr.Model.C(), before.C()}} {
				for k := range p[0] {
					steps[i] = append(steps[i], p[0][k]-p[1][k])
				}
			}
		}
		var scale, worst float64
		for _, s := range steps[0] {
			scale = math.Max(scale, math.Abs(s))
		}
		for k := range steps[0] {
			worst = math.Max(worst, math.Abs(steps[1][k]-steps[0][k]))
		}
		if worst > 1e-5*scale {
			t.Errorf("%s centered=%v: float32 step differs from float64 by %.3g, largest step %.3g", tc.method, tc.centered, worst, scale)
		}
	}
}

// Float32 training reaches the exact log-likelihood float64 training reaches on 3×3
// bars-and-stripes (PCD-1, 16 hidden units, the full batch of 14, lr 0.02, momentum 0.5,
// 1000 updates: about −5.9 nats, against −9 ln 2 = −6.24 for the uniform model). Over 8
// seeds the mean final log-likelihoods may differ by at most 4 standard errors of a
// difference of two 8-seed means, the standard deviation taken from the float64 runs'
// seed-to-seed spread (0.035 nats when written, so a tolerance of about 0.07). The runs are
// paired by seed and draw the same uniforms, so the difference is in fact far smaller
// (3e-4 when written).
func TestFloat32TrainsAsFloat64(t *testing.T) {
	x := data.BarsAndStripes(3).X
	const seeds = 8
	var ll [2][seeds]float64
	for s := range seeds {
		for i, prec := range []string{"float64", "float32"} {
			c := smallConfig("pcd")
			c.Hidden, c.Epochs, c.Batch, c.LR, c.ExactMonitor = 16, 1000, 14, 0.02, 0
			c.Momentum = 0.5
			c.Seed, c.Precision = uint64(s+1), Precision(prec)
			tr, _ := runToEnd(t, c, x)
			lz, err := exact.LogZ(tr.Model, nil)
			if err != nil {
				t.Fatal(err)
			}
			ll[i][s] = exact.MeanLogLikelihood(tr.Model, x, lz)
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

// Float32 runs give byte-identical models whatever GOMAXPROCS is, Bernoulli and Gaussian.
func TestFloat32DeterministicAcrossGOMAXPROCS(t *testing.T) {
	x := data.BarsAndStripes(4).X
	for _, method := range []string{"cd", "pcd"} {
		c := smallConfig(method)
		c.Hidden, c.Batch, c.Epochs, c.ExactMonitor, c.Precision, c.Centered = 20, 10, 3, 0, "float32", true
		if !sameAcrossGOMAXPROCS(t, c, x) {
			t.Fatalf("%s: GOMAXPROCS=1 and GOMAXPROCS=2 gave different model files", method)
		}
		c.VisibleUnits, c.Optimizer, c.LR, c.Centered = "gaussian", Adam, 0.002, false
		if !sameAcrossGOMAXPROCS(t, c, twoClusters(40, 5)) {
			t.Fatalf("gaussian %s: GOMAXPROCS=1 and GOMAXPROCS=2 gave different model files", method)
		}
	}
}
