package mcmc

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/rbm"
)

func mustLadder(t *testing.T, r int, betaMin float64, spacing string) []float64 {
	t.Helper()
	betas, err := Ladder(r, betaMin, spacing)
	if err != nil {
		t.Fatal(err)
	}
	return betas
}

// startExact sets every replica to independent exact draws of its tempered joint and
// returns the joints.
func startExact(pt *Tempering, m *rbm.RBM, r *rand.Rand) []*oracle.Joint {
	js := make([]*oracle.Joint, len(pt.betas))
	for k, beta := range pt.betas {
		js[k] = oracle.NewJoint(m, beta)
		js[k].Sample(pt.Replica(k).V, pt.Replica(k).H, r)
	}
	return js
}

// Parallel tempering started from exact draws of every replica's tempered joint keeps every
// replica in its tempered joint (the product of the p_βk is invariant under both the sweeps
// and the swaps) after 1, 4 and 16 steps, within 4 Monte Carlo floors.
func TestTemperingStationary(t *testing.T) {
	m := testModel(4, 3, 1)
	betas := mustLadder(t, 4, 0.1, "linear")
	for _, steps := range []int{1, 4, 16} {
		pt, err := NewTempering(m, betas, 40000, 5, uint64(steps))
		if err != nil {
			t.Fatal(err)
		}
		js := startExact(pt, m, rand.New(rand.NewPCG(6, uint64(steps))))
		pt.Step(m, steps)
		for k, j := range js {
			checkTV(t, "PT steps="+itoa(steps)+" replica "+itoa(k), pt.Replica(k), j)
		}
	}
}

// From uniform starts, every replica reaches its tempered joint. The swaps leave the product
// of the tempered joints invariant, so they cannot increase its TV distance to the replicas'
// law; hence after k steps that distance is at most Σ_r TV(k Gibbs sweeps at β_r), computed
// exactly here to show that 20 steps are ample.
func TestTemperingConverges(t *testing.T) {
	m := testModel(4, 3, 1)
	betas := mustLadder(t, 3, 0.3, "geometric")
	const n, steps = 20000, 20
	var bound float64
	js := make([]*oracle.Joint, len(betas))
	for r, beta := range betas {
		js[r] = oracle.NewJoint(m, beta)
		bound += oracle.TV(js[r].GibbsLaw(steps), js[r].P)
	}
	if bound > 1e-5 {
		t.Fatalf("exact bound on the TV after %d steps is %v; the model mixes too slowly for this test", steps, bound)
	}
	pt, err := NewTempering(m, betas, n, 8)
	if err != nil {
		t.Fatal(err)
	}
	pt.Step(m, steps)
	for r, j := range js {
		checkTV(t, "PT from uniform, replica "+itoa(r), pt.Replica(r), j)
	}
}

// With the replicas in exact equilibrium, the swap acceptance rate of each neighbouring pair
// is the exact expectation within 4 binomial standard errors √(p(1−p)/N). The proposals are
// made by Exchange on fresh exact draws each round, with no Gibbs sweeps in between: then
// all N proposals of a pair are independent and the binomial standard error is exact. (With
// sweeps in between the expected rate is the same, since the chain stays in equilibrium,
// but successive proposals are correlated and the error would need a batch-means estimate.)
func TestSwapAcceptance(t *testing.T) {
	m := testModel(4, 3, 1)
	betas := []float64{1, 0.7, 0.4, 0}
	const n, rounds = 5000, 6 // every pair is proposed in 3 rounds: N = 15000
	pt, err := NewTempering(m, betas, n, 9)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(10, 10))
	var js []*oracle.Joint
	for range rounds {
		js = startExact(pt, m, r)
		pt.Exchange(m)
	}
	attempts, _ := pt.SwapCounts()
	for k, rate := range pt.AcceptanceRates() {
		p := oracle.SwapAcceptance(js[k], js[k+1])
		N := float64(attempts[k])
		if N != n*rounds/2 {
			t.Fatalf("pair %d proposed %v times, want %d", k, N, n*rounds/2)
		}
		t.Logf("pair (%v, %v): acceptance %.4f, exact %.4f", betas[k], betas[k+1], rate, p)
		if se := math.Sqrt(p * (1 - p) / N); math.Abs(rate-p) > 4*se {
			t.Errorf("pair (%v, %v): acceptance %.4f, exact %.4f ± %.4f", betas[k], betas[k+1], rate, p, 4*se)
		}
	}
}

// Step alternates even and odd pairs, and counts every proposal of a pair once per chain.
func TestSwapAlternation(t *testing.T) {
	m := testModel(4, 3, 1)
	pt, err := NewTempering(m, mustLadder(t, 4, 0.2, "geometric"), 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rates := pt.AcceptanceRates(); !math.IsNaN(rates[0]) || len(rates) != 3 {
		t.Fatalf("rates before any step %v, want 3 NaN", rates)
	}
	pt.Step(m, 1)
	if a, _ := pt.SwapCounts(); !slices.Equal(a, []uint64{10, 0, 10}) {
		t.Fatalf("attempts after one step %v, want [10 0 10]", a)
	}
	pt.Step(m, 1)
	if a, _ := pt.SwapCounts(); !slices.Equal(a, []uint64{10, 10, 10}) {
		t.Fatalf("attempts after two steps %v, want [10 10 10]", a)
	}
	for k, rate := range pt.AcceptanceRates() {
		if !(rate >= 0 && rate <= 1) {
			t.Errorf("pair %d: rate %v", k, rate)
		}
	}
}

// A swap exchanges whole states: the multiset of (v,h) rows over all replicas is unchanged
// by Exchange.
func TestExchangeMovesWholeStates(t *testing.T) {
	m := testModel(5, 4, 2)
	pt, err := NewTempering(m, []float64{1, 0.5, 0}, 200, 3)
	if err != nil {
		t.Fatal(err)
	}
	rows := func() []string {
		var s []string
		for k := range 3 {
			c := pt.Replica(k)
			for i := range c.Len() {
				s = append(s, ftoa(float64(oracle.Index(c.V.Row(i))))+"/"+ftoa(float64(oracle.Index(c.H.Row(i))))+"@"+itoa(i))
			}
		}
		slices.Sort(s)
		return s
	}
	before := rows()
	pt.Exchange(m)
	pt.Exchange(m)
	if _, acc := pt.SwapCounts(); acc[0] == 0 || acc[1] == 0 {
		t.Fatalf("no swap accepted (%v); the test checks nothing", acc)
	}
	if !slices.Equal(before, rows()) {
		t.Fatal("Exchange changed the set of chain states")
	}
}

func runTempering(t *testing.T, procs int) ([]float64, []uint64) {
	defer runtime.GOMAXPROCS(par.SetThreads(procs))
	m := testModel(40, 30, 3)
	pt, err := NewTempering(m, mustLadder(t, 3, 0.5, "linear"), 600, 12)
	if err != nil {
		t.Fatal(err)
	}
	pt.Step(m, 4)
	var v []float64
	for k := range 3 {
		v = append(v, pt.Replica(k).V.Data...)
		v = append(v, pt.Replica(k).H.Data...)
	}
	_, acc := pt.SwapCounts()
	return v, acc
}

// The same seed gives bit-identical replicas and swap counts with GOMAXPROCS 1 and 2.
func TestTemperingDeterministicAcrossGOMAXPROCS(t *testing.T) {
	v1, a1 := runTempering(t, 1)
	v2, a2 := runTempering(t, 2)
	if !slices.Equal(v1, v2) || !slices.Equal(a1, a2) {
		t.Fatal("tempering differs between GOMAXPROCS 1 and 2")
	}
}

// A checkpoint (every replica's V and H, and MarshalState) restored into tempering made with
// another seed continues exactly as the original does, swap counts included.
func TestTemperingStateRoundTrip(t *testing.T) {
	m := testModel(6, 5, 4)
	betas := mustLadder(t, 4, 0.2, "geometric")
	a, _ := NewTempering(m, betas, 20, 1)
	a.Step(m, 3) // odd: the next step proposes the odd pairs
	state, err := a.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewTempering(m, betas, 20, 77)
	for k := range betas {
		copy(b.Replica(k).V.Data, a.Replica(k).V.Data)
		copy(b.Replica(k).H.Data, a.Replica(k).H.Data)
	}
	if err := b.UnmarshalState(state); err != nil {
		t.Fatal(err)
	}
	a.Step(m, 5)
	b.Step(m, 5)
	for k := range betas {
		if !slices.Equal(a.Replica(k).V.Data, b.Replica(k).V.Data) || !slices.Equal(a.Replica(k).H.Data, b.Replica(k).H.Data) {
			t.Fatalf("replica %d diverges after restore", k)
		}
	}
	aa, ac := a.SwapCounts()
	ba, bc := b.SwapCounts()
	if !slices.Equal(aa, ba) || !slices.Equal(ac, bc) {
		t.Fatalf("swap counts %v/%v after restore, original %v/%v", bc, ba, ac, aa)
	}
}

// Truncated, corrupted or mismatched tempering states return an error wrapping ErrState and
// leave the receiver unchanged.
func TestTemperingStateErrors(t *testing.T) {
	m := testModel(3, 2, 4)
	betas := []float64{1, 0.5, 0}
	a, _ := NewTempering(m, betas, 3, 1)
	a.Step(m, 2)
	state, _ := a.MarshalState()
	otherLadder, _ := NewTempering(m, []float64{1, 0.6, 0}, 3, 1)
	ol, _ := otherLadder.MarshalState()
	otherN, _ := NewTempering(m, betas, 4, 1)
	on, _ := otherN.MarshalState()
	chainsState, _ := NewChains(m, 3, 1).MarshalState()

	// Header: magic 4, version 2, kind 1, r 4, n 4, round 8, betas 3·8, attempts 2·8.
	acceptsAt := 4 + 2 + 1 + 4 + 4 + 8 + 3*8 + 2*8
	badReplica := slices.Clone(state)
	copy(badReplica[bytes.LastIndex(state, []byte(stateMagic)):], "XXXX")
	tooMany := slices.Clone(state)
	binary.LittleEndian.PutUint64(tooMany[acceptsAt:], 1<<40)

	bad := map[string][]byte{
		"trailing":        append(slices.Clone(state), 1),
		"other ladder":    ol,
		"other n":         on,
		"chains state":    chainsState,
		"accepts > tries": tooMany,
		"bad replica":     badReplica,
	}
	for l := range len(state) {
		bad["truncated to "+itoa(l)] = state[:l]
	}
	ref, _ := NewTempering(m, betas, 3, 2)
	refState, _ := ref.MarshalState()
	for name, b := range bad {
		if err := ref.UnmarshalState(b); !isStateErr(err) {
			t.Errorf("%s: error %v, want one wrapping ErrState", name, err)
		}
	}
	if now, _ := ref.MarshalState(); !bytes.Equal(now, refState) {
		t.Error("a failed UnmarshalState changed the tempering state")
	}
}

// The state readers never panic, whatever the input.
func FuzzUnmarshalState(f *testing.F) {
	m := testModel(3, 2, 4)
	c := NewChains(m, 2, 1)
	pt, _ := NewTempering(m, []float64{1, 0.5}, 2, 1)
	cs, _ := c.MarshalState()
	ps, _ := pt.MarshalState()
	f.Add(cs)
	f.Add(ps)
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = c.UnmarshalState(b)
		_ = pt.UnmarshalState(b)
	})
}

func TestLadder(t *testing.T) {
	geo := mustLadder(t, 4, 0.125, "geometric")
	for k, want := range []float64{1, 0.5, 0.25, 0.125} {
		if math.Abs(geo[k]-want) > 1e-15 {
			t.Errorf("geometric β_%d = %v, want %v", k, geo[k], want)
		}
	}
	lin := mustLadder(t, 5, 0, "linear")
	for k, want := range []float64{1, 0.75, 0.5, 0.25, 0} {
		if math.Abs(lin[k]-want) > 1e-15 {
			t.Errorf("linear β_%d = %v, want %v", k, lin[k], want)
		}
	}
	if one := mustLadder(t, 1, 0.3, "anything"); !slices.Equal(one, []float64{1}) {
		t.Errorf("Ladder(1) = %v, want [1]", one)
	}
	for _, tc := range []struct {
		r       int
		betaMin float64
		spacing string
	}{
		{0, 0.1, "linear"}, {3, 0, "geometric"}, {3, 1, "linear"}, {3, -0.1, "linear"},
		{3, math.NaN(), "linear"}, {3, 0.1, "log"},
	} {
		if _, err := Ladder(tc.r, tc.betaMin, tc.spacing); err == nil {
			t.Errorf("Ladder(%d, %v, %q): no error", tc.r, tc.betaMin, tc.spacing)
		}
	}
	for _, betas := range [][]float64{nil, {0.9, 0.5}, {1, 1}, {1, 0.5, 0.7}, {1, -0.1}, {1, math.NaN()}} {
		if CheckLadder(betas) == nil {
			t.Errorf("CheckLadder(%v): no error", betas)
		}
	}
}

// Layers that scaling the inputs does not temper are refused by NewTempering with an error,
// unless the ladder is {1}.
func TestNewTemperingLayers(t *testing.T) {
	for _, m := range []*rbm.RBM{
		rbm.NewWithLayers(rbm.NewBernoulli(3), biasedUnit{rbm.NewBernoulli(2)}),
		rbm.NewWithLayers(continuousUnit{rbm.NewBernoulli(3)}, rbm.NewBernoulli(2)),
	} {
		if _, err := NewTempering(m, []float64{1, 0.5}, 2, 1); err == nil {
			t.Errorf("%s/%s units: no error", m.Visible.Name(), m.Hidden.Name())
		}
		if _, err := NewTempering(m, []float64{1}, 2, 1); err != nil {
			t.Errorf("%s/%s units, ladder {1}: %v", m.Visible.Name(), m.Hidden.Name(), err)
		}
	}
	if _, err := NewTempering(testModel(3, 2, 1), []float64{1, 0.5, 0.5}, 2, 1); err == nil {
		t.Error("flat ladder: no error")
	}
}

// A tempering step allocates nothing once the scratch exists.
func TestStepAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	m := testModel(40, 30, 3)
	pt, _ := NewTempering(m, []float64{1, 0.5, 0.1}, 300, 1)
	pt.Step(m, 2)
	if a := testing.AllocsPerRun(20, func() { pt.Step(m, 1) }); a != 0 {
		t.Errorf("Step: %v allocations per call, want 0", a)
	}
}
