package mcmc

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ar1 returns a stationary AR(1) trace x_t = ρ·x_{t−1} + √(1−ρ²)·ε_t, x_0 ~ N(0, 1), whose
// autocorrelation is ρ(t) = ρ^|t| and integrated autocorrelation time
// τ = 1 + 2Σ_{t≥1} ρ^t = (1+ρ)/(1−ρ).
func ar1(n int, rho float64, r *rand.Rand) []float64 {
	x := make([]float64, n)
	x[0] = r.NormFloat64()
	s := math.Sqrt(1 - rho*rho)
	for t := 1; t < n; t++ {
		x[t] = rho*x[t-1] + s*r.NormFloat64()
	}
	return x
}

// τ̂ of AR(1) traces of 2^17 values is (1+ρ)/(1−ρ) within 4 standard errors. The standard
// error is Madras & Sokal's large-τ approximation τ·√(2(2L+1)/N) for a sum over L lags,
// with τ replaced by max(τ, 1): for τ < 1 (ρ < 0) the noise of each ρ̂(t), of variance
// about Σ_s ρ(s)²/N ≥ 1/N by Bartlett's formula, does not shrink with τ. Over 100 replicate
// traces (seed 1) the measured spread was 0.8–0.9 of this prediction for ρ ∈ {0, 0.5, 0.9}
// and 0.4 of it for ρ = −0.5, and the estimator's bias (positive: noise in the tail adds
// terms) at most half of it.
func TestIntegratedAutocorrTimeAR1(t *testing.T) {
	const n = 1 << 17
	for i, rho := range []float64{0, 0.5, 0.9, -0.5} {
		tau := (1 + rho) / (1 - rho)
		x := ar1(n, rho, rand.New(rand.NewPCG(7, uint64(i))))
		got, lag, err := IntegratedAutocorrTime(x)
		if err != nil {
			t.Fatal(err)
		}
		se := math.Max(tau, 1) * math.Sqrt(2*float64(2*lag+1)/n)
		if math.Abs(got-tau) > 4*se {
			t.Errorf("ρ = %v: τ̂ = %.4f (lag %d), want %.4f ± %.4f", rho, got, lag, tau, 4*se)
		}
		ess, err := EffectiveSampleSize(x)
		if err != nil || math.Abs(ess-n/got) > 1e-9*ess {
			t.Errorf("ρ = %v: ESS = %v (%v), want N/τ̂ = %v", rho, ess, err, n/got)
		}
	}
}

func TestIntegratedAutocorrTimeErrors(t *testing.T) {
	for name, x := range map[string][]float64{
		"short":    {1, 2, 3},
		"constant": {2, 2, 2, 2, 2},
		"NaN":      {1, 2, math.NaN(), 4, 5},
		"Inf":      {1, 2, math.Inf(1), 4, 5},
	} {
		if _, _, err := IntegratedAutocorrTime(x); err == nil {
			t.Errorf("%s: no error", name)
		}
		if _, err := EffectiveSampleSize(x); err == nil {
			t.Errorf("%s: ESS: no error", name)
		}
	}
	// A perfectly alternating trace has τ = 0; the estimate stays positive.
	if tau, _, err := IntegratedAutocorrTime([]float64{1, -1, 1, -1, 1, -1, 1, -1}); err != nil || !(tau > 0) {
		t.Errorf("alternating trace: τ̂ = %v, %v; want > 0", tau, err)
	}
}

// R̂ for the traces {1,2,3} and {4,5,6}, by hand: chain means 2 and 5, s² = 1 each, so
// W = 1, B = 3·((2−3.5)² + (5−3.5)²)/1 = 13.5, var⁺ = (2/3)·1 + 13.5/3 = 31/6, R̂ = √(31/6).
func TestGelmanRubinByHand(t *testing.T) {
	got, err := GelmanRubin([][]float64{{1, 2, 3}, {4, 5, 6}})
	if want := math.Sqrt(31.0 / 6); err != nil || math.Abs(got-want) > 1e-15 {
		t.Errorf("R̂ = %v (%v), want %v", got, err, want)
	}
}

// For m independent chains of n iid N(0,1) draws, B/W ~ F(m−1, m(n−1)) and
// R̂² − 1 = (B/W − 1)/n exactly, with standard deviation about √(2/(m−1))/n; it must be
// within 4 of those of 0. Chains with means 0, 1, 2, 3 and unit variance have W ≈ 1 and
// B/n ≈ var(means) = 5/3, so R̂ ≈ √(1 + 5/3) ≈ 1.63.
func TestGelmanRubin(t *testing.T) {
	const m, n = 4, 10000
	r := rand.New(rand.NewPCG(3, 3))
	iid := make([][]float64, m)
	shifted := make([][]float64, m)
	for j := range m {
		iid[j], shifted[j] = make([]float64, n), make([]float64, n)
		for i := range n {
			iid[j][i] = r.NormFloat64()
			shifted[j][i] = iid[j][i] + float64(j)
		}
	}
	rhat, err := GelmanRubin(iid)
	if tol := 4 * math.Sqrt(2.0/(m-1)) / n; err != nil || math.Abs(rhat*rhat-1) > tol {
		t.Errorf("iid chains: R̂ = %v (%v), want 1 within R̂² ± %v", rhat, err, tol)
	}
	if rhat, err := GelmanRubin(shifted); err != nil || rhat < 1.5 {
		t.Errorf("chains with means 0..3: R̂ = %v (%v), want ≫ 1", rhat, err)
	}
	for name, chains := range map[string][][]float64{
		"one chain": {{1, 2, 3}},
		"short":     {{1}, {2}},
		"ragged":    {{1, 2, 3}, {1, 2}},
		"constant":  {{1, 1}, {2, 2}},
		"NaN":       {{1, math.NaN()}, {1, 2}},
	} {
		if _, err := GelmanRubin(chains); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
