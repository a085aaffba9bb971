package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/npz"
)

// eval -precision: auto is float32 for a Bernoulli model and says so under "precision"; an
// explicit float32 gives the same numbers; float64 gives the reference path's, which
// agree with float32's within their standard errors; exact reports no precision; a bad
// value is a usage error naming the flag.
func TestEvalPrecision(t *testing.T) {
	model := evalModel(t, 1)
	args := []string{"-model", model, "-data", "bas:3", "-method", "ais", "-runs", "50", "-betas", "500", "-seed", "3"}
	auto := evalJSON(t, args...)
	f32 := evalJSON(t, append(args, "-precision", "float32")...)
	f64 := evalJSON(t, append(args, "-precision", "float64")...)
	if auto["precision"] != "float32" || f32["precision"] != "float32" || f64["precision"] != "float64" {
		t.Fatalf("precision: auto %v, float32 %v, float64 %v", auto["precision"], f32["precision"], f64["precision"])
	}
	if num(t, auto, "log_z") != num(t, f32, "log_z") || num(t, auto, "log_z_reverse") != num(t, f32, "log_z_reverse") {
		t.Errorf("auto and float32 differ: %v vs %v", auto["log_z"], f32["log_z"])
	}
	if num(t, f32, "log_z") == num(t, f64, "log_z") {
		t.Errorf("float32 and float64 gave the same log Z %v: the option is not passed on", f64["log_z"])
	}
	for _, k := range [][2]string{{"log_z", "log_z_stderr"}, {"log_z_reverse", "log_z_reverse_stderr"}} {
		d := math.Abs(num(t, f32, k[0]) - num(t, f64, k[0]))
		if se := math.Hypot(num(t, f32, k[1]), num(t, f64, k[1])); !(d <= 4*se) {
			t.Errorf("%s: float32 and float64 differ by %.4f, 4σ = %.4f", k[0], d, 4*se)
		}
	}
	if ex := evalJSON(t, "-model", model, "-data", "bas:3"); ex["precision"] != nil {
		t.Errorf("exact: precision %v, want null", ex["precision"])
	}
	code, _, stderr := evalRun(t, append([]string{"eval"}, append(args, "-precision", "half")...)...)
	if code != 2 || !strings.Contains(stderr, "-precision") {
		t.Errorf("-precision half: exit %d, %q", code, stderr)
	}
}

// sample -precision: float32 and float64 write binary states of the right shape, the
// chains follow each other (same uniforms from the same streams), and a bad value is a
// usage error.
func TestSamplePrecision(t *testing.T) {
	model := trainedBAS3(t)
	dir := t.TempDir()
	states := map[string][]float64{}
	for _, p := range []string{"float32", "float64"} {
		out := filepath.Join(dir, p+".npy")
		if code, _, stderr := boltz(t, "sample", "-model", model, "-n", "200", "-steps", "1", "-precision", p, "-o", out); code != 0 {
			t.Fatal(stderr)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		a, err := npz.ReadNPY(f)
		f.Close()
		if err != nil || len(a.Shape) != 2 || a.Shape[0] != 200 {
			t.Fatalf("%s: %v, shape %v", p, err, a)
		}
		states[p] = a.Data
	}
	var diff int
	for i, x := range states["float32"] {
		if x != 0 && x != 1 {
			t.Fatalf("state %v is not binary", x)
		}
		if x != states["float64"][i] {
			diff++
		}
	}
	if diff*100 > len(states["float32"]) {
		t.Errorf("%d of %d units differ after one sweep from the same start", diff, len(states["float32"]))
	}
	code, _, stderr := boltz(t, "sample", "-model", model, "-precision", "f16", "-o", filepath.Join(dir, "x.npy"))
	if code != 2 || !strings.Contains(stderr, "-precision") {
		t.Errorf("-precision f16: exit %d, %q", code, stderr)
	}
}
