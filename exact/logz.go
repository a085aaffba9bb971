package exact

import (
	"math"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/rbm"
)

// LogZ returns the log partition function of m,
//
//	log Z = log Σ_h exp(−F(h)) = log Σ_v exp(−F(v)),
//
// enumerating the layer with fewer states (or the one opts.Enumerate names) and summing the
// other analytically through the free energy. The sum is accumulated in float64 with
// log-sum-exp, so biases of ±1e3 give a finite answer.
//
// Cost: O(S·(n_e + n_s)) for S = 2^n_e enumerated Bernoulli states and n_s summed units; for
// other unit types O(S·n_e·n_s). For Bernoulli–Bernoulli models the summed layer's softplus
// terms are evaluated as one product, Σ_i softplus(x_i) = log Π_i (1 + e^{x_i}), with each
// e^{x_i} a product of precomputed tables of exponentials over groups of enumerated units
// (no exp or log per unit and state; see fastLogZ). Its error is a few ulps per term, so the
// result agrees with the plain softplus sum to about n_s·1e-16 absolute.
//
// It returns *ErrTooLarge when the enumerated layer has more than opts.MaxStates states,
// ErrNotEnumerable when it is continuous, and an error when a parameter is NaN or ±Inf. It
// runs on up to GOMAXPROCS goroutines and its result does not depend on GOMAXPROCS. It is
// safe for concurrent use.
func LogZ(m *rbm.RBM, opts *Options) (float64, error) {
	v, err := newView(m, opts)
	if err != nil {
		return 0, err
	}
	if err := budgetRun(m, v, opts, "log Z", func(sub *rbm.RBM, o *Options) { LogZ(sub, o) }); err != nil {
		return 0, err
	}
	if v.binary() {
		return newFastLogZ(v).logZ(opts.progress()), nil
	}
	return v.logZGeneric(opts.progress()), nil
}

// logZGeneric is log Z through the unit types' Energy and LogNormalizer, one block of states
// per matrix product. It is the reference the fast path is tested against.
func (v *view) logZGeneric(report func(done, total int)) float64 {
	n := numRanges(v.states)
	accs := make([]numeric.LogSumExpAcc, n)
	parallelReport(n, func(r int) {
		lo, hi := split(v.states, n, r)
		v.blocks(lo, hi, false, func(b *block) {
			for _, x := range b.negF {
				accs[r].Add(x)
			}
		})
	}, report)
	return mergeAll(accs)
}

func mergeAll(accs []numeric.LogSumExpAcc) float64 {
	var total numeric.LogSumExpAcc
	for _, a := range accs {
		total.Merge(a)
	}
	return total.Value()
}

// Limits of the fast kernel.
const (
	// expArgMax bounds every partial exponent |y| whose exponential is tabled or multiplied:
	// e^700 ≈ 1e304 is below the largest float64 (e^709.78) and e^−700 above the smallest
	// normal one (e^−708.4), so no table or partial product overflows or loses bits.
	expArgMax = 700
	// prodArgMax bounds the exponent y of a factor 1 + e^y of the running products: each
	// running product takes 8 factors per block (see logProd1p), and
	// log 2 + 8·softplus(85) < 681 keeps a block that starts right after a renormalisation
	// below e^expArgMax. (A product of two factors, below e^171, is formed before it joins
	// its running product.)
	prodArgMax = 85
	// underflowArg: for x below it, exp(x) rounds to 0 in float64 (the smallest subnormal is
	// e^−744.4), so softplus(x) = 0 and softplus(−x) = −x exactly as numeric.Softplus computes
	// them.
	underflowArg = 746
	// tableBytes is the size of the inner group's table: it is read once per enumerated
	// state, so it should stay in a per-core L2 cache (512 KiB on the smallest current x86
	// cores).
	tableBytes = 256 << 10
	// maxGroupBits bounds the other groups' tables to 2^8 rows, so that building them costs
	// little next to the enumeration.
	maxGroupBits = 8
	// maxInnerBits bounds the inner group; larger only spends memory.
	maxInnerBits = 10
)

// fastLogZ evaluates −F(e) = beᵀe + Σ_i softplus(x_i), x = bs + Ws·e, for binary e and
// Bernoulli summed units, splitting the summed units into four classes by the range
// [lo_i, hi_i] that x_i takes over all e:
//
//   - zero units (hi_i < −746) contribute exactly 0 and are dropped;
//   - linear units (lo_i > 746) contribute exactly x_i, a linear function of e;
//   - product units contribute log(1 + e^{y_i}) with y_i = s_i·x_i, plus x_i when s_i = −1
//     (softplus(x) = x + softplus(−x)), the sign chosen so that y_i ≤ 85;
//   - slow units, whose range is too wide for either sign, contribute numeric.Softplus(x_i).
//
// The enumerated units are split into groups of bits: group 0 holds the low bits and is
// enumerated innermost. Every linear term, every e^{y_i} and every slow x_i is a sum (or a
// product) of one table entry per group, so a state costs one multiply per product unit for
// e^{y_i} = T_0[a]_i · (Π_{g>0} T_g[o_g])_i, the outer product being formed once per 2^{k_0}
// states. Σ_i log(1 + e^{y_i}) is then a running product and one log (logProd1p). The
// tables hold exponentials of exact partial sums, so e^{y_i} is within a few ulps, with no
// drift along the enumeration.
type fastLogZ struct {
	ne      int
	groups  []tableGroup // groups[0] is enumerated innermost; the last holds the constants
	nProd   int          // product units, padded to a multiple of prodBlock with e^y = 0
	renorm  []bool       // renormSchedule of the product units
	nSlow   int
	nRanges int
}

// tableGroup holds the tables of one group of enumerated units, one row per state of the
// group's bits.
type tableGroup struct {
	shift, bits int
	prod        []float64 // rows of nProd: e^{partial y_i}
	lin         []float64 // one per row: partial linear term
	slow        []float64 // rows of nSlow: partial x_i
}

// unitClass is the class of a summed unit in the fast kernel.
type unitClass int

const (
	classZero unitClass = iota
	classLinear
	classProduct
	classSlow
)

func newFastLogZ(v *view) *fastLogZ {
	f := &fastLogZ{ne: v.ne}
	bits := groupBits(v.ne, v.ns)
	signs := make([]float64, v.ns)
	classes := make([]unitClass, v.ns)
	yHi := make([]float64, v.ns)
	for i := range classes {
		classes[i], signs[i], yHi[i] = classify(v.ws.Row(i), v.bs[i], bits)
	}
	var prod, slow []int
	linCoef := append([]float64(nil), v.be...) // d_j: coefficient of e_j in the linear term
	var linConst float64
	for i, c := range classes {
		addLinear := c == classLinear || (c == classProduct && signs[i] < 0)
		if addLinear {
			for j, w := range v.ws.Row(i) {
				linCoef[j] += w
			}
			linConst += v.bs[i]
		}
		switch c {
		case classProduct:
			prod = append(prod, i)
		case classSlow:
			slow = append(slow, i)
		}
	}
	f.nProd = (len(prod) + prodBlock - 1) / prodBlock * prodBlock
	prodHi := make([]float64, len(prod))
	for p, i := range prod {
		prodHi[p] = yHi[i]
	}
	f.renorm = renormSchedule(prodHi, f.nProd)
	f.nSlow = len(slow)
	shift := 0
	for gi, k := range bits {
		last := gi == len(bits)-1
		g := tableGroup{shift: shift, bits: k}
		rows := 1 << k
		g.prod = make([]float64, rows*f.nProd)
		g.lin = make([]float64, rows)
		g.slow = make([]float64, rows*f.nSlow)
		for a := 0; a < rows; a++ {
			on := func(j int) bool { return a>>(j-shift)&1 == 1 }
			var lin float64
			if last {
				lin = linConst
			}
			for j := shift; j < shift+k; j++ {
				if on(j) {
					lin += linCoef[j]
				}
			}
			g.lin[a] = lin
			partial := func(i int) float64 {
				var x float64
				if last {
					x = v.bs[i]
				}
				w := v.ws.Row(i)
				for j := shift; j < shift+k; j++ {
					if on(j) {
						x += w[j]
					}
				}
				return x
			}
			for p, i := range prod {
				g.prod[a*f.nProd+p] = math.Exp(signs[i] * partial(i))
			}
			for p, i := range slow {
				g.slow[a*f.nSlow+p] = partial(i)
			}
		}
		f.groups = append(f.groups, g)
		shift += k
	}
	f.nRanges = numRanges(uint64(1) << (v.ne - bits[0]))
	return f
}

// groupBits splits ne enumerated units into groups: the inner group as large as tableBytes
// allows for ns summed units, then groups of up to maxGroupBits. There are always at least
// two groups (the last may have no bits) so that the constants have a group of their own
// apart from the inner one.
func groupBits(ne, ns int) []int {
	rowBytes := 8 * max(ns, 1)
	k0 := 1
	for k0 < maxInnerBits && (2<<k0)*rowBytes <= tableBytes {
		k0++
	}
	k0 = min(k0, ne)
	bits := []int{k0}
	rest := ne - k0
	groups := (rest + maxGroupBits - 1) / maxGroupBits
	for g := 0; g < groups; g++ { // balanced sizes
		bits = append(bits, rest*(g+1)/groups-rest*g/groups)
	}
	if len(bits) == 1 {
		bits = append(bits, 0)
	}
	return bits
}

// classify returns the class of a summed unit with weights w (one per enumerated unit) and
// bias b, and for a product unit the sign s with y = s·x and the largest value of y.
func classify(w []float64, b float64, bits []int) (class unitClass, sign, yHi float64) {
	lo, hi := b, b
	for _, x := range w {
		lo += min(x, 0)
		hi += max(x, 0)
	}
	switch {
	case hi < -underflowArg:
		return classZero, 0, 0
	case lo > underflowArg:
		return classLinear, 0, 0
	case hi <= prodArgMax && productSafe(w, b, bits, 1):
		return classProduct, 1, hi
	case -lo <= prodArgMax && productSafe(w, b, bits, -1):
		return classProduct, -1, -lo
	}
	return classSlow, 0, 0
}

// productSafe reports whether every table entry and every partial product of e^{s·x} stays
// within e^±expArgMax. The outer product is formed from the last group down to group 1 and
// then multiplied by group 0's entry, so every such prefix is checked.
func productSafe(w []float64, b float64, bits []int, s float64) bool {
	ranges := make([][2]float64, len(bits))
	shift := 0
	for g, k := range bits {
		var lo, hi float64
		if g == len(bits)-1 {
			lo, hi = s*b, s*b
		}
		for _, x := range w[shift : shift+k] {
			lo += min(s*x, 0)
			hi += max(s*x, 0)
		}
		ranges[g] = [2]float64{lo, hi}
		shift += k
	}
	inside := func(r [2]float64) bool { return r[0] >= -expArgMax && r[1] <= expArgMax }
	var prefix [2]float64
	for g := len(bits) - 1; g >= 0; g-- {
		prefix[0] += ranges[g][0]
		prefix[1] += ranges[g][1]
		if !inside(ranges[g]) || !inside(prefix) {
			return false
		}
	}
	return true
}

// logZ runs the enumeration over fixed ranges of outer states, in parallel, and merges the
// partial sums in range order. report, when not nil, is told of every range done.
func (f *fastLogZ) logZ(report func(done, total int)) float64 {
	outer := uint64(1) << (f.ne - f.groups[0].bits)
	accs := make([]numeric.LogSumExpAcc, f.nRanges)
	parallelReport(f.nRanges, func(r int) {
		lo, hi := split(outer, f.nRanges, r)
		accs[r] = f.sumRange(lo, hi)
	}, report)
	return mergeAll(accs)
}

// sumRange accumulates exp(−F(e)) over the states whose outer bits (all but group 0's) run
// over [lo, hi).
func (f *fastLogZ) sumRange(lo, hi uint64) numeric.LogSumExpAcc {
	var acc numeric.LogSumExpAcc
	eo := make([]float64, f.nProd)
	xo := make([]float64, f.nSlow)
	g0 := &f.groups[0]
	inner := 1 << g0.bits
	for o := lo; o < hi; o++ {
		linO := f.outer(eo, xo, o<<uint(g0.bits))
		for a := 0; a < inner; a++ {
			val := linO + g0.lin[a] + logProd1p(g0.prod[a*f.nProd:(a+1)*f.nProd], eo, f.renorm)
			if f.nSlow > 0 {
				val += slowSum(xo, g0.slow[a*f.nSlow:(a+1)*f.nSlow])
			}
			acc.Add(val)
		}
	}
	return acc
}

// outer sets eo and xo to the product (of exponentials) and the sum (of inputs) over groups
// 1.. for state idx, and returns their linear term.
func (f *fastLogZ) outer(eo, xo []float64, idx uint64) float64 {
	var lin float64
	for g := len(f.groups) - 1; g >= 1; g-- {
		gr := &f.groups[g]
		a := int(idx >> uint(gr.shift) & (1<<uint(gr.bits) - 1))
		lin += gr.lin[a]
		t := gr.prod[a*f.nProd : (a+1)*f.nProd]
		s := gr.slow[a*f.nSlow : (a+1)*f.nSlow]
		if g == len(f.groups)-1 {
			copy(eo, t)
			copy(xo, s)
			continue
		}
		for i, x := range t {
			eo[i] *= x
		}
		for i, x := range s {
			xo[i] += x
		}
	}
	return lin
}

func slowSum(xo, x0 []float64) float64 {
	var s float64
	for i, x := range x0 {
		s += numeric.Softplus(xo[i] + x)
	}
	return s
}

// prodBlock is the number of factors of one block of logProd1p: 8 in each of its 4 running
// products. The products are renormalised only between blocks.
const prodBlock = 32

// renormSchedule returns, for each block of prodBlock product units, whether logProd1p must
// renormalise its running products before that block so that none can overflow. hi[p]
// bounds the exponent y of unit p over all states; unit p multiplies running product p mod 4.
// A product starts below 2 after a renormalisation, and a block may not take it past
// e^expArgMax.
func renormSchedule(hi []float64, n int) []bool {
	blocks := n / prodBlock
	sched := make([]bool, blocks)
	var grow [4]float64 // log of the bound of each running product
	for k := 0; k < blocks; k++ {
		var add [4]float64
		for p := k * prodBlock; p < (k+1)*prodBlock && p < len(hi); p++ {
			add[p%4] += numeric.Softplus(hi[p])
		}
		over := false
		for l := range grow {
			over = over || grow[l]+add[l] > expArgMax
		}
		if over {
			sched[k] = true
			grow = [4]float64{math.Ln2, math.Ln2, math.Ln2, math.Ln2}
		}
		for l := range grow {
			grow[l] += add[l]
		}
	}
	return sched
}

// logProd1p returns Σ_i log(1 + a_i·b_i) as the log of a product, for slices whose length
// is a multiple of prodBlock. Four running products, each multiplied by products of two
// factors, keep the multiplier busy without spilling registers (the loop is unrolled by
// hand: Go does not vectorise). Before each block marked in renorm (see renormSchedule) every
// running product is scaled back to [1, 2) by moving its binary exponent into an integer.
// The relative error of the product is at most about 3·len(a) ulps: an absolute error below
// len(a)·3.3e-16 in the result. It is not numeric.SoftplusSum: its factors come as products
// of table entries and reach e^prodArgMax, not (1, 2], and its four interleaved products
// with scheduled renormalisation are what make the enumeration fast (see internal/numeric's
// softplus.go for the kernels that do share one form).
func logProd1p(a, b []float64, renorm []bool) float64 {
	p0, p1, p2, p3 := 1.0, 1.0, 1.0, 1.0
	e := 0
	for k, re := range renorm {
		if re {
			p0, p1, p2, p3 = renormalize(p0, &e), renormalize(p1, &e), renormalize(p2, &e), renormalize(p3, &e)
		}
		x := (*[prodBlock]float64)(a[k*prodBlock:])
		y := (*[prodBlock]float64)(b[k*prodBlock:])
		p0 *= (1 + x[0]*y[0]) * (1 + x[4]*y[4])
		p1 *= (1 + x[1]*y[1]) * (1 + x[5]*y[5])
		p2 *= (1 + x[2]*y[2]) * (1 + x[6]*y[6])
		p3 *= (1 + x[3]*y[3]) * (1 + x[7]*y[7])
		p0 *= (1 + x[8]*y[8]) * (1 + x[12]*y[12])
		p1 *= (1 + x[9]*y[9]) * (1 + x[13]*y[13])
		p2 *= (1 + x[10]*y[10]) * (1 + x[14]*y[14])
		p3 *= (1 + x[11]*y[11]) * (1 + x[15]*y[15])
		p0 *= (1 + x[16]*y[16]) * (1 + x[20]*y[20])
		p1 *= (1 + x[17]*y[17]) * (1 + x[21]*y[21])
		p2 *= (1 + x[18]*y[18]) * (1 + x[22]*y[22])
		p3 *= (1 + x[19]*y[19]) * (1 + x[23]*y[23])
		p0 *= (1 + x[24]*y[24]) * (1 + x[28]*y[28])
		p1 *= (1 + x[25]*y[25]) * (1 + x[29]*y[29])
		p2 *= (1 + x[26]*y[26]) * (1 + x[30]*y[30])
		p3 *= (1 + x[27]*y[27]) * (1 + x[31]*y[31])
	}
	return finishProd(p0, p1, p2, p3, e)
}

// finishProd returns log(p0·p1·p2·p3·2^e), bringing each factor into [1, 2) first so their
// product cannot overflow.
func finishProd(p0, p1, p2, p3 float64, e int) float64 {
	p0, p1, p2, p3 = renormalize(p0, &e), renormalize(p1, &e), renormalize(p2, &e), renormalize(p3, &e)
	return math.Log((p0*p1)*(p2*p3)) + float64(e)*math.Ln2
}

// renormalize returns p ≥ 1 (a normal float64) scaled by a power of two into [1, 2), adding
// the power to *e.
func renormalize(p float64, e *int) float64 {
	bits := math.Float64bits(p)
	*e += int(bits>>52) - 1023
	return math.Float64frombits(bits&(1<<52-1) | 1023<<52)
}
