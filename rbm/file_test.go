package rbm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/npz"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	m := randomModel(5, 3, 1, 4)
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := m.Save(path, &Meta{Data: "bas:2", ImageShape: [2]int{1, 5}}); err != nil {
		t.Fatal(err)
	}
	got, meta, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Data != "bas:2" || meta.NV != 5 || meta.NH != 3 || meta.Visible != "bernoulli" || meta.Version != FormatVersion {
		t.Fatalf("meta = %+v", meta)
	}
	for k, p := range [][2][]float64{{m.W.Data, got.W.Data}, {m.B(), got.B()}, {m.C(), got.C()}} {
		for i := range p[0] {
			if p[0][i] != p[1][i] {
				t.Fatalf("block %d element %d: saved %v loaded %v", k, i, p[0][i], p[1][i])
			}
		}
	}
}

// Every way a model file can be wrong gives an error that says which.
func TestLoadRejects(t *testing.T) {
	m := randomModel(4, 2, 1, 5)
	cases := []struct {
		name   string
		mutate func(a *npz.Archive)
		want   string
	}{
		{"missing W", func(a *npz.Archive) { delete(a.Arrays, "W") }, "missing array W"},
		{"wrong shape", func(a *npz.Archive) { a.Arrays["c"] = &npz.Array{Shape: []int{3}, Data: make([]float64, 3)} }, "array c"},
		{"wrong dtype", func(a *npz.Archive) { a.Arrays["b"].Dtype = "<f4" }, "dtype"},
		{"unknown version", func(a *npz.Archive) {
			a.Files["meta.json"] = []byte(strings.Replace(string(a.Files["meta.json"]), `"version": 1`, `"version": 99`, 1))
		}, "unknown format version 99"},
		{"no meta, no W", func(a *npz.Archive) { delete(a.Files, "meta.json"); delete(a.Arrays, "W") }, "missing meta.json"},
		{"no meta, b wrong", func(a *npz.Archive) {
			delete(a.Files, "meta.json")
			a.Arrays["b"] = &npz.Array{Shape: []int{3}, Data: make([]float64, 3)}
		}, "array b"},
		{"no meta, int W", func(a *npz.Archive) {
			delete(a.Files, "meta.json")
			a.Arrays["W"] = &npz.Array{Shape: []int{4, 2}, Data: make([]float64, 8), Dtype: "<i8"}
		}, "dtype"},
		{"unit type", func(a *npz.Archive) {
			a.Files["meta.json"] = []byte(strings.Replace(string(a.Files["meta.json"]), `"hidden": "bernoulli"`, `"hidden": "gaussian-x"`, 1))
		}, "unknown unit type"},
		{"NaN", func(a *npz.Archive) { a.Arrays["W"].Data[0] = nan() }, "NaN or Inf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := m.Clone().Archive(nil)
			if err != nil {
				t.Fatal(err)
			}
			c.mutate(a)
			path := filepath.Join(t.TempDir(), "m.npz")
			if err := npz.WriteFile(path, a); err != nil {
				t.Fatal(err)
			}
			_, _, err = Load(path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load: %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestLoadCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := os.WriteFile(path, []byte("PK\x03\x04 not really a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(path); err == nil {
		t.Fatal("Load of a corrupt file succeeded")
	}
	if _, _, err := Load(filepath.Join(t.TempDir(), "missing.npz")); err == nil {
		t.Fatal("Load of a missing file succeeded")
	}
}

// A plain numpy archive of W, b, c (float64 or float32) and a scikit-learn BernoulliRBM's
// attributes load as the same Bernoulli model; the Meta says which layout was read.
func TestLoadPlainLayouts(t *testing.T) {
	m := randomModel(5, 3, 1, 7)
	wt := make([]float64, 15) // components_ = Wᵀ, 3×5
	for i := 0; i < 5; i++ {
		for j := 0; j < 3; j++ {
			wt[j*5+i] = m.W.Data[i*3+j]
		}
	}
	for _, tc := range []struct {
		name   string
		arrays map[string]*npz.Array
		layout string
	}{
		{"numpy", map[string]*npz.Array{"W": {Shape: []int{5, 3}, Data: m.W.Data}, "b": {Shape: []int{5}, Data: m.B()},
			"c": {Shape: []int{3}, Data: m.C()}}, LayoutNumpy},
		{"sklearn", map[string]*npz.Array{"components_": {Shape: []int{3, 5}, Data: wt},
			"intercept_visible_": {Shape: []int{5}, Data: m.B()}, "intercept_hidden_": {Shape: []int{3}, Data: m.C()}}, LayoutSklearn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p.npz")
			if err := npz.WriteFile(path, &npz.Archive{Arrays: tc.arrays}); err != nil {
				t.Fatal(err)
			}
			got, meta, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if meta.Layout != tc.layout || meta.NV != 5 || meta.NH != 3 || got.Visible.Name() != "bernoulli" {
				t.Fatalf("meta %+v", meta)
			}
			for k, p := range [][2][]float64{{m.W.Data, got.W.Data}, {m.B(), got.B()}, {m.C(), got.C()}} {
				for i := range p[0] {
					if p[0][i] != p[1][i] {
						t.Fatalf("block %d element %d: %v, want %v", k, i, p[1][i], p[0][i])
					}
				}
			}
		})
	}
}

// Meta.DataMean travels as the array data_mean and comes back; a file without it has none.
func TestDataMeanRoundTrip(t *testing.T) {
	m := randomModel(4, 2, 1, 3)
	path := filepath.Join(t.TempDir(), "m.npz")
	mean := []float64{0.1, 0.5, 0.9, 0}
	if err := m.Save(path, &Meta{DataMean: mean}); err != nil {
		t.Fatal(err)
	}
	_, meta, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range mean {
		if meta.DataMean[i] != x {
			t.Fatalf("data_mean = %v, want %v", meta.DataMean, mean)
		}
	}
	if err := m.Save(path, nil); err != nil {
		t.Fatal(err)
	}
	if _, meta, err = Load(path); err != nil || meta.DataMean != nil {
		t.Fatalf("no data_mean saved, loaded %v (%v)", meta.DataMean, err)
	}
}
