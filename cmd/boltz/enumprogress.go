package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/boltzgo/boltz/exact"
)

// defaultMaxSeconds is the default -max-seconds of boltz exact and gradcheck: five
// minutes, past which a user without a progress bar would take the command for hung
// (issue 13: a 784×32 model ran silently for 20 minutes).
const defaultMaxSeconds = 300

// maxSecondsFlag registers -max-seconds.
func maxSecondsFlag(fs *flag.FlagSet) *float64 {
	return fs.Float64("max-seconds", defaultMaxSeconds, "refuse enumerations estimated (by a short timed probe) to take more than `S` seconds; 0 removes the limit")
}

// checkMaxSeconds validates -max-seconds.
func checkMaxSeconds(s float64) error {
	if !(s >= 0) || s > 1e15 {
		return flagError("max-seconds", "must be a number of seconds ≥ 0 (0: no limit), got %v", s)
	}
	return nil
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// enumProgress returns an exact.Options.Progress that draws, on a terminal, one line
// rewritten in place: "boltz exact: log Z 37% (24/64), 1m2s elapsed, about 1m45s left", the
// time left extrapolated from the rate so far. It returns nil when w is not a terminal, so
// that logs and pipes get no progress noise.
func enumProgress(w io.Writer, label string) func(done, total int) {
	if !isTerminal(w) {
		return nil
	}
	start := time.Now()
	var last time.Time
	return func(done, total int) {
		now := time.Now()
		if done < total && now.Sub(last) < 200*time.Millisecond {
			return
		}
		last = now
		fmt.Fprint(w, "\r\033[K"+progressLine(label, done, total, now.Sub(start)))
		if done == total {
			fmt.Fprint(w, "\r\033[K")
		}
	}
}

// progressLine is the text of one progress report.
func progressLine(label string, done, total int, elapsed time.Duration) string {
	s := fmt.Sprintf("%s %d%% (%d/%d), %s elapsed", label, 100*done/max(total, 1), done, total, elapsed.Round(time.Second))
	if done > 0 && done < total {
		left := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
		s += fmt.Sprintf(", about %s left", left.Round(time.Second))
	}
	return s
}

// tooSlowError adds the flag that lifts the time limit to an *exact.ErrTooSlow.
func tooSlowError(err error) error {
	var ts *exact.ErrTooSlow
	if errors.As(err, &ts) {
		return fmt.Errorf("-max-seconds: %w; raise -max-seconds (0 removes the limit) to run it anyway", err)
	}
	return err
}
