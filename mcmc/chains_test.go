package mcmc

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// Gibbs chains started from exact draws of p_β(v,h) stay in p_β: after 1, 4 and 16 sweeps
// the histograms of v and of (v,h) over 40000 chains are within 4 Monte Carlo floors of the
// exact distribution. Checked at β = 1 and at β = 0.4 (tempering by scaled inputs), in
// float64 and in float32.
func TestGibbsStationary(t *testing.T) {
	m := testModel(4, 3, 1)
	const n = 40000
	for _, p := range []Precision{Float64, Float32} {
		for _, beta := range []float64{1, 0.4} {
			j := oracle.NewJoint(m, beta)
			for _, k := range []int{1, 4, 16} {
				c := NewChains(m, n, 2, uint64(k))
				c.SetPrecision(p)
				j.Sample(c.V, c.H, rand.New(rand.NewPCG(3, uint64(k))))
				c.Sweep(m, beta, k)
				checkTV(t, p.String()+" β="+ftoa(beta)+", k="+itoa(k), c, j)
			}
		}
	}
}

// NewChains draws V uniformly: each bit's frequency is ½ within 4 standard errors.
func TestNewChainsUniform(t *testing.T) {
	m := testModel(5, 2, 1)
	const n = 20000
	c := NewChains(m, n, 9)
	se := math.Sqrt(0.25 / n)
	for i := range 5 {
		var s float64
		for r := range n {
			s += c.V.At(r, i)
		}
		if f := s / n; math.Abs(f-0.5) > 4*se {
			t.Errorf("P(v_%d = 1) = %.4f, want 0.5 ± %.4f", i, f, 4*se)
		}
	}
}

// SetVisible copies the data rows and draws H from p(h|v): with every row the same v, the
// frequency of h_j = 1 is σ(c_j + (Wᵀv)_j) within 4 standard errors.
func TestSetVisible(t *testing.T) {
	m := testModel(4, 3, 1)
	const n = 20000
	c := NewChains(m, n, 1)
	v := matrix.NewDense(n, 4)
	for r := range n {
		copy(v.Row(r), []float64{1, 0, 1, 1})
	}
	c.SetVisible(m, v)
	if !slices.Equal(c.V.Data, v.Data) {
		t.Fatal("V differs from the rows given")
	}
	x := m.HiddenInput(nil, v.Row(0))
	for j := range 3 {
		var s float64
		for r := range n {
			s += c.H.At(r, j)
		}
		p := numeric.Sigmoid(x[j])
		if f, se := s/n, math.Sqrt(p*(1-p)/n); math.Abs(f-p) > 4*se {
			t.Errorf("P(h_%d = 1 | v) = %.4f, want %.4f ± %.4f", j, f, p, 4*se)
		}
	}
}

// SetVisibleInputs draws exactly what SetVisible draws, given the same inputs.
func TestSetVisibleInputsMatchesSetVisible(t *testing.T) {
	m := testModel(5, 4, 2)
	v := matrix.NewDense(7, 5)
	for i := range v.Data {
		v.Data[i] = float64(i % 2)
	}
	a, b := NewChains(m, 7, 3), NewChains(m, 7, 3)
	a.SetVisible(m, v)
	b.SetVisibleInputs(m, v, m.HiddenInputBatch(nil, v))
	if !slices.Equal(a.V.Data, b.V.Data) || !slices.Equal(a.H.Data, b.H.Data) {
		t.Fatal("SetVisibleInputs and SetVisible differ")
	}
}

// Energies agree with the one-vector energy of rbm.
func TestEnergies(t *testing.T) {
	m := testModel(6, 5, 2)
	c := NewChains(m, 50, 3)
	c.Sweep(m, 1, 2)
	e := c.Energies(nil, m)
	for i := range c.Len() {
		if want := m.Energy(c.V.Row(i), c.H.Row(i)); math.Abs(e[i]-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("chain %d: energy %v, rbm %v", i, e[i], want)
		}
	}
	// The energies Step computes from the sweep's visible inputs are the same numbers.
	c.Sweep(m, 0.5, 1)
	fast := c.energiesFromInputs(nil, m)
	for i, want := range c.Energies(nil, m) {
		if math.Abs(fast[i]-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("chain %d: energy from sweep inputs %v, recomputed %v", i, fast[i], want)
		}
	}
}

// runChains sweeps a model large enough that both the matrix products and the sampling are
// split between goroutines when GOMAXPROCS allows it, and returns the final states.
func runChains(t *testing.T, procs int) (v, h []float64) {
	defer runtime.GOMAXPROCS(par.SetThreads(procs))
	m := testModel(40, 30, 3)
	c := NewChains(m, 600, 11, 2)
	if procs > 1 && partsFor(c.H.Rows, c.H.Cols) < 2 {
		t.Fatalf("with GOMAXPROCS %d the sampling is not split; enlarge the test", procs)
	}
	c.Sweep(m, 1, 3)
	c.Sweep(m, 0.7, 2)
	return c.V.Data, c.H.Data
}

// The same seed gives bit-identical chains with GOMAXPROCS 1 and 2.
func TestChainsDeterministicAcrossGOMAXPROCS(t *testing.T) {
	v1, h1 := runChains(t, 1)
	v2, h2 := runChains(t, 2)
	if !slices.Equal(v1, v2) || !slices.Equal(h1, h2) {
		t.Fatal("states differ between GOMAXPROCS 1 and 2")
	}
	v3, _ := runChains(t, 2)
	if !slices.Equal(v2, v3) {
		t.Fatal("states differ between two runs with GOMAXPROCS 2")
	}
}

// A checkpoint (V, H and MarshalState) restored into chains made with another seed continues
// exactly as the original does.
func TestChainsStateRoundTrip(t *testing.T) {
	m := testModel(8, 6, 4)
	a := NewChains(m, 30, 1)
	a.Sweep(m, 1, 3)
	state, err := a.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	v, h := a.V.Clone(), a.H.Clone()
	a.Sweep(m, 1, 5)

	b := NewChains(m, 30, 999)
	copy(b.V.Data, v.Data)
	copy(b.H.Data, h.Data)
	if err := b.UnmarshalState(state); err != nil {
		t.Fatal(err)
	}
	b.Sweep(m, 1, 5)
	if !slices.Equal(a.V.Data, b.V.Data) || !slices.Equal(a.H.Data, b.H.Data) {
		t.Fatal("restored chains diverge from the original")
	}
}

// Truncated, corrupted or mismatched states return an error wrapping ErrState and leave the
// chains unchanged.
func TestChainsStateErrors(t *testing.T) {
	m := testModel(3, 2, 4)
	a := NewChains(m, 4, 1)
	state, _ := a.MarshalState()
	other, _ := NewChains(m, 5, 1).MarshalState()
	ref := NewChains(m, 4, 2)
	refState, _ := ref.MarshalState()

	bad := map[string][]byte{
		"empty":          nil,
		"trailing byte":  append(slices.Clone(state), 0),
		"other n":        other,
		"bad magic":      append([]byte("XXXX"), state[4:]...),
		"bad version":    slices.Concat(state[:4], []byte{9, 0}, state[6:]),
		"tempering kind": slices.Concat(state[:6], []byte{kindTemper}, state[7:]),
		"bad pcg":        slices.Concat(state[:13], []byte("xxxx"), state[17:]),
	}
	for l := range len(state) {
		bad["truncated to "+itoa(l)] = state[:l]
	}
	for name, b := range bad {
		err := ref.UnmarshalState(b)
		if err == nil || !isStateErr(err) {
			t.Errorf("%s: error %v, want one wrapping ErrState", name, err)
		}
	}
	if now, _ := ref.MarshalState(); !bytes.Equal(now, refState) {
		t.Error("a failed UnmarshalState changed the streams")
	}
}

func isStateErr(err error) bool { return errors.Is(err, ErrState) }

// A layer with a base measure, which scaling the inputs does not temper correctly.
type biasedUnit struct{ *rbm.Bernoulli }

func (biasedUnit) Name() string     { return "biased" }
func (biasedUnit) Temperable() bool { return false }
func (u biasedUnit) Energy(s []float64) float64 {
	e := 0.0
	for i := range s {
		e += 0.3*s[i] - u.B[i]*s[i]
	}
	return e
}

// A continuous layer.
type continuousUnit struct{ *rbm.Bernoulli }

func (continuousUnit) Name() string      { return "continuous" }
func (continuousUnit) Values() []float64 { return nil }

// Programmer errors panic with a boltz/mcmc message.
func TestChainsPanics(t *testing.T) {
	m := testModel(3, 2, 1)
	c := NewChains(m, 4, 1)
	biased := rbm.NewWithLayers(rbm.NewBernoulli(3), biasedUnit{rbm.NewBernoulli(2)})
	cont := rbm.NewWithLayers(continuousUnit{rbm.NewBernoulli(3)}, rbm.NewBernoulli(2))
	cases := map[string]func(){
		"nil model":          func() { NewChains(nil, 1, 1) },
		"no chains":          func() { NewChains(m, 0, 1) },
		"negative k":         func() { c.Sweep(m, 1, -1) },
		"negative beta":      func() { c.Sweep(m, -0.1, 1) },
		"NaN beta":           func() { c.Sweep(m, math.NaN(), 1) },
		"Inf beta":           func() { c.Sweep(m, math.Inf(1), 1) },
		"shape":              func() { c.Sweep(testModel(3, 3, 1), 1, 1) },
		"base measure":       func() { c.Sweep(biased, 0.5, 1) },
		"continuous":         func() { c.Sweep(cont, 0.5, 1) },
		"SetVisible shape":   func() { c.SetVisible(m, matrix.NewDense(3, 3)) },
		"Energies dst short": func() { c.Energies(make([]float64, 3), m) },
	}
	for name, f := range cases {
		func() {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "boltz/mcmc: ") {
					t.Errorf("%s: recovered %v, want a boltz/mcmc panic", name, r)
				}
			}()
			f()
		}()
	}
	// At β = 1 every layer is fine.
	c.Sweep(biased, 1, 1)
	c.Sweep(cont, 1, 1)
}

// A Gibbs sweep allocates nothing once the chains' scratch exists.
func TestSweepAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	m := testModel(40, 30, 3)
	c := NewChains(m, 600, 1)
	c.Sweep(m, 0.5, 1)
	if a := testing.AllocsPerRun(20, func() { c.Sweep(m, 0.5, 1) }); a != 0 {
		t.Errorf("Sweep: %v allocations per call, want 0", a)
	}
}

func itoa(i int) string     { return strconv.Itoa(i) }
func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
