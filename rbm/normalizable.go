package rbm

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// TailCurvature is implemented by hidden layers whose log-normaliser grows quadratically
// in the input, A_j(x) ≈ κ_j x²/2 as |x| → ∞ (ReLU: κ = 1/γ; dReLU: the larger of 1/γ⁺ and
// 1/γ⁻). Against a Gaussian visible layer such units can make the model improper: see
// CheckNormalizable.
type TailCurvature interface {
	// TailCurvature sets dst_j = κ_j.
	TailCurvature(dst []float64)
}

// TailCurvature sets dst_j = 1/γ_j.
func (l *ReLU) TailCurvature(dst []float64) {
	for j, g := range l.Gamma {
		dst[j] = 1 / g
	}
}

// TailCurvature sets dst_j = max(1/γ⁺_j, 1/γ⁻_j).
func (l *DReLU) TailCurvature(dst []float64) {
	for j := range dst {
		dst[j] = 1 / math.Min(l.GammaPos[j], l.GammaNeg[j])
	}
}

// NotNormalizableError reports a model whose unnormalised density does not integrate: its
// partition function is infinite and every log-likelihood −∞.
type NotNormalizableError struct {
	Norm float64 // the largest singular value of diag(1/σ)·W·diag(√κ), which must be below 1
}

func (e *NotNormalizableError) Error() string {
	return fmt.Sprintf("the model is not normalisable: the largest singular value of diag(1/σ)·W·diag(1/√γ) is %.4g, "+
		"at least 1, so exp(−F(v)) grows along some direction of v and log Z is +∞ "+
		"(smaller weights, larger γ or smaller σ make it proper)", e.Norm)
}

// CheckNormalizable returns a *NotNormalizableError when a Gaussian visible layer meets a
// hidden layer whose log-normaliser grows quadratically (TailCurvature) so strongly that
// the model is improper. In the scaled variables y = v/σ, −F(v) = −‖y‖²/2 + Σ_j A_j(x_j)
// + O(‖y‖) with x = c + (diag(1/σ)W)ᵀy, and A_j(x) ≈ κ_j x²/2, so exp(−F) is integrable
// exactly when I − M Mᵀ is positive definite for M = diag(1/σ)·W·diag(√κ), that is when M's
// largest singular value is below 1. (At exactly 1 it depends on lower-order terms; it is
// reported as improper.) Other models are always proper and give nil. Cost: 100 power
// iterations, O(100·nv·nh); no randomness beyond a fixed start.
func (m *RBM) CheckNormalizable() error {
	g, ok := m.Visible.(*Gaussian)
	tc, quad := m.Hidden.(TailCurvature)
	if !ok || !quad {
		return nil
	}
	kappa := make([]float64, m.NH())
	tc.TailCurvature(kappa)
	nv, nh := m.NV(), m.NH()
	at := func(i, j int) float64 { return m.W.At(i, j) / g.Sigma[i] * math.Sqrt(kappa[j]) }
	// Power iteration on MᵀM from a fixed pseudo-random start.
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, nh)
	for j := range x {
		x[j] = r.NormFloat64()
	}
	y := make([]float64, nv)
	var s float64
	for range 100 {
		for i := range y {
			var t float64
			for j, xj := range x {
				t += at(i, j) * xj
			}
			y[i] = t
		}
		var n2 float64
		for j := range x {
			var t float64
			for i, yi := range y {
				t += at(i, j) * yi
			}
			x[j] = t
			n2 += t * t
		}
		n := math.Sqrt(n2)
		if n == 0 {
			return nil
		}
		for j := range x {
			x[j] /= n
		}
		s = math.Sqrt(n) // ‖MᵀM x‖ for a unit x tends to σ_max²
	}
	if s >= 1 {
		return &NotNormalizableError{Norm: s}
	}
	return nil
}
