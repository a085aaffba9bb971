package main

import (
	"math"
	"testing"
)

// The program trains with its own negative phase to near the best possible mean
// log-likelihood of the six patterns, −log 6, and AIS agrees with the exact value.
func TestRun(t *testing.T) {
	r, err := run(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if best := -math.Log(6); r.Exact < best-0.5 || r.Exact > best+1e-9 {
		t.Errorf("exact mean log-likelihood %v, want within 0.5 of %v", r.Exact, best)
	}
	if math.Abs(r.AIS-r.Exact) > 0.05 || math.Abs(r.AISReverse-r.Exact) > 0.05 || !r.Trustworthy {
		t.Errorf("AIS %v (reverse %v, trustworthy %v), exact %v", r.AIS, r.AISReverse, r.Trustworthy, r.Exact)
	}
	if r.Features != [2]int{120, 6} || r.Samples != [2]int{10, 4} || !r.SameAfterFile || r.GonumRows != 120 {
		t.Errorf("got %+v", r)
	}
}
