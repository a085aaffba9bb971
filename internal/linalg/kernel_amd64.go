//go:build amd64 && !purego

package linalg

// bestKernels returns the fastest micro-kernels this CPU runs.
func bestKernels() (*kernel[float64], *kernel[float32]) { return portable64, portable32 }
