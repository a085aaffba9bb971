package ais

import (
	"math"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// shardSpans runs Sandwich's runs as n contiguous spans, shard i holding [i·M/n, (i+1)·M/n),
// and returns them in reverse order, so that MergeSandwich must sort them.
func shardSpans(t *testing.T, n int, run func(lo, hi int) *Span, runs int) []*Span {
	t.Helper()
	var spans []*Span
	for i := n - 1; i >= 0; i-- {
		lo, hi := i*runs/n, (i+1)*runs/n
		if lo < hi {
			spans = append(spans, run(lo, hi))
		}
	}
	return spans
}

// Merging the spans of 1, 2, 3 and 7 shards gives Sandwich's bracket bit for bit, on a model
// so small that a one-run span's matrix products take the direct path of linalg.Gemm while
// the whole batch takes the packed one, on one where every product is packed, and on a
// Gaussian–Bernoulli model (the hidden path).
func TestMergeSandwichBitIdentical(t *testing.T) {
	type model struct {
		m *rbm.RBM
		x *matrix.Dense
	}
	var models []model
	for _, shape := range [][2]int{{3, 2}, {12, 9}} {
		m := randomModel(shape[0], shape[1], 1, 0.5, 5)
		models = append(models, model{m, oracle.Samples(m, 13, rng.New(5, 1))})
	}
	g := continuousModel(rbm.NewGaussian(9, false), rbm.NewBernoulli(7), 2)
	models = append(models, model{g, exactSamples(g, 13, 1)})
	for _, mx := range models {
		m, x, shape := mx.m, mx.x, [2]int{mx.m.NV(), mx.m.NH()}
		opts := &Options{Betas: Schedule(40), Seed: 3, Runs: 17}
		want, err := Sandwich(ctx, m, x, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 2, 3, 7, 17} {
			spans := shardSpans(t, n, func(lo, hi int) *Span {
				sp, err := SandwichSpan(ctx, m, x, opts, lo, hi)
				if err != nil {
					t.Fatal(err)
				}
				return sp
			}, opts.Runs)
			got, err := MergeSandwich(spans, opts.GapThreshold)
			if err != nil {
				t.Fatal(err)
			}
			same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
			for i := range want.Forward.LogWeights {
				if !same(want.Forward.LogWeights[i], got.Forward.LogWeights[i]) || !same(want.Reverse.LogWeights[i], got.Reverse.LogWeights[i]) {
					t.Fatalf("%v, %d shards: run %d: log weights %v, %v; unsharded %v, %v", shape, n, i,
						got.Forward.LogWeights[i], got.Reverse.LogWeights[i], want.Forward.LogWeights[i], want.Reverse.LogWeights[i])
				}
			}
			if !same(got.Forward.LogZ, want.Forward.LogZ) || !same(got.Reverse.LogZ, want.Reverse.LogZ) ||
				!same(got.Forward.LogZStderr, want.Forward.LogZStderr) || !same(got.Gap, want.Gap) ||
				got.Verdict != want.Verdict || !same(got.Forward.ESS, want.Forward.ESS) {
				t.Fatalf("%v, %d shards: bracket %+v, unsharded %+v", shape, n, got, want)
			}
		}
	}
}

// MergeSandwich names missing and duplicated runs and refuses spans of other settings.
func TestMergeSandwichRefuses(t *testing.T) {
	m := randomModel(5, 4, 1, 0.5, 6)
	x := oracle.Samples(m, 4, rng.New(6, 1))
	opts := &Options{Betas: Schedule(10), Seed: 1, Runs: 6}
	span := func(o *Options, lo, hi int) *Span {
		sp, err := SandwichSpan(ctx, m, x, o, lo, hi)
		if err != nil {
			t.Fatal(err)
		}
		return sp
	}
	a, b, c := span(opts, 0, 2), span(opts, 2, 4), span(opts, 4, 6)
	other := span(&Options{Betas: Schedule(11), Seed: 1, Runs: 6}, 4, 6)
	for _, tc := range []struct {
		name  string
		spans []*Span
		want  string
	}{
		{"missing middle", []*Span{a, c}, "runs [2, 4) are missing"},
		{"missing end", []*Span{b, a}, "runs [4, 6) are missing"},
		{"duplicate", []*Span{a, b, b, c}, "runs [2, 4) are held twice"},
		{"foreign", []*Span{a, b, other}, "do not belong together"},
	} {
		if _, err := MergeSandwich(tc.spans, 0); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}
