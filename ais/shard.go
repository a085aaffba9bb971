package ais

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// Span holds the raw log weights of runs [Lo, Hi) of a Sandwich of Runs runs in all: one
// shard of an evaluation split over machines. Every run draws from its own random stream
// (forward run m from rng.PCG(Seed, m), reverse run m from its own) and its arithmetic does
// not depend on the other runs, so the spans of a partition of [0, Runs), merged by
// MergeSandwich, give Sandwich's result bit for bit.
type Span struct {
	// Lo and Hi bound the run indices held, Lo ≤ m < Hi, of Runs runs in all.
	Lo, Hi, Runs int
	// Steps is K, the number of temperature steps.
	Steps int
	// LogZBase is log Z_A of the base-rate model the runs started from.
	LogZBase float64
	// Forward and Reverse hold log w_m and log w_rev,m of runs Lo..Hi−1, in run order.
	Forward, Reverse []float64
}

// SandwichSpan runs forward and reverse runs [lo, hi) of Sandwich(ctx, m, x, opts) and
// returns their log weights; 0 ≤ lo < hi ≤ opts.Runs (DefaultRuns when 0). The base-rate
// model, the starting rows of the reverse runs and the random streams are Sandwich's, so
// MergeSandwich of spans covering [0, Runs) equals Sandwich. opts.Progress counts the span's
// own 2·K steps.
//
// Cost: (hi−lo)/Runs of Sandwich's. Errors and panics as Sandwich; it also panics when
// [lo, hi) is empty or outside [0, Runs).
func SandwichSpan(ctx context.Context, m *rbm.RBM, x *matrix.Dense, opts *Options, lo, hi int) (*Span, error) {
	cfg, err := configure(m, opts, x)
	if err != nil {
		return nil, err
	}
	if lo < 0 || hi <= lo || hi > cfg.runs {
		panic(fmt.Sprintf("boltz/ais: SandwichSpan: runs [%d, %d) are not a non-empty part of [0, %d)", lo, hi, cfg.runs))
	}
	return sandwichSpan(ctx, m, x, cfg, lo, hi)
}

func sandwichSpan(ctx context.Context, m *rbm.RBM, x *matrix.Dense, c *config, lo, hi int) (*Span, error) {
	if c.hidden {
		return hiddenSpan(ctx, m, x, c, lo, hi)
	}
	if c.generic {
		return genericSpan(ctx, m, x, c, lo, hi)
	}
	bA := c.baseBias
	if bA == nil {
		bA = BaseRate(x, DefaultBaseRateSmoothing)
	}
	k := c.steps()
	fwd, err := forwardWeights(ctx, m, c, bA, lo, hi, 0, 2*k)
	if err != nil {
		return nil, err
	}
	rev, err := reverseWeights(ctx, m, x, c, bA, lo, hi, k, 2*k)
	if err != nil {
		return nil, err
	}
	return &Span{Lo: lo, Hi: hi, Runs: c.runs, Steps: k, LogZBase: logZBase(bA, m.NH()),
		Forward: fwd, Reverse: rev}, nil
}

// MergeSandwich returns the Bracket of the runs in spans, which must cover [0, Runs) exactly
// once and agree on Runs, Steps and LogZBase; their order does not matter. threshold is
// Options.GapThreshold (0 means DefaultGapThreshold). The weights are summarised in run
// order, so the result equals Sandwich's bit for bit. Cost O(Runs). It returns an error
// naming the runs missing or held twice, or the field on which two spans disagree.
func MergeSandwich(spans []*Span, threshold float64) (*Bracket, error) {
	if len(spans) == 0 {
		return nil, fmt.Errorf("ais: no spans to merge")
	}
	if threshold == 0 {
		threshold = DefaultGapThreshold
	}
	if !(threshold > 0) {
		return nil, fmt.Errorf("ais: GapThreshold must be positive, got %v", threshold)
	}
	sorted := append([]*Span(nil), spans...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Lo < sorted[j].Lo })
	first := sorted[0]
	var fwd, rev []float64
	next := 0
	for _, s := range sorted {
		switch {
		case s.Runs != first.Runs || s.Steps != first.Steps:
			return nil, fmt.Errorf("ais: spans of %d runs × %d steps and %d runs × %d steps do not belong together", first.Runs, first.Steps, s.Runs, s.Steps)
		case math.Float64bits(s.LogZBase) != math.Float64bits(first.LogZBase):
			return nil, fmt.Errorf("ais: spans with base-rate log Z %v and %v do not belong together", first.LogZBase, s.LogZBase)
		case len(s.Forward) != s.Hi-s.Lo || len(s.Reverse) != s.Hi-s.Lo:
			return nil, fmt.Errorf("ais: span [%d, %d) holds %d forward and %d reverse weights", s.Lo, s.Hi, len(s.Forward), len(s.Reverse))
		case s.Lo < next:
			return nil, fmt.Errorf("ais: runs [%d, %d) are held twice", s.Lo, min(next, s.Hi))
		case s.Lo > next:
			return nil, fmt.Errorf("ais: runs [%d, %d) are missing", next, s.Lo)
		}
		fwd, rev = append(fwd, s.Forward...), append(rev, s.Reverse...)
		next = s.Hi
	}
	if next != first.Runs {
		return nil, fmt.Errorf("ais: runs [%d, %d) are missing", next, first.Runs)
	}
	f := summarize(fwd, first.LogZBase, 1, first.Steps)
	r := summarize(rev, first.LogZBase, -1, first.Steps)
	gap := r.LogZ - f.LogZ
	v := JudgeBracket(f, r, threshold)
	return &Bracket{
		Forward: *f, Reverse: *r, Gap: gap, Threshold: threshold,
		Verdict: v, Trustworthy: v == Consistent,
	}, nil
}
