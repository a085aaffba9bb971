package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
)

// IsingCriticalTemperature is the critical temperature of the square-lattice Ising model with
// J = 1 and k_B = 1, T_c = 2 / ln(1 + √2) ≈ 2.269185 (Onsager 1944).
var IsingCriticalTemperature = 2 / math.Log(1+math.Sqrt2)

// Defaults and limits of Ising and of the ising:L:T[:N[:SEED]] spec.
const (
	DefaultIsingRows = 10000
	DefaultIsingSeed = 1
	minIsingSize     = 2
	maxIsingSize     = 256
	// IsingSweepsBetweenRows is the number of Wolff sweeps between two recorded
	// configurations; a sweep flips as many clusters as flip l² spins on average. The
	// integrated autocorrelation times of the energy and of |m|, measured in sweeps at L = 8
	// and L = 32 for T = 1.5, 2.0, T_c and 3.0 (docs/ising.md), are at most 2.2, for the
	// energy at T_c and L = 32; 10 sweeps are 4.5 of them, so successive rows are practically
	// independent (their correlation is of order e^(−4.5) ≈ 0.01 at worst).
	IsingSweepsBetweenRows = 10
	// IsingBurnInSweeps is the number of Wolff sweeps discarded from the random (infinite
	// temperature) start: more than 100 times the slowest autocorrelation time measured.
	IsingBurnInSweeps = 250
	// streamIsing tags the random stream of the Ising sampler in rng.New.
	streamIsing = 0x15196
)

// Ising returns n configurations of the periodic l×l square-lattice Ising model
//
//	p(s) ∝ exp(−E(s)/T),   E(s) = −Σ_⟨ij⟩ s_i s_j,   s_i ∈ {−1, +1}
//
// (J = 1, k_B = 1; ⟨ij⟩ runs over the 2·l² nearest-neighbour bonds of the torus), drawn with
// the Wolff cluster algorithm (Wolff 1989) from the stream rng.New(seed, streamIsing, l, T's
// bits). The chain starts from independent random spins, discards IsingBurnInSweeps sweeps
// and records a configuration every IsingSweepsBetweenRows sweeps. A sweep flips a fixed
// number of clusters: as many as flipped l² spins on average during the burn-in. Rows do not depend on n beyond their
// number: the first rows of ising:L:T:100 are those of ising:L:T:10. Each row holds the l²
// spins as −1 and +1 in row-major lattice order; Shape is l×l and Labels nil.
//
// It panics if l < 2, T is not a positive finite number or n < 1. Cost O(n·l²·
// IsingSweepsBetweenRows) on average. It is deterministic and safe for concurrent use.
func Ising(l int, T float64, n int, seed uint64) *Dataset {
	if l < 2 || !(T > 0) || math.IsInf(T, 1) || n < 1 {
		panic(fmt.Sprintf("boltz/data: Ising(%d, %v, %d): want l ≥ 2, 0 < T < ∞ and n ≥ 1", l, T, n))
	}
	r := rng.New(seed, streamIsing, uint64(l), math.Float64bits(T))
	w := newWolff(l, T, r)
	w.burnIn(r, IsingBurnInSweeps)
	x := matrix.NewDense(n, l*l)
	for i := range n {
		if i > 0 {
			for range IsingSweepsBetweenRows {
				w.sweep(r)
			}
		}
		w.copyTo(x.Row(i))
	}
	return &Dataset{Name: fmt.Sprintf("ising:%d:%v:%d:%d", l, T, n, seed), X: x, Shape: [2]int{l, l}}
}

// wolff is a Wolff cluster sampler on a periodic l×l lattice.
type wolff struct {
	l     int
	spins []int8
	pAdd  float64 // 1 − exp(−2/T): the probability that a bond joins an aligned neighbour
	stack []int32
	// clustersPerSweep is the fixed number of clusters a sweep flips, set by burnIn.
	clustersPerSweep int
}

// newWolff returns a sampler at temperature T started from independent random spins.
func newWolff(l int, T float64, r *rand.Rand) *wolff {
	w := &wolff{l: l, spins: make([]int8, l*l), pAdd: -math.Expm1(-2 / T)}
	for i := range w.spins {
		w.spins[i] = int8(2*r.IntN(2) - 1)
	}
	return w
}

// burnIn runs the given number of sweeps from the current state, each flipping clusters
// until at least l² spins have flipped, and then fixes clustersPerSweep to the number of
// clusters that flip l² spins on average in them. Later sweeps flip that fixed number: a
// sweep that stopped when a running count of flipped spins reached l² would record states at
// a time that depends on the state (on the sizes of the clusters), which biases the recorded
// configurations towards the ordered ones whose clusters are large.
func (w *wolff) burnIn(r *rand.Rand, sweeps int) {
	clusters, flipped := 0, 0
	for range sweeps {
		for target := flipped + len(w.spins); flipped < target; clusters++ {
			flipped += w.flipCluster(r)
		}
	}
	w.clustersPerSweep = max(1, int(math.Round(float64(clusters)*float64(len(w.spins))/float64(max(flipped, 1)))))
}

// sweep flips clustersPerSweep clusters.
func (w *wolff) sweep(r *rand.Rand) {
	for range w.clustersPerSweep {
		w.flipCluster(r)
	}
}

// flipCluster grows one Wolff cluster from a random seed site, flipping each site as it
// joins, and returns the cluster's size.
func (w *wolff) flipCluster(r *rand.Rand) int {
	l := w.l
	seed := r.IntN(len(w.spins))
	s := w.spins[seed]
	w.spins[seed] = -s
	w.stack = append(w.stack[:0], int32(seed))
	size := 1
	for len(w.stack) > 0 {
		site := int(w.stack[len(w.stack)-1])
		w.stack = w.stack[:len(w.stack)-1]
		i, j := site/l, site%l
		for _, nb := range [4]int{
			i*l + (j+1)%l, i*l + (j+l-1)%l,
			(i+1)%l*l + j, (i+l-1)%l*l + j,
		} {
			if w.spins[nb] == s && r.Float64() < w.pAdd {
				w.spins[nb] = -s
				w.stack = append(w.stack, int32(nb))
				size++
			}
		}
	}
	return size
}

// copyTo writes the spins as ±1 float64 values into dst.
func (w *wolff) copyTo(dst []float64) {
	for i, s := range w.spins {
		dst[i] = float64(s)
	}
}

// IsingEnergy returns the energy per site of the l×l periodic configuration s (row-major,
// values ±1):
//
//	u = −(1/l²) Σ_⟨ij⟩ s_i s_j
//
// summing over the 2·l² bonds to the right and downward neighbours. It lies in [−2, 2].
// It panics if len(s) ≠ l² or l < 1. Cost O(l²).
func IsingEnergy(s []float64, l int) float64 {
	if l < 1 || len(s) != l*l {
		panic(fmt.Sprintf("boltz/data: IsingEnergy: %d spins for an %d×%d lattice", len(s), l, l))
	}
	var sum float64
	for i := range l {
		for j := range l {
			v := s[i*l+j]
			sum += v * (s[i*l+(j+1)%l] + s[(i+1)%l*l+j])
		}
	}
	return -sum / float64(len(s))
}

// IsingMagnetization returns the magnetisation per site m = (1/n) Σ_i s_i of a configuration
// of n spins. It panics if s is empty. Cost O(n).
func IsingMagnetization(s []float64) float64 {
	if len(s) == 0 {
		panic("boltz/data: IsingMagnetization of no spins")
	}
	var sum float64
	for _, v := range s {
		sum += v
	}
	return sum / float64(len(s))
}

// OnsagerEnergy returns the exact internal energy per site of the infinite square-lattice
// Ising model (J = 1, k_B = 1) at temperature T (Onsager 1944):
//
//	u(T) = −coth(2K) [1 + (2/π)(2 tanh²(2K) − 1) K₁(κ)],   K = 1/T,
//	κ = 2 sinh(2K) / cosh²(2K)
//
// with K₁ the complete elliptic integral of the first kind, computed here through the
// arithmetic-geometric mean, K₁(κ) = π / (2 AGM(1, √(1−κ²))), and √(1−κ²) = |2 tanh²(2K) − 1|,
// so that u = −coth(2K) [1 + c / AGM(1, |c|)] with c = 2 tanh²(2K) − 1. At T_c, c = 0 and
// u = −√2; u → −2 as T → 0 and u → 0 as T → ∞. It panics unless T > 0. Cost O(1).
func OnsagerEnergy(T float64) float64 {
	if !(T > 0) {
		panic(fmt.Sprintf("boltz/data: OnsagerEnergy(%v): T must be positive", T))
	}
	k2 := 2 / T
	sech := 1 / math.Cosh(k2) // 0 when cosh overflows at small T
	c := 1 - 2*sech*sech      // = 2 tanh²(2K) − 1 = (cosh²(2K) − 2) / cosh²(2K)
	term := 0.0
	if c != 0 {
		term = c / agm(1, math.Abs(c))
	}
	return -(1 + term) / math.Tanh(k2)
}

// agm returns the arithmetic-geometric mean of a, b ≥ 0 (0 if either is 0).
func agm(a, b float64) float64 {
	for range 64 { // quadratic convergence: a handful of iterations reach rounding
		if a == b || math.Abs(a-b) <= 1e-16*a {
			break
		}
		a, b = (a+b)/2, math.Sqrt(a*b)
	}
	return a
}

// YangMagnetization returns the exact spontaneous magnetisation per site of the infinite
// square-lattice Ising model (J = 1, k_B = 1) at temperature T (Onsager 1949, Yang 1952):
//
//	m(T) = (1 − sinh(2/T)^−4)^(1/8)   for T < T_c,   0 for T ≥ T_c
//
// It panics unless T > 0. Cost O(1).
func YangMagnetization(T float64) float64 {
	if !(T > 0) {
		panic(fmt.Sprintf("boltz/data: YangMagnetization(%v): T must be positive", T))
	}
	if T >= IsingCriticalTemperature {
		return 0
	}
	s := math.Sinh(2 / T)
	x := 1 - 1/(s*s*s*s)
	if x <= 0 {
		return 0
	}
	return math.Pow(x, 1.0/8)
}
