package data

import (
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/boltzgo/boltz/internal/rng"
)

// integratedTime returns Sokal's windowed estimate of the integrated autocorrelation time of
// the series x, τ = 1/2 + Σ_{t=1}^{W} ρ(t), with the window W the first lag at which
// W ≥ 6τ(W) (Sokal 1997, "Monte Carlo methods in statistical mechanics", §3). Independent
// draws give τ = 1/2, and the variance of the mean of n draws is 2τ·var/n.
func integratedTime(x []float64) float64 {
	n := len(x)
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	c0 := 0.0
	for _, v := range x {
		c0 += (v - mean) * (v - mean)
	}
	if c0 == 0 {
		return 0.5
	}
	tau := 0.5
	for t := 1; t < n/2; t++ {
		ct := 0.0
		for i := 0; i+t < n; i++ {
			ct += (x[i] - mean) * (x[i+t] - mean)
		}
		tau += ct / c0
		if float64(t) >= 6*tau {
			break
		}
	}
	return tau
}

// meanAndError returns the mean of x and its standard error, counting the autocorrelation
// of the series: SE² = 2τ·var/n with τ its integrated autocorrelation time.
func meanAndError(x []float64) (mean, se float64) {
	n := float64(len(x))
	for _, v := range x {
		mean += v
	}
	mean /= n
	variance := 0.0
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	variance /= n - 1
	tau := max(integratedTime(x), 0.5)
	return mean, math.Sqrt(2 * tau * variance / n)
}

// isingObservables returns the energy per site, |m| and m² of each row of d.
func isingObservables(d *Dataset) (u, absM, m2 []float64) {
	l := d.Shape[0]
	for i := range d.X.Rows {
		row := d.X.Row(i)
		m := IsingMagnetization(row)
		u = append(u, IsingEnergy(row, l))
		absM = append(absM, math.Abs(m))
		m2 = append(m2, m*m)
	}
	return u, absM, m2
}

// exactIsing returns the Boltzmann averages of u, |m| and m² on the l×l torus at temperature
// T by enumerating all 2^(l²) configurations (l ≤ 4).
func exactIsing(l int, T float64) (u, absM, m2 float64) {
	n := l * l
	s := make([]float64, n)
	var z float64
	for state := 0; state < 1<<n; state++ {
		for i := range s {
			s[i] = float64(2*(state>>i&1) - 1)
		}
		e := IsingEnergy(s, l)
		m := IsingMagnetization(s)
		w := math.Exp(-(e + 2) * float64(n) / T) // shifted by the ground state energy −2 per site
		z += w
		u += w * e
		absM += w * math.Abs(m)
		m2 += w * m * m
	}
	return u / z, absM / z, m2 / z
}

func TestIsingShapeAndValues(t *testing.T) {
	d := Ising(5, 2.0, 7, 3)
	if d.X.Rows != 7 || d.X.Cols != 25 || d.Shape != [2]int{5, 5} || d.Labels != nil {
		t.Fatalf("%d×%d shape %v", d.X.Rows, d.X.Cols, d.Shape)
	}
	for _, v := range d.X.Data {
		if v != -1 && v != 1 {
			t.Fatalf("value %v, want ±1", v)
		}
	}
	again := Ising(5, 2.0, 3, 3)
	for i, v := range again.X.Data {
		if v != d.X.Data[i] {
			t.Fatalf("the first 3 rows of n = 7 and n = 3 differ at %d", i)
		}
	}
	other := Ising(5, 2.0, 3, 4)
	same := true
	for i, v := range other.X.Data {
		same = same && v == d.X.Data[i]
	}
	if same {
		t.Error("seeds 3 and 4 gave the same rows")
	}
}

// TestIsingExactL4 checks the Wolff sampler on the 4×4 torus against the exact Boltzmann
// averages of all 2^16 configurations, within 4 standard errors that count the
// autocorrelation left between rows.
func TestIsingExactL4(t *testing.T) {
	const l, rows = 4, 20000
	for _, T := range []float64{1.5, 2.269, 3.0} {
		wantU, wantAbsM, wantM2 := exactIsing(l, T)
		u, absM, m2 := isingObservables(Ising(l, T, rows, 11))
		for _, c := range []struct {
			name   string
			sample []float64
			want   float64
		}{{"u", u, wantU}, {"|m|", absM, wantAbsM}, {"m²", m2, wantM2}} {
			got, se := meanAndError(c.sample)
			if math.Abs(got-c.want) > 4*se {
				t.Errorf("T = %v: ⟨%s⟩ = %.5f ± %.5f, exact %.5f", T, c.name, got, se, c.want)
			}
		}
	}
}

// TestIsingL32 compares the sampler on the 32×32 torus with the exact energy of that torus
// (Kaufman's solution, within 4 standard errors), with the exact infinite-lattice energy
// (Onsager) and with the spontaneous magnetisation (Yang).
//
// Finite-size tolerances: away from T_c the correlation length is at most about 2 sites at
// these temperatures, and the torus differs from the infinite lattice by O(e^(−L/ξ)), below
// 2e-7 here (Kaufman's u_32 minus Onsager's u: 2e-11, 5e-8, −1.5e-7 at T = 1.5, 2, 3):
// the tolerance is 4 standard errors. At T_c the torus energy carries a correction of order
// 1/L (Ferdinand & Fisher 1969); Kaufman gives u_32(T_c) − u(T_c) ≈ −0.0194, so against
// Onsager the tolerance there is 4 SE + 0.025. |m| at T_c decays only as L^(−1/8) (≈ 0.65 at
// L = 32, not Yang's 0) and is not compared. Above T_c, ⟨|m|⟩ is of order √⟨m²⟩ = √(Tχ/L²),
// small but not 0 on a finite lattice (about 0.09 at T = 3, L = 32); it is only checked to lie
// below 0.2, which a sampler stuck in an ordered phase would far exceed.
func TestIsingL32(t *testing.T) {
	if testing.Short() {
		t.Skip("draws 4 × 2000 configurations of a 32×32 lattice")
	}
	const l, rows = 32, 2000 // the rows docs/ising.md tabulates
	t.Log("| T | u sampled | u exact, L = 32 | u Onsager, L = ∞ | |m| sampled | m Yang, L = ∞ | τ_int(u) between rows |")
	for _, T := range []float64{1.5, 2.0, IsingCriticalTemperature, 3.0} {
		u, absM, _ := isingObservables(Ising(l, T, rows, 5))
		gotU, seU := meanAndError(u)
		gotM, seM := meanAndError(absM)
		exactU := kaufmanEnergy(l, T)
		if math.Abs(gotU-exactU) > 4*seU {
			t.Errorf("T = %.4f: u = %.5f ± %.5f, Kaufman (L = %d) %.5f", T, gotU, seU, l, exactU)
		}
		tolU := 4 * seU
		if T == IsingCriticalTemperature {
			tolU += 0.025
		}
		if want := OnsagerEnergy(T); math.Abs(gotU-want) > tolU {
			t.Errorf("T = %.4f: u = %.5f ± %.5f, Onsager %.5f", T, gotU, seU, want)
		}
		switch {
		case T < IsingCriticalTemperature:
			if want := YangMagnetization(T); math.Abs(gotM-want) > 4*seM {
				t.Errorf("T = %.4f: |m| = %.5f ± %.5f, Yang %.5f", T, gotM, seM, want)
			}
		case T > IsingCriticalTemperature:
			if gotM > 0.2 {
				t.Errorf("T = %.4f: |m| = %.5f, want below 0.2", T, gotM)
			}
		}
		t.Logf("| %.4f | %.5f ± %.5f | %.5f | %.5f | %.5f ± %.5f | %.5f | %.2f |",
			T, gotU, seU, exactU, OnsagerEnergy(T), gotM, seM, YangMagnetization(T), integratedTime(u))
	}
}

func TestOnsagerAndYang(t *testing.T) {
	tc := IsingCriticalTemperature
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"T_c", tc, 2.269185314213022, 1e-14},
		{"u(T_c)", OnsagerEnergy(tc), -math.Sqrt2, 1e-14},
		// Just off T_c the logarithmic singularity of K₁ is multiplied by a vanishing factor:
		// u stays continuous.
		{"u(T_c·(1+1e-9))", OnsagerEnergy(tc * (1 + 1e-9)), -math.Sqrt2, 1e-7},
		{"u(T_c·(1−1e-9))", OnsagerEnergy(tc * (1 - 1e-9)), -math.Sqrt2, 1e-7},
		{"u(0.01)", OnsagerEnergy(0.01), -2, 1e-12},
		{"u(0.5)", OnsagerEnergy(0.5), -2, 2e-6},  // one flipped spin costs 8: u + 2 ≈ 8e^(−8/T) ≈ 9e-7
		{"u(1000)", OnsagerEnergy(1000), 0, 3e-3}, // high-T series u ≈ −2 tanh(1/T) ≈ −0.002
		// Onsager's formula with K₁ by quadrature instead of the AGM (onsagerQuadrature).
		{"u(3)", OnsagerEnergy(3), onsagerQuadrature(3), 1e-12},
		{"u(1.5)", OnsagerEnergy(1.5), onsagerQuadrature(1.5), 1e-12},
		{"u(2)", OnsagerEnergy(2), onsagerQuadrature(2), 1e-12},
		{"m(T_c)", YangMagnetization(tc), 0, 0},
		{"m(3)", YangMagnetization(3), 0, 0},
		{"m(0.01)", YangMagnetization(0.01), 1, 1e-15},
		// m(2) = (1 − sinh(1)^−4)^(1/8) = 0.911319…
		{"m(2)", YangMagnetization(2), 0.9113194, 1e-7},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %.15g, want %.15g ± %g", c.name, c.got, c.want, c.tol)
		}
	}
}

// onsagerQuadrature evaluates u(T) = −coth(2K)[1 + (2/π)(2 tanh²(2K) − 1) K₁(κ)] with
// K₁(κ) = ∫₀^{π/2} dθ / √(1 − κ² sin²θ) by composite Simpson quadrature, an independent
// check of the AGM used by OnsagerEnergy (the integrand is smooth for κ < 1).
func onsagerQuadrature(T float64) float64 {
	k := 1 / T
	kappa := 2 * math.Sinh(2*k) / (math.Cosh(2*k) * math.Cosh(2*k))
	const n = 20000
	h := math.Pi / 2 / n
	f := func(theta float64) float64 {
		s := math.Sin(theta)
		return 1 / math.Sqrt(1-kappa*kappa*s*s)
	}
	sum := f(0) + f(math.Pi/2)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * f(float64(i)*h)
	}
	k1 := sum * h / 3
	th := math.Tanh(2 * k)
	return -(1 + 2/math.Pi*(2*th*th-1)*k1) / th
}

// TestIsingAutocorrelation measures the integrated autocorrelation times, in Wolff sweeps, of
// the energy and of |m| at L = 8 and L = 32 (docs/ising.md). It runs only when
// BOLTZ_ISING_TAU is set: go test ./data -run IsingAutocorrelation -v with BOLTZ_ISING_TAU=1.
func TestIsingAutocorrelation(t *testing.T) {
	if os.Getenv("BOLTZ_ISING_TAU") == "" {
		t.Skip("set BOLTZ_ISING_TAU=1 to measure")
	}
	const sweeps = 20000
	for _, l := range []int{8, 32} {
		for _, T := range []float64{1.5, 2.0, IsingCriticalTemperature, 3.0} {
			r := rng.New(99, uint64(l), math.Float64bits(T))
			w := newWolff(l, T, r)
			w.burnIn(r, 1000)
			s := make([]float64, l*l)
			var u, absM []float64
			for range sweeps {
				w.sweep(r)
				w.copyTo(s)
				u = append(u, IsingEnergy(s, l))
				absM = append(absM, math.Abs(IsingMagnetization(s)))
			}
			fmt.Printf("| %d | %.4f | %.2f | %.2f |\n", l, T, integratedTime(u), integratedTime(absM))
		}
	}
}

// kaufmanLogZ returns log Z of the l×l periodic Ising model at temperature T from Kaufman's
// exact solution for a finite torus (Kaufman 1949; in the form of Beale 1996, PRL 76, 78):
//
//	Z = ½ (2 sinh 2K)^(l²/2) Σ_{i=1}^{4} Z_i,   K = 1/T
//	Z₁ = Π_{r=0}^{l−1} 2 cosh(l γ_{2r+1}/2),   Z₂ = Π 2 sinh(l γ_{2r+1}/2),
//	Z₃ = Π_{r=0}^{l−1} 2 cosh(l γ_{2r}/2),     Z₄ = Π 2 sinh(l γ_{2r}/2),
//	cosh γ_k = cosh²(2K)/sinh(2K) − cos(πk/l),   γ₀ = 2K + ln tanh K (of either sign)
func kaufmanLogZ(l int, T float64) float64 {
	k := 1 / T
	gamma := func(j int) float64 {
		if j == 0 {
			return 2*k + math.Log(math.Tanh(k))
		}
		c2 := math.Cosh(2 * k)
		return math.Acosh(c2*c2/math.Sinh(2*k) - math.Cos(math.Pi*float64(j)/float64(l)))
	}
	// Each product as (log of its magnitude, sign).
	var logs [4]float64
	signs := [4]float64{1, 1, 1, 1}
	for r := range l {
		for i, j := range [4]int{2*r + 1, 2*r + 1, 2 * r, 2 * r} {
			x := float64(l) * gamma(j) / 2
			a := math.Abs(x)
			if i%2 == 0 { // 2 cosh x
				logs[i] += a + math.Log1p(math.Exp(-2*a))
			} else { // 2 sinh x
				logs[i] += a + math.Log1p(-math.Exp(-2*a))
				if x < 0 {
					signs[i] = -signs[i]
				}
			}
		}
	}
	top := math.Inf(-1)
	for _, v := range logs {
		top = math.Max(top, v)
	}
	sum := 0.0
	for i, v := range logs {
		sum += signs[i] * math.Exp(v-top)
	}
	return -math.Ln2 + float64(l*l)/2*math.Log(2*math.Sinh(2*k)) + top + math.Log(sum)
}

// kaufmanEnergy returns the exact energy per site of the l×l torus, u = −(1/l²) ∂ log Z/∂β,
// by a central difference of kaufmanLogZ in β (step 1e-5·β: truncation ≈ 1e-10, rounding
// ≈ 1e-11 per site at l = 32).
func kaufmanEnergy(l int, T float64) float64 {
	beta := 1 / T
	h := 1e-5 * beta
	return -(kaufmanLogZ(l, 1/(beta+h)) - kaufmanLogZ(l, 1/(beta-h))) / (2 * h) / float64(l*l)
}

func TestKaufmanMatchesEnumeration(t *testing.T) {
	for _, T := range []float64{1.5, 2.269, 3.0} {
		want, _, _ := exactIsing(4, T)
		if got := kaufmanEnergy(4, T); math.Abs(got-want) > 1e-8 {
			t.Errorf("T = %v: Kaufman u = %.12f, enumeration %.12f", T, got, want)
		}
	}
}
