//go:build amd64 && !purego

package numeric

//go:noescape
func bernoulli32AVX512(dst, mean *float32, scale float32, x, bias *float32, u *uint32, n int, c *[14][16]float32)

// bernoulli32Vec runs the AVX-512 kernel over the longest prefix of x it takes whole (a
// multiple of 16 elements) and returns its length; without AVX-512 it does nothing.
func bernoulli32Vec(dst, mean []float32, scale float32, x, bias []float32, u []uint32) int {
	n := len(x) &^ 15
	if exp32Width != 16 || n == 0 {
		return 0
	}
	var d, m *float32
	var up *uint32
	if dst != nil {
		d, up = &dst[0], &u[0]
	}
	if mean != nil {
		m = &mean[0]
	}
	bernoulli32AVX512(d, m, scale, &x[0], &bias[0], up, n, &exp32Table)
	return n
}
