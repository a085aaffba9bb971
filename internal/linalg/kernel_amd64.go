//go:build amd64 && !purego

package linalg

import "golang.org/x/sys/cpu"

//go:generate go run gen_kernels.go

// hasAVX512 and hasAVX2 say which micro-kernels this CPU runs. AVX-512 needs F for the
// arithmetic on Z registers; AVX2 needs FMA as well for the fused multiply-adds.
var (
	hasAVX512 = cpu.X86.HasAVX512F
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

// Candidate kernels with their cache blocking: kc·nr elements of B (one micro-panel) stay in
// the 32–48 KiB L1 data cache, an mc×kc block of A in L2.
var (
	dgemmAVX2    = newKernel("avx2-6x8", 6, 8, 120, 256, 2048, rundgemm6x8AVX2, dgemm6x8AVX2Rows)
	sgemmAVX2    = newKernel("avx2-6x16", 6, 16, 120, 256, 4096, runsgemm6x16AVX2, sgemm6x16AVX2Rows)
	dgemmAVX512  = newKernel("avx512-12x16", 12, 16, 120, 256, 2048, rundgemm12x16AVX512, dgemm12x16AVX512Rows)
	dgemmAVX512b = newKernel("avx512-8x24", 8, 24, 120, 256, 2040, rundgemm8x24AVX512, dgemm8x24AVX512Rows)
	sgemmAVX512  = newKernel("avx512-12x32", 12, 32, 120, 256, 4096, runsgemm12x32AVX512, sgemm12x32AVX512Rows)
	sgemmAVX512b = newKernel("avx512-8x48", 8, 48, 120, 256, 4080, runsgemm8x48AVX512, sgemm8x48AVX512Rows)
)

// kernelCandidates returns every micro-kernel of this build that the CPU runs, for tests and
// benchmarks.
func kernelCandidates() ([]*kernel[float64], []*kernel[float32]) {
	k64, k32 := []*kernel[float64]{portable64}, []*kernel[float32]{portable32}
	if hasAVX2 {
		k64, k32 = append(k64, dgemmAVX2), append(k32, sgemmAVX2)
	}
	if hasAVX512 {
		k64, k32 = append(k64, dgemmAVX512, dgemmAVX512b), append(k32, sgemmAVX512, sgemmAVX512b)
	}
	return k64, k32
}

// bestKernels returns the fastest micro-kernels this CPU runs.
func bestKernels() (*kernel[float64], *kernel[float32]) {
	switch {
	case hasAVX512:
		return dgemmAVX512, sgemmAVX512
	case hasAVX2:
		return dgemmAVX2, sgemmAVX2
	}
	return portable64, portable32
}
