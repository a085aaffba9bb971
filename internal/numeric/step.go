package numeric

import "math"

// MomentumStep32 takes one step of SGD with momentum and L2 weight decay over the elements
// of a parameter slice w, with velocity u and a float32 ascent direction g: for every j, with
// x = w_j,
//
//	v = mom·u_j + lr·(float64(g_j) − l2·x)     (l2 ≠ 0)
//	v = mom·u_j + lr·float64(g_j)              (l2 = 0)
//	u_j = v,   w_j = x + v,   w32_j = float32(w_j)   (w32 not nil)
//
// each operation rounded on its own, in the order written (no fused multiply-add), so the
// results are the bits of the same expressions in Go; float32(w_j) rounds to nearest. With
// l2 = 0 the decay term is left out rather than multiplied by zero, which would turn an
// infinite x into NaN and could flip the sign of a zero.
//
// It returns the OR over j of
//
//	NonFinite(w_j) = bits(w_j) & 0x7ff0000000000000 + 1<<52
//
// whose top bit is set exactly when some new w_j is NaN or ±Inf: adding one to the exponent
// field carries into bit 63 only when every exponent bit is set. The word is the same, every
// bit, whichever kernel runs.
//
// On amd64 the loop runs in AVX-512 (8 elements at a time, the last 1…7 under a mask) or
// AVX2 (4 at a time, the rest in Go), chosen from the CPU at start-up; elsewhere, or with the
// purego build tag, it is Go. Every kernel gives the bits of the Go loop for every input, but
// for the payload of a NaN, which Go does not specify: where two NaNs meet, the result carries
// the operand the compiler put first. The kernels take the operands in the order today's
// compiler does, so in practice those agree too. Cost O(len(w)): it reads 20 bytes and writes
// 16 (20 with w32) per element, so on slices beyond the caches it runs at the speed of
// memory. It allocates nothing and is safe for concurrent use on disjoint slices.
//
// w, u, g and w32 must not overlap. It panics if u, g or a non-nil w32 is not as long as w.
func MomentumStep32(w, u []float64, g, w32 []float32, l2, lr, mom float64) uint64 {
	if len(u) != len(w) || len(g) != len(w) || w32 != nil && len(w32) != len(w) {
		panic("boltz/numeric: MomentumStep32 length mismatch")
	}
	return stepUse.step32(w, u, g, w32, l2, lr, mom)
}

// MomentumStep is MomentumStep32 with a float64 ascent direction g and no float32 copy:
//
//	v = mom·u_j + lr·(g_j − l2·w_j)   (l2 = 0: mom·u_j + lr·g_j),   u_j = v,   w_j += v
//
// It returns the OR of the NonFinite words of the new w_j, as MomentumStep32 does. w, u and g
// must not overlap. It panics if u or g is not as long as w.
func MomentumStep(w, u, g []float64, l2, lr, mom float64) uint64 {
	if len(u) != len(w) || len(g) != len(w) {
		panic("boltz/numeric: MomentumStep length mismatch")
	}
	return stepUse.step64(w, u, g, l2, lr, mom)
}

// stepKernel is one implementation of MomentumStep32 and MomentumStep. Its functions take
// slices whose lengths the exported functions have checked.
type stepKernel struct {
	name   string
	step32 func(w, u []float64, g, w32 []float32, l2, lr, mom float64) uint64
	step64 func(w, u, g []float64, l2, lr, mom float64) uint64
}

// stepGo is the portable kernel, and the reference the vector kernels match bit for bit.
var stepGo = &stepKernel{
	name:   "go",
	step32: momentumStepGo[float32],
	step64: func(w, u, g []float64, l2, lr, mom float64) uint64 {
		return momentumStepGo(w, u, g, nil, l2, lr, mom)
	},
}

// stepUse is the kernel MomentumStep32 and MomentumStep run: the fastest this CPU has.
var stepUse = stepBest()

// momentumStepGo is MomentumStep32 in Go, for either type of g. len(u), len(g) and a
// non-nil len(w32) are len(w).
func momentumStepGo[G float32 | float64](w, u []float64, g []G, w32 []float32, l2, lr, mom float64) uint64 {
	var bad uint64
	g, u = g[:len(w)], u[:len(w)]
	if l2 == 0 {
		for j, x := range w {
			v := float64(mom*u[j]) + float64(lr*float64(g[j]))
			u[j] = v
			x += v
			w[j] = x
			bad |= NonFinite(x)
		}
	} else {
		for j, x := range w {
			v := float64(mom*u[j]) + float64(lr*(float64(g[j])-float64(l2*x)))
			u[j] = v
			x += v
			w[j] = x
			bad |= NonFinite(x)
		}
	}
	if w32 != nil {
		w32 = w32[:len(w)]
		for j, x := range w {
			w32[j] = float32(x)
		}
	}
	return bad
}

// NonFinite returns a word whose top bit is set exactly when x is NaN or ±Inf: adding 2⁵² to
// the exponent field carries into bit 63 only when every exponent bit is set. ORing these
// words over many values costs one integer operation per value, with none of the latency of
// a running floating-point sum; MomentumStep32 and MomentumStep return such an OR.
func NonFinite(x float64) uint64 {
	const expBits = 0x7ff0000000000000
	return math.Float64bits(x)&expBits + 1<<52
}
