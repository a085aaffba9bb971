//go:build linux || darwin

package numeric

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkMomentumStep32 is one fused SGD step of a 784×500 RBM's weights as train takes it
// (MomentumStep32 row by row, with L2 decay and the float32 copy), for every kernel this CPU
// runs. W, its velocity, the float32 gradient and the float32 copy take 9.4 MB, so the step
// runs from the last-level cache at best.
func BenchmarkMomentumStep32(b *testing.B) {
	const nv, nh = 784, 500
	r := rand.New(rand.NewPCG(1, 3))
	c := newStepCase(r, nv*nh, false)
	w32 := make([]float32, nv*nh)
	for _, k := range stepKernels() {
		b.Run(k.name, func(b *testing.B) {
			perElement(b, nv*nh, func() {
				for i := 0; i < nv*nh; i += nh {
					k.step32(c.w[i:i+nh], c.u[i:i+nh], c.g32[i:i+nh], w32[i:i+nh], 1e-4, 0.01, 0.9)
				}
			})
		})
	}
}

// BenchmarkMomentumStep is BenchmarkMomentumStep32 with a float64 gradient and no float32
// copy, as train takes the step in float64 precision.
func BenchmarkMomentumStep(b *testing.B) {
	const nv, nh = 784, 500
	r := rand.New(rand.NewPCG(1, 3))
	c := newStepCase(r, nv*nh, false)
	for _, k := range stepKernels() {
		b.Run(k.name, func(b *testing.B) {
			perElement(b, nv*nh, func() {
				for i := 0; i < nv*nh; i += nh {
					k.step64(c.w[i:i+nh], c.u[i:i+nh], c.g64[i:i+nh], 1e-4, 0.01, 0.9)
				}
			})
		})
	}
}
