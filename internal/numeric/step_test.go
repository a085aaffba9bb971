package numeric

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// momentumStepRef is the step of MomentumStep32 written out one element at a time, the truth
// the kernels are held to: g is the gradient already in float64 (float32 → float64 is exact).
func momentumStepRef(w, u, g []float64, w32 []float32, l2, lr, mom float64) (bad uint64) {
	for j := range w {
		var v float64
		if l2 == 0 {
			v = float64(mom*u[j]) + float64(lr*g[j])
		} else {
			v = float64(mom*u[j]) + float64(lr*(g[j]-float64(l2*w[j])))
		}
		u[j] = v
		w[j] += v
		if w32 != nil {
			w32[j] = float32(w[j])
		}
		bits := math.Float64bits(w[j])
		bad |= bits&0x7ff0000000000000 + 1<<52
	}
	return bad
}

// stepLengths are the slice lengths the kernel tests run: every tail of the vector loops of
// two, one and a masked part of a vector, and a row of a 784×500 model.
var stepLengths = func() []int {
	var n []int
	for i := 0; i <= 70; i++ {
		n = append(n, i)
	}
	return append(n, 500)
}()

// stepGuard is how many elements the tests put before and after each slice, and the value
// they hold; a kernel that writes outside its slices changes them.
const stepGuard = 9

var stepGuardBits = math.Float64bits(-12345.678)

// stepCase is one input of the kernel tests.
type stepCase struct {
	w, u    []float64
	g64     []float64 // the float64 gradient of MomentumStep
	g32     []float32 // the float32 gradient of MomentumStep32
	l2, lr  float64
	mom     float64
	special bool // the inputs include NaN, ±Inf, ±0, subnormals and values near overflow
}

// Values at the edges of float64 and float32 for the adversarial cases: NaNs with payloads
// and both signs (quiet and signalling), infinities, zeros, subnormals, values whose products
// or sums overflow, and values that round to ±Inf or to a subnormal in float32.
var (
	special64 = []float64{
		math.NaN(), math.Float64frombits(0xfff8000000000001), math.Float64frombits(0x7ff0000000000123),
		math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1),
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 2.2250738585072014e-308,
		math.MaxFloat64, -math.MaxFloat64, 1e300, -1e300, 1e-300,
		math.MaxFloat32, 3.4028235677973366e38, 3.5e38, -3.5e38, 1e-45, 7e-46, 1.5e-45,
		1 + 0x1p-24, 1 + 0x1p-23 + 0x1p-24, // float32 ties: to even, down and up
	}
	special32 = []float32{
		float32(math.NaN()), math.Float32frombits(0x7f800001), math.Float32frombits(0xffc00123),
		float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)),
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, math.MaxFloat32, -math.MaxFloat32,
		1e-38, 1e38,
	}
)

// newStepCase returns inputs of length n: values of the size SGD on an RBM sees, or with
// special set, a mix of those and the edge values above.
func newStepCase(r *rand.Rand, n int, special bool) stepCase {
	c := stepCase{
		w: make([]float64, n), u: make([]float64, n), g64: make([]float64, n), g32: make([]float32, n),
		l2: []float64{0, math.Copysign(0, -1), 1e-4, 0.5}[r.IntN(4)],
		lr: 0.01 + 0.1*r.Float64(), mom: 0.5 + 0.4*r.Float64(), special: special,
	}
	for j := range n {
		c.w[j] = 0.1 * r.NormFloat64()
		c.u[j] = 1e-3 * r.NormFloat64()
		c.g64[j] = r.NormFloat64()
		c.g32[j] = float32(r.NormFloat64())
		if !special {
			continue
		}
		pick := func(x float64) float64 {
			if r.IntN(3) == 0 {
				return special64[r.IntN(len(special64))]
			}
			return x
		}
		c.w[j], c.u[j], c.g64[j] = pick(c.w[j]), pick(c.u[j]), pick(c.g64[j])
		if r.IntN(3) == 0 {
			c.g32[j] = special32[r.IntN(len(special32))]
		}
	}
	if special {
		c.l2 = []float64{0, 1e-4, math.Inf(1), math.NaN(), 1e300, math.SmallestNonzeroFloat64}[r.IntN(6)]
		c.lr = []float64{c.lr, 0, 1e300, math.Inf(1)}[r.IntN(4)]
		c.mom = []float64{c.mom, 0, math.Copysign(0, -1), math.NaN()}[r.IntN(4)]
	}
	return c
}

// guarded returns a copy of x inside guard elements, and the copy.
func guarded[T float32 | float64](x []T) (all, s []T) {
	all = make([]T, len(x)+2*stepGuard)
	for i := range all {
		all[i] = T(math.Float64frombits(stepGuardBits))
	}
	s = all[stepGuard : stepGuard+len(x)]
	copy(s, x)
	return all, s
}

// sameBits reports the first index where a and b differ in bits, or -1. Two NaNs count as
// the same whatever their sign and payload: Go does not specify those, and where two NaNs
// meet in an operation the result carries the one the compiler happened to put first.
func sameBits[T float32 | float64](a, b []T) int {
	for i := range a {
		if bitsOf(a[i]) != bitsOf(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			return i
		}
	}
	return -1
}

func bitsOf[T float32 | float64](x T) uint64 {
	if y, ok := any(x).(float32); ok {
		return uint64(math.Float32bits(y))
	}
	return math.Float64bits(float64(x))
}

// checkGuards fails t if a guard element of all changed.
func checkGuards[T float32 | float64](t *testing.T, name string, all []T) {
	t.Helper()
	want := T(math.Float64frombits(stepGuardBits))
	n := len(all) - 2*stepGuard
	for i, x := range all {
		if (i < stepGuard || i >= stepGuard+n) && bitsOf(x) != bitsOf(want) {
			t.Fatalf("%s: element %d outside the slice of length %d changed to %v", name, i-stepGuard, n, x)
		}
	}
}

// TestMomentumStepKernels runs every kernel this build and CPU have on random and
// adversarial inputs and compares every bit of w, u, w32 (but a NaN's payload) and the
// nonFinite word with momentumStepRef.
func TestMomentumStepKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 14))
	for _, k := range stepKernels() {
		for _, n := range stepLengths {
			for rep := range 24 {
				c := newStepCase(r, n, rep%2 == 1)
				name := fmt.Sprintf("%s/n=%d/special=%v/l2=%g/lr=%g/mom=%g", k.name, n, c.special, c.l2, c.lr, c.mom)
				checkStep32(t, name+"/w32", k, c, true)
				checkStep32(t, name, k, c, false)
				checkStep64(t, name, k, c)
			}
		}
	}
}

func checkStep32(t *testing.T, name string, k *stepKernel, c stepCase, withW32 bool) {
	t.Helper()
	g := make([]float64, len(c.g32))
	for j, x := range c.g32 {
		g[j] = float64(x)
	}
	wantW, wantU := append([]float64(nil), c.w...), append([]float64(nil), c.u...)
	var wantW32 []float32
	if withW32 {
		wantW32 = make([]float32, len(c.w))
	}
	wantBad := momentumStepRef(wantW, wantU, g, wantW32, c.l2, c.lr, c.mom)

	allW, w := guarded(c.w)
	allU, u := guarded(c.u)
	allG, g32 := guarded(c.g32)
	var allW32, w32 []float32
	if withW32 {
		allW32, w32 = guarded(make([]float32, len(c.w)))
	}
	bad := k.step32(w, u, g32, w32, c.l2, c.lr, c.mom)
	compareStep(t, name, bad, wantBad, w, wantW, u, wantU)
	if i := sameBits(w32, wantW32); i >= 0 {
		t.Fatalf("%s: w32[%d] = %v (%#x), want %v (%#x)", name, i, w32[i], bitsOf(w32[i]), wantW32[i], bitsOf(wantW32[i]))
	}
	checkGuards(t, name+": w", allW)
	checkGuards(t, name+": u", allU)
	checkGuards(t, name+": g", allG)
	if withW32 {
		checkGuards(t, name+": w32", allW32)
	}
}

func checkStep64(t *testing.T, name string, k *stepKernel, c stepCase) {
	t.Helper()
	wantW, wantU := append([]float64(nil), c.w...), append([]float64(nil), c.u...)
	wantBad := momentumStepRef(wantW, wantU, c.g64, nil, c.l2, c.lr, c.mom)
	allW, w := guarded(c.w)
	allU, u := guarded(c.u)
	allG, g := guarded(c.g64)
	bad := k.step64(w, u, g, c.l2, c.lr, c.mom)
	compareStep(t, name+"/float64", bad, wantBad, w, wantW, u, wantU)
	checkGuards(t, name+"/float64: w", allW)
	checkGuards(t, name+"/float64: u", allU)
	checkGuards(t, name+"/float64: g", allG)
}

func compareStep(t *testing.T, name string, bad, wantBad uint64, w, wantW, u, wantU []float64) {
	t.Helper()
	if i := sameBits(u, wantU); i >= 0 {
		t.Fatalf("%s: u[%d] = %v (%#x), want %v (%#x)", name, i, u[i], bitsOf(u[i]), wantU[i], bitsOf(wantU[i]))
	}
	if i := sameBits(w, wantW); i >= 0 {
		t.Fatalf("%s: w[%d] = %v (%#x), want %v (%#x)", name, i, w[i], bitsOf(w[i]), wantW[i], bitsOf(wantW[i]))
	}
	if bad>>63 != wantBad>>63 {
		t.Fatalf("%s: nonFinite top bit %d, want %d", name, bad>>63, wantBad>>63)
	}
	if bad != wantBad {
		t.Fatalf("%s: nonFinite word %#x, want %#x", name, bad, wantBad)
	}
}

// TestMomentumStepFlagsNonFinite checks the top bit of the returned word on its own: set
// when one new w_j overflows or is NaN, clear when all are finite, for every position j.
func TestMomentumStepFlagsNonFinite(t *testing.T) {
	for _, k := range stepKernels() {
		for _, n := range []int{1, 7, 8, 9, 16, 23, 500} {
			for pos := range n {
				for _, l2 := range []float64{0, 1e-4} {
					w, u, g := make([]float64, n), make([]float64, n), make([]float32, n)
					g[pos] = math.MaxFloat32
					if bad := k.step32(w, u, g, nil, l2, 1, 0); bad>>63 != 0 {
						t.Fatalf("%s: n=%d: flagged a finite step", k.name, n)
					}
					if bad := k.step32(w, u, g, nil, l2, math.MaxFloat64, 0); bad>>63 != 1 {
						t.Fatalf("%s: n=%d: overflow at %d not flagged", k.name, n, pos)
					}
					w[pos], u[pos] = 0, math.NaN()
					if bad := k.step64(w, u, make([]float64, n), l2, 1, 1); bad>>63 != 1 {
						t.Fatalf("%s: n=%d: NaN at %d not flagged", k.name, n, pos)
					}
				}
			}
		}
	}
}

// TestMomentumStepAPI checks the exported functions against the reference and their panics
// on slices of the wrong length.
func TestMomentumStepAPI(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 71))
	c := newStepCase(r, 37, false)
	g := make([]float64, len(c.g32))
	for j, x := range c.g32 {
		g[j] = float64(x)
	}
	wantW, wantU, wantW32 := append([]float64(nil), c.w...), append([]float64(nil), c.u...), make([]float32, len(c.w))
	wantBad := momentumStepRef(wantW, wantU, g, wantW32, c.l2, c.lr, c.mom)
	w, u, w32 := append([]float64(nil), c.w...), append([]float64(nil), c.u...), make([]float32, len(c.w))
	bad := MomentumStep32(w, u, c.g32, w32, c.l2, c.lr, c.mom)
	compareStep(t, "MomentumStep32", bad, wantBad, w, wantW, u, wantU)
	if i := sameBits(w32, wantW32); i >= 0 {
		t.Fatalf("MomentumStep32: w32[%d] = %v, want %v", i, w32[i], wantW32[i])
	}

	wantW, wantU = append([]float64(nil), c.w...), append([]float64(nil), c.u...)
	wantBad = momentumStepRef(wantW, wantU, c.g64, nil, c.l2, c.lr, c.mom)
	w, u = append([]float64(nil), c.w...), append([]float64(nil), c.u...)
	bad = MomentumStep(w, u, c.g64, c.l2, c.lr, c.mom)
	compareStep(t, "MomentumStep", bad, wantBad, w, wantW, u, wantU)

	f, f32 := make([]float64, 4), make([]float32, 4)
	for name, call := range map[string]func(){
		"MomentumStep32 u":   func() { MomentumStep32(f, f[:3], f32, nil, 0, 1, 0) },
		"MomentumStep32 g":   func() { MomentumStep32(f, f, f32[:3], nil, 0, 1, 0) },
		"MomentumStep32 w32": func() { MomentumStep32(f, f, f32, f32[:3], 0, 1, 0) },
		"MomentumStep u":     func() { MomentumStep(f, f[:3], f, 0, 1, 0) },
		"MomentumStep g":     func() { MomentumStep(f, f, f[:5], 0, 1, 0) },
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
