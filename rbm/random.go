package rbm

import "math/rand/v2"

// InitNormalWithBiases draws every weight from N(0, wStd²), as InitNormal does, then every
// visible bias from N(0, bStd²), then every hidden bias from N(0, bStd²), all from r in that
// order. It gives random models for tests and gradient checks, where nonzero biases matter.
func (m *RBM) InitNormalWithBiases(wStd, bStd float64, r *rand.Rand) {
	m.InitNormal(wStd, r)
	for i := range m.B() {
		m.B()[i] = bStd * r.NormFloat64()
	}
	for j := range m.C() {
		m.C()[j] = bStd * r.NormFloat64()
	}
}
