package numeric

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Every kernel of Bernoulli32 gives the bits of bernoulli32Ref, means and samples, for every
// length 0…70 and 500, with either output left out, on inputs that include ±0, the clamp,
// huge values, and uniforms at and around the thresholds. The reference takes one element at
// a time with the scalar exponential, so the Go kernel's chunking, the AVX2 exponential it
// uses and the AVX-512 kernel are all held to it (TestBernoulli32Reference holds the
// arithmetic itself to float64).
func TestBernoulli32Kernels(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const total = 4096
	x, bias := make([]float32, total), make([]float32, total)
	u := make([]uint32, total)
	for i := range x {
		x[i], bias[i] = float32(8*r.NormFloat64()), float32(r.NormFloat64())
		u[i] = r.Uint32()
	}
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 87, -87, 90, -90, 1e30, -1e30, float32(math.Inf(1)), float32(math.Inf(-1))}
	for i, v := range special {
		x[100+i], bias[100+i] = v, 0
		x[200+i], bias[200+i] = v, float32(math.Copysign(0, -1))
	}
	// Uniforms at the thresholds: u = thr, thr − 1 and thr + 1 for the units at 300…
	tt := NegAbsExps32(make([]float32, 1), []float32{0.5})[0]
	thr := uint32(int64(tt / (1 + tt) * (1 << 32)))
	for i, d := range []int32{0, -1, 1} {
		x[300+i], bias[300+i], u[300+i] = 0.5, 0, uint32(int32(thr)+d)
		x[310+i], bias[310+i], u[310+i] = -0.5, 0, uint32(int32(thr)+d)
	}
	x[320], bias[320], u[320] = 0, 0, 1<<31 // p = ½ exactly: thr = 2³¹
	x[321], bias[321], u[321] = 0, 0, 1<<31-1
	lengths := []int{500, 4096}
	for n := 0; n <= 70; n++ {
		lengths = append(lengths, n)
	}
	for _, name := range exp32Kernels {
		t.Run(name, func(t *testing.T) {
			defer useExp32Kernel(name)()
			for _, n := range lengths {
				for start := 0; start+n <= total; start += max(n, 97) {
					xs, bs, us := x[start:start+n], bias[start:start+n], u[start:start+n]
					for _, outs := range [][2]bool{{true, true}, {true, false}, {false, true}} {
						var d, m, wd, wm []float32
						if outs[0] {
							d, wd = make([]float32, n), make([]float32, n)
						}
						if outs[1] {
							m, wm = make([]float32, n), make([]float32, n)
						}
						Bernoulli32(d, m, 0.37, xs, bs, us)
						bernoulli32Ref(wd, wm, 0.37, xs, bs, us)
						for i := range n {
							if outs[0] && d[i] != wd[i] {
								t.Fatalf("n=%d unit %d (y=%v, u=%d): sample %v, the reference gives %v", n, start+i, xs[i]+bs[i], us[i], d[i], wd[i])
							}
							if outs[1] && math.Float32bits(m[i]) != math.Float32bits(wm[i]) {
								t.Fatalf("n=%d unit %d (y=%v): mean %v, the reference gives %v", n, start+i, xs[i]+bs[i], m[i], wm[i])
							}
						}
					}
				}
			}
		})
	}
}

// bernoulli32Ref is Bernoulli32 one element at a time: y = x + bias, t from negAbsExps32Go
// on that one element, then sigmoid32 and bernoulliBit32.
func bernoulli32Ref(dst, mean []float32, scale float32, x, bias []float32, u []uint32) {
	for i := range x {
		y := x[i] + bias[i]
		var t [1]float32
		negAbsExps32Go(t[:], []float32{y})
		if mean != nil {
			mean[i] = scale * sigmoid32(y, t[0])
		}
		if dst != nil {
			dst[i] = bernoulliBit32(y, t[0], u[i])
		}
	}
}

// bernoulli32Go's means are scale·σ(y) to float32 accuracy and its samples follow the
// threshold rule against float64 arithmetic.
func TestBernoulli32Reference(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const n = 20000
	x, bias, u := make([]float32, n), make([]float32, n), make([]uint32, n)
	for i := range x {
		x[i], bias[i], u[i] = float32(6*r.NormFloat64()), float32(r.NormFloat64()), r.Uint32()
	}
	d, m := make([]float32, n), make([]float32, n)
	Bernoulli32(d, m, 0.5, x, bias, u)
	var near int
	for i := range x {
		y := float64(x[i] + bias[i])
		s := 1 / (1 + math.Exp(-y))
		if math.Abs(float64(m[i])-0.5*s) > 1e-7 {
			t.Fatalf("mean %d: %v, want %v", i, m[i], 0.5*s)
		}
		p := 1 / (1 + math.Exp(math.Abs(y))) // σ(−|y|)
		thr := p * (1 << 32)
		if math.Abs(float64(u[i])-thr) < 1e-6*(1<<32) {
			near++ // within float32 rounding of the threshold: either answer is right
			continue
		}
		want := float32(0)
		if (float64(u[i]) < thr) == (y < 0) {
			want = 1
		}
		if d[i] != want {
			t.Fatalf("unit %d: y=%v u=%d thr=%v: sample %v, want %v", i, y, u[i], thr, d[i], want)
		}
	}
	if near > 10 {
		t.Fatalf("%d of %d uniforms within rounding of their thresholds: the test draws too close", near, n)
	}
}

// BenchmarkBernoulli32 is one row of 500 units, sample and mean, per kernel.
func BenchmarkBernoulli32(b *testing.B) {
	const n = 500
	r := rand.New(rand.NewPCG(1, 2))
	x, bias, u := make([]float32, n), make([]float32, n), make([]uint32, n)
	for i := range x {
		x[i], bias[i], u[i] = float32(3*r.NormFloat64()), float32(r.NormFloat64()), r.Uint32()
	}
	d, m := make([]float32, n), make([]float32, n)
	for _, name := range exp32Kernels {
		b.Run(name, func(b *testing.B) {
			defer useExp32Kernel(name)()
			perElement(b, n, func() { Bernoulli32(d, m, 0.01, x, bias, u) })
		})
	}
}
