package exact

import (
	"math"
	"strings"
	"testing"
)

// shardParts enumerates the ranges in n shards, shard i holding ranges [i·R/n, (i+1)·R/n),
// and returns them last first, so that MergeLogZ must order them.
func shardParts(t *testing.T, n int, part func(lo, hi int) *LogZPart, ranges int) []*LogZPart {
	t.Helper()
	var parts []*LogZPart
	for i := n - 1; i >= 0; i-- {
		parts = append(parts, part(i*ranges/n, (i+1)*ranges/n))
	}
	return parts
}

// Merging the parts of 1, 2, 3 and 7 shards gives LogZ bit for bit: with 64 ranges (16
// enumerated units), with fewer ranges than shards (3 enumerated units: some shards are
// empty) and with a summed layer wide enough for slow and linear units.
func TestMergeLogZBitIdentical(t *testing.T) {
	for _, tc := range []struct {
		nv, nh int
		std    float64
		side   Side
	}{{5, 16, 1, Hidden}, {3, 7, 1, Auto}, {40, 12, 30, Auto}} {
		m := randomModel(tc.nv, tc.nh, tc.std, 7)
		opts := &Options{Enumerate: tc.side}
		want, err := LogZ(m, opts)
		if err != nil {
			t.Fatal(err)
		}
		ranges, err := LogZRanges(m, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 2, 3, 7} {
			parts := shardParts(t, n, func(lo, hi int) *LogZPart {
				p, err := LogZPartial(m, opts, lo, hi)
				if err != nil {
					t.Fatal(err)
				}
				return p
			}, ranges)
			got, err := MergeLogZ(parts)
			if err != nil {
				t.Fatal(err)
			}
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("%d×%d, %d ranges, %d shards: merged log Z %v, LogZ %v", tc.nv, tc.nh, ranges, n, got, want)
			}
		}
	}
}

// MergeLogZ names missing and duplicated ranges and refuses parts of other enumerations.
func TestMergeLogZRefuses(t *testing.T) {
	m := randomModel(4, 14, 1, 8)
	opts := &Options{Enumerate: Hidden}
	part := func(m0 *Options, lo, hi int) *LogZPart {
		p, err := LogZPartial(m, m0, lo, hi)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	n, _ := LogZRanges(m, opts)
	a, b, c := part(opts, 0, 5), part(opts, 5, 9), part(opts, 9, n)
	other := part(nil, 0, 1)
	for _, tc := range []struct {
		name  string
		parts []*LogZPart
		want  string
	}{
		{"missing", []*LogZPart{a, c}, "ranges [5, 9) are missing"},
		{"missing end", []*LogZPart{b, a}, "are missing"},
		{"duplicate", []*LogZPart{a, b, b, c}, "ranges [5, 9) are held twice"},
		{"foreign", []*LogZPart{a, b, c, other}, "do not belong together"},
	} {
		if _, err := MergeLogZ(tc.parts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}
