package numeric

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSoftplusSum(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 63, 64, 65, 128, 500} {
		x, w := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], w[i] = 30*r.NormFloat64(), r.NormFloat64()
		}
		for _, s := range []float64{0, 1, -1} {
			var want float64
			for i := range x {
				want += Softplus(x[i] + s*w[i])
			}
			got := SoftplusSum(x, w, s)
			if math.Abs(got-want) > 1e-13*math.Max(1, math.Abs(want)) {
				t.Errorf("n=%d s=%v: %v, want %v", n, s, got, want)
			}
		}
		plain := SoftplusSum(x, nil, 0)
		sig := SigmoidSoftplusSum(append([]float64(nil), x...))
		if math.Float64bits(plain) != math.Float64bits(sig) || plain != SoftplusSum(x, w, 0) {
			t.Errorf("n=%d: SoftplusSum(x, nil, 0) = %v, SigmoidSoftplusSum %v, SoftplusSum(x, w, 0) %v",
				n, plain, sig, SoftplusSum(x, w, 0))
		}
	}
}

// LogProduct takes one logarithm per span factors, as a hand-written loop does.
func TestLogProduct(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	f := make([]float64, 1300)
	for i := range f {
		f[i] = 0.5 + 1.5*r.Float64()
	}
	for _, span := range []int{1, 64, 512} {
		p := NewLogProduct(span)
		var logs float64
		prod := 1.0
		for k, x := range f {
			p = p.Mul(x)
			prod *= x
			if (k+1)%span == 0 {
				logs += math.Log(prod)
				prod = 1
			}
		}
		if got, want := p.Sum(), logs+math.Log(prod); got != want {
			t.Errorf("span %d: Sum %v, want %v", span, got, want)
		}
	}
	if p := NewLogProduct(8); p.Sum() != 0 {
		t.Errorf("empty Sum = %v", p.Sum())
	}
}
