package report

import "testing"

// Labels on a nearly flat range stay distinct, and ordinary ranges keep gonum's labels.
func TestDistinctTicks(t *testing.T) {
	for _, r := range [][2]float64{{-77.30001, -77.29999}, {0.0100000, 0.0100004}, {1e6, 1e6 + 1e-3}, {0, 10}} {
		ts := distinctTicks{}.Ticks(r[0], r[1])
		if repeated(ts) {
			t.Errorf("range %v: repeated labels in %v", r, ts)
		}
		labelled := 0
		for _, tk := range ts {
			if tk.Label != "" {
				labelled++
			}
		}
		if labelled < 2 {
			t.Errorf("range %v: %d labelled ticks", r, labelled)
		}
	}
}
