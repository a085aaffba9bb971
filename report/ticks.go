package report

import (
	"strconv"

	"gonum.org/v1/plot"
)

// distinctTicks is gonum's default tick marker with labels that never repeat: on an axis
// whose range is small against its values (a nearly flat learning curve, such as a
// log-likelihood that moves in the fourth digit), the default labels, printed with too few
// digits, can read "-77.3, -77.3, -77.3". It then prints the labelled ticks with as many
// significant digits as it takes to tell them apart (up to 12).
type distinctTicks struct{}

func (distinctTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for prec := 2; prec <= 12 && repeated(ts); prec++ {
		for i := range ts {
			if ts[i].Label != "" {
				ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', prec, 64)
			}
		}
	}
	return ts
}

// repeated reports whether two labelled ticks share a label.
func repeated(ts []plot.Tick) bool {
	seen := map[string]bool{}
	for _, t := range ts {
		if t.Label == "" {
			continue
		}
		if seen[t.Label] {
			return true
		}
		seen[t.Label] = true
	}
	return false
}
