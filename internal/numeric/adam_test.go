package numeric

import (
	"math"
	"math/rand/v2"
	"testing"
)

// adamStepRef is the step of AdamStep written out one element at a time, each operation
// on its own line, the truth the kernels are held to.
func adamStepRef(w, m, v, g, s []float64, w32 []float32, p *AdamParams) (bad uint64) {
	for j := range w {
		d := g[j]
		if p.L2 != 0 {
			t := p.L2 * w[j]
			d = d - t
		}
		a := p.Beta1 * m[j]
		b := (1 - p.Beta1) * d
		m[j] = a + b
		c := (1 - p.Beta2) * d
		c = c * d
		e := p.Beta2 * v[j]
		v[j] = e + c
		num := m[j] / p.C1
		num = p.LR * num
		den := v[j] / p.C2
		den = math.Sqrt(den)
		den = den + p.Eps
		st := num / den
		if s != nil {
			s[j] = st
		}
		w[j] += st
		if w32 != nil {
			w32[j] = float32(w[j])
		}
		bad |= math.Float64bits(w[j])&0x7ff0000000000000 + 1<<52
	}
	return bad
}

// Every kernel of AdamStep and AdamStep32 gives the reference's bits, with and without
// decay, the float32 copy and the step output (also into g itself), for every length up to 70 (every tail of the vector loop) and
// a row of a 784×500 model, on ordinary values and on values at the edges of float64 (±0,
// subnormals, ±Inf, NaN, huge).
func TestAdamStepKernels(t *testing.T) {
	special := []float64{0, math.Copysign(0, -1), 5e-324, -2.5e-310, math.Inf(1), math.Inf(-1), math.NaN(), 1e308, -1e308, 1e-200, 3.4e38}
	r := rand.New(rand.NewPCG(1, 7))
	draw := func(n int, edges bool) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = r.NormFloat64() * math.Exp(4*r.NormFloat64())
			if edges && r.IntN(4) == 0 {
				x[i] = special[r.IntN(len(special))]
			}
		}
		return x
	}
	for _, k := range adamKernels() {
		for _, n := range stepLengths {
			for _, edges := range []bool{false, true} {
				for _, l2 := range []float64{0, 1e-3} {
					for _, with32 := range []bool{false, true} {
						p := &AdamParams{L2: l2, LR: 1e-3, Beta1: 0.9, Beta2: 0.999, C1: 1 - math.Pow(0.9, 7), C2: 1 - math.Pow(0.999, 7), Eps: 1e-8}
						w, m, v, g := draw(n, edges), draw(n, edges), draw(n, false), draw(n, edges)
						for i := range v {
							v[i] = math.Abs(v[i])
						}
						g32 := make([]float32, n)
						g64 := make([]float64, n)
						for i, x := range g {
							g32[i] = float32(x)
							g64[i] = float64(g32[i])
						}
						var w32, want32, got32 []float32
						if with32 {
							want32, got32 = make([]float32, n), make([]float32, n)
						}
						for _, route := range []string{"g64", "g64+s", "g64+s=g", "g32"} {
							wantW, wantM, wantV := append([]float64(nil), w...), append([]float64(nil), m...), append([]float64(nil), v...)
							gotW, gotM, gotV := append([]float64(nil), w...), append([]float64(nil), m...), append([]float64(nil), v...)
							gIn := append([]float64(nil), g...)
							var wantS, gotS []float64
							if route != "g64" && route != "g32" {
								wantS, gotS = make([]float64, n), make([]float64, n)
							}
							if route == "g64+s=g" {
								gotS = gIn
							}
							var wantBad, gotBad uint64
							if route == "g32" {
								wantBad = adamStepRef(wantW, wantM, wantV, g64, nil, want32, p)
								gotBad = k.step32(gotW, gotM, gotV, g32, nil, got32, p)
							} else {
								wantBad = adamStepRef(wantW, wantM, wantV, g, wantS, want32, p)
								gotBad = k.step64(gotW, gotM, gotV, gIn, gotS, got32, p)
							}
							w32 = got32
							if gotBad>>63 != wantBad>>63 {
								t.Fatalf("%s %s n=%d: bad %x, want %x", k.name, route, n, gotBad, wantBad)
							}
							for _, a := range [][2][]float64{{gotW, wantW}, {gotM, wantM}, {gotV, wantV}, {gotS, wantS}} {
								for i := range a[0] {
									if !sameFloat(a[0][i], a[1][i]) {
										t.Fatalf("%s %s n=%d l2=%v: element %d is %v, want %v", k.name, route, n, l2, i, a[0][i], a[1][i])
									}
								}
							}
							for i := range w32 {
								if math.Float32bits(w32[i]) != math.Float32bits(want32[i]) && !(w32[i] != w32[i] && want32[i] != want32[i]) {
									t.Fatalf("%s %s n=%d: w32[%d] is %v, want %v", k.name, route, n, i, w32[i], want32[i])
								}
							}
						}
					}
				}
			}
		}
	}
}

// sameFloat reports whether a and b have the same bits, any NaN matching any NaN (Go does
// not specify which payload an operation on two NaNs carries).
func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b
}

// AdamStep and AdamStep32 panic on slices of different lengths.
func TestAdamStepLengths(t *testing.T) {
	p := &AdamParams{LR: 1, Beta1: 0.9, Beta2: 0.999, C1: 1, C2: 1, Eps: 1e-8}
	f, f32 := make([]float64, 4), make([]float32, 4)
	for name, call := range map[string]func(){
		"m":   func() { AdamStep(f, f[:3], f, f, nil, nil, p) },
		"g":   func() { AdamStep(f, f, f, f[:2], nil, nil, p) },
		"s":   func() { AdamStep(f, f, f, f, f[:1], nil, p) },
		"w32": func() { AdamStep32(f, f, f, f32, f32[:1], p) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic on a length mismatch", name)
				}
			}()
			call()
		}()
	}
}
