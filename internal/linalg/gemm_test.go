package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/matrix"
)

// kernelPaths runs f with each micro-kernel this build has and the CPU runs: the portable Go
// one and, on amd64, the AVX2 and AVX-512 ones. Kernels of both precisions are paired by
// position, the last of a list standing in when the other is longer.
func kernelPaths(t *testing.T, f func(t *testing.T)) {
	k64, k32 := kernelCandidates()
	for i := range max(len(k64), len(k32)) {
		kd, ks := k64[min(i, len(k64)-1)], k32[min(i, len(k32)-1)]
		t.Run(kd.name+"+"+ks.name, func(t *testing.T) {
			w64, w32 := useKernels(kd, ks)
			defer useKernels(w64, w32)
			f(t)
		})
	}
}

// stored is a matrix as Gemm sees it: rows×cols with row stride ld ≥ cols. The ld−cols
// padding elements of each row hold NaN, so reading them would show in the result.
type stored[T float] struct {
	rows, cols, ld int
	data           []T
}

func newStored[T float](rng *rand.Rand, rows, cols, pad int) stored[T] {
	ld := cols + pad
	s := stored[T]{rows: rows, cols: cols, ld: ld, data: make([]T, max(0, rows*ld))}
	for i := range s.data {
		if i%ld < cols {
			s.data[i] = T(2*rng.Float64() - 1)
		} else {
			s.data[i] = T(math.NaN())
		}
	}
	if ld == 0 {
		s.ld = 1 // a 0-column matrix still has a valid stride
	}
	return s
}

func (s stored[T]) at(trans bool, i, j int) float64 {
	if trans {
		i, j = j, i
	}
	return float64(s.data[i*s.ld+j])
}

// naive returns element (i, j) of alpha·op(A)·op(B) + beta·C by the triple loop in float64,
// and the error bound for a product computed in precision eps: every rounding of the k
// multiply-adds, the scaling by alpha and the addition of beta·C is at most one relative
// eps of the magnitudes involved (Higham, "Accuracy and Stability of Numerical Algorithms",
// 2nd ed., §3.1, γ_n ≤ n·u/(1−n·u), with eps = 2u standing in for the 1/(1−n·u) factor).
func naive[T float](transA, transB bool, k int, alpha float64, a, b stored[T], beta float64, c0 float64, i, j int, eps float64) (want, tol float64) {
	var s, abs float64
	for p := 0; p < k; p++ {
		x, y := a.at(transA, i, p), b.at(transB, p, j)
		s += x * y
		abs += math.Abs(x * y)
	}
	want = alpha * s
	bound := math.Abs(alpha) * abs
	if beta != 0 {
		want += beta * c0
		bound += math.Abs(beta * c0)
	}
	return want, float64(k+3) * eps * bound
}

type gemmCase struct {
	m, n, k     int
	alpha, beta float64
	pad         int
	spot        int // check this many random elements only; 0 checks all
}

func gemmCases() []gemmCase {
	shapes := [][3]int{
		{1, 1, 1}, {2, 3, 4}, {4, 2, 7}, {3, 5, 7}, {17, 33, 65}, {0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {0, 0, 0},
		{6, 8, 256}, {12, 16, 257}, {13, 17, 600}, {64, 64, 64}, {97, 131, 300},
		{130, 9, 40}, {5, 1100, 30}, {260, 70, 11},
	}
	scalars := [][2]float64{{1, 0}, {0.5, 0}, {1, 1}, {-1.5, 0.25}, {0, 2}, {0, 0}, {2, -1}}
	var cases []gemmCase
	for si, sh := range shapes {
		for ai, ab := range scalars {
			cases = append(cases, gemmCase{m: sh[0], n: sh[1], k: sh[2], alpha: ab[0], beta: ab[1], pad: (si + ai) % 3 * 5})
		}
	}
	cases = append(cases, gemmCase{m: 100, n: 500, k: 784, alpha: 1, beta: 0, pad: 3, spot: 300},
		gemmCase{m: 100, n: 784, k: 500, alpha: 0.5, beta: 1, pad: 0, spot: 300},
		gemmCase{m: 784, n: 500, k: 100, alpha: -1, beta: 0.5, pad: 1, spot: 300})
	return cases
}

// checkGemmCase runs one product through gemm and compares it with naive.
func checkGemmCase[T float](t *testing.T, rng *rand.Rand, transA, transB bool, tc gemmCase, eps float64,
	run func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	t.Helper()
	ar, ac := opShape(tc.m, tc.k, transA)
	br, bc := opShape(tc.k, tc.n, transB)
	a := newStored[T](rng, ar, ac, tc.pad)
	b := newStored[T](rng, br, bc, tc.pad+1)
	c := newStored[T](rng, tc.m, tc.n, tc.pad+2)
	if tc.beta == 0 {
		for i := range c.data {
			c.data[i] = T(math.NaN()) // beta = 0: C must not be read
		}
	}
	c0 := append([]T(nil), c.data...)
	run(transA, transB, tc.m, tc.n, tc.k, T(tc.alpha), a.data, a.ld, b.data, b.ld, T(tc.beta), c.data, c.ld)

	check := func(i, j int) bool {
		got := float64(c.data[i*c.ld+j])
		want, tol := naive(transA, transB, tc.k, tc.alpha, a, b, tc.beta, float64(c0[i*c.ld+j]), i, j, eps)
		if !(math.Abs(got-want) <= tol) {
			t.Errorf("C[%d,%d] = %v, want %v ± %.3g", i, j, got, want, tol)
			return false
		}
		return true
	}
	if tc.spot > 0 {
		for range tc.spot {
			if !check(rng.IntN(tc.m), rng.IntN(tc.n)) {
				return
			}
		}
	} else {
		for i := 0; i < tc.m; i++ {
			for j := 0; j < tc.n; j++ {
				if !check(i, j) {
					return
				}
			}
		}
	}
	for i, v := range c.data {
		if i%c.ld >= tc.n && math.Float64bits(float64(v)) != math.Float64bits(float64(c0[i])) {
			t.Fatalf("padding element %d of C changed: %v", i, v)
		}
	}
}

var transCases = []struct {
	name           string
	transA, transB bool
}{{"NN", false, false}, {"NT", false, true}, {"TN", true, false}, {"TT", true, true}}

func TestGemm(t *testing.T)  { testGemm(t, 1, 0x1p-52, Gemm) }
func TestSgemm(t *testing.T) { testGemm(t, 3, 0x1p-23, Sgemm) }

// testGemm checks run, of precision eps, on every kernel path, orientation and case, with
// the random stream PCG(seed, seed+1) on each path.
func testGemm[T float](t *testing.T, seed uint64, eps float64,
	run func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	kernelPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(seed, seed+1))
		for _, tr := range transCases {
			for _, tc := range gemmCases() {
				name := fmt.Sprintf("%s/%dx%dx%d/alpha=%v,beta=%v", tr.name, tc.m, tc.n, tc.k, tc.alpha, tc.beta)
				t.Run(name, func(t *testing.T) {
					checkGemmCase(t, rng, tr.transA, tr.transB, tc, eps, run)
				})
			}
		}
	})
}

// TestGemmDeterministic checks that the bits of C do not depend on GOMAXPROCS, which sets
// how many goroutines share a product.
func TestGemmDeterministic(t *testing.T) {
	shapes := [][3]int{{100, 500, 784}, {100, 784, 500}, {784, 500, 100}, {203, 517, 301}, {517, 203, 77}}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	kernelPaths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, tr := range transCases {
			for _, sh := range shapes {
				m, n, k := sh[0], sh[1], sh[2]
				a64 := randSlice[float64](rng, m*k)
				b64 := randSlice[float64](rng, k*n)
				c64 := randSlice[float64](rng, m*n)
				a32 := randSlice[float32](rng, m*k)
				b32 := randSlice[float32](rng, k*n)
				c32 := randSlice[float32](rng, m*n)
				_, lda := opShape(m, k, tr.transA)
				_, ldb := opShape(k, n, tr.transB)
				var want64 []float64
				var want32 []float32
				for _, procs := range []int{1, 2, 3, 8} {
					par.SetThreads(procs)
					got64 := append([]float64(nil), c64...)
					Gemm(tr.transA, tr.transB, m, n, k, 1.5, a64, lda, b64, ldb, 0.5, got64, n)
					got32 := append([]float32(nil), c32...)
					Sgemm(tr.transA, tr.transB, m, n, k, 1.5, a32, lda, b32, ldb, 0.5, got32, n)
					if want64 == nil {
						want64, want32 = got64, got32
						continue
					}
					for i := range got64 {
						if math.Float64bits(got64[i]) != math.Float64bits(want64[i]) {
							t.Fatalf("%s %v: float64 C[%d] = %v with GOMAXPROCS=%d, %v with 1", tr.name, sh, i, got64[i], procs, want64[i])
						}
						if math.Float32bits(got32[i]) != math.Float32bits(want32[i]) {
							t.Fatalf("%s %v: float32 C[%d] = %v with GOMAXPROCS=%d, %v with 1", tr.name, sh, i, got32[i], procs, want32[i])
						}
					}
				}
			}
		}
	})
}

// TestGemmConcurrent runs products from several goroutines at once (run with -race).
func TestGemmConcurrent(t *testing.T) {
	const m, n, k = 60, 70, 80
	rng := rand.New(rand.NewPCG(7, 8))
	a, b := randSlice[float64](rng, m*k), randSlice[float64](rng, k*n)
	want := make([]float64, m*n)
	Gemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			c := make([]float64, m*n)
			for range 20 {
				Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
				for i := range c {
					if c[i] != want[i] {
						t.Errorf("concurrent Gemm: C[%d] = %v, want %v", i, c[i], want[i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestGemmPanics checks that shapes the slices cannot hold are refused before any kernel runs.
func TestGemmPanics(t *testing.T) {
	cases := []struct {
		name string
		run  func()
	}{
		{"negative m", func() { Gemm(false, false, -1, 2, 2, 1, nil, 2, nil, 2, 0, nil, 2) }},
		{"short A", func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float64, 3), 2, make([]float64, 4), 2, 0, make([]float64, 4), 2)
		}},
		{"lda < k", func() {
			Gemm(false, false, 2, 2, 3, 1, make([]float64, 6), 2, make([]float64, 6), 2, 0, make([]float64, 4), 2)
		}},
		{"short B transposed", func() {
			Sgemm(false, true, 2, 3, 2, 1, make([]float32, 4), 2, make([]float32, 5), 2, 0, make([]float32, 6), 3)
		}},
		{"short C", func() {
			Sgemm(true, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			tc.run()
		})
	}
}

func TestDense32(t *testing.T) {
	m := NewDense32(2, 3)
	m.Set(1, 2, 5)
	if m.At(1, 2) != 5 || m.Row(1)[2] != 5 || len(m.Row(0)) != 3 {
		t.Fatalf("Set/At/Row disagree: %v", m.Data)
	}
	if r := matrix.Reuse(m, 3, 2); r != m || len(r.Data) != 6 {
		t.Errorf("Reuse to the same size reallocated")
	}
	if r := matrix.Reuse(m, 4, 4); len(r.Data) != 16 {
		t.Errorf("Reuse to a larger size has %d elements", len(r.Data))
	}
	if c := m.Clone(); &c.Data[0] == &m.Data[0] {
		t.Errorf("Clone shares storage")
	}
}

func randSlice[T float](rng *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(2*rng.Float64() - 1)
	}
	return s
}

// TestGemmNoAllocs checks that products allocate nothing once the pack buffers exist, also
// when they run on two goroutines (testing.AllocsPerRun would force GOMAXPROCS=1). The only
// allocations left are the runtime's: parking a goroutine (a helper waiting for work, the
// caller waiting for a helper) takes a sudog from a per-P cache, which now and then is
// empty; that is about one allocation in a few hundred products, 0 allocs/op in benchmarks.
func TestGemmNoAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("instrumented builds allocate")
	}
	defer runtime.GOMAXPROCS(par.SetThreads(2))
	const m, n, k = 100, 128, 64 // enough work for two strips (minWorkPerPart)
	rng := rand.New(rand.NewPCG(9, 10))
	a64, b64, c64 := randSlice[float64](rng, m*k), randSlice[float64](rng, k*n), make([]float64, m*n)
	a32, b32, c32 := randSlice[float32](rng, m*k), randSlice[float32](rng, k*n), make([]float32, m*n)
	run := func() {
		for _, tr := range transCases {
			_, lda := opShape(m, k, tr.transA)
			_, ldb := opShape(k, n, tr.transB)
			Gemm(tr.transA, tr.transB, m, n, k, 1, a64, lda, b64, ldb, 0.5, c64, n)
			Sgemm(tr.transA, tr.transB, m, n, k, 1, a32, lda, b32, ldb, 0.5, c32, n)
		}
	}
	mallocs := func(runs int) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range runs {
			run()
		}
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	// Warm up: helper goroutines start, and each goroutine that first takes part in a
	// product gets its pack buffers, which may take a few runs on a busy machine.
	for i := 0; mallocs(3) > 0; i++ {
		if i == 100 {
			t.Fatal("products still allocate after 300 warm-up runs")
		}
	}
	const runs, products = 20, 20 * 8
	if n := mallocs(runs); n > products/20 {
		t.Errorf("%d allocations in %d products after warm-up, want at most %d", n, products, products/20)
	}
}
