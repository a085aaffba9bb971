//go:build amd64 && !purego

package numeric

import "golang.org/x/sys/cpu"

//go:generate go run step_gen.go

// stepAVX512 and stepAVX2 say which kernels of MomentumStep32 and MomentumStep this CPU runs.
// The AVX-512 kernels use F only (512-bit vectors and opmasks); the narrower forms they also
// take are AVX and AVX2.
var (
	stepAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX2
	stepAVX2   = cpu.X86.HasAVX2
)

//go:noescape
func momentumStep32AVX512(w, u *float64, grad, w32 *float32, n int, l2, lr, mom float64) (bad uint64)

//go:noescape
func momentumStep64AVX512(w, u, grad *float64, n int, l2, lr, mom float64) (bad uint64)

//go:noescape
func momentumStep32AVX2(w, u *float64, grad, w32 *float32, n int, l2, lr, mom float64) (bad uint64)

//go:noescape
func momentumStep64AVX2(w, u, grad *float64, n int, l2, lr, mom float64) (bad uint64)

// stepAVX512Kernel takes every element in assembly, the last 1…7 under a mask.
var stepAVX512Kernel = &stepKernel{
	name: "avx512",
	step32: func(w, u []float64, g, w32 []float32, l2, lr, mom float64) uint64 {
		if len(w) == 0 {
			return 0
		}
		return momentumStep32AVX512(&w[0], &u[0], &g[0], stepFirst32(w32), len(w), l2, lr, mom)
	},
	step64: func(w, u, g []float64, l2, lr, mom float64) uint64 {
		if len(w) == 0 {
			return 0
		}
		return momentumStep64AVX512(&w[0], &u[0], &g[0], len(w), l2, lr, mom)
	},
}

// stepAVX2Kernel takes the longest prefix of whole vectors of 4 in assembly and the rest in
// Go.
var stepAVX2Kernel = &stepKernel{
	name: "avx2",
	step32: func(w, u []float64, g, w32 []float32, l2, lr, mom float64) uint64 {
		var bad uint64
		n := len(w) &^ 3
		if n > 0 {
			bad = momentumStep32AVX2(&w[0], &u[0], &g[0], stepFirst32(w32), n, l2, lr, mom)
		}
		if w32 != nil {
			w32 = w32[n:]
		}
		return bad | momentumStepGo(w[n:], u[n:], g[n:], w32, l2, lr, mom)
	},
	step64: func(w, u, g []float64, l2, lr, mom float64) uint64 {
		var bad uint64
		n := len(w) &^ 3
		if n > 0 {
			bad = momentumStep64AVX2(&w[0], &u[0], &g[0], n, l2, lr, mom)
		}
		return bad | momentumStepGo(w[n:], u[n:], g[n:], nil, l2, lr, mom)
	},
}

// stepFirst32 returns &s[0], or nil when s is nil (the kernels then store no float32 copy).
func stepFirst32(s []float32) *float32 {
	if s == nil {
		return nil
	}
	return &s[0]
}

// stepKernels returns every kernel of MomentumStep32 and MomentumStep that this build and
// CPU run, the portable one first, for tests and benchmarks.
func stepKernels() []*stepKernel {
	k := []*stepKernel{stepGo}
	if stepAVX2 {
		k = append(k, stepAVX2Kernel)
	}
	if stepAVX512 {
		k = append(k, stepAVX512Kernel)
	}
	return k
}

// stepBest returns the fastest kernel this CPU runs.
func stepBest() *stepKernel {
	switch {
	case stepAVX512:
		return stepAVX512Kernel
	case stepAVX2:
		return stepAVX2Kernel
	}
	return stepGo
}
