package numeric

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Reference values of exp(x²)·erfc(x) computed with mpmath at 40 significant digits.
func TestErfcx(t *testing.T) {
	for _, c := range []struct{ x, want float64 }{
		{0, 1},
		{0.5, 0.6156903441929259},
		{3, 0.17900115118138995},
		{9.99, 0.05619664070685882},
		{10, 0.056140992743822586},
		{30, 0.018795888861416751},
		{1e3, 5.6418930145338765e-4},
		{-1, 5.0089800807622835},
	} {
		if got := Erfcx(c.x); math.Abs(got-c.want) > 1e-13*c.want {
			t.Errorf("Erfcx(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

// quad integrates f over [0, hi] with Simpson's rule on n intervals.
func quad(f func(float64) float64, hi float64, n int) float64 {
	h := hi / float64(n)
	s := f(0) + f(hi)
	for k := 1; k < n; k++ {
		w := 2.0
		if k%2 == 1 {
			w = 4
		}
		s += w * f(float64(k)*h)
	}
	return s * h / 3
}

// The log-normaliser and the moments agree with quadrature of the unnormalised density.
func TestHalfNormalAgainstQuadrature(t *testing.T) {
	for _, c := range [][2]float64{{0, 1}, {2, 0.5}, {-3, 2}, {5, 1}, {-0.3, 0.1}} {
		x, g := c[0], c[1]
		a := HalfNormalLogZ(x, g)
		f := func(p int) func(float64) float64 {
			return func(h float64) float64 { return math.Pow(h, float64(p)) * math.Exp(-g*h*h/2+x*h-a) }
		}
		hi := math.Max(x/g, 0) + 12/math.Sqrt(g)
		z := quad(f(0), hi, 20000)
		m1, m2 := HalfNormalMoments(x, g)
		if math.Abs(z-1) > 1e-9 {
			t.Errorf("x=%v γ=%v: ∫exp(−E−A) = %v", x, g, z)
		}
		if q := quad(f(1), hi, 20000); math.Abs(q-m1) > 1e-9 {
			t.Errorf("x=%v γ=%v: E[h] = %v, quadrature %v", x, g, m1, q)
		}
		if q := quad(f(2), hi, 20000); math.Abs(q-m2) > 1e-9 {
			t.Errorf("x=%v γ=%v: E[h²] = %v, quadrature %v", x, g, m2, q)
		}
	}
}

// Inputs of ±1e3 give finite values close to their asymptotes: A ≈ x²/(2γ) + ½log(2π/γ) for
// x → +∞; A ≈ −log(−x), E[h] ≈ −1/x, E[h²] ≈ 2/x² for x → −∞.
func TestHalfNormalExtremes(t *testing.T) {
	for _, x := range []float64{1e3, -1e3, 1e6, -1e6} {
		a := HalfNormalLogZ(x, 1)
		m1, m2 := HalfNormalMoments(x, 1)
		for _, v := range []float64{a, m1, m2} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("x=%v: A=%v E[h]=%v E[h²]=%v", x, a, m1, m2)
			}
		}
		if x > 0 {
			if want := x*x/2 + 0.5*math.Log(2*math.Pi); math.Abs(a-want) > 1e-12*want {
				t.Errorf("A(%v) = %v, want %v", x, a, want)
			}
		} else {
			if want := -math.Log(-x); math.Abs(a-want) > 1e-5 {
				t.Errorf("A(%v) = %v, want about %v", x, a, want)
			}
			if math.Abs(m1*(-x)-1) > 1e-5 || math.Abs(m2*x*x/2-1) > 1e-5 {
				t.Errorf("x=%v: E[h]=%v E[h²]=%v", x, m1, m2)
			}
		}
	}
}

// Draws have the moments HalfNormalMoments gives, within 4 standard errors, for truncation
// points on both sides of the mode and far in the tail.
func TestSampleHalfNormal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 20_000
	for _, c := range [][2]float64{{2, 1}, {0, 1}, {-1, 1}, {-50, 2}, {-1e3, 1}, {1e3, 1}, {-1e12, 1e-4}, {-1e300, 1}} {
		x, g := c[0], c[1]
		m1, m2 := HalfNormalMoments(x, g)
		var s float64
		for range n {
			h := SampleHalfNormal(x, g, r)
			if !(h >= 0) {
				t.Fatalf("x=%v: draw %v", x, h)
			}
			s += h
		}
		se := math.Sqrt((m2 - m1*m1) / n)
		if d := s/n - m1; math.Abs(d) > 4*se {
			t.Errorf("x=%v γ=%v: mean %v, want %v ± %v", x, g, s/n, m1, se)
		}
	}
}

// Non-finite inputs return at once instead of looping.
func TestSampleHalfNormalNonFinite(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	if h := SampleHalfNormal(math.NaN(), 1, r); !math.IsNaN(h) {
		t.Errorf("NaN input: %v", h)
	}
	if h := SampleHalfNormal(math.Inf(1), 1, r); !math.IsInf(h, 1) {
		t.Errorf("+Inf input: %v", h)
	}
	if h := SampleHalfNormal(math.Inf(-1), 1, r); h != 0 {
		t.Errorf("−Inf input: %v", h)
	}
}
