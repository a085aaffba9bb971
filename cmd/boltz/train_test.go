package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/boltzgo/boltz/rbm"
)

// boltz runs the command in-process and returns its exit code, stdout and stderr.
func boltz(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

var quickTrain = []string{"-data", "bas:3", "-hidden", "4", "-epochs", "3", "-batch", "7", "-lr", "0.05", "-no-report"}

func TestTrainWritesRunDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := boltz(t, append([]string{"train", "-json", "-o", dir}, quickTrain...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("-json output: %v\n%s", err, stdout)
	}
	if sum["epochs"] != float64(3) || sum["final"] == nil {
		t.Errorf("summary = %v", sum)
	}
	for _, f := range []string{"model.npz", "checkpoint.npz", "run.json", "metrics.jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	lines := readLines(t, filepath.Join(dir, "metrics.jsonl"))
	if len(lines) != 3 {
		t.Fatalf("metrics.jsonl has %d lines, want 3", len(lines))
	}
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"epoch", "recon_error", "pseudo_log_likelihood", "log_likelihood", "grad_cosine"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d has no %s", i+1, k)
			}
		}
	}
	var info map[string]any
	raw, _ := os.ReadFile(filepath.Join(dir, "run.json"))
	if err := json.Unmarshal(raw, &info); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "data", "seed", "config", "nv", "nh"} {
		if _, ok := info[k]; !ok {
			t.Errorf("run.json has no %s", k)
		}
	}
	m, meta, err := rbm.Load(filepath.Join(dir, "model.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if m.NV() != 9 || m.NH() != 4 || meta.Data != "bas:3" || len(meta.Training) == 0 {
		t.Errorf("model %d×%d, meta %+v", m.NV(), m.NH(), meta)
	}
	// An existing directory is refused without -force, accepted with it.
	if code, _, stderr := boltz(t, append([]string{"train", "-o", dir}, quickTrain...)...); code != 1 || !strings.Contains(stderr, "exists") {
		t.Errorf("rerun into an existing directory: exit %d, %s", code, stderr)
	}
	if code, _, stderr := boltz(t, append([]string{"train", "-force", "-o", dir}, quickTrain...)...); code != 0 {
		t.Errorf("-force: exit %d, %s", code, stderr)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

func TestTrainRefusesBadConfiguration(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "grey.csv")
	os.WriteFile(csv, []byte("0,1,0.5\n1,0,1\n"), 0o644)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-k", "0"}, 2, "boltz train -k: must be at least 1, got 0"},
		{[]string{"-lr", "-1"}, 2, "-lr: must be positive and finite, got -1"},
		{[]string{"-batch", "100"}, 2, "-batch: must be at most the 14 rows of the training data, got 100"},
		{[]string{"-method", "magic"}, 2, "-method: must be one of exact, cd, pcd, fpcd, pt"},
		{[]string{"-binarize", "maybe"}, 2, "-binarize"},
		{[]string{"-data", csv}, 1, "is not a bernoulli state"},
		{[]string{"-data", filepath.Join(dir, "missing.csv")}, 1, "-data"},
		{[]string{"-data", "nonsense:3"}, 1, "-data nonsense:3"},
	}
	for _, c := range cases {
		args := append([]string{"train", "-o", filepath.Join(dir, "out")}, quickTrain...)
		args = append(args, c.args...)
		code, _, stderr := boltz(t, args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, c.code, c.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "out", "model.npz")); err == nil {
			t.Fatalf("%v: a refused run wrote a model", c.args)
		}
	}
	if code, _, stderr := boltz(t, "train", "-resume", filepath.Join(dir, "nowhere")); code != 1 || !strings.Contains(stderr, "-resume") {
		t.Errorf("-resume of a missing directory: exit %d, %s", code, stderr)
	}
}

// A finished run extended with -resume -epochs E equals a run of E epochs from the start.
func TestTrainResumeExtends(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if code, _, stderr := boltz(t, append([]string{"train", "-o", a}, quickTrain...)...); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := boltz(t, "train", "-resume", a, "-epochs", "5"); code != 0 {
		t.Fatal(stderr)
	}
	args := append([]string{"train", "-o", b}, quickTrain...)
	if code, _, stderr := boltz(t, append(args, "-epochs", "5")...); code != 0 {
		t.Fatal(stderr)
	}
	if !sameFile(t, filepath.Join(a, "model.npz"), filepath.Join(b, "model.npz")) {
		t.Fatal("3 epochs then -resume to 5 differs from 5 epochs")
	}
	if n := len(readLines(t, filepath.Join(a, "metrics.jsonl"))); n != 5 {
		t.Errorf("metrics.jsonl has %d lines after resuming to 5 epochs", n)
	}
	if code, _, stderr := boltz(t, "train", "-resume", a, "-lr", "1"); code != 2 || !strings.Contains(stderr, "-lr") {
		t.Errorf("-resume with -lr: exit %d, %s", code, stderr)
	}
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}

// buildBoltz compiles the command once per test binary run.
func buildBoltz(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "boltz")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// SIGINT stops a run at the end of a minibatch with a loadable checkpoint, and the resumed
// run ends byte-identical to an uninterrupted one.
func TestTrainSIGINTAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBoltz(t)
	dir := t.TempDir()
	args := []string{"train", "-data", "bas:4", "-hidden", "16", "-method", "pcd", "-epochs", "300", "-batch", "10",
		"-exact-monitor", "0", "-no-report"}
	full := filepath.Join(dir, "full")
	if out, err := exec.Command(bin, append(args, "-o", full)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	cut := filepath.Join(dir, "cut")
	cmd := exec.Command(bin, append(args, "-o", cut)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the run is under way: after its first checkpoint.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(cut, "checkpoint.npz")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint after 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(37 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Skipf("the run ended before the signal took effect (err %v): %s", err, stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("interrupted run: exit %d, want 1", code)
	}
	if _, err := os.Stat(filepath.Join(cut, "model.npz")); err == nil {
		t.Error("an interrupted run wrote model.npz")
	}
	if _, _, err := rbm.Load(filepath.Join(cut, "checkpoint.npz")); err != nil {
		t.Fatalf("checkpoint after SIGINT does not load as a model: %v", err)
	}
	if out, err := exec.Command(bin, "train", "-resume", cut).CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	if !sameFile(t, filepath.Join(full, "model.npz"), filepath.Join(cut, "model.npz")) {
		t.Fatal("interrupted and resumed run differs from the uninterrupted one")
	}
	if a, b := readLines(t, filepath.Join(full, "metrics.jsonl")), readLines(t, filepath.Join(cut, "metrics.jsonl")); len(a) != len(b) {
		t.Errorf("metrics.jsonl: %d lines uninterrupted, %d resumed", len(a), len(b))
	}
}

// numpy opens model.npz with the right shapes (skipped where python3 has no numpy; CI
// installs it).
func TestNumpyLoadsModel(t *testing.T) {
	py := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import numpy").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		t.Skip("python3 with numpy not installed")
	}
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := boltz(t, append([]string{"train", "-o", dir}, quickTrain...)...); code != 0 {
		t.Fatal(stderr)
	}
	script := `import numpy as np, json, sys
z = np.load(sys.argv[1])
meta = json.loads(bytes(z["meta.json"]).decode())
print(z["W"].shape, z["b"].shape, z["c"].shape, z["W"].dtype, meta["nv"], meta["nh"])`
	out, err := exec.Command(py, "-c", script, filepath.Join(dir, "model.npz")).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "(9, 4) (9,) (4,) float64 9 4" {
		t.Fatalf("numpy saw %q", got)
	}
}
