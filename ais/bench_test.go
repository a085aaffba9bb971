package ais

import (
	"testing"
	"time"
)

// BenchmarkAIS784x500 runs 100 forward AIS runs on an MNIST-sized 784×500 model over a
// 100-step schedule and reports the time per temperature step and the extrapolated time of
// the default 14,500-step schedule (s/14500steps). Each step is two 100×784·784×500 matrix
// products (157 Mflop) plus 128,400 exponentials.
func BenchmarkAIS784x500(b *testing.B) { benchmarkAIS784x500(b, Float64) }

// BenchmarkAIS784x500Float32 is BenchmarkAIS784x500 with Options.Precision Float32.
func BenchmarkAIS784x500Float32(b *testing.B) { benchmarkAIS784x500(b, Float32) }

func benchmarkAIS784x500(b *testing.B, prec Precision) {
	m := randomModel(784, 500, 0.05, 0.5, 7)
	betas := Schedule(100)
	opts := &Options{Betas: betas, Runs: DefaultRuns, Precision: prec}
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if _, err := Forward(ctx, m, opts); err != nil {
			b.Fatal(err)
		}
	}
	perStep := time.Since(start).Seconds() / float64(b.N*(len(betas)-1))
	b.ReportMetric(perStep*1e9, "ns/step")
	b.ReportMetric(perStep*DefaultSteps, "s/14500steps")
}
