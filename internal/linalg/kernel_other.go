//go:build !amd64 || purego

package linalg

// bestKernels returns the portable kernels: this build has no assembly.
func bestKernels() (*kernel[float64], *kernel[float32]) { return portable64, portable32 }
