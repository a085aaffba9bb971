package main

import (
	"fmt"

	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/rbm"
)

// validPrecision reports whether s is a value of -precision (eval, sample).
func validPrecision(s string) bool { return s == "auto" || s == "float32" || s == "float64" }

// use32 resolves -precision for m: auto is float32 when m has a float32 sampler (Bernoulli
// visible and hidden units, which is every model boltz makes today), float64 otherwise; an
// explicit float32 for a model without one is an error naming the flag.
func use32(precision string, m *rbm.RBM) (bool, error) {
	switch precision {
	case "float64":
		return false, nil
	case "float32":
		if !mcmc.Supports32(m) {
			return false, flagError("precision", "float32 needs Bernoulli units, the model has %s visible and %s hidden units",
				m.Visible.Name(), m.Hidden.Name())
		}
		return true, nil
	case "auto":
		return mcmc.Supports32(m), nil
	}
	panic(fmt.Sprintf("boltz: -precision %q was not checked", precision))
}

// mcmcPrecision is use32 as an mcmc.Precision, which is also ais.Precision.
func mcmcPrecision(precision string, m *rbm.RBM) (mcmc.Precision, error) {
	f32, err := use32(precision, m)
	if f32 {
		return mcmc.Float32, err
	}
	return mcmc.Float64, err
}
