package exact

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/boltzgo/boltz/internal/memsize"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/rbm"
)

// ErrTooSlow reports an enumeration whose estimated time exceeds Options.MaxSeconds. The
// estimate comes from a timed probe (see Options.MaxSeconds).
type ErrTooSlow struct {
	Task    string  // "log Z", "entropy", "moments" or "gradient check"
	States  float64 // states of the enumerated layer
	Seconds float64 // estimated time
	Max     float64 // the limit (Options.MaxSeconds)
}

func (e *ErrTooSlow) Error() string {
	return fmt.Sprintf("%s over %s states would take about %s, more than the limit of %s",
		e.Task, formatStates(e.States, -1), formatSeconds(e.Seconds), formatSeconds(e.Max))
}

// formatSeconds writes a duration in seconds as Go's time.Duration does, to the second
// above a minute, and as "more than a century" beyond what a Duration holds.
func formatSeconds(s float64) string {
	if s > 100*365.25*86400 {
		return "more than a century"
	}
	d := time.Duration(s * float64(time.Second))
	if d >= time.Minute {
		d = d.Round(time.Second)
	} else {
		d = d.Round(time.Millisecond)
	}
	return d.String()
}

// Probe sizes. probeWork is the work (states × units) below which an enumeration is not
// probed at all: 2^26 unit-states take under 0.1 s on one core of a current CPU (the
// 784×20 log Z, 2^20·804 ≈ 2^29.7, takes about 0.3 s on two cores), so a probe would cost
// as much as the answer. probeMin is the time a probe must last for its timing to mean
// something against the scheduler's noise.
const (
	probeWork     = 1 << 26
	probeMin      = 200 * time.Millisecond
	probeFirstBit = 10
)

// budget checks, when opts.MaxSeconds is set, that task's estimated time stays within it.
// cost(sub, o) runs the task's enumerations once on a model sub whose enumerated layer (the
// one v enumerates) is cut to its first k units, with o forcing that side, and returns the
// time that took and the time the task would take on sub (more when the task repeats the
// enumeration).
//
// A probe's time is a fixed cost (tables, goroutines) plus a cost per state, t(k) = a + b·S(k)
// with S(k) the states of k units, so the estimate is fitted to the last two probes,
// k − 2 and k, and extrapolated to S(n): the fixed cost would make a one-point scaling
// over-estimate a 784×32 log Z a thousandfold. k (in sites: units, or Potts sites) grows by
// 2 from 10 for binary units, by the steps of probeSites for others, until one pass lasts
// probeMin, or until k = n (then the probe is the answer). Should timing noise give the fit
// a slope ≤ 0, the last probe alone is scaled by S(n)/S(k), which over-estimates.
//
// repeats is how many times the task enumerates the states; tasks of under probeWork
// unit-states in all are not probed.
func budget(m *rbm.RBM, v *view, opts *Options, task string, repeats float64, cost func(sub *rbm.RBM, o *Options) (pass, task time.Duration)) error {
	if opts == nil || !(opts.MaxSeconds > 0) {
		return nil
	}
	states := float64(v.states)
	if repeats*states*float64(v.ne+v.ns) <= probeWork {
		return nil
	}
	side := Visible
	if v.hidden {
		side = Hidden
	}
	o := &Options{MaxStates: opts.MaxStates, Enumerate: side}
	var est float64
	prevK, prevT := -1, 0.0
	first, step := probeSites(v.q)
	for k := min(v.sites, first); ; k = min(v.sites, k+step) { // k sites
		pass, total := cost(restrict(m, v.hidden, k*v.width), o)
		t := total.Seconds()
		if k == v.sites {
			est = t
			break
		}
		if prevK >= 0 && pass >= probeMin {
			s0, s1 := siteStates(v.q, prevK), siteStates(v.q, k)
			est = t * states / s1 // noise made the slope useless: scale the probe, an over-estimate
			if slope := (t - prevT) / (s1 - s0); slope > 0 {
				est = max(prevT-slope*s0, 0) + slope*states
			}
			break
		}
		prevK, prevT = k, t
	}
	if est > opts.MaxSeconds {
		return &ErrTooSlow{Task: task, States: states, Seconds: est, Max: opts.MaxSeconds}
	}
	return nil
}

// restrict returns m with its hidden (or visible) layer cut to its first k units.
func restrict(m *rbm.RBM, hidden bool, k int) *rbm.RBM {
	nv, nh := m.NV(), m.NH()
	if hidden {
		nh = k
	} else {
		nv = k
	}
	s := rbm.NewWithLayers(rbm.Prefix(m.Visible, nv), rbm.Prefix(m.Hidden, nh))
	for i := range nv {
		copy(s.W.Row(i), m.W.Row(i)[:nh])
	}
	return s
}

// budgetRun is budget for a function that probes by running itself once on the restricted
// model: run's wall time is both the pass and the task time.
func budgetRun(m *rbm.RBM, v *view, opts *Options, task string, run func(sub *rbm.RBM, o *Options)) error {
	return budget(m, v, opts, task, 1, func(sub *rbm.RBM, o *Options) (time.Duration, time.Duration) {
		return timed(func() { run(sub, o) })
	})
}

// timed returns how long f takes, as the time of one pass and of the task.
func timed(f func()) (time.Duration, time.Duration) {
	start := time.Now()
	f()
	d := time.Since(start)
	return d, d
}

// untimed returns a copy of opts without the time limit and progress callback, for the
// enumerations a function makes after checking its own budget.
func untimed(opts *Options) *Options {
	if opts == nil {
		return nil
	}
	o := *opts
	o.MaxSeconds, o.Progress = 0, nil
	return &o
}

// progress returns opts.Progress, or nil.
func (o *Options) progress() func(done, total int) {
	if o == nil {
		return nil
	}
	return o.Progress
}

// parallelReport calls f(r) for r in [0, n) on par's pool (par.Each: which goroutine runs
// which r varies, so f stores its result by r), calling report (when not nil) with the
// number of calls of f completed and n after each, one report at a time.
func parallelReport(n int, f func(r int), report func(done, total int)) {
	if report == nil {
		par.Each(n, f)
		return
	}
	var done atomic.Int64
	var mu sync.Mutex
	par.Each(n, func(r int) {
		f(r)
		d := done.Add(1)
		mu.Lock()
		report(int(d), n)
		mu.Unlock()
	})
}

// gradCheckEvaluations is the number of log Z evaluations GradCheck makes: one at θ and
// four per parameter.
func gradCheckEvaluations(m *rbm.RBM) float64 {
	n := m.NV() * m.NH()
	for _, l := range []rbm.Layer{m.Visible, m.Hidden} {
		for _, p := range l.Params() {
			n += len(p.Data)
		}
	}
	return 1 + 4*float64(n)
}

// GradCheckMemory returns the bytes GradCheck holds for an nv×nh model besides the model
// and the data: the perturbed copy of the model, the analytic and numerical gradients and
// the data and model moments behind the analytic one, five parameter sets of
// 8·(nv·nh + nv + nh) bytes.
func GradCheckMemory(nv, nh int) int64 {
	return memsize.Bytes(5 * (memsize.Float64s(nv, nh) + memsize.Float64s(nv+nh)))
}

// probeSites returns the first number of sites a probe enumerates and the step it grows by,
// for sites of q states: 10 and 2 for binary units (2^10 states, ×4 a step), and for larger
// q as many sites as keep the first probe near 2^10 states and the step near ×4 (Potts
// units with q = 4: 5 sites, then one more each step).
func probeSites(q int) (first, step int) {
	bits := math.Log2(float64(q))
	return max(1, int(probeFirstBit/bits)), max(1, int(math.Round(2/bits)))
}
