// Command aislong runs forward AIS only (no reverse run, no pseudo-log-likelihood), so that a
// longer schedule or another seed can be checked quickly against 'boltz eval':
//
//	go run ./experiments/aislong -model M.npz -betas 50000 -seed 2
//
// The base-rate model is that of the thresholded MNIST test set, as in 'boltz eval'.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/rbm"
)

func main() {
	model := flag.String("model", "", "model .npz")
	betas := flag.Int("betas", 50000, "temperatures")
	runs := flag.Int("runs", 100, "runs")
	seed := flag.Uint64("seed", 2, "seed")
	flag.Parse()
	m, _, err := rbm.Load(*model)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ds, err := data.Load("mnist:test", data.LoadOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	data.Threshold(ds.X, 0.5)
	res, err := ais.Forward(context.Background(), m, &ais.Options{
		Runs: *runs, Betas: ais.Schedule(*betas), Seed: *seed, BaseBias: ais.BaseRate(ds.X, ais.DefaultBaseRateSmoothing),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	negF := m.FreeEnergyBatch(nil, ds.X, nil)
	var mean float64
	for _, f := range negF {
		mean -= f
	}
	mean /= float64(len(negF))
	fmt.Printf("betas %d runs %d seed %d: log Z %.4f ± %.4f (ESS %.1f), test LL %.4f\n",
		*betas, *runs, *seed, res.LogZ, res.LogZStderr, res.ESS, mean-res.LogZ)
}
