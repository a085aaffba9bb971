package ais_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/rbm"
)

// Estimate a model's mean log-likelihood by forward and reverse AIS and compare it with the
// exact value, which enumeration gives for a model this small.
func ExampleLogLikelihood() {
	x := data.BarsAndStripes(3).X
	m := rbm.New(x.Cols, 6)
	m.InitNormalWithBiases(1, 0.5, rand.New(rand.NewPCG(1, 2)))
	est, err := ais.LogLikelihood(context.Background(), m, x, &ais.LogLikelihoodOptions{
		Options: ais.Options{Runs: 100, Betas: ais.Schedule(2000), Seed: 1},
	})
	if err != nil {
		log.Fatal(err)
	}
	logZ, err := exact.LogZ(m, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("AIS %.2f (reverse %.2f), exact %.2f, trustworthy %v\n",
		est.Mean, est.Reverse, exact.MeanLogLikelihood(m, x, logZ), est.Bracket.Trustworthy)
	// Output: AIS -8.47 (reverse -8.47), exact -8.47, trustworthy true
}
