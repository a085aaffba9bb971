package exact

import (
	"errors"
	"testing"
	"time"
)

// TestErrTooSlow784x32 is issue 13's reproducer: log Z and the gradient check of a 784×32
// model run for tens of minutes (2^32 states). With MaxSeconds they are refused after a
// probe of well under a second, with an estimate above the limit.
func TestErrTooSlow784x32(t *testing.T) {
	m := randomModel(784, 32, 0.01, 1)
	x := randomRows(5, 784, 1)
	start := time.Now()
	_, err := LogZ(m, &Options{MaxSeconds: 60})
	var slow *ErrTooSlow
	if !errors.As(err, &slow) || slow.Seconds <= 60 || slow.Max != 60 || slow.States != 1<<32 || slow.Task != "log Z" {
		t.Fatalf("LogZ(784×32, 60 s) = %v, want *ErrTooSlow over 60 s", err)
	}
	t.Logf("784×32 log Z estimated at %.0f s", slow.Seconds)
	if _, err := GradCheck(m, x, 0, &Options{MaxSeconds: 300}); !errors.As(err, &slow) || slow.Task != "gradient check" {
		t.Fatalf("GradCheck(784×32, 300 s) = %v, want *ErrTooSlow", err)
	}
	if _, err := ModelMoments(m, &Options{MaxSeconds: 60}); !errors.As(err, &slow) || slow.Task != "moments" {
		t.Fatalf("ModelMoments(784×32, 60 s) = %v, want *ErrTooSlow", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the refusals took %v; probes should take well under a second each", d)
	}
	t.Logf("784×32 moments estimated at %.0f s", slow.Seconds)
}

// TestBudgetEstimate checks the probe's estimate against the time log Z of a 784×20 model
// actually takes (about 0.3 s on two cores): within a factor of 10 either way, a margin for
// a machine shared with other work. The estimate is read from the error of a limit of 1 ns.
func TestBudgetEstimate(t *testing.T) {
	if testing.Short() {
		t.Skip("times a 2^20-state enumeration")
	}
	m := randomModel(784, 20, 0.01, 2)
	_, err := LogZ(m, &Options{MaxSeconds: 1e-9})
	var slow *ErrTooSlow
	if !errors.As(err, &slow) {
		t.Fatalf("LogZ with a 1 ns limit = %v, want *ErrTooSlow", err)
	}
	start := time.Now()
	if _, err := LogZ(m, nil); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start).Seconds()
	if r := slow.Seconds / took; r < 0.1 || r > 10 {
		t.Errorf("estimated %.3f s, took %.3f s (ratio %.2f, want 0.1–10)", slow.Seconds, took, r)
	}
}

// TestSmallEnumerationsNotProbed: below 2^26 unit-states there is no probe, so even a limit
// of 1 ns lets a 9×4 model through.
func TestSmallEnumerationsNotProbed(t *testing.T) {
	m := randomModel(9, 4, 0.5, 3)
	if _, err := LogZ(m, &Options{MaxSeconds: 1e-9}); err != nil {
		t.Fatal(err)
	}
	if _, err := GradCheck(m, randomRows(10, 9, 3), 0, &Options{MaxSeconds: 1e-9}); err != nil {
		t.Fatal(err)
	}
}

// TestProgress checks the progress callbacks: LogZ and ModelMoments report every range up
// to the total; GradCheck reports each of its 1 + 4·(nv·nh + nv + nh) log Z evaluations.
func TestProgress(t *testing.T) {
	m := randomModel(12, 10, 0.5, 4)
	for name, call := range map[string]func(o *Options) error{
		"LogZ":         func(o *Options) error { _, err := LogZ(m, o); return err },
		"ModelMoments": func(o *Options) error { _, err := ModelMoments(m, o); return err },
		"Entropy":      func(o *Options) error { _, err := Entropy(m, o); return err },
		"GradCheck":    func(o *Options) error { _, err := GradCheck(m, randomRows(10, 12, 4), 0, o); return err },
	} {
		var calls, last, total int
		o := &Options{Progress: func(done, tot int) {
			calls++
			if done != last+1 || (total != 0 && tot != total) {
				t.Errorf("%s: progress %d/%d after %d/%d", name, done, tot, last, total)
			}
			last, total = done, tot
		}}
		if err := call(o); err != nil {
			t.Fatal(err)
		}
		if calls == 0 || last != total {
			t.Errorf("%s: %d progress calls, last %d of %d", name, calls, last, total)
		}
		if name == "GradCheck" && total != 1+4*(12*10+12+10) {
			t.Errorf("GradCheck reported %d evaluations, want %d", total, 1+4*(12*10+12+10))
		}
	}
}
