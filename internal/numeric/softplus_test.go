package numeric

import (
	"math"
	"math/rand/v2"
	"testing"
)

// oldSoftplusSum is the chunked sum as rbm/pll.go and SigmoidSoftplusSum wrote it before
// LogProduct: SoftplusSum must give its bits.
func oldSoftplusSum(x, w []float64, s float64) float64 {
	var lin, logs float64
	var scratch [64]float64
	for start := 0; start < len(x); start += len(scratch) {
		xc := x[start:min(start+len(scratch), len(x))]
		wc := w[start : start+len(xc)]
		t := scratch[:len(xc)]
		for j, xj := range xc {
			y := xj + s*wc[j]
			lin += max(y, 0)
			t[j] = y
		}
		NegAbsExps(t, t)
		prod := 1.0
		for _, tj := range t {
			prod *= 1 + tj
		}
		logs += math.Log(prod)
	}
	return lin + logs
}

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
			if old := oldSoftplusSum(x, w, s); math.Float64bits(got) != math.Float64bits(old) {
				t.Errorf("n=%d s=%v: %v, the chunked kernel it replaces gives %v", n, s, got, old)
			}
		}
		plain := SoftplusSum(x, nil, 0)
		xs, xo := append([]float64(nil), x...), append([]float64(nil), x...)
		sig := SigmoidSoftplusSum(xs)
		if old := oldSigmoidSoftplusSum(xo); math.Float64bits(sig) != math.Float64bits(old) {
			t.Errorf("n=%d: SigmoidSoftplusSum %v, before LogProduct %v", n, sig, old)
		}
		for i := range xs {
			if xs[i] != xo[i] {
				t.Fatalf("n=%d: σ(x_%d) = %v, before LogProduct %v", n, i, xs[i], xo[i])
			}
		}
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

// oldSigmoidSoftplusSum is SigmoidSoftplusSum before LogProduct.
func oldSigmoidSoftplusSum(x []float64) float64 {
	var lin, logs float64
	var t [64]float64
	for start := 0; start < len(x); start += 64 {
		xc := x[start:min(start+64, len(x))]
		tc := NegAbsExps(t[:len(xc)], xc)
		prod := 1.0
		for i, v := range xc {
			prod *= 1 + tc[i]
			lin += max(v, 0)
			xc[i] = sigmoidFrom(v, tc[i])
		}
		logs += math.Log(prod)
	}
	return lin + logs
}

func benchSoftplusInput() []float64 {
	r := rand.New(rand.NewPCG(7, 8))
	x := make([]float64, 500)
	for i := range x {
		x[i] = 4 * r.NormFloat64()
	}
	return x
}

func BenchmarkSigmoidSoftplusSum(b *testing.B) {
	x, y := benchSoftplusInput(), make([]float64, 500)
	for b.Loop() {
		copy(y, x)
		SigmoidSoftplusSum(y)
	}
}

// BenchmarkSigmoidSoftplusSumBefore is the kernel before LogProduct, for comparison.
func BenchmarkSigmoidSoftplusSumBefore(b *testing.B) {
	x, y := benchSoftplusInput(), make([]float64, 500)
	for b.Loop() {
		copy(y, x)
		oldSigmoidSoftplusSum(y)
	}
}
