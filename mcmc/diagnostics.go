package mcmc

import (
	"fmt"
	"math"
)

// minTrace is the shortest trace whose autocorrelation time is estimated: the first pair
// Γ_0 = ρ(0) + ρ(1) needs two lags, and fewer than 4 values leave no room to see it fall.
const minTrace = 4

// IntegratedAutocorrTime returns the integrated autocorrelation time of the scalar trace x,
//
//	τ = Σ_{t=−∞}^{∞} ρ(t) = 1 + 2·Σ_{t≥1} ρ(t),
//
// the factor by which correlation inflates the variance of the trace's mean,
// var(x̄) ≈ τ·var(x)/N, together with the largest lag the estimate sums. It uses Geyer's
// initial monotone sequence estimator (C. J. Geyer 1992, "Practical Markov chain Monte
// Carlo", Statistical Science 7(4)): with the empirical autocorrelations
//
//	ρ̂(t) = ĉ(t)/ĉ(0),   ĉ(t) = (1/N)·Σ_{s<N−t} (x_s − x̄)(x_{s+t} − x̄),
//
// and the sums of adjacent pairs Γ̂_k = ρ̂(2k) + ρ̂(2k+1), which are positive and decreasing
// for a reversible chain,
//
//	τ̂ = −1 + 2·Σ_{k=0}^{K} min(Γ̂_0, …, Γ̂_k),
//
// K the last k before the first Γ̂_k ≤ 0. It needs no tuning constant and also handles
// negatively correlated traces (τ < 1). For an AR(1) trace with coefficient ρ,
// τ = (1+ρ)/(1−ρ). τ̂ is at least 1/N, so N/τ̂ stays finite. Its relative standard error is
// about √(2(2·lag+1)/N) (Madras & Sokal 1988, J. Stat. Phys. 50, for a window of that many
// lags).
//
// Cost: O(N·lag). It returns an error if x has fewer than 4 values, holds NaN or ±Inf, or
// is constant.
func IntegratedAutocorrTime(x []float64) (tau float64, lag int, err error) {
	d, err := centered(x)
	if err != nil {
		return 0, 0, err
	}
	c0 := autocov(d, 0)
	if c0 == 0 {
		return 0, 0, fmt.Errorf("autocorrelation time: trace of %d values is constant", len(x))
	}
	n := len(d)
	sum, prev := 0.0, math.Inf(1)
	for k := 0; 2*k+1 < n; k++ {
		gamma := (autocov(d, 2*k) + autocov(d, 2*k+1)) / c0
		if gamma <= 0 && k > 0 {
			break
		}
		gamma = min(gamma, prev)
		sum += gamma
		prev, lag = gamma, 2*k+1
	}
	return max(2*sum-1, 1/float64(n)), lag, nil
}

// EffectiveSampleSize returns N/τ̂, the number of independent draws whose mean would have
// the variance of the mean of the trace x; τ̂ is IntegratedAutocorrTime's. Errors and cost
// are IntegratedAutocorrTime's.
func EffectiveSampleSize(x []float64) (float64, error) {
	tau, _, err := IntegratedAutocorrTime(x)
	if err != nil {
		return 0, err
	}
	return float64(len(x)) / tau, nil
}

// GelmanRubin returns the potential scale reduction factor R̂ of m ≥ 2 traces of the same
// scalar, each of n ≥ 2 draws (Gelman & Rubin 1992, "Inference from iterative simulation
// using multiple sequences", Statistical Science 7(4); Gelman et al., Bayesian Data Analysis,
// 3rd ed., §11.4):
//
//	W  = (1/m)·Σ_j s_j²                         (mean within-chain variance, s_j² with n−1)
//	B  = n/(m−1)·Σ_j (x̄_j − x̄)²                (between-chain variance)
//	R̂ = √( ((n−1)/n·W + B/n) / W )
//
// R̂ near 1 says the chains agree; Gelman et al. suggest running on while R̂ > 1.01–1.1.
// For the split-R̂ of BDA3, pass each chain's two halves as separate traces. Cost O(m·n).
// It returns an error if there are fewer than 2 traces, they differ in length or have fewer
// than 2 draws, a value is NaN or ±Inf, or every trace is constant (W = 0).
func GelmanRubin(chains [][]float64) (float64, error) {
	m := len(chains)
	if m < 2 {
		return 0, fmt.Errorf("Gelman–Rubin: %d traces, want at least 2", m)
	}
	n := len(chains[0])
	if n < 2 {
		return 0, fmt.Errorf("Gelman–Rubin: traces of %d draws, want at least 2", n)
	}
	var w, meanOfMeans float64
	means := make([]float64, m)
	for j, x := range chains {
		if len(x) != n {
			return 0, fmt.Errorf("Gelman–Rubin: trace %d has %d draws, trace 0 has %d", j, len(x), n)
		}
		mean, ss, err := meanAndSS(x)
		if err != nil {
			return 0, fmt.Errorf("Gelman–Rubin: trace %d: %w", j, err)
		}
		means[j] = mean
		meanOfMeans += mean / float64(m)
		w += ss / float64(n-1) / float64(m)
	}
	if w == 0 {
		return 0, fmt.Errorf("Gelman–Rubin: every trace is constant (within-chain variance 0)")
	}
	var b float64
	for _, mean := range means {
		b += (mean - meanOfMeans) * (mean - meanOfMeans)
	}
	b *= float64(n) / float64(m-1)
	varPlus := float64(n-1)/float64(n)*w + b/float64(n)
	return math.Sqrt(varPlus / w), nil
}

// centered returns x − x̄ in a new slice.
func centered(x []float64) ([]float64, error) {
	if len(x) < minTrace {
		return nil, fmt.Errorf("autocorrelation time: trace has %d values, want at least %d", len(x), minTrace)
	}
	mean, _, err := meanAndSS(x)
	if err != nil {
		return nil, fmt.Errorf("autocorrelation time: %w", err)
	}
	d := make([]float64, len(x))
	for i, v := range x {
		d[i] = v - mean
	}
	return d, nil
}

// meanAndSS returns the mean of x and Σ(x_i − x̄)², by two passes for accuracy.
func meanAndSS(x []float64) (mean, ss float64, err error) {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, 0, fmt.Errorf("value %v at index %d", v, i)
		}
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return mean, ss, nil
}

// autocov returns ĉ(t) = (1/N)·Σ_{s<N−t} d_s·d_{s+t} for a centred trace d.
func autocov(d []float64, t int) float64 {
	var s float64
	for i, v := range d[:len(d)-t] {
		s += v * d[i+t]
	}
	return s / float64(len(d))
}
