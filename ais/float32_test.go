package ais

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// prototypeModel returns an nv×nh RBM built like a trained one: hidden unit j has a random
// prototype P_j ∈ {0,1}^nv (density 0.3), W_ij = +w where P_ij = 1 and −w/2 elsewhere, so
// the unit switches on near its prototype, c_j = −w·|P_j|/2 makes it off elsewhere, and the
// visible biases are around −1 (sparse images, as MNIST's). With w = 1 on 64×10 the
// distribution has a mode per combination of prototypes, far from the base-rate model:
// AIS has real work to do, unlike on a near-zero model.
func prototypeModel(nv, nh int, w float64, seed uint64) *rbm.RBM {
	r := rng.New(seed, 0x70726f746f)
	m := rbm.New(nv, nh)
	for j := range nh {
		on := 0
		for i := range nv {
			if r.Float64() < 0.3 {
				m.W.Set(i, j, w)
				on++
			} else {
				m.W.Set(i, j, -w/2)
			}
		}
		m.C()[j] = -w * float64(on) / 2
	}
	for i := range m.B() {
		m.B()[i] = -1 + 0.3*r.NormFloat64()
	}
	return m
}

func mustExactLogZ(t *testing.T, m *rbm.RBM) float64 {
	t.Helper()
	z, err := exact.LogZ(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// On enumerable models float32 AIS, forward and reverse, lands within its standard error
// plus 0.05 nats of the exact log Z (the acceptance criterion of issue 12), and within four
// standard errors of the difference of the float64 estimate with the same options. The
// reverse runs start at rows drawn by a long float64 Gibbs chain, close to exact draws.
func TestFloat32AgreesWithExact(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *rbm.RBM
	}{
		{"prototypes 64×10", prototypeModel(64, 10, 1, 1)},
		{"prototypes 100×12", prototypeModel(100, 12, 0.8, 2)},
	} {
		logZ := mustExactLogZ(t, tc.m)
		x := gibbsRows(tc.m, 100, 7)
		base := BaseRate(x, DefaultBaseRateSmoothing)
		for _, dir := range []string{"forward", "reverse"} {
			res := map[Precision]*Result{}
			for _, p := range []Precision{Float64, Float32} {
				opts := &Options{Betas: Schedule(1000), Seed: 5, BaseBias: base, Precision: p}
				if dir == "forward" {
					res[p] = mustForward(t, tc.m, opts)
				} else {
					res[p] = mustReverse(t, tc.m, x, opts)
				}
			}
			f32, f64 := res[Float32], res[Float64]
			t.Logf("%s %s: exact %.4f; float32 %+.4f ± %.4f, float64 %+.4f ± %.4f", tc.name, dir, logZ,
				f32.LogZ-logZ, f32.LogZStderr, f64.LogZ-logZ, f64.LogZStderr)
			if d := math.Abs(f32.LogZ - logZ); !(d <= f32.LogZStderr+0.05) {
				t.Errorf("%s %s float32: log Z %.5f, exact %.5f: off by %.4f, more than stderr %.4f + 0.05",
					tc.name, dir, f32.LogZ, logZ, d, f32.LogZStderr)
			}
			if d, se := math.Abs(f32.LogZ-f64.LogZ), math.Hypot(f32.LogZStderr, f64.LogZStderr); !(d <= 4*se) {
				t.Errorf("%s %s: float32 %.5f and float64 %.5f differ by %.4f, more than 4·%.4f",
					tc.name, dir, f32.LogZ, f64.LogZ, d, se)
			}
		}
	}
}

// gibbsRows returns n visible rows of m from n float64 Gibbs chains after 500 sweeps.
func gibbsRows(m *rbm.RBM, n int, seed uint64) *matrix.Dense {
	r := rng.New(seed, 0x6769)
	x := matrix.NewDense(n, m.NV())
	h := make([]float64, m.NH())
	for k := range n {
		v := x.Row(k)
		for range 500 {
			m.HiddenMeans(h, v)
			bernoulliInPlace(h, r)
			m.VisibleMeans(v, h)
			bernoulliInPlace(v, r)
		}
	}
	return x
}

func bernoulliInPlace(p []float64, r *rand.Rand) {
	for i, pi := range p {
		if r.Float64() < pi {
			p[i] = 1
		} else {
			p[i] = 0
		}
	}
}

// With W = 0 and b_A = b every float32 run carries the same weight, and the estimate is the
// closed form to float32 accuracy.
func TestFloat32ZeroWeights(t *testing.T) {
	m := randomModel(7, 5, 0, 1.5, 3)
	logZ := mustExactLogZ(t, m)
	res := mustForward(t, m, &Options{Betas: Schedule(500), BaseBias: m.B(), Runs: 10, Precision: Float32})
	if math.Abs(res.LogZ-logZ) > 1e-5 || res.LogZStderr != 0 {
		t.Errorf("log Z %v (exact %v), stderr %v; want within 1e-5, 0", res.LogZ, logZ, res.LogZStderr)
	}
}

// Float32 results do not depend on GOMAXPROCS either: rows are split over goroutines, each
// drawing from its own stream, and Sgemm's results do not depend on the split.
func TestFloat32DeterministicAcrossGOMAXPROCS(t *testing.T) {
	m := randomModel(40, 130, 0.3, 0.5, 4)
	if 300*130/minUnits32 < 3 {
		t.Fatal("model too small to exercise the parallel split")
	}
	checkSameAcrossThreads(t, m, &Options{Betas: Schedule(40), Seed: 9, Runs: 300, Precision: Float32})
}

// A float32 temperature step allocates nothing.
func TestFloat32NoAllocationsPerStep(t *testing.T) {
	m := randomModel(30, 20, 0.5, 0.5, 6)
	allocs := func(betas []float64) float64 {
		return testing.AllocsPerRun(2, func() {
			if _, err := Forward(ctx, m, &Options{Betas: betas, Runs: 200, Precision: Float32, UniformBase: true}); err != nil {
				t.Fatal(err)
			}
		})
	}
	if a, b := allocs(Schedule(10)), allocs(Schedule(100)); b > a {
		t.Errorf("%v allocations for 10 steps, %v for 100", a, b)
	}
}

func TestPrecisionOption(t *testing.T) {
	m := randomModel(4, 3, 1, 1, 1)
	if _, err := Forward(ctx, m, &Options{Precision: 2}); err == nil {
		t.Error("Precision 2 accepted")
	}
	if Float64.String() != "float64" || Float32.String() != "float32" {
		t.Errorf("names %q, %q", Float64, Float32)
	}
}
