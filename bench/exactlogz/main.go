// Command exactlogz is the boltz side of bench/exact_logz.sh: it writes the benchmark model
// (784 visible × 20 hidden Bernoulli units, W ~ N(0, 0.01²), b = c = 0, from a fixed seed) to
// a model file that numpy can open, times exact.LogZ on it and prints one JSON object:
// {"log_z": …, "seconds": …, "cpu_seconds": …, "runs": …, "gomaxprocs": …}, where seconds is
// the fastest run's wall time and cpu_seconds the process CPU time (user + system) per run,
// a measure that other load on the machine disturbs less.
//
//go:build unix

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/rbm"
)

func main() {
	out := flag.String("model", "exact_logz_model.npz", "where to write the model `FILE`")
	runs := flag.Int("runs", 5, "time this many runs and report the fastest")
	nv := flag.Int("nv", 784, "visible units")
	nh := flag.Int("nh", 20, "hidden units (enumerated: 2^nh states)")
	flag.Parse()

	m := rbm.New(*nv, *nh)
	m.InitNormal(0.01, rand.New(rand.NewPCG(784, 20))) // the seed of exact.BenchmarkLogZ784x20
	if err := m.Save(*out, nil); err != nil {
		fmt.Fprintln(os.Stderr, "exactlogz:", err)
		os.Exit(1)
	}
	var logZ float64
	best := time.Duration(1<<63 - 1)
	cpu0 := cpuTime()
	for range *runs {
		start := time.Now()
		lz, err := exact.LogZ(m, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "exactlogz:", err)
			os.Exit(1)
		}
		best, logZ = min(best, time.Since(start)), lz
	}
	cpu := (cpuTime() - cpu0).Seconds() / float64(*runs)
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"log_z": logZ, "seconds": best.Seconds(), "cpu_seconds": cpu, "runs": *runs,
		"gomaxprocs": runtime.GOMAXPROCS(0),
	})
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
