//go:build amd64 && !purego

package numeric

//go:noescape
func adamStep64AVX512(w, m, v, grad, s *float64, w32 *float32, n int, p *AdamParams) (bad uint64)

//go:noescape
func adamStep32AVX512(w, m, v *float64, grad *float32, s *float64, w32 *float32, n int, p *AdamParams) (bad uint64)

// adamAVX512Kernel takes the longest prefix of whole vectors of 8 in assembly (AVX-512F,
// as stepAVX512) and the rest in Go.
var adamAVX512Kernel = &adamKernel{
	name: "avx512",
	step64: func(w, m, v, g, s []float64, w32 []float32, p *AdamParams) uint64 {
		var bad uint64
		n := len(w) &^ 7
		if n > 0 {
			bad = adamStep64AVX512(&w[0], &m[0], &v[0], &g[0], adamFirst(s), stepFirst32(w32), n, p)
		}
		s, w32 = adamTail(s, n), adamTail(w32, n)
		return bad | adamStepGo(w[n:], m[n:], v[n:], g[n:], s, w32, p)
	},
	step32: func(w, m, v []float64, g []float32, s []float64, w32 []float32, p *AdamParams) uint64 {
		var bad uint64
		n := len(w) &^ 7
		if n > 0 {
			bad = adamStep32AVX512(&w[0], &m[0], &v[0], &g[0], adamFirst(s), stepFirst32(w32), n, p)
		}
		s, w32 = adamTail(s, n), adamTail(w32, n)
		return bad | adamStepGo(w[n:], m[n:], v[n:], g[n:], s, w32, p)
	},
}

// adamFirst returns &s[0], or nil when s is nil (the kernels then store no steps).
func adamFirst(s []float64) *float64 {
	if s == nil {
		return nil
	}
	return &s[0]
}

// adamTail returns s[n:], or nil when s is nil.
func adamTail[T float32 | float64](s []T, n int) []T {
	if s == nil {
		return nil
	}
	return s[n:]
}

// adamKernels returns every kernel of AdamStep this build and CPU run, the portable one
// first, for tests and benchmarks.
func adamKernels() []*adamKernel {
	if stepAVX512 {
		return []*adamKernel{adamGo, adamAVX512Kernel}
	}
	return []*adamKernel{adamGo}
}

// adamBest returns the fastest kernel this CPU runs.
func adamBest() *adamKernel {
	if stepAVX512 {
		return adamAVX512Kernel
	}
	return adamGo
}
