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

// The kernels with their cache blocking: a kc×nr micro-panel of B (16–32 KiB) stays in the
// L1 data cache, an mc×kc block of A (120–240 KiB) and a kc×nc panel of B (0.5–1 MiB) in
// L2. The sizes were chosen with BenchmarkGemm64_100x784x500 on an AMD EPYC (Zen 5):
// kc = 128 … 384, mc = 96 … 240 and nc = 256 … 2048 all came within the noise of each other,
// so the smaller buffers won. Tiles of 8×24 (float64) and 8×48 (float32) ran as fast as
// 12×16 and 12×32 but balance worse across two goroutines when n = 500.
var (
	dgemmAVX2   = newKernel("avx2-6x8", 6, 8, 120, 256, 512, rundgemm6x8AVX2, dgemm6x8AVX2Rows)
	sgemmAVX2   = newKernel("avx2-6x16", 6, 16, 120, 256, 1024, runsgemm6x16AVX2, sgemm6x16AVX2Rows)
	dgemmAVX512 = newKernel("avx512-12x16", 12, 16, 120, 256, 512, rundgemm12x16AVX512, dgemm12x16AVX512Rows)
	sgemmAVX512 = newKernel("avx512-12x32", 12, 32, 120, 256, 1024, runsgemm12x32AVX512, sgemm12x32AVX512Rows)
)

// kernelCandidates returns every micro-kernel of this build that the CPU runs, for tests and
// benchmarks.
func kernelCandidates() ([]*kernel[float64], []*kernel[float32]) {
	k64, k32 := []*kernel[float64]{portable64}, []*kernel[float32]{portable32}
	if hasAVX2 {
		k64, k32 = append(k64, dgemmAVX2), append(k32, sgemmAVX2)
	}
	if hasAVX512 {
		k64, k32 = append(k64, dgemmAVX512), append(k32, sgemmAVX512)
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
