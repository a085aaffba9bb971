package mcmc

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/rbm"
)

// Float32 parallel tempering keeps every replica in its tempered joint
// (TestTemperingStationary), swaps included: the energies come from float32 inputs.
func TestTemperingStationaryFloat32(t *testing.T) {
	m := testModel(4, 3, 1)
	betas := mustLadder(t, 4, 0.1, "linear")
	for _, steps := range []int{1, 4} {
		pt, err := NewTempering(m, betas, 40000, 5, uint64(steps))
		if err != nil {
			t.Fatal(err)
		}
		pt.SetPrecision(Float32)
		js := startExact(pt, m, rand.New(rand.NewPCG(6, uint64(steps))))
		pt.Step(m, steps)
		for k, j := range js {
			checkTV(t, "float32 PT steps="+itoa(steps)+" replica "+itoa(k), pt.Replica(k), j)
		}
		if _, acc := pt.SwapCounts(); acc[0] == 0 {
			t.Errorf("steps=%d: no swap accepted", steps)
		}
	}
}

// Both precisions draw the same uniforms from each chain's stream, so one sweep from the same
// state gives the same units except where a float32 rounding crosses a threshold: with
// some 10⁻⁷ of rounding per unit, not one of 600×70 units in practice, and certainly
// fewer than 1 in 1000. A sampler that drew its uniforms differently would differ in
// about half of them.
func TestFloat32FollowsFloat64(t *testing.T) {
	m := testModel(40, 30, 3)
	for _, beta := range []float64{1, 0.7} {
		a, b := NewChains(m, 600, 11, 2), NewChains(m, 600, 11, 2)
		b.SetPrecision(Float32)
		a.Sweep(m, beta, 1)
		b.Sweep(m, beta, 1)
		var diff int
		for i := range a.V.Data {
			if a.V.Data[i] != b.V.Data[i] {
				diff++
			}
		}
		for i := range a.H.Data {
			if a.H.Data[i] != b.H.Data[i] {
				diff++
			}
		}
		if units := len(a.V.Data) + len(a.H.Data); diff*1000 > units {
			t.Errorf("β=%v: %d of %d units differ between float32 and float64", beta, diff, units)
		}
	}
}

func runChains32(t *testing.T, procs int) []float64 {
	defer runtime.GOMAXPROCS(par.SetThreads(procs))
	m := testModel(40, 30, 3)
	c := NewChains(m, 600, 11, 2)
	c.SetPrecision(Float32)
	if procs > 1 && partsFor(c.H.Rows, c.H.Cols) < 2 {
		t.Fatalf("with GOMAXPROCS %d the sampling is not split; enlarge the test", procs)
	}
	c.Sweep(m, 1, 3)
	c.Sweep(m, 0.7, 2)
	pt, err := NewTempering(m, mustLadder(t, 3, 0.5, "linear"), 600, 12)
	if err != nil {
		t.Fatal(err)
	}
	pt.SetPrecision(Float32)
	pt.Step(m, 4)
	out := append(append([]float64(nil), c.V.Data...), c.H.Data...)
	for k := range 3 {
		out = append(out, pt.Replica(k).V.Data...)
		out = append(out, pt.Replica(k).H.Data...)
	}
	_, acc := pt.SwapCounts()
	for _, a := range acc {
		out = append(out, float64(a))
	}
	return out
}

// Float32 chains and tempering give the same bits with GOMAXPROCS 1, 2 and 3.
func TestFloat32DeterministicAcrossGOMAXPROCS(t *testing.T) {
	want := runChains32(t, 1)
	for _, procs := range []int{2, 3} {
		if !slices.Equal(want, runChains32(t, procs)) {
			t.Fatalf("float32 states differ between GOMAXPROCS 1 and %d", procs)
		}
	}
}

// A float32 sweep allocates nothing once the chains' float32 scratch exists.
func TestSweepAllocsFloat32(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	m := testModel(40, 30, 3)
	c := NewChains(m, 600, 1)
	c.SetPrecision(Float32)
	c.Sweep(m, 0.5, 1)
	if a := testing.AllocsPerRun(20, func() { c.Sweep(m, 0.5, 1) }); a != 0 {
		t.Errorf("Sweep: %v allocations per call, want 0", a)
	}
}

// plainUnit is a Bernoulli layer seen through the Layer interface only, without the
// float32 kernels of *rbm.Bernoulli.
type plainUnit struct{ rbm.Layer }

// Float32 sweeps of a model without a float32 sampler panic with the reason.
func TestFloat32NeedsKernels(t *testing.T) {
	m := testModel(4, 3, 1)
	m.Hidden = plainUnit{m.Hidden}
	c := NewChains(m, 2, 1)
	c.SetPrecision(Float32)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "float32 kernels") {
			t.Errorf("recovered %v, want a panic naming the float32 kernels", r)
		}
	}()
	c.Sweep(m, 1, 1)
}

// Gaussian visible units have float32 kernels (for training) but couple to the weights
// through v/σ², which the float32 sweeps do not apply: Supports32 says no, and the sweeps
// refuse them.
func TestFloat32RefusesCoupling(t *testing.T) {
	m := rbm.NewWithLayers(rbm.NewGaussian(4, false), rbm.NewBernoulli(3))
	if _, ok := m.Visible.(rbm.Float32); !ok {
		t.Fatal("the Gaussian layer has no float32 kernels")
	}
	if Supports32(m) {
		t.Fatal("Supports32 is true for Gaussian visible units")
	}
	c := NewChains(m, 2, 1)
	c.SetPrecision(Float32)
	defer func() {
		if r := recover(); r == nil {
			t.Error("a float32 sweep of a Gaussian–Bernoulli model did not panic")
		}
	}()
	c.Sweep(m, 1, 1)
}
