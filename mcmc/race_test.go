//go:build race

package mcmc

// raceEnabled is true under the race detector, whose sync.Pool drops items at random, so
// allocation counts are meaningless.
const raceEnabled = true
