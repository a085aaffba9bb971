package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/report"
	"github.com/boltzgo/boltz/train"
)

// Files boltz train owns in a run directory, besides report's.
const (
	checkpointFile = "checkpoint.npz"
	// lockFile is the file a run or resume holds an exclusive flock on while it works in the
	// directory; the kernel releases it when the process ends, however it ends. It holds the
	// holder's PID, for the message that refuses a second run.
	lockFile = ".boltz.lock"
)

// ownedFiles are the files boltz writes in a run directory: -force removes them, and a
// directory holding none of them (nor anything else but the lock and temporary files) is
// not an existing run.
var ownedFiles = []string{
	report.ModelFile, checkpointFile, report.RunFile, report.MetricsFile,
	report.FiltersFile, report.SamplesFile, report.ReconstructionsFile,
	report.CurvesSVGFile, report.CurvesPNGFile, report.HTMLFile,
}

// isTempFile reports whether name is a temporary file that internal/atomicfile leaves behind
// when a process dies while writing one of the owned files: "." + name + ".tmp" + random.
func isTempFile(name string) bool {
	for _, f := range ownedFiles {
		if strings.HasPrefix(name, "."+f+".tmp") {
			return true
		}
	}
	return false
}

// holdsRun reports whether dir exists and holds anything but boltz's lock and temporary
// files: an earlier run, or files that are not boltz's. A directory a run was killed in
// before it wrote run.json holds nothing else, and a plain rerun may take it.
func holdsRun(dir string) bool {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		return true // let the caller's own access report the problem
	}
	for _, e := range entries {
		if e.Name() != lockFile && !isTempFile(e.Name()) {
			return true
		}
	}
	return false
}

// runDir is a run directory this process holds the lock of.
type runDir struct {
	path string
	lock *os.File
}

// claimRunDir locks dir, which must exist, for this process and removes the temporary
// files a killed run left in it; with force it also removes every file of ownedFiles, so
// that nothing of an earlier run (its checkpoint, its pictures) outlives it. It refuses a
// directory another live process holds, naming that process.
func claimRunDir(dir string, force bool, stderr io.Writer) (*runDir, error) {
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	d := &runDir{path: dir, lock: lock}
	entries, err := os.ReadDir(dir)
	if err != nil {
		d.release()
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !isTempFile(name) && !(force && slices.Contains(ownedFiles, name)) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			d.release()
			return nil, err
		}
		removed = append(removed, name)
	}
	if len(removed) > 0 {
		fmt.Fprintf(stderr, "boltz train: removed %s from %s\n", strings.Join(removed, ", "), dir)
	}
	return d, nil
}

// lockHolder returns the lockedError of a directory another process holds, nil otherwise.
func lockHolder(dir string) error {
	if !fileExists(filepath.Join(dir, lockFile)) {
		return nil // no run ever held it; probing would leave a lock file behind
	}
	lock, err := lockDir(dir)
	var le *lockedError
	if errors.As(err, &le) {
		return le
	}
	if lock != nil {
		lock.Close()
	}
	return nil
}

// release gives up the lock (the kernel does it too when the process ends).
func (d *runDir) release() {
	if d != nil && d.lock != nil {
		d.lock.Close()
		d.lock = nil
	}
}

// lockedError is the refusal of a directory another process holds.
type lockedError struct {
	Dir string
	PID string // empty when the holder had not written it yet
}

func (e *lockedError) Error() string {
	holder := "another boltz process"
	if e.PID != "" {
		holder = "boltz process " + e.PID
	}
	return fmt.Sprintf("%s is in use by %s (it holds %s); wait for it to end or stop it", e.Dir, holder, filepath.Join(e.Dir, lockFile))
}

// lastMetrics returns the last record of a metrics.jsonl file when its epoch is epoch, nil
// when the file is empty, missing or ends elsewhere.
func lastMetrics(path string, epoch int) (*train.Metrics, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ms, _, err := report.ReadMetrics(bufio.NewReader(f))
	if err != nil || len(ms) == 0 || ms[len(ms)-1].Epoch != epoch {
		return nil, err
	}
	return &ms[len(ms)-1], nil
}

// position says where a trainer stands, in the words both the interrupt and the resume
// messages use: "after epoch 2 of 10" at an epoch boundary, "in epoch 3 of 10 after
// minibatch 5" within one (epochs and minibatches counted from 1, as the progress lines do).
func position(t *train.Trainer) string {
	if t.Batch == 0 {
		return fmt.Sprintf("after epoch %d of %d", t.Epoch, t.Config.Epochs)
	}
	return fmt.Sprintf("in epoch %d of %d after minibatch %d", t.Epoch+1, t.Config.Epochs, t.Batch)
}

// modelFinished reports whether dir holds the model.npz a finished run writes last: with
// the final evaluation in its metrics when the run has one to do. (A run killed between
// the model's first save and the final evaluation's has a model without it, and its resume
// does the evaluation again.)
func modelFinished(dir string, info *runInfo) bool {
	_, meta, err := rbm.Load(filepath.Join(dir, report.ModelFile))
	if err != nil {
		return false
	}
	fe := defaultFinalEval()
	if info.FinalEval != nil {
		fe = *info.FinalEval
	}
	heldOutRows := fe.Test != "" || testSplit(info.Data) != "" || (info.Valid > 0 && strings.HasPrefix(info.Data, "mnist"))
	if fe.Mode == "none" || !heldOutRows {
		return true
	}
	var m train.Metrics
	return json.Unmarshal(meta.Metrics, &m) == nil && m.TestLogLikelihood != nil
}

// runComplete says that the finished run in dir (its checkpoint t at its last epoch, and
// model.npz written) has nothing left to do, and changes nothing; with -json it prints the
// summary a run prints at its end.
func runComplete(e *env, o *trainOpts, dir string, t *train.Trainer) error {
	fmt.Fprintf(e.stderr, "boltz train: %s is complete (%d of %d epochs, model.npz written); nothing to do (-epochs E extends it)\n",
		dir, t.Epoch, t.Config.Epochs)
	if !fileExists(filepath.Join(dir, report.HTMLFile)) {
		fmt.Fprintf(e.stderr, "boltz train: %s has no report: boltz report %s draws it\n", dir, dir)
	}
	if !o.json {
		return nil
	}
	final, err := lastMetrics(filepath.Join(dir, report.MetricsFile), t.Epoch)
	if err != nil {
		return err
	}
	return writeJSON(e.stdout, map[string]any{"dir": dir, "model": filepath.Join(dir, report.ModelFile),
		"epochs": t.Epoch, "steps": t.Step, "elapsed_seconds": t.Elapsed.Seconds(), "final": final})
}

// fileExists reports whether path exists.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
