package numeric

import "math"

// The sums of softplus over a layer, Σ_j softplus(x_j) = Σ_j max(x_j,0) + log Π_j (1+e^{−|x_j|}),
// are taken here as the log of products of factors in (1, 2]: one exponential per term and
// one logarithm per span of terms, where Softplus spends an exponential and a logarithm on
// each. The kernels that do so:
//
//   - SoftplusSum: Σ_j softplus(x_j + s·w_j), the free energy's hidden sum and its
//     bit-flipped variants (rbm's pseudo-likelihood has the same arithmetic in its own
//     softplusSum, which can call this one).
//   - SigmoidSoftplusSum: the same sum and the sigmoids from the same exponentials (exact's
//     generic enumeration of Bernoulli units).
//   - ais's hiddenRows: Σ_j softplus(βn z_j) − softplus(βo z_j) at two temperatures as
//     (βn−βo)Σ max(z,0) + log Π (1+e^{−βn|z|})/(1+e^{−βo|z|}), one product of ratios in
//     (1/2, 2) so that one logarithm serves both sums, and e^{−βn|z|} shared with the
//     sampling of h. The products go through LogProduct, as here.
//
// exact's fast enumeration (logProd1p) and ais's float32 annealer (ratioProduct) keep their
// own products: the former multiplies table entries a_i·b_i into four interleaved running
// products with unbounded factors, renormalised on a schedule; the latter multiplies float32
// exponentials into two partial products per side. Their order of operations is what makes
// them fast, and changing it would change their bits.

// softplusSpan is the number of factors in (1, 2] multiplied before one logarithm: 2^64 at
// most, far from overflow, with a relative rounding error of at most 64 ulp.
const softplusSpan = 64

// LogProduct accumulates Σ_k log f_k for positive factors bounded well inside float64's
// range (say in [1/2, 2]) as the logarithms of running products, one logarithm per span
// factors: Sum is logs + log(prod) over the factors so far. The zero value is not ready; use
// NewLogProduct.
type LogProduct struct {
	prod, logs float64
	n, span    int
}

// NewLogProduct returns an empty LogProduct that takes one logarithm per span factors. The
// caller bounds span so that no product of span factors overflows.
func NewLogProduct(span int) LogProduct { return LogProduct{prod: 1, span: span} }

// Mul returns p with log f added. It is a value method, so that a LogProduct held in a local
// variable stays in registers; it inlines, and the logarithm is taken out of line once per
// span:
//
//	p = p.Mul(f)
func (p LogProduct) Mul(f float64) LogProduct {
	p.prod *= f
	p.n++
	if p.n == p.span {
		p = p.flush()
	}
	return p
}

//go:noinline
func (p LogProduct) flush() LogProduct {
	p.logs += math.Log(p.prod)
	p.prod, p.n = 1, 0
	return p
}

// Sum returns Σ log f over the factors given to Mul.
func (p LogProduct) Sum() float64 { return p.logs + math.Log(p.prod) }

// SoftplusSum returns Σ_j softplus(x_j + s·w_j), or Σ_j softplus(x_j) when w is nil, as
//
//	Σ_j max(y_j, 0) + log Π_j (1 + e^{−|y_j|}),   y = x + s·w,
//
// one exponential per term and one logarithm per 64 terms (the products lie in (1, 2^64]).
// Its rounding error is about 1e-14 per 64 terms next to the sum of Softplus. It panics if
// w is not nil and shorter than x.
func SoftplusSum(x, w []float64, s float64) float64 {
	if w != nil && len(w) < len(x) {
		panic("boltz/numeric: SoftplusSum length mismatch")
	}
	var lin float64
	logs := NewLogProduct(softplusSpan)
	var t [softplusSpan]float64
	for start := 0; start < len(x); start += softplusSpan {
		xc := x[start:min(start+softplusSpan, len(x))]
		tc := t[:len(xc)]
		if w == nil {
			for j, y := range xc {
				lin += max(y, 0)
				tc[j] = y
			}
		} else {
			wc := w[start : start+len(xc)]
			for j, xj := range xc {
				y := xj + s*wc[j]
				lin += max(y, 0)
				tc[j] = y
			}
		}
		NegAbsExps(tc, tc)
		for _, tj := range tc {
			logs = logs.Mul(1 + tj)
		}
	}
	return lin + logs.Sum()
}

// SigmoidSoftplusSum replaces each x_i by σ(x_i) (the values Sigmoid returns) and returns
// Σ_i softplus(x_i) (the bits SoftplusSum(x, nil, 0) returns), the two halves of a Bernoulli
// layer's conditional (its means and its log-normaliser) from one exponential per element:
//
//	t = exp(−|x|),  σ(x) = 1/(1+t) or t/(1+t),  softplus(x) = max(x,0) + log(1+t)
func SigmoidSoftplusSum(x []float64) float64 {
	var lin float64
	logs := NewLogProduct(softplusSpan)
	var t [softplusSpan]float64
	for start := 0; start < len(x); start += softplusSpan {
		xc := x[start:min(start+softplusSpan, len(x))]
		tc := NegAbsExps(t[:len(xc)], xc)
		for i, v := range xc {
			logs = logs.Mul(1 + tc[i])
			lin += max(v, 0)
			xc[i] = sigmoidFrom(v, tc[i])
		}
	}
	return lin + logs.Sum()
}
