package mcmc

import (
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/rbm"
)

// mnistSized returns a 784×500 model with weights N(0, 0.01²) (Hinton's practical guide,
// §8), the size of the usual MNIST RBM.
func mnistSized() *rbm.RBM {
	m := rbm.New(784, 500)
	m.InitNormal(0.01, rand.New(rand.NewPCG(1, 1)))
	return m
}

// One Gibbs sweep of 100 chains of a 784×500 RBM: two 100×784×500 products and 128 400
// Bernoulli draws.
func BenchmarkGibbs100x784x500(b *testing.B) { benchSweep(b, 1, Float64) }

// One sweep at β ≠ 1 (the tempered inputs are written and sampled in place).
func BenchmarkGibbsTempered100x784x500(b *testing.B) { benchSweep(b, 0.5, Float64) }

// BenchmarkGibbs100x784x500 with SetPrecision(Float32): float32 products and draws, V and
// H converted at the start and end of each call (here every sweep, the worst case).
func BenchmarkGibbsFloat32100x784x500(b *testing.B) { benchSweep(b, 1, Float32) }

func benchSweep(b *testing.B, beta float64, p Precision) {
	m := mnistSized()
	c := NewChains(m, 100, 1)
	c.SetPrecision(p)
	c.Sweep(m, beta, 1)
	b.ReportAllocs()
	for b.Loop() {
		c.Sweep(m, beta, 1)
	}
}

// One parallel-tempering step with 4 replicas of 100 chains: four sweeps, the energies and
// one round of swaps.
func BenchmarkPTStep4x100x784x500(b *testing.B) {
	m := mnistSized()
	pt, err := NewTempering(m, []float64{1, 0.9, 0.8, 0.7}, 100, 1)
	if err != nil {
		b.Fatal(err)
	}
	pt.Step(m, 1)
	b.ReportAllocs()
	for b.Loop() {
		pt.Step(m, 1)
	}
}
