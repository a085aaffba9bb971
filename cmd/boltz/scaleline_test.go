package main

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/rbm"
)

// The scale line's figure is the exact mean log-likelihood of the independent-pixel model:
// an RBM with no weights whose visible biases are the base rates, its hidden units (each
// contributing log 2 to log Z and nothing to −F beyond it) summed out.
func TestScaleLineIsTheIndependentModel(t *testing.T) {
	ds := data.BarsAndStripes(3)
	mean := []float64{0.2, 0.5, 0.9, 0.1, 0.5, 0.5, 0.7, 0.3, 0.5}
	m := rbm.New(9, 4)
	line := scaleLine(m, ds, mean)
	ind := rbm.New(9, 1)
	copy(ind.B(), ais.BaseRateFromMeans(mean, ais.DefaultBaseRateSmoothing))
	logZ, err := exact.LogZ(ind, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := exact.MeanLogLikelihood(ind, ds.X, logZ)
	if !strings.Contains(line, fmt.Sprintf("score %.2f nats", want)) || math.IsNaN(want) {
		t.Errorf("scale line %q, want the independent model's %.2f", line, want)
	}
	if scaleLine(m, ds, nil) != "" {
		t.Error("a scale line without the training data's means")
	}
}
