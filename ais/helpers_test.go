package ais

import (
	"math"
	"math/rand/v2"

	"github.com/boltzgo/boltz/internal/linalg"
	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/rbm"
)

// randomModel returns an nv×nh Bernoulli RBM with W ~ N(0, wStd²) and b, c ~ N(0, bStd²).
func randomModel(nv, nh int, wStd, bStd float64, seed uint64) *rbm.RBM {
	r := rng.New(seed, 0x6d6f64656c)
	m := rbm.New(nv, nh)
	m.InitNormal(wStd, r)
	for i := range m.B {
		m.B[i] = bStd * r.NormFloat64()
	}
	for j := range m.C {
		m.C[j] = bStd * r.NormFloat64()
	}
	return m
}

// visibleStates returns all 2^nv binary vectors as the rows of a matrix, state s in row s.
func visibleStates(nv int) *linalg.Dense {
	x := linalg.NewDense(1<<nv, nv)
	for s := 0; s < 1<<nv; s++ {
		for i := 0; i < nv; i++ {
			x.Set(s, i, float64(s>>i&1))
		}
	}
	return x
}

// bruteLogZ is log Σ_v exp(−F(v)) by enumerating every visible state (nv ≤ 16), with F the
// free energy written out from its definition, independently of the annealer's arithmetic.
func bruteLogZ(m *rbm.RBM) float64 {
	neg := bruteNegFree(m)
	return numeric.LogSumExp(neg)
}

// bruteNegFree returns −F(v) = bᵀv + Σ_j softplus(c_j + Σ_i v_i W_ij) for every visible state.
func bruteNegFree(m *rbm.RBM) []float64 {
	nv, nh := m.NV(), m.NH()
	if nv > 16 {
		panic("bruteNegFree: too many visible units")
	}
	out := make([]float64, 1<<nv)
	for s := range out {
		var f float64
		for i := 0; i < nv; i++ {
			if s>>i&1 == 1 {
				f += m.B[i]
			}
		}
		for j := 0; j < nh; j++ {
			x := m.C[j]
			for i := 0; i < nv; i++ {
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

// exactSamples draws n visible vectors from p(v) exactly, by inverting the cumulative
// distribution over the enumerated states.
func exactSamples(m *rbm.RBM, n int, r *rand.Rand) *linalg.Dense {
	neg := bruteNegFree(m)
	lz := numeric.LogSumExp(neg)
	cdf := make([]float64, len(neg))
	var acc float64
	for s, f := range neg {
		acc += math.Exp(f - lz)
		cdf[s] = acc
	}
	nv := m.NV()
	x := linalg.NewDense(n, nv)
	for k := 0; k < n; k++ {
		u := r.Float64() * acc
		s := 0
		for s < len(cdf)-1 && cdf[s] <= u {
			s++
		}
		for i := 0; i < nv; i++ {
			x.Set(k, i, float64(s>>i&1))
		}
	}
	return x
}
