package mcmc_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/rbm"
)

// Draw samples from a model by block Gibbs sampling: 4 independent chains of 50 sweeps.
func ExampleSample() {
	m := rbm.New(6, 3)
	m.InitNormalWithBiases(1, 0.5, rand.New(rand.NewPCG(1, 2)))
	v := mcmc.Sample(m, 4, 50, 7, nil)
	fmt.Println(v.Rows, v.Cols)
	// Output: 4 6
}
