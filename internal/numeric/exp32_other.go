//go:build !amd64 || purego

package numeric

// negAbsExps32Vec is the vector part of NegAbsExps32; this build has none.
func negAbsExps32Vec(t, x []float32) int { return 0 }

// exp32Kernels names the kernels of this build, for tests.
var exp32Kernels = []string{"go"}

// useExp32Kernel is a no-op: the Go kernel is the only one.
func useExp32Kernel(string) func() { return func() {} }
