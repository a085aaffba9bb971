package main

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/boltzgo/boltz/rbm"
)

// The smaller points of issue 13, item 9.

func TestTrainValidRefusedOutsideMNIST(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	code, _, stderr := boltz(t, append([]string{"train", "-o", dir, "-valid", "5"}, quickTrain...)...)
	if code != 2 || !strings.HasPrefix(stderr, "boltz train -valid: holds out rows of the MNIST training set only") {
		t.Errorf("-valid 5 -data bas:3: exit %d: %s", code, stderr)
	}
	if fileExists(dir) {
		t.Error("the refused run created its directory")
	}
}

func TestSamplePTNeedsTwoReplicas(t *testing.T) {
	model := saveTestModel(t, 4, 3, 0.5)
	out := filepath.Join(t.TempDir(), "s.npy")
	code, _, stderr := boltz(t, "sample", "-model", model, "-method", "pt", "-replicas", "1", "-o", out)
	if code != 2 || !strings.HasPrefix(stderr, "boltz sample -replicas: must be at least 2 for parallel tempering, got 1") {
		t.Errorf("sample -replicas 1: exit %d: %s", code, stderr)
	}
	_, _, trainErr := boltz(t, append([]string{"train", "-o", filepath.Join(t.TempDir(), "r"), "-method", "pt", "-replicas", "1"}, quickTrain...)...)
	if !strings.Contains(trainErr, "-replicas: must be at least 2 for parallel tempering, got 1") {
		t.Errorf("train and sample refuse -replicas 1 differently: %s", trainErr)
	}
	if fileExists(out) {
		t.Error("the refused sample wrote its output")
	}
}

// The sampling error of a mean over one row is undefined: null in JSON, not printed.
func TestEvalOneRowOmitsDataStderr(t *testing.T) {
	model := evalModel(t, 0.5)
	one := writeTestFile(t, "one.csv", "0,1,0,1,0,1,0,1,0\n")
	out := evalJSON(t, "-model", model, "-data", one, "-method", "exact")
	if v, ok := out["mean_log_likelihood_data_stderr"]; !ok || v != nil {
		t.Errorf("mean_log_likelihood_data_stderr = %v (present %v), want null", v, ok)
	}
	code, stdout, stderr := boltz(t, "eval", "-model", model, "-data", one, "-method", "exact")
	if code != 0 || strings.Contains(stdout, "sampling error") {
		t.Errorf("eval of one row: exit %d, %s%s", code, stdout, stderr)
	}
	two := writeTestFile(t, "two.csv", "0,1,0,1,0,1,0,1,0\n1,1,0,1,0,1,0,1,0\n")
	if out := evalJSON(t, "-model", model, "-data", two, "-method", "exact"); !(num(t, out, "mean_log_likelihood_data_stderr") > 0) {
		t.Errorf("two rows: data stderr %v", out["mean_log_likelihood_data_stderr"])
	}
}

// info computes the rms of weights near the float64 limit without overflow.
func TestInfoRMSWithoutOverflow(t *testing.T) {
	m := rbm.New(3, 2)
	for i := range m.W.Data {
		m.W.Data[i] = 1e300
	}
	m.W.Data[0] = -1e300
	path := filepath.Join(t.TempDir(), "big.npz")
	if err := m.Save(path, &rbm.Meta{}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := boltz(t, "info", "-model", path, "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if rms, _ := out["w_rms"].(float64); math.Abs(rms/1e300-1) > 1e-12 {
		t.Errorf("w_rms = %v, want 1e300", out["w_rms"])
	}
	if _, stdout, _ := boltz(t, "info", "-model", path); !strings.Contains(stdout, "rms 1e+300") {
		t.Errorf("info prints %s", stdout)
	}
	if _, _, rms := stats([]float64{3, 4}); math.Abs(rms-math.Sqrt(12.5)) > 1e-15 {
		t.Errorf("rms of 3, 4 = %v, want √12.5", rms)
	}
}

func TestTrainPrecisionListsAuto(t *testing.T) {
	code, _, stderr := boltz(t, append([]string{"train", "-o", filepath.Join(t.TempDir(), "r"), "-precision", "bogus"}, quickTrain...)...)
	if code != 2 || !strings.HasPrefix(stderr, "boltz train -precision: must be auto, float64 or float32, got bogus") {
		t.Errorf("-precision bogus: exit %d: %s", code, stderr)
	}
}

// cancelOn is a stderr that cancels a context once the text written to it contains marker,
// as Ctrl-C at that moment would.
type cancelOn struct {
	mu     sync.Mutex
	buf    strings.Builder
	marker string
	cancel context.CancelFunc
}

func (w *cancelOn) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.marker) {
		w.cancel()
	}
	return len(p), nil
}

func runCancelledOn(t *testing.T, marker string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelOn{marker: marker, cancel: cancel}
	var out strings.Builder
	code := run(ctx, args, &out, w)
	return code, w.buf.String()
}

// Ctrl-C while the report is drawn exits 130 and says how to draw it later; the model is
// written.
func TestTrainSIGINTDuringReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	args := append([]string{"train", "-o", dir}, quickTrain[:len(quickTrain)-1]...) // with the report
	code, stderr := runCancelledOn(t, "report: sampling", args...)
	if code != 130 || !strings.Contains(stderr, "boltz report "+dir) {
		t.Errorf("interrupted report: exit %d: %s", code, stderr)
	}
	if !fileExists(filepath.Join(dir, "model.npz")) {
		t.Error("no model.npz after an interrupted report")
	}
	if code, _, stderr := boltz(t, "report", dir, "-samples", "4", "-sweeps", "1"); code != 0 {
		t.Errorf("report drawn later: exit %d: %s", code, stderr)
	}
}

// The interrupt message and the resume message name the same position in the same words.
func TestInterruptAndResumeCountEpochsAlike(t *testing.T) {
	pos := regexp.MustCompile(`(?:after|in) epoch \d+ of \d+(?: after minibatch \d+)?`)
	for _, marker := range []string{"epoch 2/", "epoch 1/"} {
		dir := filepath.Join(t.TempDir(), "run")
		code, stderr := runCancelledOn(t, marker, append([]string{"train", "-o", dir}, quickTrain...)...)
		if code != 130 {
			t.Fatalf("interrupted run: exit %d: %s", code, stderr)
		}
		stopped := pos.FindString(stderr[strings.Index(stderr, "interrupted"):])
		_, _, resumed := boltz(t, "train", "-resume", dir)
		at := pos.FindString(resumed)
		if stopped == "" || stopped != at {
			t.Errorf("interrupted %q, resumed %q:\n%s\n%s", stopped, at, stderr, resumed)
		}
	}
}
