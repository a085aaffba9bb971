// Package numeric holds the scalar and vector functions whose naive forms overflow:
// softplus, sigmoid, log-sum-exp and their relatives. Every function here is finite for
// every finite input, including arguments of ±1e3 and beyond.
package numeric

import "math"

// Softplus returns log(1 + exp(x)) without overflow or loss of precision:
//
//	softplus(x) = max(x, 0) + log1p(exp(−|x|))
//
// For x > 36, exp(−x) is below half an ulp of x, so the result is x itself;
// for x < −745, exp(x) underflows and the result is 0.
func Softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// Sigmoid returns σ(x) = 1/(1 + exp(−x)), computed from t = exp(−|x|) so it never
// overflows:
//
//	σ(x) = 1/(1+t) for x ≥ 0,   t/(1+t) for x < 0
//
// The exponential is Exp's (within 2 ulp), so σ(x) is within 4 ulp of the exact value. The
// choice between the two forms is made on the bits, without a branch: inputs near 0 have
// either sign about equally often, and a mispredicted branch costs more than the formula.
func Sigmoid(x float64) float64 { return sigmoidFrom(x, Exp(-math.Abs(x))) }

// sigmoidFrom returns σ(x) given t = exp(−|x|).
func sigmoidFrom(x, t float64) float64 {
	neg := uint64(int64(math.Float64bits(x)) >> 63) // all ones when x < 0
	num := math.Float64frombits(oneBits ^ (oneBits^math.Float64bits(t))&neg)
	return num / (1 + t)
}

const oneBits = 0x3ff0000000000000 // math.Float64bits(1)

// Sigmoids sets dst_i = σ(x_i), the same values as Sigmoid. dst and x may be the same
// slice. It panics if the lengths differ.
func Sigmoids(dst, x []float64) {
	if len(dst) != len(x) {
		panic("boltz/numeric: Sigmoids length mismatch")
	}
	var t [chunk]float64
	for start := 0; start < len(x); start += chunk {
		xc := x[start:min(start+chunk, len(x))]
		tc := NegAbsExps(t[:len(xc)], xc)
		dc := dst[start : start+len(xc)]
		for i, v := range xc {
			dc[i] = sigmoidFrom(v, tc[i])
		}
	}
}

// chunk is how many elements the vector functions handle per pass of Exps: their scratch
// (1 KiB on the stack) stays in L1 while the calls stay few.
const chunk = 128

// NegAbsExps sets t_i = exp(−|x_i|), the quantity σ and softplus are built from, and
// returns t. It panics if the lengths differ.
func NegAbsExps(t, x []float64) []float64 {
	if len(t) != len(x) {
		panic("boltz/numeric: NegAbsExps length mismatch")
	}
	for i, v := range x {
		t[i] = -math.Abs(v)
	}
	Exps(t, t)
	return t
}

// LogSigmoid returns log σ(x) = −softplus(−x).
func LogSigmoid(x float64) float64 { return -Softplus(-x) }

// LogAddExp returns log(exp(a) + exp(b)) without overflow. −Inf is the identity.
func LogAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(b, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// LogSumExp returns log Σ_i exp(x_i), shifting by the maximum first. It returns −Inf for an
// empty slice or one holding only −Inf, and +Inf if any element is +Inf.
func LogSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	if math.IsInf(m, 0) {
		return m
	}
	var s float64
	for _, v := range x {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// LogSumExpAcc accumulates log Σ exp(x_i) in one streaming pass, as a running maximum and a
// sum scaled by it. The zero value is the empty sum (log 0 = −Inf).
type LogSumExpAcc struct {
	max float64 // running maximum; valid only when n > 0
	sum float64 // Σ exp(x_i − max)
	n   int
}

// Add includes x in the sum.
func (a *LogSumExpAcc) Add(x float64) {
	if math.IsInf(x, -1) {
		return
	}
	if a.n == 0 {
		a.max, a.sum, a.n = x, 1, 1
		return
	}
	a.n++
	if x <= a.max {
		a.sum += math.Exp(x - a.max)
		return
	}
	a.sum = a.sum*math.Exp(a.max-x) + 1
	a.max = x
}

// Merge adds the terms accumulated in o.
func (a *LogSumExpAcc) Merge(o LogSumExpAcc) {
	if o.n == 0 {
		return
	}
	if a.n == 0 {
		*a = o
		return
	}
	if o.max <= a.max {
		a.sum += o.sum * math.Exp(o.max-a.max)
	} else {
		a.sum = a.sum*math.Exp(a.max-o.max) + o.sum
		a.max = o.max
	}
	a.n += o.n
}

// Value returns log Σ exp(x_i) over the terms added so far.
func (a LogSumExpAcc) Value() float64 {
	if a.n == 0 {
		return math.Inf(-1)
	}
	return a.max + math.Log(a.sum)
}

// Dot returns Σ_i x_i y_i. It panics if the lengths differ.
func Dot(x, y []float64) float64 {
	if len(x) != len(y) {
		panic("boltz/numeric: Dot length mismatch")
	}
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}
