package exact

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// randomModel returns an nv×nh Bernoulli RBM with W, b, c ~ N(0, std²). The brute-force
// sums the tests check against are internal/oracle's.
func randomModel(nv, nh int, std float64, seed uint64) *rbm.RBM {
	return oracle.RandomModel(nv, nh, std, std, rand.New(rand.NewPCG(seed, 2)))
}

func randomRows(rows, n int, seed uint64) *matrix.Dense {
	r := rand.New(rand.NewPCG(seed, 3))
	x := matrix.NewDense(rows, n)
	for i := range x.Data {
		x.Data[i] = float64(r.IntN(2))
	}
	return x
}

func relErr(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}

func mustLogZ(t *testing.T, m *rbm.RBM, opts *Options) float64 {
	t.Helper()
	lz, err := LogZ(m, opts)
	if err != nil {
		t.Fatal(err)
	}
	return lz
}

// The double sum over v and h of exp(−E) agrees with the free-energy forms of log Z, whichever
// layer is enumerated, and so does log p(v) = log Σ_h exp(−E(v,h)) − log Z.
func TestLogZMatchesBruteForce(t *testing.T) {
	for _, sz := range [][2]int{{5, 4}, {4, 7}, {1, 1}, {3, 9}} {
		for seed := uint64(1); seed <= 3; seed++ {
			m := randomModel(sz[0], sz[1], 1, seed)
			want := oracle.LogZJoint(m)
			for _, side := range []Side{Auto, Visible, Hidden} {
				got := mustLogZ(t, m, &Options{Enumerate: side})
				if relErr(got, want) > 1e-12 {
					t.Errorf("%v seed %d side %v: log Z = %.17g, brute force %.17g", sz, seed, side, got, want)
				}
			}
			vs := oracle.States(sz[0])
			lp := LogProb(nil, m, vs, want)
			for a, p := range oracle.NewJoint(m, 1).VisibleMarginal() {
				if w := math.Log(p); math.Abs(lp[a]-w) > 1e-12*math.Max(1, math.Abs(w)) {
					t.Errorf("%v seed %d: log p(%v) = %v, brute force %v", sz, seed, vs.Row(a), lp[a], w)
				}
			}
		}
	}
}

// Enumerating v and enumerating h give the same log Z, and the fast kernel agrees with the
// generic Energy/LogNormalizer path, including models whose units fall in every class of the
// fast kernel (zero, linear, product of either sign, slow).
func TestLogZSidesAndKernelsAgree(t *testing.T) {
	models := map[string]*rbm.RBM{}
	for seed := uint64(1); seed <= 4; seed++ {
		models["random 12x10 std 1 seed "+string(rune('0'+seed))] = randomModel(12, 10, 1, seed)
	}
	models["wide std 40"] = randomModel(10, 11, 40, 9)              // many slow units
	models["std 3"] = randomModel(13, 9, 3, 5)                      // mixed signs
	models["large 200x10 std 0.05"] = randomModel(200, 10, 0.05, 6) // padding, several blocks
	biased := randomModel(8, 9, 1, 7)
	for i := range biased.B() {
		biased.B()[i] = []float64{1e3, -1e3, 50, -50}[i%4]
	}
	models["biases ±1e3, ±50"] = biased
	for name, m := range models {
		sides := []bool{true}
		if m.NV() <= 16 {
			sides = append(sides, false)
			lv := mustLogZ(t, m, &Options{Enumerate: Visible})
			lh := mustLogZ(t, m, &Options{Enumerate: Hidden})
			if relErr(lv, lh) > 1e-10 {
				t.Errorf("%s: log Z enumerating v %.17g, enumerating h %.17g", name, lv, lh)
			}
		}
		for _, hidden := range sides {
			v, err := sideView(m, hidden, DefaultMaxStates)
			if err != nil {
				t.Fatal(err)
			}
			fast, slow := newFastLogZ(v).logZ(nil), v.logZGeneric(nil)
			if relErr(fast, slow) > 1e-12 {
				t.Errorf("%s hidden=%v: fast %.17g, generic %.17g", name, hidden, fast, slow)
			}
		}
	}
}

// The fast kernel assigns the intended classes on a hand-made model.
func TestClassify(t *testing.T) {
	bits := []int{2, 1}
	for _, c := range []struct {
		w     []float64
		b     float64
		class unitClass
		sign  float64
	}{
		{[]float64{1, -1, 2}, 0, classProduct, 1},
		{[]float64{1, 1, 1}, 84, classProduct, -1},
		{[]float64{1, 1, 1}, -800, classZero, 0},
		{[]float64{1, 1, 1}, 800, classLinear, 0},
		{[]float64{100, -100, 0}, 0, classSlow, 0},
		// Every partial range is within ±700 but the table of the last group, e^{b+…},
		// reaches e^−750: a product unit would lose its bits, so it is slow.
		{[]float64{40, 0, 0}, -750, classSlow, 0},
	} {
		class, sign, _ := classify(c.w, c.b, bits)
		if class != c.class || sign != c.sign {
			t.Errorf("w %v b %v: class %v sign %v, want %v %v", c.w, c.b, class, sign, c.class, c.sign)
		}
	}
}

// With W = 0 the layers are independent: log Z = Σ_i softplus(b_i) + Σ_j softplus(c_j).
func TestLogZIndependentClosedForm(t *testing.T) {
	m := randomModel(7, 5, 2, 11)
	clear(m.W.Data)
	var want float64
	for _, b := range m.B() {
		want += numeric.Softplus(b)
	}
	for _, c := range m.C() {
		want += numeric.Softplus(c)
	}
	for _, side := range []Side{Visible, Hidden} {
		if got := mustLogZ(t, m, &Options{Enumerate: side}); relErr(got, want) > 1e-13 {
			t.Errorf("side %v: log Z = %.17g, closed form %.17g", side, got, want)
		}
	}
}

// Σ_v p(v) = 1.
func TestProbabilitiesSumToOne(t *testing.T) {
	m := randomModel(9, 4, 1, 3)
	lz := mustLogZ(t, m, nil)
	var acc numeric.LogSumExpAcc
	for _, lp := range LogProb(nil, m, oracle.States(9), lz) {
		acc.Add(lp)
	}
	if s := acc.Value(); math.Abs(s) > 1e-13 {
		t.Errorf("log Σ_v p(v) = %v, want 0", s)
	}
}

// Biases of ±1e3 give a finite log Z, equal to the closed form when W = 0.
func TestExtremeBiases(t *testing.T) {
	m := randomModel(6, 5, 1, 4)
	for i := range m.B() {
		m.B()[i] = 1e3 * float64(1-2*(i%2))
	}
	for j := range m.C() {
		m.C()[j] = -1e3 * float64(1-2*(j%2))
	}
	for _, side := range []Side{Visible, Hidden} {
		lz := mustLogZ(t, m, &Options{Enumerate: side})
		if math.IsNaN(lz) || math.IsInf(lz, 0) {
			t.Fatalf("side %v: log Z = %v", side, lz)
		}
		if want := oracle.LogZJoint(m); relErr(lz, want) > 1e-12 {
			t.Errorf("side %v: log Z = %.17g, brute force %.17g", side, lz, want)
		}
	}
}

func TestErrTooLarge(t *testing.T) {
	m := rbm.New(50, 40)
	_, err := LogZ(m, nil)
	var tl *ErrTooLarge
	if !errors.As(err, &tl) {
		t.Fatalf("LogZ of 50×40: err = %v, want *ErrTooLarge", err)
	}
	if tl.Layer != "hidden" || tl.Units != 40 || tl.States != math.Exp2(40) || tl.Max != DefaultMaxStates {
		t.Errorf("ErrTooLarge = %+v", tl)
	}
	if msg := err.Error(); !strings.Contains(msg, "enumeration of 2^40 states exceeds the limit of 2^32 states") {
		t.Errorf("message %q", msg)
	}
	if _, err := LogZ(rbm.New(12, 12), &Options{MaxStates: 1000}); !errors.As(err, &tl) {
		t.Errorf("MaxStates 1000, 2^12 states: err = %v", err)
	} else if !strings.Contains(err.Error(), "limit of 1000 states") {
		t.Errorf("message %q", err)
	}
	if _, err := Entropy(rbm.New(40, 3), nil); !errors.As(err, &tl) || tl.Layer != "visible" {
		t.Errorf("Entropy with nv = 40: err = %v, want *ErrTooLarge on the visible layer", err)
	}
	if _, err := LogZ(rbm.New(3, 3), &Options{MaxStates: -1}); err == nil {
		t.Error("MaxStates -1: no error")
	}
	bad := rbm.New(3, 3)
	bad.W.Data[4] = math.NaN()
	if _, err := LogZ(bad, nil); err == nil {
		t.Error("NaN weight: no error")
	}
}

// The result does not depend on GOMAXPROCS: partial sums are merged in a fixed order.
func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	m := randomModel(60, 14, 0.3, 8)
	small := randomModel(10, 6, 1, 8)
	x := randomRows(20, 10, 1)
	run := func(procs int) (float64, float64, *rbm.Grad) {
		defer runtime.GOMAXPROCS(par.SetThreads(procs))
		lz := mustLogZ(t, m, nil)
		lzg := mustLogZ(t, randomModel(60, 14, 0.3, 8), &Options{Enumerate: Hidden})
		g, err := Gradient(small, x, nil)
		if err != nil {
			t.Fatal(err)
		}
		return lz, lzg, g
	}
	a1, b1, g1 := run(1)
	a2, b2, g2 := run(2)
	a4, b4, g4 := run(4)
	if a1 != a2 || a1 != a4 || b1 != b2 || b1 != b4 {
		t.Errorf("log Z differs with GOMAXPROCS: %v %v %v", a1, a2, a4)
	}
	for k, p := range g1.Parts() {
		for i, v := range p.X {
			if v != g2.Parts()[k].X[i] || v != g4.Parts()[k].X[i] {
				t.Fatalf("gradient %s[%d] differs with GOMAXPROCS", p.Name, i)
			}
		}
	}
}

// Model moments by brute force over the joint: Σ_{v,h} p(v,h)·(v hᵀ, v, h).
func bruteModelMoments(m *rbm.RBM) *rbm.Grad {
	j := oracle.NewJoint(m, 1)
	v, h := make([]float64, m.NV()), make([]float64, m.NH())
	g := rbm.GradLike(m)
	for s, p := range j.P {
		j.Unpack(s, v, h)
		addMoments(g, p, v, h)
	}
	return g
}

// addMoments adds p·(v hᵀ, v, h) to g.
func addMoments(g *rbm.Grad, p float64, v, h []float64) {
	for i := range v {
		g.B()[i] += p * v[i]
		for k := range h {
			g.W.Data[i*len(h)+k] += p * v[i] * h[k]
		}
	}
	for k := range h {
		g.C()[k] += p * h[k]
	}
}

func TestModelMomentsMatchBruteForce(t *testing.T) {
	for _, sz := range [][2]int{{5, 4}, {4, 7}} {
		m := randomModel(sz[0], sz[1], 1, 21)
		want := bruteModelMoments(m)
		for _, side := range []Side{Visible, Hidden} {
			got, err := ModelMoments(m, &Options{Enumerate: side})
			if err != nil {
				t.Fatal(err)
			}
			for k, p := range got.Parts() {
				for i, v := range p.X {
					if w := want.Parts()[k].X[i]; math.Abs(v-w) > 1e-13 {
						t.Errorf("%v side %v: ⟨%s⟩[%d] = %v, brute force %v", sz, side, p.Name, i, v, w)
					}
				}
			}
		}
	}
}

// The analytic gradient matches finite differences of the exact mean log-likelihood.
func TestGradCheck(t *testing.T) {
	for _, sz := range [][2]int{{5, 4}, {4, 7}, {6, 3}} {
		for seed := uint64(1); seed <= 3; seed++ {
			m := randomModel(sz[0], sz[1], 0.7, seed)
			x := randomRows(13, sz[0], seed)
			copy(x.Row(12), x.Row(3)) // a repeated row
			res, err := GradCheck(m, x, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.MaxRelError > 1e-6 {
				t.Errorf("%v seed %d: max relative error %v (blocks %+v)", sz, seed, res.MaxRelError, res.Blocks)
			}
			if res.Blocks[0].Name != "W" || len(res.Blocks[0].WorstIndex) != 2 || res.Blocks[2].Name != "c" {
				t.Errorf("blocks %+v", res.Blocks)
			}
		}
	}
}

// A wrong gradient is caught: GradCheck's errors are large when the analytic gradient is off.
func TestGradCheckDetectsError(t *testing.T) {
	m := randomModel(4, 3, 0.7, 2)
	x := randomRows(8, 4, 2)
	res, err := GradCheck(m, x, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Analytic.W.Data[5] += 1e-3
	res.compare(m)
	if res.MaxRelError < 1e-4 || res.Blocks[0].WorstIndex[0] != 5/3 || res.Blocks[0].WorstIndex[1] != 5%3 {
		t.Errorf("perturbed analytic gradient: %+v", res.Blocks[0])
	}
}

func TestKL(t *testing.T) {
	m := randomModel(5, 4, 1, 31)
	lz := mustLogZ(t, m, nil)
	// Distinct rows: KL = −log N... = −H(data) − mean log-likelihood with H = log N.
	x := oracle.States(5).Slice(3, 11)
	kl := KL(m, x, lz)
	if want := -math.Log(8) - MeanLogLikelihood(m, x, lz); math.Abs(kl-want) > 1e-13 {
		t.Errorf("distinct rows: KL = %v, want %v", kl, want)
	}
	if kl < 0 {
		t.Errorf("KL = %v < 0", kl)
	}
	// Duplicates by hand: rows u, u, u, w: P_data(u) = 3/4, P_data(w) = 1/4.
	d := matrix.NewDense(4, 5)
	u, w := oracle.States(5).Row(6), oracle.States(5).Row(19)
	copy(d.Row(0), u)
	copy(d.Row(1), u)
	copy(d.Row(2), w)
	copy(d.Row(3), u)
	d.Set(1, 0, math.Copysign(0, -1)) // −0 is the same state as 0
	lp := LogProb(nil, m, d, lz)
	want := 0.75*(math.Log(0.75)-lp[0]) + 0.25*(math.Log(0.25)-lp[2])
	if got := KL(m, d, lz); math.Abs(got-want) > 1e-13 {
		t.Errorf("duplicates: KL = %v, by hand %v", got, want)
	}
	if got, want := DataEntropy(d), -(0.75*math.Log(0.75) + 0.25*math.Log(0.25)); math.Abs(got-want) > 1e-15 {
		t.Errorf("DataEntropy = %v, want %v", got, want)
	}
	// The uniform model on data holding every pattern once: KL = 0, TV = 0, H = nv log 2.
	u0 := rbm.New(5, 3)
	lz0 := mustLogZ(t, u0, nil)
	all := oracle.States(5)
	if got := KL(u0, all, lz0); math.Abs(got) > 1e-13 {
		t.Errorf("uniform model, all patterns: KL = %v, want 0", got)
	}
	if got := TotalVariation(u0, all, lz0); got > 1e-13 {
		t.Errorf("uniform model, all patterns: TV = %v, want 0", got)
	}
	if h, err := Entropy(u0, nil); err != nil || math.Abs(h-5*math.Ln2) > 1e-13 {
		t.Errorf("uniform model: entropy %v (%v), want 5 log 2", h, err)
	}
}

// TV by its definition, summing over every visible state: the oracle's distance between the
// histogram of x and p(v) from LogProb.
func bruteTV(m *rbm.RBM, x *matrix.Dense, lz float64) float64 {
	p := LogProb(nil, m, oracle.States(m.NV()), lz)
	for a, lp := range p {
		p[a] = math.Exp(lp)
	}
	return oracle.TV(oracle.Histogram(x), p)
}

func TestTotalVariation(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		m := randomModel(6, 4, 1.5, seed)
		lz := mustLogZ(t, m, nil)
		x := randomRows(30, 6, seed) // with repeats
		tv := TotalVariation(m, x, lz)
		if tv < 0 || tv > 1 {
			t.Errorf("TV = %v outside [0,1]", tv)
		}
		if want := bruteTV(m, x, lz); math.Abs(tv-want) > 1e-13 {
			t.Errorf("seed %d: TV = %v, by definition %v", seed, tv, want)
		}
	}
}

// Entropy against −Σ_v p(v) log p(v) summed here from LogProb.
func TestEntropy(t *testing.T) {
	m := randomModel(7, 3, 1, 41)
	lz := mustLogZ(t, m, nil)
	var want float64
	for _, lp := range LogProb(nil, m, oracle.States(7), lz) {
		want -= math.Exp(lp) * lp
	}
	got, err := Entropy(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-13 {
		t.Errorf("entropy %v, want %v", got, want)
	}
}

func TestDataMoments(t *testing.T) {
	m := randomModel(5, 3, 1, 51)
	x := randomRows(9, 5, 51)
	g := DataMoments(m, x)
	want := rbm.GradLike(m)
	for r := 0; r < x.Rows; r++ {
		v := x.Row(r)
		h := m.HiddenMeans(nil, v)
		for i := range v {
			want.B()[i] += v[i] / 9
			for j := range h {
				want.W.Data[i*3+j] += v[i] * h[j] / 9
			}
		}
		for j := range h {
			want.C()[j] += h[j] / 9
		}
	}
	for k, p := range g.Parts() {
		for i, v := range p.X {
			if w := want.Parts()[k].X[i]; math.Abs(v-w) > 1e-15 {
				t.Errorf("%s[%d] = %v, want %v", p.Name, i, v, w)
			}
		}
	}
}

// logProd1p against sums of log1p, with factors up to e^85, padding zeros, and the
// renormalisation schedule from the bounds.
func TestLogProd1p(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	n := 20 * prodBlock
	a, c, b, hi := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n-5)
	var wantA, wantC float64
	for i := range hi {
		hi[i] = -100 + 185*r.Float64()
		ya, yc := hi[i]-3*r.Float64(), hi[i]-50*r.Float64()
		b[i] = math.Exp(hi[i] / 2)
		a[i], c[i] = math.Exp(ya-hi[i]/2), math.Exp(yc-hi[i]/2)
		wantA += math.Log1p(a[i] * b[i])
		wantC += math.Log1p(c[i] * b[i])
	}
	sched := renormSchedule(hi, n)
	gotA, gotC := logProd1p(a, b, sched), logProd1p(c, b, sched)
	if relErr(gotA, wantA) > 1e-14 || relErr(gotC, wantC) > 1e-14 {
		t.Errorf("logProd1p = %.17g, %.17g, want %.17g, %.17g", gotA, gotC, wantA, wantC)
	}
	for _, v := range sched {
		if !v {
			return
		}
	}
	t.Errorf("schedule renormalises before every block: %v", sched)
}

// The benchmark case of the issue: 784×20, W ~ N(0, 0.01²), b = c = 0.
func model784x20() *rbm.RBM {
	m := rbm.New(784, 20)
	m.InitNormal(0.01, rand.New(rand.NewPCG(784, 20)))
	return m
}

// The fast kernel on the benchmark's shape of summed layer (784 units: padding, several
// renormalisation blocks, three table groups), against the generic softplus path. 14 hidden
// units keep the generic path quick; bench/exact_logz.sh checks 20 against numpy.
func TestLogZ784MatchesGeneric(t *testing.T) {
	m := rbm.New(784, 14)
	r := rand.New(rand.NewPCG(784, 14))
	m.InitNormal(0.01, r)
	for j := range m.C() {
		m.C()[j] = r.NormFloat64()
	}
	v, err := sideView(m, true, DefaultMaxStates)
	if err != nil {
		t.Fatal(err)
	}
	fast, slow := mustLogZ(t, m, nil), v.logZGeneric(nil)
	if relErr(fast, slow) > 1e-12 {
		t.Errorf("784×14: fast %.17g, generic %.17g (rel %.2g)", fast, slow, relErr(fast, slow))
	}
}

func BenchmarkLogZ784x20(b *testing.B) {
	m := model784x20()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LogZ(m, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLogZ784x20Generic(b *testing.B) {
	m := model784x20()
	v, err := sideView(m, true, DefaultMaxStates)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		v.logZGeneric(nil)
	}
}
