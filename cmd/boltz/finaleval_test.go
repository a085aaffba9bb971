package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/rbm"
)

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// The final evaluation of boltz train and boltz eval measure through the same code: for the
// same model, data and seed they give the same numbers, bit for bit, in both branches (exact,
// and AIS forced on an enumerable model). The result is the last line on stderr, in the -json
// summary under the documented keys, in the last metrics record and in model.npz's metrics.
func TestFinalEvalMatchesEval(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra []string
		eval  []string
	}{
		{"exact", nil, []string{"-method", "exact"}},
		{"ais", []string{"-final-eval", "ais", "-final-ais-runs", "16", "-final-ais-betas", "300"},
			[]string{"-method", "ais", "-runs", "16", "-betas", "300", "-seed", "3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			args := append([]string{"train", "-json", "-o", dir, "-test", "bas:3", "-seed", "3"}, quickTrain...)
			code, stdout, stderr := boltz(t, append(args, tc.extra...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if last := lastLine(stderr); !strings.HasPrefix(last, "test log-likelihood ") {
				t.Errorf("last stderr line = %q, want the test log-likelihood", last)
			}
			var sum map[string]any
			if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"test_log_likelihood", "test_log_likelihood_stderr", "test_log_likelihood_reverse",
				"test_log_likelihood_method", "trustworthy"} {
				if _, ok := sum[k]; !ok {
					t.Errorf("-json summary lacks %s", k)
				}
			}
			if sum["test_log_likelihood_method"] != tc.name {
				t.Errorf("method %v, want %s", sum["test_log_likelihood_method"], tc.name)
			}
			want := evalJSON(t, append([]string{"-model", filepath.Join(dir, "model.npz"), "-data", "bas:3"}, tc.eval...)...)
			if sum["test_log_likelihood"] != want["mean_log_likelihood"] || sum["trustworthy"] != want["trustworthy"] {
				t.Errorf("train's final eval %v (trustworthy %v), eval %v (trustworthy %v)",
					sum["test_log_likelihood"], sum["trustworthy"], want["mean_log_likelihood"], want["trustworthy"])
			}
			if tc.name == "ais" && sum["test_log_likelihood_reverse"] != want["mean_log_likelihood_reverse"] {
				t.Errorf("reverse: train %v, eval %v", sum["test_log_likelihood_reverse"], want["mean_log_likelihood_reverse"])
			}
			lines := readLines(t, filepath.Join(dir, "metrics.jsonl"))
			var rec map[string]any
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rec); err != nil {
				t.Fatal(err)
			}
			if len(lines) != 3 || rec["test_log_likelihood"] != want["mean_log_likelihood"] {
				t.Errorf("metrics.jsonl: %d records, last test_log_likelihood %v", len(lines), rec["test_log_likelihood"])
			}
			_, meta, err := rbm.Load(filepath.Join(dir, "model.npz"))
			if err != nil {
				t.Fatal(err)
			}
			var mm map[string]any
			if err := json.Unmarshal(meta.Metrics, &mm); err != nil || mm["test_log_likelihood"] != want["mean_log_likelihood"] {
				t.Errorf("model.npz metrics: %v (%v)", mm["test_log_likelihood"], err)
			}
		})
	}
}

// Without held-out data the final evaluation is skipped with a line that says so; with
// -final-eval none it is skipped silently; a bad -final-eval is a usage error.
func TestFinalEvalSkipped(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	code, _, stderr := boltz(t, append([]string{"train", "-o", dir}, quickTrain...)...)
	if code != 0 || !strings.Contains(lastLine(stderr), "final evaluation skipped: no held-out data") {
		t.Errorf("exit %d, last line %q", code, lastLine(stderr))
	}
	code, _, stderr = boltz(t, append([]string{"train", "-o", dir + "2", "-test", "bas:3", "-final-eval", "none"}, quickTrain...)...)
	if code != 0 || strings.Contains(stderr, "test log-likelihood") || strings.Contains(stderr, "final eval") {
		t.Errorf("-final-eval none: exit %d\n%s", code, stderr)
	}
	code, _, stderr = boltz(t, append([]string{"train", "-o", dir + "3", "-final-eval", "bogus"}, quickTrain...)...)
	if code != 2 || !strings.Contains(stderr, "-final-eval") {
		t.Errorf("-final-eval bogus: exit %d\n%s", code, stderr)
	}
}

// mnist's test split is mnist:test; other data sets have none.
func TestTestSplit(t *testing.T) {
	for spec, want := range map[string]string{"mnist": "mnist:test", "mnist:train": "mnist:test", "mnist:test": "",
		"bas:3": "", "x.csv": ""} {
		if got := testSplit(spec); got != want {
			t.Errorf("testSplit(%q) = %q, want %q", spec, got, want)
		}
	}
}

// The default -batch shrinks to the rows of a small data set, with a line saying so; an
// explicit -batch larger than the data stays an error.
func TestDefaultBatchFitsSmallData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	code, _, stderr := boltz(t, "train", "-data", "bas:4", "-hidden", "4", "-epochs", "2", "-no-report", "-o", dir)
	if code != 0 || !strings.Contains(stderr, "using all 30 rows as one minibatch") {
		t.Errorf("default batch on bas:4: exit %d\n%s", code, stderr)
	}
	code, _, stderr = boltz(t, "train", "-data", "bas:4", "-hidden", "4", "-epochs", "2", "-batch", "100", "-no-report", "-o", dir+"2")
	if code != 2 || !strings.Contains(stderr, "-batch") {
		t.Errorf("explicit -batch 100 on bas:4: exit %d\n%s", code, stderr)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 14500: "14,500", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// A run started with -no-report resumes without drawing the report, unless -no-report=false
// is given again.
func TestResumeKeepsNoReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := boltz(t, append([]string{"train", "-o", dir}, quickTrain...)...); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := boltz(t, "train", "-resume", dir, "-epochs", "4"); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err == nil {
		t.Error("resuming a -no-report run drew the report")
	}
	if code, _, stderr := boltz(t, "train", "-resume", dir, "-epochs", "5", "-no-report=false"); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		t.Errorf("-no-report=false on resume drew no report: %v", err)
	}
}
