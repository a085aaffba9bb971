package ais

import (
	"fmt"
	"math"
)

// DefaultSteps is the number of temperature steps of the default schedule: the schedule of
// Salakhutdinov & Murray (2008) takes β from 0 to 0.5 in steps of 1e-3 (500 steps), from 0.5
// to 0.9 in steps of 1e-4 (4,000) and from 0.9 to 1 in steps of 1e-5 (10,000).
const DefaultSteps = 14500

// The three segments of the Salakhutdinov & Murray (2008) schedule: the end of each segment
// and its share of the 14,500 steps. Most steps go where β is close to 1, because there the
// intermediate distributions change fastest as the target's weights take over.
var murraySegments = [3]struct{ end, steps float64 }{{0.5, 500}, {0.9, 4000}, {1, 10000}}

// Schedule returns the n+1 inverse temperatures 0 = β_0 < β_1 < … < β_n = 1 of the
// Salakhutdinov & Murray (2008) schedule scaled to n steps: the three segments [0, 0.5],
// [0.5, 0.9] and [0.9, 1] keep their shares 500 : 4000 : 10000 of the steps (rounded to the
// nearest integer), each evenly spaced. Schedule(DefaultSteps) is that paper's schedule
// exactly. A segment that rounds to no steps at all merges into the next one, so that
// Schedule(1) is {0, 1}. It panics if n < 1.
func Schedule(n int) []float64 {
	if n < 1 {
		panic(fmt.Sprintf("boltz/ais: Schedule(%d): need at least one step", n))
	}
	total := murraySegments[0].steps + murraySegments[1].steps + murraySegments[2].steps
	n1 := int(math.Round(float64(n) * murraySegments[0].steps / total))
	n2 := int(math.Round(float64(n) * murraySegments[1].steps / total))
	counts := [3]int{n1, n2, n - n1 - n2}
	betas := make([]float64, 1, n+1)
	start := 0.0
	for s, seg := range murraySegments {
		k := counts[s]
		for i := 1; i <= k; i++ {
			betas = append(betas, start+(seg.end-start)*float64(i)/float64(k))
		}
		if k > 0 {
			start = seg.end
		}
	}
	return betas
}

// Linear returns the n+1 evenly spaced inverse temperatures β_k = k/n, k = 0..n. It panics
// if n < 1.
func Linear(n int) []float64 {
	if n < 1 {
		panic(fmt.Sprintf("boltz/ais: Linear(%d): need at least one step", n))
	}
	betas := make([]float64, n+1)
	for k := range betas {
		betas[k] = float64(k) / float64(n)
	}
	betas[n] = 1
	return betas
}

// ScheduleError reports an inverse-temperature schedule that does not rise strictly from
// exactly 0 to exactly 1.
type ScheduleError struct {
	Index int     // position of the offending β (−1 when the schedule is too short)
	Value float64 // the offending β
	Len   int     // number of inverse temperatures given
	Why   string
}

func (e *ScheduleError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("ais: schedule: %s (got %d inverse temperatures)", e.Why, e.Len)
	}
	return fmt.Sprintf("ais: schedule: β[%d] = %v: %s", e.Index, e.Value, e.Why)
}

// CheckSchedule returns a *ScheduleError unless betas holds at least two inverse temperatures,
// starts at exactly 0, ends at exactly 1 and increases strictly in between.
func CheckSchedule(betas []float64) error {
	if len(betas) < 2 {
		return &ScheduleError{Index: -1, Len: len(betas), Why: "need at least 2 inverse temperatures, from 0 to 1"}
	}
	if betas[0] != 0 {
		return &ScheduleError{Index: 0, Value: betas[0], Len: len(betas), Why: "the first inverse temperature must be 0"}
	}
	for k := 1; k < len(betas); k++ {
		if !(betas[k] > betas[k-1]) || betas[k] > 1 { // also catches NaN
			return &ScheduleError{Index: k, Value: betas[k], Len: len(betas),
				Why: fmt.Sprintf("must be greater than β[%d] = %v and at most 1", k-1, betas[k-1])}
		}
	}
	if last := len(betas) - 1; betas[last] != 1 {
		return &ScheduleError{Index: last, Value: betas[last], Len: len(betas), Why: "the last inverse temperature must be 1"}
	}
	return nil
}
