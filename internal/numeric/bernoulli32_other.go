//go:build !amd64 || purego

package numeric

// bernoulli32Vec is the vector part of Bernoulli32; this build has none.
func bernoulli32Vec(dst, mean []float32, scale float32, x, bias []float32, u []uint32) int {
	return 0
}
