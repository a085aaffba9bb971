package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/npz"
)

// boltz data export writes every kind of SPEC to .npy and .csv, and both read back with
// data.Load to exactly the matrix the SPEC loads.
func TestDataExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	// Values a short decimal form does not hold exactly: the CSV must keep every bit.
	odd := filepath.Join(dir, "odd.npy")
	var buf bytes.Buffer
	if err := npz.WriteNPY(&buf, &npz.Array{Shape: []int{2, 3}, Data: []float64{1.0 / 3, -0.1, 1e-300, 5e-324, math.MaxFloat64, -2}}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(odd, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{"bas:3", "ising:4:2.0:50", "potts-chain:3:5:20", odd} {
		want, err := data.Load(spec, data.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, ext := range []string{".npy", ".csv"} {
			out := filepath.Join(dir, "out"+ext)
			code, stdout, stderr := boltz(t, "data", "export", spec, "-o", out)
			if code != 0 || !strings.Contains(stdout, "wrote "+out) {
				t.Fatalf("%s to %s: exit %d\n%s%s", spec, ext, code, stdout, stderr)
			}
			got, err := data.Load(out, data.LoadOptions{})
			if err != nil {
				t.Fatalf("%s to %s: %v", spec, ext, err)
			}
			if got.X.Rows != want.X.Rows || got.X.Cols != want.X.Cols {
				t.Fatalf("%s to %s: %d×%d, want %d×%d", spec, ext, got.X.Rows, got.X.Cols, want.X.Rows, want.X.Cols)
			}
			for i, v := range want.X.Data {
				if got.X.Data[i] != v {
					t.Fatalf("%s to %s: value %d is %v, want %v", spec, ext, i, got.X.Data[i], v)
				}
			}
		}
	}
}

func TestDataExportErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"data", "export", "bas:3"}, 2, "-o: an output file"},
		{[]string{"data", "export", "-o", filepath.Join(dir, "x.txt"), "bas:3"}, 2, "must end in .npy or .csv"},
		{[]string{"data", "export", "-o", filepath.Join(dir, "x.npy")}, 2, "one data SPEC"},
		{[]string{"data", "export", "-from", dir, "bas:3", "-o", filepath.Join(dir, "x.npy")}, 2, "flags of data fetch"},
		{[]string{"data", "fetch", "mnist", "-o", filepath.Join(dir, "x.npy")}, 2, "flags of data export"},
		{[]string{"data", "export", "ising:8:0", "-o", filepath.Join(dir, "x.npy")}, 1, "T must be a positive temperature"},
		{[]string{"data", "export", "bas:3", "-o", filepath.Join(dir, "missing", "x.npy")}, 1, "-o:"},
	} {
		code, _, stderr := boltz(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%q: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.msg, stderr)
		}
	}
}

// Spins (±1) and Potts states (0…Q−1) load; boltz train either trains on them (once it has
// spin and Potts units for them) or, with Bernoulli units, refuses them with an error naming
// the row and value, never a crash.
func TestTrainRefusesSpinAndPottsData(t *testing.T) {
	for spec, msg := range map[string]string{
		"ising:4:2.0:20":     "value -1 at column 1 is not a bernoulli state",
		"potts-chain:3:5:20": "is not a bernoulli state",
	} {
		code, _, stderr := boltz(t, "train", "-data", spec, "-o", filepath.Join(t.TempDir(), "run"), "-epochs", "1", "-no-report")
		if code == 0 {
			continue
		}
		if code != 1 || !strings.Contains(stderr, "-data "+spec+": row 1: ") || !strings.Contains(stderr, msg) {
			t.Errorf("train -data %s: exit %d: %s", spec, code, stderr)
		}
	}
}
