package main

import "math/rand/v2"

func newRand(seed, step uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, step)) }
