package ais

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

var ctx = context.Background()

func mustForward(t *testing.T, m *rbm.RBM, opts *Options) *Result {
	t.Helper()
	res, err := Forward(ctx, m, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mustReverse(t *testing.T, m *rbm.RBM, x *matrix.Dense, opts *Options) *Result {
	t.Helper()
	res, err := Reverse(ctx, m, x, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// modelBaseRate is the base rate of 1000 exact draws from m: what BaseRate gives on data
// that m fits perfectly.
func modelBaseRate(m *rbm.RBM) []float64 {
	return BaseRate(oracle.Samples(m, 1000, rng.New(1, 0xba5e)), DefaultBaseRateSmoothing)
}

// With W = 0 and b_A = b every run carries the same weight Π_k exp(Σ_j softplus(β_k c_j) −
// softplus(β_{k−1} c_j)), so the estimate is exact and its standard error is zero.
func TestZeroWeightsExact(t *testing.T) {
	m := randomModel(7, 5, 0, 1.5, 3)
	exact := oracle.LogZ(m)
	// Closed form: log Z = Σ_i softplus(b_i) + Σ_j softplus(c_j) for W = 0.
	var closed float64
	for _, b := range m.B() {
		closed += math.Log1p(math.Exp(b))
	}
	for _, c := range m.C() {
		closed += math.Log1p(math.Exp(c))
	}
	if math.Abs(exact-closed) > 1e-12 {
		t.Fatalf("brute force %v, closed form %v", exact, closed)
	}
	for _, betas := range [][]float64{Schedule(50), Linear(7), {0, 1}} {
		res := mustForward(t, m, &Options{Betas: betas, BaseBias: m.B(), Runs: 10})
		if math.Abs(res.LogZ-exact) > 1e-12 || res.LogZStderr != 0 || res.ESS != 10 {
			t.Errorf("%d steps: log Z %v (exact %v), stderr %v, ESS %v; want exact, 0, 10",
				len(betas)-1, res.LogZ, exact, res.LogZStderr, res.ESS)
		}
		for _, lw := range res.LogWeights {
			if lw != res.LogWeights[0] {
				t.Fatalf("weights differ: %v", res.LogWeights)
			}
		}
		rev := mustReverse(t, m, oracle.Samples(m, 10, rng.New(2, 0)), &Options{Betas: betas, BaseBias: m.B(), Runs: 10})
		if math.Abs(rev.LogZ-exact) > 1e-12 || rev.LogZStderr != 0 {
			t.Errorf("reverse, %d steps: log Z %v (exact %v), stderr %v", len(betas)-1, rev.LogZ, exact, rev.LogZStderr)
		}
	}
}

// On enumerable models of several shapes the estimate lies within 4 of its own standard
// errors of the brute-force log Z, forward and reverse (started at exact draws).
func TestWithinStandardErrors(t *testing.T) {
	for _, tc := range []struct {
		nv, nh     int
		wStd, bStd float64
		rate       bool
	}{
		{4, 3, 1, 1, false},
		{8, 5, 1, 0.5, true},
		{10, 6, 1.5, 0.5, false},
		{6, 10, 1, 1, true},
		{10, 10, 0.5, 2, true},
	} {
		m := randomModel(tc.nv, tc.nh, tc.wStd, tc.bStd, uint64(tc.nv*100+tc.nh))
		exact := oracle.LogZ(m)
		opts := &Options{Betas: Schedule(1000), Seed: 11, UniformBase: true}
		if tc.rate {
			opts.BaseBias = modelBaseRate(m)
		}
		fwd := mustForward(t, m, opts)
		rev := mustReverse(t, m, oracle.Samples(m, 100, rng.New(3, 0)), opts)
		for _, r := range []struct {
			name string
			res  *Result
		}{{"forward", fwd}, {"reverse", rev}} {
			if d := math.Abs(r.res.LogZ - exact); d > 4*r.res.LogZStderr || !(r.res.LogZStderr > 0) {
				t.Errorf("%d×%d %s: log Z %.5f, exact %.5f: off by %.4f, stderr %.4f",
					tc.nv, tc.nh, r.name, r.res.LogZ, exact, d, r.res.LogZStderr)
			}
			if r.res.Lower3 != r.res.LogZ-3*r.res.LogZStderr || r.res.Upper3 != r.res.LogZ+3*r.res.LogZStderr {
				t.Errorf("%d×%d %s: ±3σ band [%v, %v] around %v ± %v", tc.nv, tc.nh, r.name, r.res.Lower3, r.res.Upper3, r.res.LogZ, r.res.LogZStderr)
			}
			if !(r.res.ESS >= 1 && r.res.ESS <= 100) {
				t.Errorf("%d×%d %s: ESS %v outside [1, 100]", tc.nv, tc.nh, r.name, r.res.ESS)
			}
		}
	}
}

// With 100 runs on a 10×6 model with W ~ N(0, 1) and the base rate of its own samples, the
// error falls below 0.5, 0.05 and 0.005 nats at 100, 1000 and 10,000 temperatures (three
// seeds each). AIS noise shrinks like 1/√K, so a model whose 100-temperature error is
// visible has a 10,000-temperature standard error not far below 0.005: this one's are about
// 0.01, 0.003 and 0.001. The test is not vacuous: at 100 temperatures the error and the
// standard error exceed the 10,000-temperature tolerance, and with the uniform base model
// the 100-temperature standard error exceeds the 1000-temperature one.
func TestAccuracyImprovesWithTemperatures(t *testing.T) {
	m := randomModel(10, 6, 1, 0.5, 1)
	exact := oracle.LogZ(m)
	base := modelBaseRate(m)
	tolerance := map[int]float64{100: 0.5, 1000: 0.05, 10000: 0.005}
	var rms100, se100 float64
	for _, k := range []int{100, 1000, 10000} {
		betas := Schedule(k)
		for seed := uint64(1); seed <= 3; seed++ {
			res := mustForward(t, m, &Options{Betas: betas, Seed: seed, BaseBias: base})
			err := res.LogZ - exact
			t.Logf("%5d temperatures, seed %d: error %+.5f, stderr %.5f", k, seed, err, res.LogZStderr)
			if math.Abs(err) >= tolerance[k] {
				t.Errorf("%d temperatures, seed %d: |error| %.5f ≥ %v", k, seed, math.Abs(err), tolerance[k])
			}
			if k == 100 {
				rms100 += err * err / 3
				se100 = max(se100, res.LogZStderr)
			}
		}
	}
	if rms100 = math.Sqrt(rms100); rms100 <= tolerance[10000] || se100 <= tolerance[10000] {
		t.Errorf("100 temperatures: rms error %.5f, stderr %.5f: the 10,000-temperature tolerance %v does not separate them",
			rms100, se100, tolerance[10000])
	}
	uniform := mustForward(t, m, &Options{Betas: Schedule(100), Seed: 1, UniformBase: true})
	if uniform.LogZStderr <= tolerance[1000] {
		t.Errorf("uniform base, 100 temperatures: stderr %.4f, want above %v", uniform.LogZStderr, tolerance[1000])
	}
}

// AIS under-estimates log Z in expectation and reverse AIS from exact draws over-estimates
// it (Jensen's inequality on unbiased estimates of Z/Z_A and Z_A/Z). With 2 runs and 100
// temperatures on a model with W ~ N(0, 4) the bias is about ∓0.4 nats, six standard
// errors of the mean over 100 seeds; the test asks for three.
func TestBracketsExactOnAverage(t *testing.T) {
	m := randomModel(10, 6, 2, 0.5, 1)
	exact := oracle.LogZ(m)
	const seeds = 100
	var fwd, rev, gap meanVar
	for s := uint64(0); s < seeds; s++ {
		x := oracle.Samples(m, 2, rng.New(s, 77))
		br, err := Sandwich(ctx, m, x, &Options{Betas: Schedule(100), Seed: s, Runs: 2, BaseBias: make([]float64, 10)})
		if err != nil {
			t.Fatal(err)
		}
		fwd.add(br.Forward.LogZ - exact)
		rev.add(br.Reverse.LogZ - exact)
		gap.add(br.Gap)
		if br.Gap != br.Reverse.LogZ-br.Forward.LogZ || br.Verdict != JudgeBracket(&br.Forward, &br.Reverse, DefaultGapThreshold) || br.Trustworthy != (br.Verdict == Consistent) {
			t.Fatalf("bracket fields inconsistent: %+v", br)
		}
	}
	t.Logf("forward − exact %+.4f ± %.4f, reverse − exact %+.4f ± %.4f, gap %.4f",
		fwd.mean(), fwd.se(), rev.mean(), rev.se(), gap.mean())
	if fwd.mean() > -3*fwd.se() {
		t.Errorf("forward AIS does not fall below log Z on average: %+.4f ± %.4f", fwd.mean(), fwd.se())
	}
	if rev.mean() < 3*rev.se() {
		t.Errorf("reverse AIS does not rise above log Z on average: %+.4f ± %.4f", rev.mean(), rev.se())
	}
}

type meanVar struct{ n, s, s2 float64 }

func (a *meanVar) add(x float64) { a.n++; a.s += x; a.s2 += x * x }
func (a *meanVar) mean() float64 { return a.s / a.n }
func (a *meanVar) se() float64 {
	m := a.mean()
	return math.Sqrt((a.s2/a.n - m*m) / (a.n - 1))
}

// The same seed gives the same bits whatever GOMAXPROCS is; the model and the number of
// runs are large enough that the rows are split over goroutines.
func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	m := randomModel(40, 30, 0.3, 0.5, 4)
	if 300*(40+30) < minParallelWork {
		t.Fatal("model too small to exercise the parallel split")
	}
	checkSameAcrossThreads(t, m, &Options{Betas: Schedule(60), Seed: 9, Runs: 300})
}

// checkSameAcrossThreads fails t unless Sandwich gives the same forward and reverse log
// weights, to the bit, with 1, 2 and 3 threads.
func checkSameAcrossThreads(t *testing.T, m *rbm.RBM, opts *Options) {
	t.Helper()
	x := exactRowsFromForward(m)
	run := func(procs int) []float64 {
		defer runtime.GOMAXPROCS(par.SetThreads(procs))
		br, err := Sandwich(ctx, m, x, opts)
		if err != nil {
			t.Fatal(err)
		}
		return append(br.Forward.LogWeights, br.Reverse.LogWeights...)
	}
	want := run(1)
	for _, procs := range []int{2, 3} {
		for i, g := range run(procs) {
			if math.Float64bits(want[i]) != math.Float64bits(g) {
				t.Fatalf("GOMAXPROCS %d: log weight %d (forward, then reverse) is %v, with GOMAXPROCS 1 %v", procs, i, g, want[i])
			}
		}
	}
}

// exactRowsFromForward returns some binary rows for a model too large to enumerate.
func exactRowsFromForward(m *rbm.RBM) *matrix.Dense {
	r := rng.New(5, 5)
	x := matrix.NewDense(50, m.NV())
	for i := range x.Data {
		if r.Float64() < 0.3 {
			x.Data[i] = 1
		}
	}
	return x
}

// A temperature step allocates nothing: the allocations of a run do not grow with the
// number of steps.
func TestNoAllocationsPerStep(t *testing.T) {
	m := randomModel(30, 20, 0.5, 0.5, 6)
	short, long := Schedule(10), Schedule(100)
	allocs := func(betas []float64) float64 {
		return testing.AllocsPerRun(2, func() {
			if _, err := Forward(ctx, m, &Options{Betas: betas, Runs: 200, UniformBase: true}); err != nil {
				t.Fatal(err)
			}
		})
	}
	if a, b := allocs(short), allocs(long); b > a {
		t.Errorf("%v allocations for 10 steps, %v for 100", a, b)
	}
}

func TestSchedule(t *testing.T) {
	s := Schedule(DefaultSteps)
	if len(s) != DefaultSteps+1 || s[0] != 0 || s[500] != 0.5 || s[4500] != 0.9 || s[DefaultSteps] != 1 {
		t.Fatalf("Schedule(14500): len %d, β[500] %v, β[4500] %v, last %v", len(s), s[500], s[4500], s[len(s)-1])
	}
	for k, step := range map[int]float64{1: 1e-3, 499: 1e-3, 600: 1e-4, 4499: 1e-4, 5000: 1e-5, DefaultSteps: 1e-5} {
		if d := s[k] - s[k-1]; math.Abs(d-step) > 1e-12 {
			t.Errorf("step %d is %v, want %v", k, d, step)
		}
	}
	for _, n := range []int{1, 2, 3, 28, 29, 100, 1000, 14500} {
		for _, betas := range [][]float64{Schedule(n), Linear(n)} {
			if len(betas) != n+1 {
				t.Errorf("n = %d: %d inverse temperatures", n, len(betas))
			}
			if err := CheckSchedule(betas); err != nil {
				t.Errorf("n = %d: %v", n, err)
			}
		}
	}
	if s := Schedule(29); s[1] != 0.5 || s[9] != 0.9 { // 1 : 8 : 20 steps
		t.Errorf("Schedule(29) = %v", s)
	}
}

func TestScheduleErrors(t *testing.T) {
	m := randomModel(4, 3, 1, 1, 1)
	for _, betas := range [][]float64{
		{}, {0}, {1}, {0.1, 1}, {0, 0.5}, {0, 0.5, 0.5, 1}, {0, 0.6, 0.5, 1}, {0, 1.5, 1},
		{0, math.NaN(), 1}, {0, 1, 1},
	} {
		var se *ScheduleError
		if err := CheckSchedule(betas); !errors.As(err, &se) {
			t.Errorf("%v: CheckSchedule gave %v, want a *ScheduleError", betas, err)
		}
		if _, err := Forward(ctx, m, &Options{Betas: betas, UniformBase: true}); !errors.As(err, &se) {
			t.Errorf("%v: Forward gave %v, want a *ScheduleError", betas, err)
		}
	}
}

func TestErrors(t *testing.T) {
	m := randomModel(4, 3, 1, 1, 1)
	x := oracle.Samples(m, 5, rng.New(1, 1))
	short := Schedule(10)
	for _, runs := range []int{1, -3} {
		if _, err := Forward(ctx, m, &Options{Runs: runs, Betas: short}); err == nil {
			t.Errorf("Runs = %d: no error", runs)
		}
	}
	bad := m.Clone()
	bad.W.Data[2] = math.NaN()
	if _, err := Forward(ctx, bad, &Options{Betas: short}); err == nil {
		t.Error("NaN weight: no error")
	}
	grey := x.Clone()
	grey.Data[3] = 0.5
	if _, err := Reverse(ctx, m, grey, &Options{Betas: short}); err == nil {
		t.Error("grey data: no error")
	}
	if _, err := Reverse(ctx, m, matrix.NewDense(0, 4), &Options{Betas: short}); err == nil {
		t.Error("no rows: no error")
	}
	if _, err := Forward(ctx, m, &Options{Betas: short, BaseBias: []float64{0, math.Inf(1), 0, 0}}); err == nil {
		t.Error("infinite base bias: no error")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Forward(cancelled, m, &Options{Betas: Schedule(1000), UniformBase: true}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestProgress(t *testing.T) {
	m := randomModel(4, 3, 1, 1, 1)
	var calls, last, total int
	_, err := Sandwich(ctx, m, oracle.Samples(m, 5, rng.New(1, 1)), &Options{Betas: Linear(20), Progress: func(d, n int) {
		if d <= last {
			t.Fatalf("progress went from %d to %d", last, d)
		}
		calls, last, total = calls+1, d, n
	}})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 40 || last != 40 || total != 40 {
		t.Errorf("%d calls, last %d of %d; want 40 of 40", calls, last, total)
	}
}

func TestBaseRate(t *testing.T) {
	x := &matrix.Dense{Rows: 4, Cols: 3, Data: []float64{1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0}}
	b := BaseRate(x, 0.05)
	want := []float64{math.Log(1.05 / 0.05), math.Log(0.05 / 1.05), 0}
	for i := range want {
		if math.Abs(b[i]-want[i]) > 1e-15 {
			t.Errorf("b_A[%d] = %v, want %v", i, b[i], want[i])
		}
	}
	if z := BaseRate(matrix.NewDense(0, 3), 0.05); z[0] != 0 || len(z) != 3 {
		t.Errorf("no rows: %v", z)
	}
}

// Judge flags both sides: a bracket wider than the threshold, and a reverse estimate below
// the forward one by more than 3 standard errors of the difference (here sqrt(0.3²+0.4²) =
// 0.5, so the floor is −1.5).
func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		gap, fwdSE, revSE, threshold float64
		want                         Verdict
	}{
		{0.5, 0.3, 0.4, 1, Consistent},
		{1, 0.3, 0.4, 1, Consistent},
		{1.0001, 0.3, 0.4, 1, GapTooWide},
		{50, 0, 0, 1, GapTooWide},
		{math.NaN(), 0.3, 0.4, 1, GapTooWide},
		{-1.4999, 0.3, 0.4, 1, Consistent},
		{-1.5001, 0.3, 0.4, 1, Inverted},
		{-0.8, 0.3, 0.4, 1, Consistent}, // within noise though |gap| would pass anyway
		{-2, 0.3, 0.4, 5, Inverted},     // |gap| ≤ threshold, but beyond the noise: the old test missed it
		{-1e-9, 0, 0, 1, Inverted},      // no noise at all: any negative gap is inverted
	} {
		if got := Judge(tc.gap, tc.fwdSE, tc.revSE, tc.threshold); got != tc.want {
			t.Errorf("Judge(%v, %v, %v, %v) = %v, want %v", tc.gap, tc.fwdSE, tc.revSE, tc.threshold, got, tc.want)
		}
	}
	if NoiseFloor(0.3, 0.4) != -1.5 {
		t.Errorf("NoiseFloor(0.3, 0.4) = %v, want -1.5", NoiseFloor(0.3, 0.4))
	}
}

// JudgeBracket adds the effective-sample-size check to Judge: a bracket whose gap is fine but
// whose forward or reverse weights are carried by a few runs is LowESS; a gap that fails
// Judge keeps Judge's verdict, whatever the ESS. The 16-run case is the one a 10-epoch MNIST
// model gave (forward ESS 1.4 of 16), which the gap check alone called trustworthy.
func TestJudgeBracket(t *testing.T) {
	res := func(logZ, se, ess float64, runs int) *Result {
		return &Result{LogZ: logZ, LogZStderr: se, ESS: ess, Runs: runs}
	}
	for _, tc := range []struct {
		fwd, rev *Result
		want     Verdict
	}{
		{res(100, 0.1, 50, 100), res(100.2, 0.1, 40, 100), Consistent},
		{res(100, 0.1, 10, 100), res(100.2, 0.1, 10, 100), Consistent}, // exactly MinESS(100) = 10
		{res(100, 0.1, 9.9, 100), res(100.2, 0.1, 40, 100), LowESS},
		{res(100, 0.1, 50, 100), res(100.2, 0.1, 9.9, 100), LowESS},
		{res(100, 0.1, 1.4, 16), res(100.1, 0.1, 8, 16), LowESS},
		{res(100, 0.1, 3, 16), res(100.1, 0.1, 8, 16), Consistent}, // MinESS(16) = 3
		{res(100, 0.1, 1.4, 16), res(110, 0.1, 8, 16), GapTooWide},
		{res(100, 0.1, 50, 100), res(98, 0.1, 50, 100), Inverted},
	} {
		if got := JudgeBracket(tc.fwd, tc.rev, 1); got != tc.want {
			t.Errorf("JudgeBracket(fwd ESS %v of %d, rev ESS %v, gap %v) = %v, want %v",
				tc.fwd.ESS, tc.fwd.Runs, tc.rev.ESS, tc.rev.LogZ-tc.fwd.LogZ, got, tc.want)
		}
	}
	if MinESS(100) != 10 || MinESS(16) != 3 || MinESS(2) != 3 {
		t.Errorf("MinESS: %v %v %v", MinESS(100), MinESS(16), MinESS(2))
	}
}

// LogLikelihood on an enumerable model agrees with the exact mean log-likelihood within
// the bracket's errors, and its two estimates bracket it.
func TestLogLikelihoodMatchesExact(t *testing.T) {
	m := randomModel(10, 8, 0.5, 0.5, 3)
	x := oracle.Samples(m, 200, rng.New(4, 0))
	logZ := oracle.LogZ(m)
	var want float64
	for _, f := range m.FreeEnergyBatch(nil, x, nil) {
		want -= f
	}
	want = want/float64(x.Rows) - logZ
	est, err := LogLikelihood(context.Background(), m, x, &LogLikelihoodOptions{
		Options: Options{Runs: 100, Betas: Schedule(2000), Seed: 1}, ReverseSweeps: 200,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(est.Mean - want); d > 4*est.Stderr+0.02 {
		t.Errorf("forward %v ± %v, exact %v", est.Mean, est.Stderr, want)
	}
	if d := math.Abs(est.Reverse - want); d > 0.05 {
		t.Errorf("reverse %v, exact %v", est.Reverse, want)
	}
	if !est.Bracket.Trustworthy || est.DataStderr <= 0 {
		t.Errorf("verdict %v, data s.e. %v on an easy model", est.Bracket.Verdict, est.DataStderr)
	}
}

// Forward and Reverse refuse to start the Bernoulli path from a base nobody chose: a nil
// BaseBias is an error naming the choice, unless UniformBase asks for the uniform base.
func TestBaseMustBeChosen(t *testing.T) {
	m := randomModel(6, 4, 0.5, 0.5, 9)
	short := Schedule(10)
	if _, err := Forward(ctx, m, &Options{Betas: short}); err == nil || !strings.Contains(err.Error(), "UniformBase") {
		t.Errorf("Forward without a base: %v", err)
	}
	if _, err := Reverse(ctx, m, oracle.Samples(m, 4, rng.New(1, 0)), nil); err == nil {
		t.Error("Reverse without a base: no error")
	}
	if _, err := Forward(ctx, m, &Options{Betas: short, UniformBase: true}); err != nil {
		t.Errorf("Forward with UniformBase: %v", err)
	}
}
