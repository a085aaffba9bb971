package numeric

import (
	"math"
	"math/rand/v2"
)

// Erfcx returns the scaled complementary error function erfcx(x) = exp(x²)·erfc(x), finite
// wherever the product is (it overflows to +Inf only for x < −26.6, where exp(x²)
// does). For x ≥ 10 it sums the asymptotic series
//
//	erfcx(x) = 1/(x√π) · Σ_k (−1)^k (2k−1)!!/(2x²)^k,
//
// truncated after 12 terms, where the first omitted term is below 1e-15 relative; below 10
// it is exp(x²)·math.Erfc(x), whose relative error is that of exp at x² ≤ 100 (about
// 1e-14).
func Erfcx(x float64) float64 {
	if x >= erfcxSeriesMin {
		return (1 + erfcxTail(x, 0)) / (x * math.SqrtPi)
	}
	return math.Exp(x*x) * math.Erfc(x)
}

// erfcxSeriesMin is where Erfcx switches to the asymptotic series.
const erfcxSeriesMin = 10

// erfcxTail returns S(x) − 1 for the asymptotic series S of x√π·erfcx(x), x ≥ 10: the sum
// of its terms after the first, summed smallest first, leaving out the first skip of them.
func erfcxTail(x float64, skip int) float64 {
	const terms = 12
	inv := 1 / (2 * x * x)
	var t [terms]float64
	t[0] = -inv
	for k := 1; k < terms; k++ {
		t[k] = -t[k-1] * float64(2*k+1) * inv
	}
	var s float64
	for k := terms - 1; k >= skip; k-- {
		s += t[k]
	}
	return s
}

// HalfNormalLogZ returns the log-normaliser of a unit with density ∝ exp(−γh²/2 + xh) on
// h ≥ 0 (a ReLU unit with total input x and curvature γ > 0):
//
//	A(x) = log ∫₀^∞ exp(−γh²/2 + xh) dh = u² + ½ log(π/(2γ)) + log erfc(u),   u = −x/√(2γ),
//
// computed as ½ log(π/(2γ)) + log erfcx(u) for u ≥ 0 so that nothing overflows or cancels:
// it is finite for every finite x (A ≈ x²/(2γ) for x → +∞, ≈ −log(−x) for x → −∞).
func HalfNormalLogZ(x, gamma float64) float64 {
	u := -x / math.Sqrt(2*gamma)
	c := 0.5 * math.Log(math.Pi/(2*gamma))
	if u >= 0 {
		return c + math.Log(Erfcx(u))
	}
	return u*u + c + math.Log(math.Erfc(u))
}

// HalfNormalMoments returns E[h] and E[h²] for the density ∝ exp(−γh²/2 + xh) on h ≥ 0:
// with s = 1/√γ, α = −x/√γ and λ = φ(α)/Φ(−α) = √(2/π)/erfcx(α/√2) the inverse Mills
// ratio,
//
//	E[h] = s·(λ − α),   E[h²] = s²·(1 − α(λ − α)).
//
// λ − α is taken from the asymptotic series for α > 20, where it would cancel; elsewhere
// the cancellation loses at most α²·ε ≤ 1e-13 relative. Both values are clamped at 0.
func HalfNormalMoments(x, gamma float64) (m1, m2 float64) {
	s := 1 / math.Sqrt(gamma)
	a := -x * s
	d := millsOffset(a)
	v := 1 - a*d
	if u := a / math.Sqrt2; u >= erfcxSeriesMin {
		// With S = 1 + tail and α² = 2u², 1 − αd = (1 + tail + α²·tail)/S, and
		// 1 + α²·tail = 2u²·(tail less its first term −1/(2u²)): no cancellation.
		tail := erfcxTail(u, 0)
		v = (tail + 2*u*u*erfcxTail(u, 1)) / (1 + tail)
	}
	return math.Max(0, s*d), math.Max(0, s*s*v)
}

// millsOffset returns λ(α) − α for the inverse Mills ratio λ(α) = φ(α)/Φ(−α).
func millsOffset(a float64) float64 {
	u := a / math.Sqrt2
	if u >= erfcxSeriesMin {
		// λ = α/S with S = 1 + erfcxTail(u), so λ − α = −α·tail/S.
		tail := erfcxTail(u, 0)
		return -a * tail / (1 + tail)
	}
	return math.Sqrt(2/math.Pi)/Erfcx(u) - a
}

// SampleHalfNormal returns a draw of h ≥ 0 from the density ∝ exp(−γh²/2 + xh), using r:
// h = s·w with s = 1/√γ and w = z − α for z a standard normal truncated to z ≥ α = −x/√γ.
// For α ≤ 0 it draws standard normals until one is at least α (acceptance Φ(−α) ≥ ½); for
// α > 0 it uses the exponential proposal of Robert (1995), w ~ Exp(λ*) with
// λ* = (α + √(α² + 4))/2, accepted with probability exp(−(α + w − λ*)²/2), whose
// acceptance rate is above 0.75 for every α ≥ 0 and tends to 1 as α grows. The expected
// number of draws is below 2 whatever x and γ are, so it cannot stall; a NaN input gives NaN
// and an infinite one the limit (+Inf or 0) without drawing.
func SampleHalfNormal(x, gamma float64, r *rand.Rand) float64 {
	s := 1 / math.Sqrt(gamma)
	a := -x * s
	switch {
	case math.IsNaN(a):
		return math.NaN() // the caller's parameters diverged; its finiteness check reports it
	case math.IsInf(a, -1):
		return math.Inf(1)
	case math.IsInf(a, 1):
		return 0
	}
	if a <= 0 {
		for {
			if z := r.NormFloat64(); z >= a {
				return s * (z - a)
			}
		}
	}
	// λ* − α = 2/(α + √(α² + 4)), formed without cancellation: for α ≈ 1e8 the difference
	// α − λ* is below the rounding of α, and d = α + w − λ* would be rounding noise of
	// order ulp(α), rejecting every proposal.
	root := math.Sqrt(a*a + 4)
	lam, gap := (a+root)/2, 2/(a+root)
	for {
		w := r.ExpFloat64() / lam
		d := w - gap
		if r.Float64() <= math.Exp(-d*d/2) {
			return s * w
		}
	}
}
