package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/rbm"
)

// realCSV writes 60 rows of 4 real values in two clusters far from 0 and 1 (grey levels a
// Bernoulli layer refuses).
func realCSV(t *testing.T) string {
	t.Helper()
	r := rng.New(12, 12)
	var b strings.Builder
	for k := range 60 {
		s := float64(2*(k%2) - 1)
		for j, c := range []float64{1, 1, -1, 0.5} {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%.4f", 5+3*s*c+0.5*r.NormFloat64())
		}
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "real.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// boltz train -visible-units gaussian -scale standard trains on real values with each hidden
// unit type, records the standardisation in the model, and boltz eval (AIS for two continuous
// layers, exact with Bernoulli hidden units) and boltz sample read it back: samples come out
// in pixel space, near the data's range rather than the standardised one.
func TestTrainGaussianEndToEnd(t *testing.T) {
	csv := realCSV(t)
	for _, hid := range []string{"bernoulli", "relu", "drelu"} {
		dir := filepath.Join(t.TempDir(), hid)
		code, _, stderr := boltz(t, "train", "-data", csv, "-visible-units", "gaussian", "-hidden-units", hid,
			"-hidden", "3", "-epochs", "5", "-method", "cd", "-optimizer", "adam", "-lr", "0.01", "-scale", "standard",
			"-no-report", "-o", dir)
		if code != 0 {
			t.Fatalf("%s: train exit %d: %s", hid, code, stderr)
		}
		model := filepath.Join(dir, "model.npz")
		m, meta, err := rbm.Load(model)
		if err != nil {
			t.Fatal(err)
		}
		if m.Visible.Name() != "gaussian" || m.Hidden.Name() != hid || len(meta.PixelMean) != 4 || !(meta.PixelMean[0] > 1) {
			t.Fatalf("%s: model %s–%s, pixel mean %v", hid, m.Visible.Name(), m.Hidden.Name(), meta.PixelMean)
		}
		args := []string{"eval", "-json", "-model", model, "-data", csv, "-runs", "8", "-betas", "200"}
		code, stdout, stderr := boltz(t, args...)
		if code != 0 {
			t.Fatalf("%s: eval exit %d: %s", hid, code, stderr)
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("%s: eval -json: %v\n%s", hid, err, stdout)
		}
		if ll, ok := res["mean_log_likelihood"].(float64); !ok || math.IsNaN(ll) || res["pseudo_log_likelihood"] != nil {
			t.Errorf("%s: eval result %v", hid, res)
		}
		out := filepath.Join(t.TempDir(), "s.npy")
		if code, _, stderr := boltz(t, "sample", "-model", model, "-n", "4", "-steps", "20", "-o", out); code != 0 {
			t.Fatalf("%s: sample exit %d: %s", hid, code, stderr)
		}
	}
}

// -scale standard is refused for binary visible units.
func TestScaleRefusedForBernoulli(t *testing.T) {
	code, _, stderr := boltz(t, "train", "-data", "bas:3", "-scale", "standard", "-o", filepath.Join(t.TempDir(), "r"))
	if code != 2 || !strings.Contains(stderr, "-scale") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// boltz gradcheck checks every parameter of random models of each unit type, and refuses a
// Gaussian hidden layer with a usage error.
func TestGradcheckUnitTypes(t *testing.T) {
	for _, args := range [][]string{
		{"-visible-units", "gaussian", "-nv", "3", "-nh", "4"},
		{"-visible-units", "gaussian:fixed", "-nv", "3", "-nh", "4"},
		{"-hidden-units", "relu", "-nv", "4", "-nh", "3"},
		{"-hidden-units", "drelu", "-nv", "4", "-nh", "3"},
	} {
		code, stdout, stderr := boltz(t, append([]string{"gradcheck"}, args...)...)
		if code != 0 || !strings.Contains(stdout, "passed") {
			t.Errorf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	if code, _, stderr := boltz(t, "gradcheck", "-hidden-units", "gaussian"); code != 2 {
		t.Errorf("gaussian hidden units: exit %d: %s", code, stderr)
	}
}
