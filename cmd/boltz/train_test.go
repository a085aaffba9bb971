package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/train"
)

// boltz runs the command in-process and returns its exit code, stdout and stderr.
func boltz(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// quickTrain is a small run with a constant learning rate, so that a run extended by -resume
// -epochs equals a longer run from the start (under the default linear schedule the rate
// depends on the total number of epochs).
var quickTrain = []string{"-data", "bas:3", "-hidden", "4", "-epochs", "3", "-batch", "7", "-lr", "0.05", "-lr-schedule", "constant", "-no-report"}

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
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("interrupted run: exit %d, want 130", code)
	}
	if _, err := os.Stat(filepath.Join(cut, "model.npz")); err == nil {
		t.Error("an interrupted run wrote model.npz")
	}
	if _, _, err := rbm.Load(filepath.Join(cut, "checkpoint.npz")); err != nil {
		t.Fatalf("checkpoint after SIGINT does not load as a model: %v", err)
	}
	out, err := exec.Command(bin, "train", "-resume", cut).CombinedOutput()
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	pos := regexp.MustCompile(`(?:after|in) epoch \d+ of \d+(?: after minibatch \d+)?`)
	if stopped, at := pos.FindString(stderr.String()), pos.FindString(string(out)); stopped == "" || stopped != at {
		t.Errorf("interrupted %q, resumed %q: the messages count differently", stopped, at)
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

// greyCSV writes 48 rows of 9 grey values in [0, 1] (a fixed pseudo-random table) and
// returns its path.
func greyCSV(t *testing.T) string {
	t.Helper()
	r := rng.New(11, 11)
	var b strings.Builder
	for range 48 {
		for j := range 9 {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%.3f", r.Float64())
		}
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "grey.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// -binarize dynamic: the same seed gives the same model bit for bit, the run differs from
// -binarize stochastic (one fixed draw), 3 epochs resumed to 5 equal 5 epochs, run.json
// records the mode, and values outside [0, 1] are refused.
func TestTrainBinarizeDynamic(t *testing.T) {
	grey := greyCSV(t)
	dir := t.TempDir()
	args := []string{"train", "-data", grey, "-hidden", "4", "-batch", "8", "-lr", "0.05", "-lr-schedule", "constant", "-no-report", "-seed", "3"}
	trainTo := func(name, mode string, epochs string) string {
		out := filepath.Join(dir, name)
		if code, _, stderr := boltz(t, append(args, "-binarize", mode, "-epochs", epochs, "-o", out)...); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		return out
	}
	a, b := trainTo("a", "dynamic", "5"), trainTo("b", "dynamic", "5")
	if !sameFile(t, filepath.Join(a, "model.npz"), filepath.Join(b, "model.npz")) {
		t.Error("two dynamic runs with the same seed differ")
	}
	s := trainTo("s", "stochastic", "5")
	if sameFile(t, filepath.Join(a, "model.npz"), filepath.Join(s, "model.npz")) {
		t.Error("dynamic and stochastic runs are the same")
	}
	c := trainTo("c", "dynamic", "3")
	if code, _, stderr := boltz(t, "train", "-resume", c, "-epochs", "5"); code != 0 {
		t.Fatalf("resume: %s", stderr)
	}
	if !sameFile(t, filepath.Join(a, "model.npz"), filepath.Join(c, "model.npz")) {
		t.Error("3 dynamic epochs resumed to 5 differ from 5 epochs")
	}
	var info runInfo
	raw, _ := os.ReadFile(filepath.Join(a, "run.json"))
	if err := json.Unmarshal(raw, &info); err != nil || info.Binarize != "dynamic" || info.BinarizeStream != "seed+spec" {
		t.Errorf("run.json: binarize %q, binarize_stream %q (%v)", info.Binarize, info.BinarizeStream, err)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("0,0.5,1.5\n0,0,0\n"), 0o644)
	code, _, stderr := boltz(t, "train", "-data", bad, "-binarize", "dynamic", "-hidden", "2", "-batch", "1", "-no-report", "-o", filepath.Join(dir, "bad"))
	if code != 1 || !strings.Contains(stderr, "outside [0, 1]") {
		t.Errorf("value 1.5 under dynamic: exit %d, %s", code, stderr)
	}
}

// Commands that measure a fixed data set refuse -binarize dynamic with a usage error.
func TestBinarizeDynamicRefusedOutsideTrain(t *testing.T) {
	code, _, stderr := boltz(t, "eval", "-model", "m.npz", "-data", "bas:3", "-binarize", "dynamic")
	if code != 2 || !strings.Contains(stderr, "-binarize") || !strings.Contains(stderr, "train only") {
		t.Errorf("eval -binarize dynamic: exit %d, %s", code, stderr)
	}
}

// The dynamic hook draws a fresh binary minibatch from the grey rows: the same (epoch,
// minibatch) gives the same bits, another epoch other bits; and a trainer interrupted in the
// middle of an epoch, checkpointed and resumed ends bit-identical to an uninterrupted one.
func TestDynamicBinarizerResumesMidEpoch(t *testing.T) {
	d := dataFlags{binarize: "dynamic", threshold: 0.5, allowDynamic: true}
	ds, _, err := loadTrainData(&env{stderr: io.Discard}, &d, greyCSV(t), 5, "")
	if err != nil {
		t.Fatal(err)
	}
	prep := dynamicBinarizer(d.grey, 5)
	rows := []int{3, 1, 4, 1, 5}
	x, y, z := matrix.NewDense(5, 9), matrix.NewDense(5, 9), matrix.NewDense(5, 9)
	prep(x, rows, 2, 1)
	prep(y, rows, 2, 1)
	prep(z, rows, 3, 1)
	if _, _, ok := data.IsBinary(x); !ok || !slices.Equal(x.Data, y.Data) || slices.Equal(x.Data, z.Data) {
		t.Errorf("draws: binary %v, same (epoch, index) equal %v, other epoch equal %v",
			ok, slices.Equal(x.Data, y.Data), slices.Equal(x.Data, z.Data))
	}

	cfg := train.Defaults()
	cfg.Hidden, cfg.Epochs, cfg.Batch, cfg.Method, cfg.ExactMonitor = 4, 3, 8, "pcd", 0
	opts := train.Options{Prepare: prep}
	full, err := train.New(cfg, d.grey)
	if err != nil {
		t.Fatal(err)
	}
	if err := full.Run(context.Background(), ds.X, opts); err != nil {
		t.Fatal(err)
	}
	cut, _ := train.New(cfg, d.grey)
	ctx, cancel := context.WithCancel(context.Background())
	opts.OnBatch = func(t *train.Trainer, _ int) {
		if t.Epoch == 1 && t.Batch == 3 {
			cancel()
		}
	}
	if err := cut.Run(ctx, ds.X, opts); !errors.Is(err, train.ErrInterrupted) {
		t.Fatalf("interrupted run: %v", err)
	}
	path := filepath.Join(t.TempDir(), "checkpoint.npz")
	if err := cut.SaveCheckpoint(path, &rbm.Meta{}); err != nil {
		t.Fatal(err)
	}
	resumed, _, err := train.LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	opts.OnBatch = nil
	if err := resumed.Run(context.Background(), ds.X, opts); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(full.Model.W.Data, resumed.Model.W.Data) || !slices.Equal(full.Model.B(), resumed.Model.B()) {
		t.Error("interrupted at epoch 2, minibatch 3 and resumed differs from the uninterrupted run")
	}
}

// TestTrainPrecisionAuto checks that -precision auto (the default) records float32 for the
// configurations the float32 path covers and float64 for the others, and that an explicit
// float32 where it does not apply is a usage error.
func TestTrainPrecisionAuto(t *testing.T) {
	cases := []struct {
		extra []string
		want  string
	}{
		{nil, "float32"},
		{[]string{"-method", "cd"}, "float32"},
		{[]string{"-method", "pt", "-replicas", "3"}, "float64"},
		{[]string{"-optimizer", "adam"}, "float32"},
		{[]string{"-visible-units", "gaussian"}, "float32"},
		{[]string{"-visible-units", "gaussian:fixed", "-optimizer", "sgd"}, "float32"},
		{[]string{"-visible-units", "gaussian", "-l1", "0.001"}, "float64"},
		{[]string{"-l1", "0.001"}, "float64"},
		{[]string{"-precision", "float64"}, "float64"},
	}
	for _, c := range cases {
		dir := filepath.Join(t.TempDir(), "run")
		args := append(append([]string{"train", "-o", dir}, quickTrain...), c.extra...)
		if code, _, stderr := boltz(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.extra, code, stderr)
		}
		raw, err := os.ReadFile(filepath.Join(dir, "run.json"))
		if err != nil {
			t.Fatal(err)
		}
		var info struct {
			Config struct {
				Precision string `json:"precision"`
			} `json:"config"`
		}
		if err := json.Unmarshal(raw, &info); err != nil {
			t.Fatal(err)
		}
		if info.Config.Precision != c.want {
			t.Errorf("%v: run.json precision %q, want %q", c.extra, info.Config.Precision, c.want)
		}
	}
	dir := filepath.Join(t.TempDir(), "run")
	code, _, stderr := boltz(t, append(append([]string{"train", "-o", dir}, quickTrain...), "-method", "fpcd", "-precision", "float32")...)
	if code != 2 || !strings.Contains(stderr, "-precision") {
		t.Errorf("fpcd with -precision float32: exit %d, stderr %q; want a usage error naming -precision", code, stderr)
	}
}
