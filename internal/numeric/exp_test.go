package numeric

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// The table holds 2^(j/64) correctly rounded: 2^j square-rooted six times at 300 bits, then
// rounded once to float64.
func TestExpTable(t *testing.T) {
	for j, bits := range exp2Table {
		y := new(big.Float).SetPrec(300).SetMantExp(big.NewFloat(1), j)
		for range 6 {
			y.Sqrt(y)
		}
		if want, _ := y.Float64(); math.Float64bits(want) != bits {
			t.Errorf("exp2Table[%d] = %#x, want %#x", j, bits, math.Float64bits(want))
		}
	}
}

// expULPBound is the accuracy Exp documents: at most 2 ulp from eˣ. The measured maximum
// is about 1 ulp (the tests log it).
const expULPBound = 2

// expRef returns eˣ to 128 bits: x = k·ln2 + r with |r| ≤ ln2/2 in 128-bit arithmetic,
// then the Taylor series of eʳ until its terms fall below 2⁻¹³⁰, times 2ᵏ.
func expRef(x float64) *big.Float {
	const prec = 128
	k := math.Round(x / math.Ln2)
	r := new(big.Float).SetPrec(prec).SetFloat64(x)
	r.Sub(r, new(big.Float).SetPrec(prec).Mul(refLn2, big.NewFloat(k)))
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for i := int64(1); term.Sign() != 0 && term.MantExp(nil) > -130; i++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetInt64(i))
		sum.Add(sum, term)
	}
	return sum.SetMantExp(sum, int(k))
}

// refLn2 is ln 2 to 100 digits (OEIS A002162).
var refLn2, _ = new(big.Float).SetPrec(128).SetString("0.6931471805599453094172321214581765680755001343602552541206800094933936219696947156058633269964186875")

// ulpsFrom returns |got − want| in units of the last place of want rounded to float64.
func ulpsFrom(got float64, want *big.Float) float64 {
	w, _ := want.Float64()
	ulp := math.Nextafter(w, math.Inf(1)) - w
	d := new(big.Float).SetPrec(128).SetFloat64(got)
	e, _ := d.Sub(d, want).Float64()
	return math.Abs(e) / ulp
}

// Exp is within expULPBound ulp of eˣ, against a 128-bit reference, at 100 000 uniform
// points of [−707.7, 709.78] (where Exp does not defer to math.Exp), 100 000 points of
// [−40, 0] (where the sigmoid spends its time) and the ends of the range.
func TestExpAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var worst, at float64
	check := func(x float64) {
		if e := ulpsFrom(Exp(x), expRef(x)); e > worst {
			worst, at = e, x
		}
	}
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	for range n {
		check(expMin + r.Float64()*(expOverflow-expMin))
		check(-40 * r.Float64())
	}
	for _, x := range []float64{expMin, math.Nextafter(expMin, 0), expOverflow, math.Nextafter(expOverflow, 0), 709.776,
		0, math.Copysign(0, -1), 1e-300, -1e-300, math.Ln2 / 128, -math.Ln2 / 128, 1, -1} {
		check(x)
	}
	t.Logf("largest error: %.3f ulp at x = %v", worst, at)
	if worst > expULPBound {
		t.Errorf("Exp is %.3f ulp from eˣ at x = %v, want at most %d", worst, at, expULPBound)
	}
}

// Exp stays within expULPBound + 1 ulp of math.Exp (itself within 1 ulp) at 4 million
// uniform points of [−745, 709.78], and equals it exactly outside the fast range: on
// subnormal results, overflow and the special values. math.Exp on amd64 overflows early,
// for x in (709.08, 709.78]; there the 128-bit reference is the truth.
func TestExpMatchesMathExp(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var worst, at float64
	n := 4_000_000
	if testing.Short() {
		n = 200_000
	}
	for range n {
		x := -745 + r.Float64()*(expOverflow+745)
		got, want := Exp(x), math.Exp(x)
		switch {
		case x < expMin:
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("Exp(%v) = %v, want math.Exp's %v", x, got, want)
			}
		case math.IsInf(want, 1):
			if e := ulpsFrom(got, expRef(x)); e > expULPBound {
				t.Fatalf("Exp(%v) = %v, %.3f ulp from eˣ", x, got, e)
			}
		default:
			ulp := math.Nextafter(want, math.Inf(1)) - want
			if e := math.Abs(got-want) / ulp; e > worst {
				worst, at = e, x
			}
		}
	}
	for _, x := range []float64{709.8, 710, 1e308, -745.2, -746, -1e308, math.Inf(1), math.Inf(-1), math.NaN()} {
		if got, want := Exp(x), math.Exp(x); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("Exp(%v) = %v, want %v", x, got, want)
		}
	}
	t.Logf("largest difference from math.Exp: %.3f ulp at x = %v", worst, at)
	if worst > expULPBound+1 {
		t.Errorf("Exp is %.3f ulp from math.Exp at x = %v, want at most %d", worst, at, expULPBound+1)
	}
}

// Sigmoids agrees with Sigmoid bit for bit, and Sigmoid is within 4 ulp of σ(x) computed
// in 128-bit arithmetic: eˣ/(1 + eˣ) for x < 0, 1/(1 + e⁻ˣ) for x ≥ 0.
func TestSigmoidAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	x := make([]float64, 20_000)
	for i := range x {
		x[i] = 20 * r.NormFloat64()
	}
	x = append(x, 0, math.Copysign(0, -1), 1e-20, -1e-20, 36, -36, 700, -700, 708.5, -708.5, 745, -745)
	got := make([]float64, len(x))
	Sigmoids(got, x)
	var worst, at float64
	for i, v := range x {
		s := Sigmoid(v)
		if math.Float64bits(s) != math.Float64bits(got[i]) {
			t.Fatalf("Sigmoids gave %v at x = %v, Sigmoid %v", got[i], v, s)
		}
		e := expRef(-math.Abs(v))
		den := new(big.Float).SetPrec(128).Add(big.NewFloat(1), e)
		num := big.NewFloat(1)
		if v < 0 {
			num = e
		}
		if d := ulpsFrom(s, new(big.Float).SetPrec(128).Quo(num, den)); d > worst {
			worst, at = d, v
		}
	}
	t.Logf("largest error: %.3f ulp at x = %v", worst, at)
	if worst > 4 {
		t.Errorf("σ is %.3f ulp off at x = %v, want at most 4", worst, at)
	}
}
