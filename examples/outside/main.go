// Command outside is a program outside the boltz module that uses only its exported
// packages: it trains an RBM on its own [][]float64 rows with a negative phase it defines
// itself, turns the rows into features, samples from the model, estimates the
// log-likelihood by AIS next to the exact value, and round-trips the model through a file
// and through gonum. `go run .` in this directory prints what it did; its test checks it.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/train"
	"gonum.org/v1/gonum/mat"
)

// sweepsCD is contrastive divergence written here, against the public interface only: each
// update restarts one chain per minibatch row at the row and runs its own number of Gibbs
// sweeps, drawing from its own random stream. It keeps no state between updates, so it
// needs no checkpoint.
type sweepsCD struct {
	sweeps int
	seed   uint64
	step   uint64
	v, h   *matrix.Dense
}

func (c *sweepsCD) Init(m *rbm.RBM, batch int, seed uint64) error {
	c.seed = seed
	c.v, c.h = matrix.NewDense(batch, m.NV()), matrix.NewDense(batch, m.NH())
	return nil
}

func (c *sweepsCD) Moments(neg *rbm.Grad, m *rbm.RBM, b *train.Batch) error {
	c.step++
	r := newRand(c.seed, c.step)
	copy(c.v.Data, b.X.Data)
	for range c.sweeps {
		m.GibbsBatch(c.v, c.h, r)
	}
	m.Statistics(neg, c.v, nil)
	return nil
}

// Result is what run measured.
type Result struct {
	Exact, AIS, AISReverse float64
	Trustworthy            bool
	Features, Samples      [2]int
	SameAfterFile          bool
	GonumRows              int
}

func run(dir string) (*Result, error) {
	// Rows of our own: the 6 patterns of 2×2 bars and stripes, 20 times each.
	var rows [][]float64
	for range 20 {
		rows = append(rows, []float64{0, 0, 0, 0}, []float64{1, 1, 1, 1},
			[]float64{1, 1, 0, 0}, []float64{0, 0, 1, 1}, []float64{1, 0, 1, 0}, []float64{0, 1, 0, 1})
	}
	x, err := matrix.FromRows(rows)
	if err != nil {
		return nil, err
	}
	cfg := train.Defaults()
	cfg.Hidden, cfg.Epochs, cfg.Batch, cfg.LR = 6, 300, 20, 0.1
	cfg.Negative = &sweepsCD{sweeps: 5}
	m, _, err := train.Fit(context.Background(), x, cfg, train.Options{})
	if err != nil {
		return nil, err
	}
	res := &Result{}
	f := m.Transform(x)
	res.Features = [2]int{f.Rows, f.Cols}
	s := mcmc.Sample(m, 10, 200, 1, nil)
	res.Samples = [2]int{s.Rows, s.Cols}
	logZ, err := exact.LogZ(m, nil)
	if err != nil {
		return nil, err
	}
	res.Exact = exact.MeanLogLikelihood(m, x, logZ)
	est, err := ais.LogLikelihood(context.Background(), m, x, &ais.LogLikelihoodOptions{
		Options: ais.Options{Runs: 100, Betas: ais.Schedule(2000), Seed: 1},
	})
	if err != nil {
		return nil, err
	}
	res.AIS, res.AISReverse, res.Trustworthy = est.Mean, est.Reverse, est.Bracket.Trustworthy

	path := filepath.Join(dir, "model.npz")
	if err := m.Save(path, nil); err != nil {
		return nil, err
	}
	back, _, err := rbm.Load(path)
	if err != nil {
		return nil, err
	}
	res.SameAfterFile = back.FreeEnergy(x.Row(0)) == m.FreeEnergy(x.Row(0))

	// The same rows as a gonum matrix, transformed by the loaded model.
	g := mat.NewDense(len(rows), 4, nil)
	for i, r := range rows {
		g.SetRow(i, r)
	}
	res.GonumRows = back.Transform(matrix.FromGonum(g)).Rows
	return res, nil
}

func main() {
	dir, err := os.MkdirTemp("", "outside")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	r, err := run(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("mean log-likelihood: exact %.3f, AIS %.3f (reverse %.3f, trustworthy %v)\n", r.Exact, r.AIS, r.AISReverse, r.Trustworthy)
	fmt.Printf("features %v, samples %v, file round trip exact: %v, gonum rows %d\n", r.Features, r.Samples, r.SameAfterFile, r.GonumRows)
}
