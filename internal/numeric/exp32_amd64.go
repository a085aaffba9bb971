//go:build amd64 && !purego

package numeric

import "golang.org/x/sys/cpu"

// exp32Width is the number of elements the vector kernel of NegAbsExps32 takes at a time on
// this CPU: 16 with AVX-512 (F), 8 with AVX2, 0 (Go only) otherwise.
var exp32Width = func() int {
	switch {
	case cpu.X86.HasAVX512F:
		return 16
	case cpu.X86.HasAVX2:
		return 8
	}
	return 0
}()

//go:noescape
func negAbsExps32AVX512(t, x *float32, n int, c *[14][16]float32)

//go:noescape
func negAbsExps32AVX2(t, x *float32, n int, c *[14][16]float32)

// negAbsExps32Vec runs the vector kernel over the longest prefix of x it takes whole and
// returns that prefix's length; negAbsExps32Go does the rest.
func negAbsExps32Vec(t, x []float32) int {
	switch exp32Width {
	case 16:
		n := len(x) &^ 15
		if n > 0 {
			negAbsExps32AVX512(&t[0], &x[0], n, &exp32Table)
		}
		return n
	case 8:
		n := len(x) &^ 7
		if n > 0 {
			negAbsExps32AVX2(&t[0], &x[0], n, &exp32Table)
		}
		return n
	}
	return 0
}

// exp32Kernels names the kernels this CPU runs, for tests.
var exp32Kernels = func() []string {
	k := []string{"go"}
	if cpu.X86.HasAVX2 {
		k = append(k, "avx2")
	}
	if cpu.X86.HasAVX512F {
		k = append(k, "avx512")
	}
	return k
}()

// useExp32Kernel makes NegAbsExps32 use the named kernel and returns the function that
// restores the default. For tests; not safe while NegAbsExps32 runs elsewhere.
func useExp32Kernel(name string) func() {
	old := exp32Width
	exp32Width = map[string]int{"go": 0, "avx2": 8, "avx512": 16}[name]
	return func() { exp32Width = old }
}
