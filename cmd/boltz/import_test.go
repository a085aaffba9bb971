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
	"github.com/boltzgo/boltz/rbm"
)

// A scikit-learn BernoulliRBM's arrays (components_ is nh×nv) load everywhere with one note
// on stderr, and boltz import turns them into a boltz model file with the same parameters.
func TestImportSklearn(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "sk.npz")
	comp := []float64{0.5, -1, 2, 0.25, 0, -0.75} // 2 hidden × 3 visible
	err := npz.WriteFile(in, &npz.Archive{Arrays: map[string]*npz.Array{
		"components_":        {Shape: []int{2, 3}, Data: comp, Dtype: "<f4"},
		"intercept_visible_": {Shape: []int{3}, Data: []float64{0.1, 0.2, 0.3}},
		"intercept_hidden_":  {Shape: []int{2}, Data: []float64{-0.5, 0.5}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := boltz(t, "info", "-model", in)
	if code != 0 || !strings.Contains(stderr, "no meta.json: read as a Bernoulli RBM in the scikit-learn layout") ||
		!strings.Contains(stdout, "3 visible") {
		t.Fatalf("info: exit %d\n%s\n%s", code, stdout, stderr)
	}
	out := filepath.Join(dir, "m.npz")
	if code, _, stderr := boltz(t, "import", "-shape", "1x3", in, "-o", out); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	m, meta, err := rbm.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Layout != "" || meta.ImageShape != [2]int{1, 3} {
		t.Errorf("meta %+v", meta)
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 2; j++ {
			if m.W.At(i, j) != comp[j*3+i] {
				t.Errorf("W[%d,%d] = %v, want components_[%d,%d] = %v", i, j, m.W.At(i, j), j, i, comp[j*3+i])
			}
		}
	}
	if code, _, stderr := boltz(t, "import", in); code != 2 || !strings.Contains(stderr, "-o") {
		t.Errorf("import without -o: exit %d: %s", code, stderr)
	}
}

// boltz features writes E[h|v] of every row, in blocks, as the model's HiddenMeans gives it;
// float32 by default.
func TestFeatures(t *testing.T) {
	model := trainedBAS3(t)
	out := filepath.Join(t.TempDir(), "f.npy")
	if code, _, stderr := boltz(t, "features", "-model", model, "-data", "bas:3", "-block", "5", "-dtype", "float64", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m, _, err := rbm.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	arr, err := npz.ReadNPY(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	x := data.BarsAndStripes(3).X
	if arr.Shape[0] != x.Rows || arr.Shape[1] != m.NH() || arr.Dtype != "<f8" {
		t.Fatalf("shape %v dtype %s", arr.Shape, arr.Dtype)
	}
	for r := 0; r < x.Rows; r++ {
		want := m.HiddenMeans(nil, x.Row(r))
		for j, w := range want {
			if got := arr.Data[r*m.NH()+j]; math.Abs(got-w) > 1e-15 {
				t.Fatalf("row %d unit %d: %v, want %v", r, j, got, w)
			}
		}
	}
	out32 := filepath.Join(t.TempDir(), "f32.npy")
	if code, _, stderr := boltz(t, "features", "-model", model, "-data", "bas:3", "-o", out32); code != 0 {
		t.Fatalf("float32: exit %d: %s", code, stderr)
	}
	if code, _, _ := boltz(t, "features", "-model", model, "-data", "bas:3", "-dtype", "int", "-o", out32); code != 2 {
		t.Errorf("-dtype int: exit %d, want 2", code)
	}
}

// boltz sample starts Gibbs chains from the training data's pixel means when the model
// records them; -start data refuses a model without them.
func TestSampleStart(t *testing.T) {
	model := trainedBAS3(t)
	out := filepath.Join(t.TempDir(), "s.npy")
	for _, start := range []string{"auto", "data", "uniform"} {
		if code, _, stderr := boltz(t, "sample", "-model", model, "-n", "3", "-steps", "2", "-start", start, "-o", out); code != 0 {
			t.Errorf("-start %s: exit %d: %s", start, code, stderr)
		}
	}
	plain := filepath.Join(t.TempDir(), "plain.npz")
	m, _, err := rbm.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Save(plain, nil); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := boltz(t, "sample", "-model", plain, "-n", "3", "-start", "data", "-o", out); code != 2 || !strings.Contains(stderr, "data_mean") {
		t.Errorf("-start data without data_mean: exit %d: %s", code, stderr)
	}
	if code, _, _ := boltz(t, "sample", "-model", model, "-start", "bogus", "-o", out); code != 2 {
		t.Errorf("-start bogus: exit %d, want 2", code)
	}
}
