package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
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
		"-epochs", "153", "-lr", "1e6", "-optimizer", "sgd", "-momentum", "0", "-method", "cd", "-precision", "float64")
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
