package main

import (
	"math"

	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/train"
)

// float32Units reports whether both unit types of cfg offer the float32 kernels
// (rbm.Float32), which -precision auto needs to choose float32 (Gaussian, ReLU and dReLU
// units train in float64).
func float32Units(cfg train.Config) bool {
	for _, spec := range []string{cfg.VisibleUnits, cfg.HiddenUnits} {
		if spec == "" {
			continue // bernoulli
		}
		l, err := rbm.LayerByName(spec, 1)
		if err != nil {
			return false
		}
		if _, ok := l.(rbm.Float32); !ok {
			return false
		}
	}
	return true
}

// enumerableUnits returns the number of units of m's smaller layer with finitely many
// states (the one exact sums enumerate), math.MaxInt when both layers are continuous.
func enumerableUnits(m *rbm.RBM) int {
	n := math.MaxInt
	if m.Visible.Values() != nil {
		n = m.NV()
	}
	if m.Hidden.Values() != nil {
		n = min(n, m.NH())
	}
	return n
}
