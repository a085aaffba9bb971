package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/internal/rng"
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

// randomLayerModel returns boltz gradcheck's random model on the unit types vis and hid:
// randomGradcheckModel's weights and biases, and every further layer parameter (σ, γ, …)
// uniform in [0.5, 1.5], drawn after them from the same stream. Bernoulli–Bernoulli models
// are randomGradcheckModel's exactly.
func randomLayerModel(vis, hid string, nv, nh int, std float64, seed uint64) (*rbm.RBM, error) {
	if vis == "bernoulli" && hid == "bernoulli" {
		return randomGradcheckModel(nv, nh, std, seed), nil
	}
	lv, err := rbm.LayerByName(vis, nv)
	if err != nil {
		return nil, flagError("visible-units", "%v", err)
	}
	lh, err := rbm.LayerByName(hid, nh)
	if err != nil {
		return nil, flagError("hidden-units", "%v", err)
	}
	m := oracle.RandomLayerModel(lv, lh, std, std, 0.5, 1.5, rng.New(seed, gradcheckRNGModel))
	if err := m.Validate(); err != nil {
		return nil, flagError("hidden-units", "%v", err)
	}
	return m, nil
}

// warnUnits warns about unit-type and method combinations that are known to go wrong:
// learned Gaussian σ with persistent chains (as σ shrinks the chains freeze and the
// log-likelihood collapses; docs/units.md), and Gaussian visible units with ReLU or dReLU
// hidden units (nothing keeps the model normalisable).
func warnUnits(w io.Writer, cfg train.Config) {
	if cfg.VisibleUnits == "gaussian" && (cfg.Method == train.MethodPCD || cfg.Method == train.MethodFastPCD) {
		fmt.Fprintf(w, "boltz train: warning: learning the Gaussian σ with %s persistent chains often collapses σ "+
			"(docs/units.md); -method cd or -visible-units gaussian:fixed are safer\n", cfg.Method)
	}
	if strings.HasPrefix(cfg.VisibleUnits, "gaussian") && (cfg.HiddenUnits == "relu" || cfg.HiddenUnits == "drelu") {
		fmt.Fprintf(w, "boltz train: warning: a Gaussian–%s model is normalisable only while its weights stay small "+
			"against σ and γ (docs/units.md); boltz eval reports it when it is not\n", cfg.HiddenUnits)
	}
}
