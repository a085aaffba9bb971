package exact

import (
	"fmt"
	"sort"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/rbm"
)

// LogZPart holds the partial sums of LogZ's enumeration over ranges [Lo, Hi) of the Ranges
// fixed contiguous ranges of states that LogZ splits it into (at most 64, whatever the
// machine): one shard of an enumeration split over machines. MergeLogZ of parts covering
// [0, Ranges) merges the sums in range order, as LogZ does, so it equals LogZ bit for bit.
type LogZPart struct {
	Ranges int `json:"ranges"`
	Lo     int `json:"lo"`
	Hi     int `json:"hi"`
	// Sums[r−Lo] is the log-sum-exp accumulator of range r.
	Sums []RangeSum `json:"sums"`
}

// RangeSum is a log-sum-exp accumulator written out: Σ exp(x_i) = Scaled·exp(Max) over Terms
// terms (Max and Scaled are 0 when there are none).
type RangeSum struct {
	Max    float64 `json:"max"`
	Scaled float64 `json:"scaled"`
	Terms  int     `json:"terms"`
}

// LogZRanges returns the number of ranges LogZ splits the enumeration of m into, and an
// error as LogZ would (an enumeration too large, a continuous layer, an invalid model).
func LogZRanges(m *rbm.RBM, opts *Options) (int, error) {
	v, err := newView(m, opts)
	if err != nil {
		return 0, err
	}
	if v.binary() {
		return newFastLogZ(v).nRanges, nil
	}
	return numRanges(v.states), nil
}

// LogZPartial enumerates ranges [lo, hi) of LogZRanges(m, opts) and returns their partial
// sums. Cost: (hi−lo)/Ranges of LogZ's; parallel and deterministic as LogZ. Errors as LogZ; it
// panics unless 0 ≤ lo ≤ hi ≤ Ranges.
func LogZPartial(m *rbm.RBM, opts *Options, lo, hi int) (*LogZPart, error) {
	v, err := newView(m, opts)
	if err != nil {
		return nil, err
	}
	var n int
	var sum func(r int) numeric.LogSumExpAcc
	if v.binary() {
		f := newFastLogZ(v)
		outer := uint64(1) << (f.ne - f.groups[0].bits)
		n = f.nRanges
		sum = func(r int) numeric.LogSumExpAcc { return f.sumRange(split(outer, n, r)) }
	} else {
		n = numRanges(v.states)
		sum = func(r int) numeric.LogSumExpAcc {
			var acc numeric.LogSumExpAcc
			a, b := split(v.states, n, r)
			v.blocks(a, b, false, func(bl *block) {
				for _, x := range bl.negF {
					acc.Add(x)
				}
			})
			return acc
		}
	}
	if lo < 0 || hi < lo || hi > n {
		panic(fmt.Sprintf("boltz/exact: LogZPartial: ranges [%d, %d) are not part of [0, %d)", lo, hi, n))
	}
	accs := make([]numeric.LogSumExpAcc, hi-lo)
	par.Each(hi-lo, func(r int) { accs[r] = sum(lo + r) })
	p := &LogZPart{Ranges: n, Lo: lo, Hi: hi, Sums: make([]RangeSum, hi-lo)}
	for i, a := range accs {
		mx, s, k := a.State()
		p.Sums[i] = RangeSum{Max: mx, Scaled: s, Terms: k}
	}
	return p, nil
}

// MergeLogZ returns log Z from parts that cover [0, Ranges) exactly once, in any order (empty
// parts are allowed),
// merging the range sums in range order as LogZ does. It returns an error naming the ranges
// missing or held twice, or parts of different enumerations. Cost O(Ranges).
func MergeLogZ(parts []*LogZPart) (float64, error) {
	if len(parts) == 0 {
		return 0, fmt.Errorf("exact: no parts to merge")
	}
	sorted := append([]*LogZPart(nil), parts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Lo < sorted[j].Lo })
	n := sorted[0].Ranges
	var total numeric.LogSumExpAcc
	next := 0
	for _, p := range sorted {
		switch {
		case p.Ranges != n:
			return 0, fmt.Errorf("exact: parts of enumerations in %d and %d ranges do not belong together", n, p.Ranges)
		case len(p.Sums) != p.Hi-p.Lo:
			return 0, fmt.Errorf("exact: part [%d, %d) holds %d sums", p.Lo, p.Hi, len(p.Sums))
		case p.Lo == p.Hi:
			continue // an empty shard: more shards than ranges
		case p.Lo < next:
			return 0, fmt.Errorf("exact: ranges [%d, %d) are held twice", p.Lo, min(next, p.Hi))
		case p.Lo > next:
			return 0, fmt.Errorf("exact: ranges [%d, %d) are missing", next, p.Lo)
		}
		for _, s := range p.Sums {
			total.Merge(numeric.LogSumExpAccOf(s.Max, s.Scaled, s.Terms))
		}
		next = p.Hi
	}
	if next != n {
		return 0, fmt.Errorf("exact: ranges [%d, %d) are missing", next, n)
	}
	return total.Value(), nil
}
