// Package oracle is the test oracle of small binary RBMs: it enumerates every state and sums
// by log-sum-exp, from the definitions and independently of the arithmetic of the packages
// it checks (exact, ais, mcmc). It gives log Z, the free energies, exact samples of p(v), the
// tempered joint p_β(v,h) with its marginals and exact draws (Joint), random models, and the
// histograms and total-variation distances that compare a sampler with an exact law. It is
// for tests only: its costs are exponential in the number of units, and it panics on models
// too large to enumerate in a test.
//
// States are numbered so that unit i of state s is bit i of s.
package oracle

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/rbm"
)

// MaxVisible is the most visible units NegFreeEnergies, LogZ and Samples enumerate (2^20
// states), and MaxJoint the most visible plus hidden units LogZJoint does (2^24 terms).
const (
	MaxVisible = 20
	MaxJoint   = 24
)

// RandomModel returns an nv×nh Bernoulli RBM with W ~ N(0, wStd²), then b ~ N(0, bStd²), then
// c ~ N(0, bStd²), drawn from r in that order.
func RandomModel(nv, nh int, wStd, bStd float64, r *rand.Rand) *rbm.RBM {
	m := rbm.New(nv, nh)
	m.InitNormalWithBiases(wStd, bStd, r)
	return m
}

// RandomLayerModel returns a model on the given layers with W ~ N(0, wStd²), the biases
// N(0, bStd²) (InitNormalWithBiases), and every further layer parameter (σ, γ, …) uniform
// in [lo, hi], drawn from r in that order: positive, as standard deviations and curvatures
// must be, when lo > 0.
func RandomLayerModel(vis, hid rbm.Layer, wStd, bStd, lo, hi float64, r *rand.Rand) *rbm.RBM {
	m := rbm.NewWithLayers(vis, hid)
	m.InitNormalWithBiases(wStd, bStd, r)
	for _, l := range []rbm.Layer{vis, hid} {
		for _, p := range l.Params()[1:] {
			for i := range p.Data {
				p.Data[i] = lo + (hi-lo)*r.Float64()
			}
		}
	}
	return m
}

// States returns all 2^n binary vectors of length n as the rows of a matrix, state s in row s.
func States(n int) *linalg.Dense {
	x := linalg.NewDense(1<<n, n)
	for s := range x.Rows {
		for i := range n {
			x.Set(s, i, float64(s>>i&1))
		}
	}
	return x
}

// NegFreeEnergies returns −F(v) for every visible state v, written out from the definition
//
//	−F(v) = bᵀv + Σ_j softplus(c_j + Σ_i v_i W_ij).
//
// Cost O(2^nv·nv·nh). It panics if nv > MaxVisible.
func NegFreeEnergies(m *rbm.RBM) []float64 {
	nv, nh := m.NV(), m.NH()
	mustFit("NegFreeEnergies: visible units", nv, MaxVisible)
	out := make([]float64, 1<<nv)
	for s := range out {
		var f float64
		for i := range nv {
			if s>>i&1 == 1 {
				f += m.B()[i]
			}
		}
		for j := range nh {
			x := m.C()[j]
			for i := range nv {
				if s>>i&1 == 1 {
					x += m.W.At(i, j)
				}
			}
			f += numeric.Softplus(x)
		}
		out[s] = f
	}
	return out
}

// LogZ returns log Z = log Σ_v exp(−F(v)) over every visible state (NegFreeEnergies).
// Cost O(2^nv·nv·nh). It panics if nv > MaxVisible.
func LogZ(m *rbm.RBM) float64 { return numeric.LogSumExp(NegFreeEnergies(m)) }

// LogZJoint returns log Z from the definition of Z, the double sum over every visible and
// hidden state:
//
//	log Z = log Σ_v Σ_h exp(bᵀv + cᵀh + vᵀWh),
//
// with no free energy: it checks the free-energy forms. Cost O(2^(nv+nh)·nv·nh). It panics if
// nv + nh > MaxJoint.
func LogZJoint(m *rbm.RBM) float64 {
	nv, nh := m.NV(), m.NH()
	mustFit("LogZJoint: visible plus hidden units", nv+nh, MaxJoint)
	var acc numeric.LogSumExpAcc
	for s := range 1 << nv {
		for t := range 1 << nh {
			acc.Add(negEnergy(m, s, t))
		}
	}
	return acc.Value()
}

// Samples draws n visible vectors from p(v) = exp(−F(v))/Z exactly, by inverting the
// cumulative distribution over the enumerated states with one r.Float64() per draw.
// Cost O(2^nv·nv·nh + n·2^nv). It panics if nv > MaxVisible.
func Samples(m *rbm.RBM, n int, r *rand.Rand) *linalg.Dense {
	neg := NegFreeEnergies(m)
	lz := numeric.LogSumExp(neg)
	cdf := make([]float64, len(neg))
	var acc float64
	for s, f := range neg {
		acc += math.Exp(f - lz)
		cdf[s] = acc
	}
	nv := m.NV()
	x := linalg.NewDense(n, nv)
	for k := range n {
		s := invertCDF(cdf, r)
		for i := range nv {
			x.Set(k, i, float64(s>>i&1))
		}
	}
	return x
}

func mustFit(what string, n, most int) {
	if n > most {
		panic(fmt.Sprintf("boltz/oracle: %s: %d, more than the %d a test can enumerate", what, n, most))
	}
}
