//go:build linux || darwin

package train

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// BenchmarkUpdateCD1_784x500 is one CD-1 update of the usual MNIST RBM (784×500, minibatch
// 100, the default SGD with momentum and L2): five 100×784×500 matrix products plus every
// element-wise pass around them. ms/update is wall time; cpu-ms/update is the CPU time of
// the whole process per update, the number to compare on a shared machine (run with -cpu 1
// to measure the code rather than the scheduler).
func BenchmarkUpdateCD1_784x500(b *testing.B) { benchUpdate(b, "cd") }

// BenchmarkUpdatePCD1_784x500 is BenchmarkUpdateCD1_784x500 for PCD-1 with 100 persistent
// chains: one product more (the chains' hidden inputs) than CD-1.
func BenchmarkUpdatePCD1_784x500(b *testing.B) { benchUpdate(b, "pcd") }

// BenchmarkUpdateCD1Centered_784x500 is BenchmarkUpdateCD1_784x500 with the centered
// gradient (Melchior et al. 2016), as the MNIST experiments train.
func BenchmarkUpdateCD1Centered_784x500(b *testing.B) {
	benchUpdate(b, "cd", func(c *Config) { c.Centered = true })
}

// BenchmarkUpdateCD1_784x500_F32 is BenchmarkUpdateCD1_784x500 with Precision "float32":
// the products in single precision (four instead of five), parameters still float64.
func BenchmarkUpdateCD1_784x500_F32(b *testing.B) {
	benchUpdate(b, "cd", func(c *Config) { c.Precision = "float32" })
}

// BenchmarkUpdatePCD1_784x500_F32 is BenchmarkUpdatePCD1_784x500 with Precision "float32".
func BenchmarkUpdatePCD1_784x500_F32(b *testing.B) {
	benchUpdate(b, "pcd", func(c *Config) { c.Precision = "float32" })
}

// BenchmarkUpdateCD1Centered_784x500_F32 is BenchmarkUpdateCD1Centered_784x500 with
// Precision "float32".
func BenchmarkUpdateCD1Centered_784x500_F32(b *testing.B) {
	benchUpdate(b, "cd", func(c *Config) { c.Centered, c.Precision = true, "float32" })
}

// BenchmarkUpdateCD1Adam_784x500 is BenchmarkUpdateCD1_784x500 with Adam instead of SGD, in
// float64.
func BenchmarkUpdateCD1Adam_784x500(b *testing.B) {
	benchUpdate(b, "cd", func(c *Config) { c.Optimizer, c.Precision = Adam, Float64 })
}

// BenchmarkUpdateCD1Adam_784x500_F32 is BenchmarkUpdateCD1Adam_784x500 with Precision
// "float32".
func BenchmarkUpdateCD1Adam_784x500_F32(b *testing.B) {
	benchUpdate(b, "cd", func(c *Config) { c.Optimizer, c.Precision = Adam, "float32" })
}

// BenchmarkUpdateCD1GaussianAdam_784x500 is BenchmarkUpdateCD1Adam_784x500 for Gaussian
// visible units with learned σ, uncentered, as boltz train's Gaussian defaults (the binary
// minibatch is a valid, if odd, real-valued input), in float64.
func BenchmarkUpdateCD1GaussianAdam_784x500(b *testing.B) {
	benchUpdate(b, "cd", func(c *Config) {
		c.Optimizer, c.VisibleUnits, c.Centered, c.LR, c.Precision = Adam, "gaussian", false, 0.001, Float64
	})
}

// BenchmarkUpdateCD1GaussianAdam_784x500_F32 is BenchmarkUpdateCD1GaussianAdam_784x500 with
// Precision "float32".
func BenchmarkUpdateCD1GaussianAdam_784x500_F32(b *testing.B) {
	benchUpdate(b, "cd", func(c *Config) {
		c.Optimizer, c.VisibleUnits, c.Centered, c.LR, c.Precision = Adam, "gaussian", false, 0.001, "float32"
	})
}

// BenchmarkUpdateCD1Uncentered_784x500_F32 is BenchmarkUpdateCD1_784x500_F32 uncentered, the
// Bernoulli counterpart of BenchmarkUpdateCD1GaussianAdam_784x500_F32 with SGD.
func BenchmarkUpdateCD1Uncentered_784x500_F32(b *testing.B) {
	benchUpdate(b, "cd", func(c *Config) { c.Centered, c.Precision = false, "float32" })
}

// BenchmarkUpdateCD1UncenteredAdam_784x500_F32 is BenchmarkUpdateCD1Uncentered_784x500_F32
// with Adam: the Bernoulli counterpart of BenchmarkUpdateCD1GaussianAdam_784x500_F32.
func BenchmarkUpdateCD1UncenteredAdam_784x500_F32(b *testing.B) {
	benchUpdate(b, "cd", func(c *Config) { c.Centered, c.Optimizer, c.LR, c.Precision = false, Adam, 0.001, "float32" })
}

// BenchmarkUpdateCD1Gaussian_784x500_F32 is BenchmarkUpdateCD1GaussianAdam_784x500_F32 with
// SGD: the Gaussian counterpart of BenchmarkUpdateCD1Uncentered_784x500_F32.
func BenchmarkUpdateCD1Gaussian_784x500_F32(b *testing.B) {
	benchUpdate(b, "cd", func(c *Config) { c.VisibleUnits, c.Centered, c.LR, c.Precision = "gaussian", false, 0.001, "float32" })
}

func benchUpdate(b *testing.B, method string, set ...func(*Config)) {
	cfg := Defaults()
	cfg.Method, cfg.K, cfg.Hidden, cfg.Batch = Method(method), 1, 500, 100
	for _, f := range set {
		f(&cfg)
	}
	batch := randomBinary(cfg.Batch, 784, rand.New(rand.NewPCG(1, 2)))
	t, err := New(cfg, batch)
	if err != nil {
		b.Fatal(err)
	}
	if err := t.update(batch, false); err != nil { // warm up: work buffers reach their size
		b.Fatal(err)
	}
	b.ReportAllocs()
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		if err := t.update(batch, false); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(time.Since(start).Microseconds())/1e3/n, "ms/update")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1e3/n, "cpu-ms/update")
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
