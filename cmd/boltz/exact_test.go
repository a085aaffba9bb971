package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/rbm"
)

// runCmd runs boltz with args and returns its exit code, stdout and stderr.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// saveTestModel writes a random nv×nh Bernoulli model to a temporary file and returns its path.
func saveTestModel(t *testing.T, nv, nh int, std float64) string {
	t.Helper()
	m := rbm.New(nv, nh)
	r := rand.New(rand.NewPCG(uint64(nv), uint64(nh)))
	m.InitNormal(std, r)
	for i := range m.B() {
		m.B()[i] = std * r.NormFloat64()
	}
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := m.Save(path, &rbm.Meta{}); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeTestFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExactJSON(t *testing.T) {
	model := saveTestModel(t, 9, 5, 0.5)
	code, stdout, stderr := runCmd(t, "exact", "-model", model, "-data", "bas:3", "-json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var out map[string]float64
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("stdout is not one JSON object of numbers: %v\n%s", err, stdout)
	}
	for _, k := range []string{"log_z", "mean_log_likelihood", "kl_data_model", "total_variation",
		"model_entropy", "data_entropy", "n_rows", "nv", "nh"} {
		if _, ok := out[k]; !ok {
			t.Errorf("key %s missing from %s", k, stdout)
		}
	}
	if out["nv"] != 9 || out["nh"] != 5 || out["n_rows"] != 14 {
		t.Errorf("shape keys: %v", out)
	}
	// bas:3 has 14 distinct patterns: H(data) = log 14, and KL = −H − mean log-likelihood.
	if math.Abs(out["data_entropy"]-math.Log(14)) > 1e-12 {
		t.Errorf("data entropy %v, want log 14", out["data_entropy"])
	}
	if kl := -out["data_entropy"] - out["mean_log_likelihood"]; math.Abs(out["kl_data_model"]-kl) > 1e-12 || kl < 0 {
		t.Errorf("KL %v, want %v ≥ 0", out["kl_data_model"], kl)
	}
	if tv := out["total_variation"]; !(tv > 0 && tv <= 1) {
		t.Errorf("total variation %v outside (0, 1]", tv)
	}
	if h := out["model_entropy"]; !(h > 0 && h <= 9*math.Ln2) {
		t.Errorf("model entropy %v outside (0, 9 log 2]", h)
	}
}

func TestExactTable(t *testing.T) {
	model := saveTestModel(t, 9, 5, 0.5)
	code, stdout, stderr := runCmd(t, "exact", "-model", model, "-data", "bas:3")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, s := range []string{"log Z:", "mean log-likelihood:", "KL(data‖model):", "total variation:", "model entropy:", "data entropy:"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}
}

// A model with too many visible units for the entropy still gets log Z and TV; the entropy
// is n/a and left out of the JSON.
func TestExactEntropyNotEnumerable(t *testing.T) {
	model := saveTestModel(t, 40, 3, 0.1)
	code, stdout, stderr := runCmd(t, "exact", "-model", model)
	if code != 0 || !strings.Contains(stdout, "n/a (nv too large)") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runCmd(t, "exact", "-model", model, "-json")
	var out map[string]any
	if err := json.Unmarshal([]byte(stdout), &out); code != 0 || err != nil {
		t.Fatalf("exit %d, %v", code, err)
	}
	if _, ok := out["model_entropy"]; ok {
		t.Errorf("model_entropy present: %s", stdout)
	}
}

func TestExactBadInput(t *testing.T) {
	model := saveTestModel(t, 3, 2, 0.5)
	big := saveTestModel(t, 36, 34, 0.01)
	corrupt := writeTestFile(t, "bad.npz", "this is not a zip file")
	grey := writeTestFile(t, "x.csv", "0,1,1\n1,0,0\n0,1,0.5\n")
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no model", []string{"exact"}, 2, "-model: a model file is required"},
		{"missing model", []string{"exact", "-model", filepath.Join(t.TempDir(), "none.npz")}, 1, "boltz exact: -model:"},
		{"corrupt model", []string{"exact", "-model", corrupt}, 1, "boltz exact: -model:"},
		{"width mismatch", []string{"exact", "-model", model, "-data", "bas:2"}, 1, "rows have 4 values, the model has 3 visible units"},
		{"grey value", []string{"exact", "-model", model, "-data", grey}, 1,
			"row 3: value 0.5 at column 3 is not a bernoulli state (want 0 or 1)"},
		{"too large", []string{"exact", "-model", big}, 1,
			"enumeration of 2^34 states exceeds the limit of 2^32 states"},
		{"bad max-states", []string{"exact", "-model", model, "-max-states", "0"}, 2, "-max-states: must be at least 1"},
		{"unknown data", []string{"exact", "-model", model, "-data", "nope"}, 1, "-data nope:"},
		{"argument", []string{"exact", "-model", model, "extra"}, 2, "takes no arguments"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, c.code, c.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
				t.Errorf("stderr has more than the error and usage lines: %q", stderr)
			}
		})
	}
}

func TestExactHelp(t *testing.T) {
	code, stdout, _ := runCmd(t, "help", "exact")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, flag := range []string{"-model", "-data", "-json", "-max-states"} {
		if !strings.Contains(stdout, flag) {
			t.Errorf("help lacks %s", flag)
		}
	}
}
