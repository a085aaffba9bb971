package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/par"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// evalRun runs boltz with args and returns its exit code, stdout and stderr.
func evalRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// evalModel writes a 9×5 model with W ~ N(0, wStd²) and b, c ~ N(0, 0.25) for bas:3 (9
// visible units) and returns its path.
func evalModel(t *testing.T, wStd float64) string {
	t.Helper()
	m := rbm.New(9, 5)
	r := rng.New(42, 1)
	m.InitNormal(wStd, r)
	for i := range m.B() {
		m.B()[i] = 0.5 * r.NormFloat64()
	}
	for j := range m.C() {
		m.C()[j] = 0.5 * r.NormFloat64()
	}
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := m.Save(path, &rbm.Meta{}); err != nil {
		t.Fatal(err)
	}
	return path
}

func evalJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, stdout, stderr := evalRun(t, append([]string{"eval", "-json"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	return out
}

func num(t *testing.T, out map[string]any, key string) float64 {
	t.Helper()
	v, ok := out[key].(float64)
	if !ok {
		t.Fatalf("key %s is %v, want a number", key, out[key])
	}
	return v
}

var evalKeys = []string{"method", "log_z", "log_z_stderr", "log_z_reverse", "log_z_reverse_stderr",
	"mean_log_likelihood", "mean_log_likelihood_stderr", "mean_log_likelihood_data_stderr",
	"mean_log_likelihood_reverse", "ess", "gap", "trustworthy", "pseudo_log_likelihood", "recon_error",
	"n_rows", "nv", "nh", "runs", "betas", "seed", "precision", "untrustworthy_reason", "gap_noise_floor"}

// -method exact and -method ais agree within a few standard errors, the AIS bracket holds
// the exact value, and the keys are all there.
func TestEvalExactAndAISAgree(t *testing.T) {
	model := evalModel(t, 1)
	ex := evalJSON(t, "-model", model, "-data", "bas:3") // auto: exact for 5 hidden units
	ai := evalJSON(t, "-model", model, "-data", "bas:3", "-method", "ais", "-runs", "100", "-betas", "2000", "-seed", "3")
	for _, out := range []map[string]any{ex, ai} {
		for _, k := range evalKeys {
			if _, ok := out[k]; !ok {
				t.Errorf("%v: key %s missing", out["method"], k)
			}
		}
	}
	if ex["method"] != "exact" || ai["method"] != "ais" {
		t.Fatalf("methods %v and %v", ex["method"], ai["method"])
	}
	if ex["log_z_reverse"] != nil || ex["gap"] != nil || ex["runs"] != nil || ex["trustworthy"] != true {
		t.Errorf("exact: AIS keys should be null: %v", ex)
	}
	if num(t, ex, "log_z_stderr") != 0 || num(t, ex, "n_rows") != 14 {
		t.Errorf("exact: %v", ex)
	}
	exactZ := num(t, ex, "log_z")
	for _, k := range [][2]string{{"log_z", "log_z_stderr"}, {"log_z_reverse", "log_z_reverse_stderr"}} {
		z, se := num(t, ai, k[0]), num(t, ai, k[1])
		if !(se > 0) || math.Abs(z-exactZ) > 4*se {
			t.Errorf("%s = %.5f ± %.5f, exact %.5f", k[0], z, se, exactZ)
		}
	}
	// The log-likelihoods move with log Z; the data terms do not depend on the method.
	if d := num(t, ai, "mean_log_likelihood") - num(t, ex, "mean_log_likelihood"); math.Abs(d+num(t, ai, "log_z")-exactZ) > 1e-9 {
		t.Errorf("mean log-likelihoods differ by %v, log Z by %v", d, num(t, ai, "log_z")-exactZ)
	}
	if d := num(t, ai, "mean_log_likelihood_reverse") + num(t, ai, "log_z_reverse") - num(t, ai, "mean_log_likelihood") - num(t, ai, "log_z"); math.Abs(d) > 1e-9 {
		t.Errorf("reverse log-likelihood inconsistent with reverse log Z: %v", d)
	}
	for _, k := range []string{"pseudo_log_likelihood", "recon_error", "mean_log_likelihood_data_stderr"} {
		if num(t, ai, k) != num(t, ex, k) {
			t.Errorf("%s: %v with ais, %v exact", k, ai[k], ex[k])
		}
	}
	if pll := num(t, ex, "pseudo_log_likelihood"); !(pll < 0 && pll > -9*math.Log(2)*4) {
		t.Errorf("pseudo-log-likelihood %v", pll)
	}
	if num(t, ai, "runs") != 100 || num(t, ai, "betas") != 2000 || ai["trustworthy"] != true {
		t.Errorf("ais: %v", ai)
	}
}

// The same seed gives the same output whatever GOMAXPROCS is.
func TestEvalDeterministic(t *testing.T) {
	model := evalModel(t, 1)
	args := []string{"eval", "-json", "-model", model, "-data", "bas:3", "-method", "ais", "-runs", "50", "-betas", "300", "-seed", "7"}
	var outs []string
	for _, procs := range []int{1, 2} {
		prev := par.SetThreads(procs)
		code, stdout, stderr := evalRun(t, args...)
		runtime.GOMAXPROCS(prev)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		outs = append(outs, stdout)
	}
	if outs[0] != outs[1] {
		t.Errorf("GOMAXPROCS 1 and 2 differ:\n%s\n%s", outs[0], outs[1])
	}
}

// A schedule far too short for strong weights opens a gap, and eval warns about it.
func TestEvalWarnsOnGap(t *testing.T) {
	model := evalModel(t, 3)
	code, stdout, stderr := evalRun(t, "eval", "-model", model, "-data", "bas:3", "-method", "ais", "-runs", "10", "-betas", "2", "-gap", "0.01", "-reverse-start", "data")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "WARNING") || !strings.Contains(stdout, "UNTRUSTWORTHY") {
		t.Errorf("no warning:\nstdout %s\nstderr %s", stdout, stderr)
	}
}

// The trust check fails on both sides, and the text says which: a gap above -gap is a
// bracket too wide, a gap below −3·sqrt(se_fwd² + se_rev²) an inverted one. The numbers are
// faked at the bracket that evalResult.judge reads: standard errors 0.3 and 0.4, so the noise
// floor is −1.5.
func TestEvalJudgesBothSides(t *testing.T) {
	for _, tc := range []struct {
		gap        float64
		trusted    bool
		reason     string
		stdout     string
		stderrWant string
	}{
		{0.4, true, "", "trustworthy", ""},
		{-1.2, true, "", "trustworthy", ""},
		{1.7, false, "gap_too_wide", "UNTRUSTWORTHY (too wide", "too wide"},
		{-1.6, false, "inverted", "UNTRUSTWORTHY (inverted", "inverted"},
		{0.4, false, "low_ess", "UNTRUSTWORTHY (low ESS", "too few runs"},
	} {
		ess := 50.0
		if tc.reason == "low_ess" {
			ess = 1.4
		}
		fwd := ais.Result{LogZ: 10, LogZStderr: 0.3, Runs: 100, ESS: ess}
		rev := ais.Result{LogZ: 10 + tc.gap, LogZStderr: 0.4, Runs: 100, ESS: 50}
		r := &evalResult{Method: "ais", LogZ: fwd.LogZ, LogZStderr: fwd.LogZStderr, gapMax: 1,
			bracket: &ais.Bracket{Forward: fwd, Reverse: rev, Gap: tc.gap}}
		r.LogZReverse, r.LogZReverseSE, r.Gap = &rev.LogZ, &rev.LogZStderr, &tc.gap
		ll := 0.0
		r.MeanLLReverse = &ll
		r.judge()
		if r.Trustworthy != tc.trusted || (r.UntrustworthyReason == nil) != tc.trusted ||
			(!tc.trusted && *r.UntrustworthyReason != tc.reason) || *r.GapNoiseFloor != -1.5 {
			t.Errorf("gap %v: trustworthy %v, reason %v, floor %v; want %v, %q, -1.5",
				tc.gap, r.Trustworthy, r.UntrustworthyReason, *r.GapNoiseFloor, tc.trusted, tc.reason)
			continue
		}
		var stdout, stderr bytes.Buffer
		r.print(&stdout, &evalConfig{model: "m.npz", runs: 100, betas: 10, shape: "murray", gap: 1}, "x")
		if !strings.Contains(stdout.String(), tc.stdout) {
			t.Errorf("gap %v: stdout lacks %q:\n%s", tc.gap, tc.stdout, stdout.String())
		}
		if !tc.trusted {
			warnGap(&stderr, r, "boltz eval")
			if !strings.Contains(stderr.String(), tc.stderrWant) || !strings.Contains(stderr.String(), "WARNING") {
				t.Errorf("gap %v: warning lacks %q:\n%s", tc.gap, tc.stderrWant, stderr.String())
			}
		}
		raw, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		json.Unmarshal(raw, &out)
		if want := any(tc.reason); tc.trusted && out["untrustworthy_reason"] != nil || !tc.trusted && out["untrustworthy_reason"] != want {
			t.Errorf("gap %v: untrustworthy_reason %v in JSON", tc.gap, out["untrustworthy_reason"])
		}
	}
}

func TestEvalText(t *testing.T) {
	model := evalModel(t, 1)
	code, stdout, stderr := evalRun(t, "eval", "-model", model, "-data", "bas:3", "-method", "ais", "-runs", "20", "-betas", "100")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"log Z (forward AIS)", "log Z (reverse AIS)", "gap", "mean log-likelihood", "sampling error", "pseudo-log-likelihood", "reconstruction error"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}
	if !strings.Contains(stderr, "AIS 100%") {
		t.Errorf("no progress on stderr: %q", stderr)
	}
}

func TestEvalBadInput(t *testing.T) {
	model := evalModel(t, 1)
	dir := t.TempDir()
	nanModel := filepath.Join(dir, "nan.npz")
	m := rbm.New(9, 5)
	m.W.Data[3] = math.NaN()
	if err := m.Save(nanModel, &rbm.Meta{}); err != nil {
		t.Fatal(err)
	}
	grey := filepath.Join(dir, "grey.csv")
	if err := os.WriteFile(grey, []byte("0,1,0,1,0,1,0,1,0.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-data", "bas:3"}, 2, "-model"},
		{[]string{"-model", model}, 2, "-data"},
		{[]string{"-model", model, "-data", "bas:3", "-runs", "1"}, 2, "-runs"},
		{[]string{"-model", model, "-data", "bas:3", "-betas", "0"}, 2, "-betas"},
		{[]string{"-model", model, "-data", "bas:3", "-method", "mcmc"}, 2, "-method"},
		{[]string{"-model", model, "-data", "bas:3", "-schedule", "cubic"}, 2, "-schedule"},
		{[]string{"-model", model, "-data", "bas:3", "-gap", "-1"}, 2, "-gap"},
		{[]string{"-model", model, "-data", "bas:4"}, 1, "16 values, the model has 9 visible units"},
		{[]string{"-model", model, "-data", grey}, 1, "-binarize threshold"},
		{[]string{"-model", nanModel, "-data", "bas:3"}, 1, "NaN"},
		{[]string{"-model", filepath.Join(dir, "missing.npz"), "-data", "bas:3"}, 1, "-model"},
	} {
		code, stdout, stderr := evalRun(t, append([]string{"eval"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d mentioning %q", tc.args, code, stderr, stdout, tc.code, tc.want)
		}
		if tc.code == 1 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: want one line on stderr, got %q", tc.args, stderr)
		}
	}
}

// eval's pseudo-log-likelihood, computed in tenths of the rows for its progress lines, is
// the library's mean to rounding, and the same bits for GOMAXPROCS 1 and 2.
func TestEvalPseudoLogLikelihood(t *testing.T) {
	m := rbm.New(30, 20)
	r := rng.New(5, 5)
	m.InitNormal(0.5, r)
	x := matrix.NewDense(97, 30)
	for i := range x.Data {
		x.Data[i] = float64(r.IntN(2))
	}
	var got [2]float64
	for i, procs := range []int{1, 2} {
		prev := par.SetThreads(procs)
		got[i] = pseudoLogLikelihood(io.Discard, m, x)
		runtime.GOMAXPROCS(prev)
	}
	want := m.PseudoLogLikelihoodBatch(x, nil)
	if got[0] != got[1] || math.Abs(got[0]-want) > 1e-12*math.Abs(want) {
		t.Errorf("eval PLL %v (GOMAXPROCS 1), %v (2); library %v", got[0], got[1], want)
	}
}

// writeGrey writes a CSV of n rows of 9 grey values 0.5 to dir/name and returns its path.
func writeGrey(t *testing.T, dir, name string, n int) string {
	t.Helper()
	row := strings.TrimSuffix(strings.Repeat("0.5,", 9), ",") + "\n"
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.Repeat(row, n)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// -binarize stochastic draws from the seed and the data set's name: two data sets get
// independent bits with the same seed, the same data set and seed the same bits, and a
// resumed old run (legacyStream) the seed-only stream it started with.
func TestStochasticBinarizationStreams(t *testing.T) {
	dir := t.TempDir()
	train, test := writeGrey(t, dir, "train.csv", 40), writeGrey(t, dir, "test.csv", 40)
	load := func(d dataFlags, spec string, seed uint64) []float64 {
		ds, err := d.load(spec, seed, &rbm.Bernoulli{}, 9, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		return ds.X.Data
	}
	d := dataFlags{binarize: "stochastic", threshold: 0.5}
	a, b := load(d, train, 1), load(d, test, 1)
	if slices.Equal(a, b) {
		t.Error("train and test files got the same bits with seed 1")
	}
	if !slices.Equal(a, load(d, train, 1)) {
		t.Error("the same spec and seed gave different bits")
	}
	legacy := d
	legacy.legacyStream = true
	want := matrix.NewDense(40, 9)
	for i := range want.Data {
		want.Data[i] = 0.5
	}
	data.BinarizeStochastic(want, rng.New(1, 0xb1a))
	if got := load(legacy, test, 1); !slices.Equal(got, want.Data) || !slices.Equal(load(legacy, train, 1), want.Data) {
		t.Error("legacyStream does not draw from rng.New(seed, 0xb1a)")
	}
}

// In eval the data bits come from -binarize-seed, not from the AIS -seed: changing -seed
// leaves the data measures alone, changing -binarize-seed moves them.
func TestEvalBinarizeSeed(t *testing.T) {
	model := evalModel(t, 1)
	grey := writeGrey(t, t.TempDir(), "grey.csv", 200)
	args := []string{"-model", model, "-data", grey, "-binarize", "stochastic", "-method", "ais", "-runs", "4", "-betas", "20"}
	a := evalJSON(t, append(args, "-seed", "1")...)
	b := evalJSON(t, append(args, "-seed", "2")...)
	c := evalJSON(t, append(args, "-seed", "1", "-binarize-seed", "2")...)
	if a["pseudo_log_likelihood"] != b["pseudo_log_likelihood"] || a["log_z"] == b["log_z"] {
		t.Errorf("-seed 1 and 2: PLL %v, %v (want equal), log Z %v, %v (want different)",
			a["pseudo_log_likelihood"], b["pseudo_log_likelihood"], a["log_z"], b["log_z"])
	}
	if a["pseudo_log_likelihood"] == c["pseudo_log_likelihood"] {
		t.Errorf("-binarize-seed 1 and 2 gave the same PLL %v", a["pseudo_log_likelihood"])
	}
}
