package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// The scale line's figure is the exact mean log-likelihood of the independent-pixel model:
// an RBM with no weights whose visible biases are the base rates, its hidden units (each
// contributing log 2 to log Z and nothing to −F beyond it) summed out.
func TestScaleLineIsTheIndependentModel(t *testing.T) {
	ds := data.BarsAndStripes(3)
	mean := []float64{0.2, 0.5, 0.9, 0.1, 0.5, 0.5, 0.7, 0.3, 0.5}
	m := rbm.New(9, 4)
	line := scaleLine(m, ds, mean, nil)
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
	if scaleLine(m, ds, nil, nil) != "" {
		t.Error("a scale line without the training data's means")
	}
}

// For Gaussian units the scale line is the exact mean log-density of independent Gaussians
// fitted to the training rows: an RBM with no weights whose visible layer has the rows'
// column means and standard deviations, its hidden units summed out (exact.LogZ).
func TestScaleLineGaussian(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	train, held := matrix.NewDense(50, 4), matrix.NewDense(20, 4)
	for _, x := range []*matrix.Dense{train, held} {
		for i := range x.Data {
			x.Data[i] = float64(i%4) + r.NormFloat64()*(0.5+float64(i%4))
		}
	}
	m := rbm.NewWithLayers(rbm.NewGaussian(4, false), rbm.NewBernoulli(3))
	line := scaleLine(m, &data.Dataset{X: held}, nil, train)
	g := rbm.NewGaussian(4, false)
	rbm.ColMeans(g.B, train)
	rbm.ColStds(g.Sigma, g.B, train)
	ind := rbm.NewWithLayers(g, rbm.NewBernoulli(1))
	logZ, err := exact.LogZ(ind, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := exact.MeanLogLikelihood(ind, held, logZ)
	if !strings.Contains(line, fmt.Sprintf("score %.2f nats", want)) || math.IsNaN(want) {
		t.Errorf("scale line %q, want the independent Gaussian model's %.2f", line, want)
	}
}
