package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// killArgs is a run of a few seconds whose every epoch appends to metrics.jsonl and writes
// checkpoint.npz, each synced to disk: most of its wall time is spent in those writes, so
// that random kill moments land in them as well as in the arithmetic between. -test gives
// it a final evaluation (exact, 2^16 states), which rewrites metrics.jsonl and model.npz
// after the last epoch.
var killArgs = []string{"train", "-data", "bas:4", "-hidden", "16", "-method", "pcd", "-epochs", "150", "-batch", "10",
	"-exact-monitor", "0", "-no-report", "-test", "bas:4"}

// killStats counts where the kills of TestKillAndResume landed.
type killStats struct {
	kills, runs      int
	beforeRunJSON    int            // kills before run.json existed
	beforeCheckpoint int            // kills with run.json but no checkpoint yet
	inWrite          int            // kills that left a temporary file
	writes           map[string]int // kills during a write, by the file written
	cleaned          int            // processes that removed leftovers
}

// TestKillAndResume SIGKILLs a training run at pseudo-random moments (seeded, so every run
// of the test kills at the same delays), each time continuing it with 'boltz train -resume'
// (or, when the kill came before run.json existed, the original command), until it ends; the
// final model.npz must be byte-identical to an uninterrupted run's and no temporary file may
// remain. When the run ends before all kills are spent it starts over in a new directory.
// See docs/reliability.md, "Kills and resumes".
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it 24 times (about 15 s)")
	}
	const (
		kills    = 24
		maxDelay = 250 * time.Millisecond // the full run takes 1–3 s, mostly in synced writes
	)
	start := time.Now()
	bin := buildBoltz(t)
	root := t.TempDir()
	full := filepath.Join(root, "full")
	if out, err := exec.Command(bin, append(killArgs, "-o", full)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	want, err := os.ReadFile(filepath.Join(full, "model.npz"))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(13, 0x6b696c6c)) // issue 13; "kill"
	st := killStats{writes: map[string]int{}}
	for st.kills < kills {
		st.runs++
		dir := filepath.Join(root, fmt.Sprintf("cut%d", st.runs))
		killUntilDone(t, bin, dir, rng, maxDelay, kills, &st)
		got, err := os.ReadFile(filepath.Join(dir, "model.npz"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: the model after %d kills differs from the uninterrupted run's", dir, st.kills)
		}
		if left := tempFiles(t, dir); len(left) > 0 {
			t.Errorf("%s: temporary files remain after the last resume: %q", dir, left)
		}
	}
	t.Logf("%d kills over %d runs in %.1fs: %d before run.json, %d before the first checkpoint, %d during a write "+
		"(temporary file left: %v); the next process removed leftovers %d times",
		st.kills, st.runs, time.Since(start).Seconds(), st.beforeRunJSON, st.beforeCheckpoint, st.inWrite, st.writes, st.cleaned)
	if st.inWrite == 0 {
		t.Error("no kill landed during a write: the test does not probe what it claims to")
	}
}

// killUntilDone starts the run in dir and kills it after random delays below maxDelay,
// continuing it after each kill, until a process finishes on its own; it stops killing once
// st.kills reaches limit.
func killUntilDone(t *testing.T, bin, dir string, rng *rand.Rand, maxDelay time.Duration, limit int, st *killStats) {
	t.Helper()
	for {
		args := append(slices.Clone(killArgs), "-o", dir)
		if fileExists(filepath.Join(dir, "run.json")) {
			args = []string{"train", "-resume", dir}
		}
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killed := false
		if st.kills < limit {
			delay := time.Duration(rng.Int64N(int64(maxDelay)))
			aim := rng.IntN(3) == 0 // one kill in three waits for a checkpoint write
			if !aim && rng.IntN(5) == 0 {
				delay /= 12 // one in five of the others (2 in 15) within the start: data, run.json, the first epoch
			}
			exited := make(chan struct{})
			timer := time.AfterFunc(delay, func() {
				if aim {
					awaitTempFile(dir, "."+checkpointFile+".tmp", exited)
				}
				cmd.Process.Kill()
			})
			err := cmd.Wait()
			close(exited)
			killed = !timer.Stop() && err != nil && strings.Contains(err.Error(), "killed")
		} else {
			cmd.Wait()
		}
		if strings.Contains(stderr.String(), "boltz train: removed ") {
			st.cleaned++
		}
		if !killed {
			if code := cmd.ProcessState.ExitCode(); code != 0 {
				t.Fatalf("%v after %d kills: exit %d: %s", args, st.kills, code, stderr.String())
			}
			return
		}
		st.kills++
		switch {
		case !fileExists(filepath.Join(dir, "run.json")):
			st.beforeRunJSON++
		case !fileExists(filepath.Join(dir, checkpointFile)):
			st.beforeCheckpoint++
		}
		if temps := tempFiles(t, dir); len(temps) > 0 {
			st.inWrite++
			for _, f := range temps {
				st.writes[strings.TrimPrefix(f[:strings.Index(f, ".tmp")], ".")]++
			}
		}
	}
}

// awaitTempFile returns as soon as dir holds a file whose name starts with prefix (a write
// under way), or when exited is closed. Polling every 50 µs catches a write that takes a
// millisecond or more, as a synced one does.
func awaitTempFile(dir, prefix string, exited <-chan struct{}) {
	for {
		select {
		case <-exited:
			return
		default:
		}
		if entries, err := os.ReadDir(dir); err == nil {
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), prefix) {
					return
				}
			}
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// tempFiles lists the temporary files of atomicfile in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var temps []string
	for _, e := range entries {
		if isTempFile(e.Name()) {
			temps = append(temps, e.Name())
		}
	}
	return temps
}
