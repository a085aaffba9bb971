package ais

import (
	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/rbm"
)

// randomModel returns an nv×nh Bernoulli RBM with W ~ N(0, wStd²) and b, c ~ N(0, bStd²). The
// brute-force log Z and exact samples the tests check against are internal/oracle's.
func randomModel(nv, nh int, wStd, bStd float64, seed uint64) *rbm.RBM {
	return oracle.RandomModel(nv, nh, wStd, bStd, rng.New(seed, 0x6d6f64656c))
}
