package mcmc

import (
	"fmt"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// Precision is the arithmetic of Chains.Sweep and Tempering.Step.
type Precision int

const (
	// Float64 runs the sweeps in double precision through each layer's Sample. It is the
	// zero value, and works for every unit type.
	Float64 Precision = iota
	// Float32 runs the sweeps of Bernoulli chains in single precision: the products Wᵀv and
	// W h by linalg.Sgemm on a float32 copy of the parameters taken at the start of each
	// Sweep (or Step) call, the draws by the layers' Sample32 (rbm.Float32) (AVX-512 where the CPU has
	// it). A chain draws the same uniforms from its own stream as in Float64, so the two
	// precisions follow each other until a float32 rounding moves a threshold: P(unit = 1)
	// is σ(input) to within the float32 rounding of the input (relative 10⁻⁷ of Σ|W_ij v_i|)
	// and of σ (3·10⁻⁸). V and H stay float64 between calls, read and written as before.
	Float32
)

// String returns "float64" or "float32".
func (p Precision) String() string {
	switch p {
	case Float64:
		return "float64"
	case Float32:
		return "float32"
	}
	return fmt.Sprintf("Precision(%d)", int(p))
}

// SetPrecision makes Sweep run in precision p (see Precision). The other methods
// (NewChains' initial draw, SetVisible, SampleHidden, SampleVisible, Energies) stay in
// float64. With Float32, Sweep panics unless Supports32 holds for the model (both layers
// offer float32 kernels, as Bernoulli units do, and the visible one has no rbm.Coupling). It panics if p is neither Float64 nor Float32.
func (c *Chains) SetPrecision(p Precision) {
	if p != Float64 && p != Float32 {
		panic(fmt.Sprintf("boltz/mcmc: SetPrecision: %v", p))
	}
	c.precision = p
}

// Precision returns the precision Sweep runs in.
func (c *Chains) Precision() Precision { return c.precision }

// Supports32 reports whether the float32 sweeps cover m: both of its layers offer the
// float32 kernels (rbm.Float32), as Bernoulli units do, and the visible units couple to the
// weights through their state (the sweeps apply no rbm.Coupling, so Gaussian visible units,
// whose layer has float32 kernels for training, sample in float64).
func Supports32(m *rbm.RBM) bool {
	_, bv := m.Visible.(rbm.Float32)
	_, bh := m.Hidden.(rbm.Float32)
	_, coupled := m.Visible.(rbm.Coupling)
	return bv && bh && !coupled
}

// weights32 is a float32 copy of a model's parameters, taken once per Sweep or Step call.
type weights32 struct {
	w, wT *matrix.Dense32 // W and Wᵀ: Sgemm reads both products' operands in place, unpacked
	b, c  []float32
}

func (p *weights32) load(op string, m *rbm.RBM) {
	if !Supports32(m) {
		panic(fmt.Sprintf("boltz/mcmc: %s: precision float32 needs layers with float32 kernels (rbm.Float32) and visible units without an rbm.Coupling, the model has %s visible and %s hidden units",
			op, m.Visible.Name(), m.Hidden.Name()))
	}
	nv, nh := m.NV(), m.NH()
	p.w, p.wT = matrix.Reuse(p.w, nv, nh), matrix.Reuse(p.wT, nh, nv)
	for i := range nv {
		row := m.W.Data[i*nh : (i+1)*nh]
		for j, x := range row {
			p.w.Data[i*nh+j] = float32(x)
			p.wT.Data[j*nv+i] = float32(x)
		}
	}
	p.b, p.c = resize32(p.b, m.NV()), resize32(p.c, m.NH())
	for i, x := range m.B() {
		p.b[i] = float32(x)
	}
	for j, x := range m.C() {
		p.c[j] = float32(x)
	}
}

func resize32(x []float32, n int) []float32 {
	if cap(x) < n {
		return make([]float32, n)
	}
	return x[:n]
}

// chains32 is the float32 state of a Chains during a Sweep in Float32.
type chains32 struct {
	p        weights32       // the parameters, for Sweep's own calls
	v, h     *matrix.Dense32 // the chains' states
	hin, vin *matrix.Dense32 // β̃·Wᵀv, and W h (untempered, for the energies)
	tmp      *matrix.Dense32 // β̃·W h when β ≠ 1
	bb, bc   []float32       // β·b and β·c
	job      sample32Job
}

// sweep32 runs k float32 sweeps at inverse temperature beta with the parameters p: V is
// read into float32 at the start, V and H written back at the end, and with inputs set
// c.xv = b + W·H for energiesFromInputs.
func (c *Chains) sweep32(m *rbm.RBM, p *weights32, beta float64, k int, inputs bool) {
	s := c.f32
	if s == nil {
		s = new(chains32)
		c.f32 = s
	}
	n, nv, nh := c.Len(), c.V.Cols, c.H.Cols
	s.v, s.h = matrix.Reuse(s.v, n, nv), matrix.Reuse(s.h, n, nh)
	s.hin, s.vin = matrix.Reuse(s.hin, n, nh), matrix.Reuse(s.vin, n, nv)
	s.bb, s.bc = resize32(s.bb, nv), resize32(s.bc, nh)
	for i, x := range m.B() {
		s.bb[i] = float32(beta * x)
	}
	for j, x := range m.C() {
		s.bc[j] = float32(beta * x)
	}
	bt := float32(beta)
	vin := s.vin
	if beta != 1 {
		s.tmp = matrix.Reuse(s.tmp, n, nv)
		vin = s.tmp
	}
	for i, x := range c.V.Data {
		s.v.Data[i] = float32(x)
	}
	for range k {
		linalg.MulNN(s.hin, bt, s.v, p.w, 0)
		s.run(sample32Job{layer: m.Hidden.(rbm.Float32), x: s.hin, bias: s.bc, dst: s.h, srcs: c.srcs})
		linalg.MulNN(s.vin, 1, s.h, p.wT, 0)
		s.run(sample32Job{layer: m.Visible.(rbm.Float32), x: s.vin, scaled: vin, beta: bt, bias: s.bb, dst: s.v, srcs: c.srcs})
	}
	for i, x := range s.v.Data {
		c.V.Data[i] = float64(x)
	}
	for i, x := range s.h.Data {
		c.H.Data[i] = float64(x)
	}
	if inputs && k > 0 {
		c.xv = linalg.Reuse(c.xv, n, nv)
		b := m.B()
		for r := range n {
			x, dst := s.vin.Row(r), c.xv.Row(r)
			for i, xi := range x {
				dst[i] = float64(xi) + b[i]
			}
		}
	}
}

func (s *chains32) run(j sample32Job) {
	s.job = j
	par.Do(partsFor(j.dst.Rows, j.dst.Cols), &s.job)
	s.job = sample32Job{}
}

// sample32Job is one float32 half-step: row r of dst ~ Bernoulli(σ(x_r + bias)), drawn from
// srcs[r]. With scaled not nil, x_r is first multiplied by beta into row r of scaled, and
// that is sampled, so x keeps the untempered inputs.
type sample32Job struct {
	layer          rbm.Float32
	x, scaled, dst *matrix.Dense32
	beta           float32
	bias           []float32
	srcs           []*rand.PCG
}

func (j *sample32Job) Part(i, parts int) {
	n := j.dst.Rows
	for r := i * n / parts; r < (i+1)*n/parts; r++ {
		x := j.x.Row(r)
		if j.scaled != nil && j.scaled != j.x {
			y := j.scaled.Row(r)
			for k, xk := range x {
				y[k] = j.beta * xk
			}
			x = y
		}
		j.layer.Sample32(j.dst.Row(r), nil, 1, x, j.bias, j.srcs[r])
	}
}
