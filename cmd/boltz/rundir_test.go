package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/report"
	"github.com/boltzgo/boltz/train"
)

// readMetricsFile reads a run's metrics.jsonl as the report does.
func readMetricsFile(t *testing.T, dir string) []train.Metrics {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, partial, err := report.ReadMetrics(f)
	if err != nil || partial != 0 {
		t.Fatalf("metrics.jsonl: %v (partial line %d)", err, partial)
	}
	return ms
}

// Parallel tempering with one minibatch per epoch has swap rates of 0/0 in its first epoch
// (issue 13, item 1): they are recorded as null and the run goes on.
func TestTrainNaNSwapRatesRecordedAsNull(t *testing.T) {
	for _, args := range [][]string{
		{"-data", "bas:3", "-hidden", "4", "-method", "pt", "-batch", "14", "-epochs", "3"},
		{"-data", "bas:3", "-hidden", "4", "-method", "pt", "-replicas", "3", "-batch", "14", "-epochs", "3"},
		{"-data", "bas:4", "-hidden", "4", "-method", "pt", "-batch", "16", "-epochs", "3", "-exact-monitor", "0"},
	} {
		dir := filepath.Join(t.TempDir(), "run")
		code, _, stderr := boltz(t, append([]string{"train", "-o", dir, "-no-report"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		if strings.Contains(strings.ReplaceAll(stderr, dir, "DIR"), "NaN") {
			t.Errorf("%v: progress prints NaN: %s", args, stderr)
		}
		lines := readLines(t, filepath.Join(dir, "metrics.jsonl"))
		if len(lines) != 3 {
			t.Fatalf("%v: %d metrics lines, want 3", args, len(lines))
		}
		ms := readMetricsFile(t, dir)
		nulls := 0
		for _, m := range ms {
			for _, r := range m.SwapRates {
				if math.IsNaN(r) {
					nulls++
				}
			}
		}
		if nulls == 0 || !strings.Contains(strings.Join(lines, "\n"), "null") {
			t.Errorf("%v: no undefined swap rate recorded as null:\n%s", args, strings.Join(lines, "\n"))
		}
		if _, err := os.Stat(filepath.Join(dir, "model.npz")); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// A learning rate of 10⁶ drives the exact log-likelihood to −Inf at epoch 152 while the
// weights are still finite (issue 13, item 1): the run records null and keeps training, and
// the report draws the curves with a gap.
func TestTrainInfiniteLogLikelihoodKeepsTraining(t *testing.T) {
	if testing.Short() {
		t.Skip("153 epochs of a 16×16 model with the exact monitor (several seconds)")
	}
	dir := filepath.Join(t.TempDir(), "run")
	code, _, stderr := boltz(t, "train", "-o", dir, "-no-report", "-data", "bas:4", "-hidden", "16", "-batch", "30",
		"-epochs", "153", "-lr", "1e6", "-optimizer", "sgd", "-momentum", "0", "-method", "cd", "-precision", "float64",
		"-lr-schedule", "constant", "-centered=false") // the reproducer ran with the defaults of its day
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "loglik -inf") {
		t.Errorf("progress does not show the infinite log-likelihood: %s", stderr[max(0, len(stderr)-400):])
	}
	ms := readMetricsFile(t, dir)
	if len(ms) != 153 {
		t.Fatalf("%d records, want 153", len(ms))
	}
	nonFinite := 0
	for _, m := range ms {
		if m.LogLikelihood != nil && math.IsNaN(*m.LogLikelihood) {
			nonFinite++
		}
	}
	if nonFinite == 0 {
		t.Error("no log-likelihood recorded as null")
	}
	_, meta, err := rbm.Load(filepath.Join(dir, "model.npz"))
	if err != nil {
		t.Fatal(err)
	}
	var final map[string]any
	if err := json.Unmarshal(meta.Metrics, &final); err != nil || final["epoch"] != float64(153) {
		t.Errorf("model.npz metrics %s: %v", meta.Metrics, err)
	}
	if code, _, stderr := boltz(t, "report", dir, "-samples", "4", "-sweeps", "1"); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "curves.svg")); err != nil {
		t.Errorf("no curves drawn: %v", err)
	}
}

// trainQuick runs quickTrain into dir with extra flags and fails the test on a non-zero exit.
func trainQuick(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	code, _, stderr := boltz(t, append(append([]string{"train", "-o", dir}, quickTrain...), extra...)...)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	return stderr
}

// A run killed before its first checkpoint left run.json and an empty metrics.jsonl:
// -resume starts it again from run.json and ends byte-identical to an uninterrupted run
// (issue 13, item 4).
func TestResumeWithoutCheckpointStartsFromRunJSON(t *testing.T) {
	root := t.TempDir()
	full, cut := filepath.Join(root, "full"), filepath.Join(root, "cut")
	trainQuick(t, full)
	trainQuick(t, cut)
	for _, f := range []string{checkpointFile, "model.npz"} {
		os.Remove(filepath.Join(cut, f))
	}
	// A torn first line, as a kill during the first append leaves.
	if err := os.WriteFile(filepath.Join(cut, "metrics.jsonl"), []byte(`{"epoch":1,"st`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := boltz(t, "train", "-resume", cut)
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "no checkpoint") || !strings.Contains(stderr, "from run.json") {
		t.Errorf("the resume does not say it starts from run.json: %s", stderr)
	}
	if !sameFile(t, filepath.Join(full, "model.npz"), filepath.Join(cut, "model.npz")) {
		t.Error("started again from run.json, the model differs from the uninterrupted run's")
	}
	if n := len(readLines(t, filepath.Join(cut, "metrics.jsonl"))); n != 3 {
		t.Errorf("metrics.jsonl has %d lines, want 3", n)
	}
}

// Resuming a finished run without more epochs changes nothing and says it is complete;
// a run killed between its last checkpoint and model.npz resumes to the same model, with
// meta.json's metrics (issue 13, item 5).
func TestResumeFinishedRun(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "run")
	trainQuick(t, dir)
	before := map[string][]byte{}
	for _, f := range []string{"model.npz", checkpointFile, "run.json", "metrics.jsonl"} {
		before[f], _ = os.ReadFile(filepath.Join(dir, f))
	}
	for _, args := range [][]string{{"train", "-resume", dir}, {"train", "-resume", dir, "-epochs", "3"}} {
		code, _, stderr := boltz(t, args...)
		if code != 0 || !strings.Contains(stderr, "complete") {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
		for f, b := range before {
			if now, _ := os.ReadFile(filepath.Join(dir, f)); string(now) != string(b) {
				t.Errorf("%v changed %s", args, f)
			}
		}
	}
	code, stdout, _ := boltz(t, "train", "-resume", dir, "-json")
	var sum map[string]any
	if err := json.Unmarshal([]byte(stdout), &sum); code != 0 || err != nil || sum["epochs"] != float64(3) || sum["final"] == nil {
		t.Errorf("-resume -json of a complete run: exit %d, %v: %s", code, err, stdout)
	}
	// Killed after the last checkpoint, before model.npz: the resume writes the same model.
	os.Remove(filepath.Join(dir, "model.npz"))
	if code, _, stderr := boltz(t, "train", "-resume", dir, "-no-report"); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "model.npz")); string(now) != string(before["model.npz"]) {
		t.Error("the model written by a resume with no epoch left differs from the run's")
	}
	_, meta, err := rbm.Load(filepath.Join(dir, "model.npz"))
	if err != nil || len(meta.Metrics) == 0 {
		t.Errorf("model.npz after the resume has no metrics (%v)", err)
	}
}

// -force removes every file boltz owns in the directory, and only those (issue 13, item 6).
func TestForceRemovesTheOldRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range append(slices.Clone(ownedFiles), ".checkpoint.npz.tmp123", ".report.html.tmp9", "notes.txt") {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := boltz(t, append([]string{"train", "-o", dir}, quickTrain...)...); code != 1 || !strings.Contains(stderr, "exists") {
		t.Fatalf("without -force: exit %d: %s", code, stderr)
	}
	// -epochs 0 would be refused; stop the new run before its first checkpoint instead, as
	// a kill would: a cancelled context interrupts it at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := run(ctx, append([]string{"train", "-force", "-o", dir}, quickTrain...), &out, &errb)
	if code != 130 {
		t.Fatalf("interrupted -force run: exit %d: %s", code, errb.String())
	}
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		if b, _ := os.ReadFile(filepath.Join(dir, e.Name())); string(b) == "old" {
			left = append(left, e.Name())
		}
	}
	if !slices.Equal(left, []string{"notes.txt"}) {
		t.Errorf("after -force, the old files left are %q, want only notes.txt", left)
	}
	if code, _, stderr := boltz(t, "train", "-resume", dir); code != 0 {
		t.Fatalf("resume after -force: exit %d: %s", code, stderr)
	}
	other := filepath.Join(t.TempDir(), "other")
	trainQuick(t, other, "-no-report")
	if !sameFile(t, filepath.Join(dir, "model.npz"), filepath.Join(other, "model.npz")) {
		t.Error("the run resumed after -force is not the new run")
	}
}

// A killed run's temporary files are removed by the next resume, and by a new run in the
// directory, which a directory holding nothing else does not refuse (issue 13, item 7).
func TestLeftoverTempFilesRemoved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	trainQuick(t, dir)
	temps := []string{".checkpoint.npz.tmp1", ".model.npz.tmp22", ".metrics.jsonl.tmp3", ".run.json.tmp4", ".curves.svg.tmp5"}
	for _, f := range temps {
		os.WriteFile(filepath.Join(dir, f), []byte("torn"), 0o644)
	}
	if code, _, stderr := boltz(t, "train", "-resume", dir, "-epochs", "4", "-no-report"); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	for _, f := range temps {
		if fileExists(filepath.Join(dir, f)) {
			t.Errorf("%s survived the resume", f)
		}
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	os.MkdirAll(fresh, 0o755)
	for _, f := range []string{lockFile, ".run.json.tmp77"} {
		os.WriteFile(filepath.Join(fresh, f), nil, 0o644)
	}
	trainQuick(t, fresh, "-no-report")
	if fileExists(filepath.Join(fresh, ".run.json.tmp77")) {
		t.Error("a new run left the temporary file of the run killed before it")
	}
}

// A second run or resume in a directory another one holds is refused with the holder's
// PID (issue 13, item 8).
func TestRunDirectoryLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	trainQuick(t, dir, "-no-report")
	held, err := claimRunDir(dir, false, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(os.Getpid())
	for _, args := range [][]string{
		{"train", "-resume", dir, "-epochs", "5"},
		append([]string{"train", "-force", "-o", dir}, quickTrain...),
		append([]string{"train", "-o", dir}, quickTrain...),
	} {
		code, _, stderr := boltz(t, args...)
		if code != 1 || !strings.Contains(stderr, "in use by boltz process "+pid) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v while locked: exit %d: %q", args, code, stderr)
		}
	}
	if n := len(readLines(t, filepath.Join(dir, "metrics.jsonl"))); n != 3 {
		t.Errorf("a refused run touched metrics.jsonl: %d lines", n)
	}
	held.release()
	if code, _, stderr := boltz(t, "train", "-resume", dir, "-epochs", "4", "-no-report"); code != 0 {
		t.Errorf("resume after release: exit %d: %s", code, stderr)
	}
}

// A run killed after its model's first save but before the final evaluation was saved in
// it is not complete: its resume does the evaluation again and writes the model the
// uninterrupted run wrote.
func TestResumeRedoesMissingFinalEval(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	trainQuick(t, dir, "-test", "bas:3")
	want, _ := os.ReadFile(filepath.Join(dir, "model.npz"))
	m, meta, err := rbm.Load(filepath.Join(dir, "model.npz"))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(meta.Metrics, &fields); err != nil || fields["test_log_likelihood"] == nil {
		t.Fatalf("model metrics %s: %v", meta.Metrics, err)
	}
	for k := range fields {
		if strings.HasPrefix(k, "test_") || k == "trustworthy" || k == "untrustworthy_reason" {
			delete(fields, k)
		}
	}
	meta.Metrics, _ = json.Marshal(fields)
	if err := m.Save(filepath.Join(dir, "model.npz"), meta); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := boltz(t, "train", "-resume", dir)
	if code != 0 || strings.Contains(stderr, "complete") {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "model.npz")); !bytes.Equal(got, want) {
		t.Error("the resumed final evaluation wrote another model")
	}
	os.Remove(filepath.Join(dir, "report.html"))
	if code, _, stderr := boltz(t, "train", "-resume", dir); code != 0 || !strings.Contains(stderr, "complete") ||
		!strings.Contains(stderr, "boltz report "+dir) {
		t.Errorf("resume of the complete run without its report: exit %d: %s", code, stderr)
	}
}
