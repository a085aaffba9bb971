// Package rng derives independent, reproducible random streams from one seed. boltz splits
// streams per chain or per shard, never per goroutine, so the same seed gives the same bits
// whatever GOMAXPROCS is.
package rng

import "math/rand/v2"

// PCG returns the PCG source for stream path under seed. Each distinct path (for example
// (purpose, chain index)) gets its own stream; the two 64-bit PCG seeds are SplitMix64
// hashes of the seed and the path, so nearby seeds and indices give unrelated streams.
func PCG(seed uint64, path ...uint64) *rand.PCG {
	hi := mix(seed ^ 0x6a09e667f3bcc909)
	lo := mix(seed + 0x9e3779b97f4a7c15)
	for _, p := range path {
		hi = mix(hi ^ mix(p+0x3c6ef372fe94f82b))
		lo = mix(lo + mix(p^0xbb67ae8584caa73b))
	}
	return rand.NewPCG(hi, lo)
}

// New returns a *rand.Rand over PCG(seed, path...).
func New(seed uint64, path ...uint64) *rand.Rand { return rand.New(PCG(seed, path...)) }

// mix is the SplitMix64 finaliser (Steele, Lea & Flood 2014), a bijection on uint64 that
// spreads every input bit over the output.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
