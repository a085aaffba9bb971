//go:build !amd64 || purego

package linalg

// bestKernels returns the portable kernels: this build has no assembly.
func bestKernels() (*kernel[float64], *kernel[float32]) { return portable64, portable32 }

// kernelCandidates returns every micro-kernel of this build, for tests and benchmarks.
func kernelCandidates() ([]*kernel[float64], []*kernel[float32]) {
	return []*kernel[float64]{portable64}, []*kernel[float32]{portable32}
}
