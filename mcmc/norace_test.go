//go:build !race

package mcmc

const raceEnabled = false
