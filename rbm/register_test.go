package rbm_test

import (
	"path/filepath"
	"testing"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// tiltedUnit is a unit type defined outside package rbm: Bernoulli units with one further
// parameter per unit, which changes nothing of their law but must survive a file.
type tiltedUnit struct {
	*rbm.Bernoulli
	Tilt []float64
}

func (l *tiltedUnit) Name() string { return "tilted" }
func (l *tiltedUnit) Params() []rbm.Param {
	return append(l.Bernoulli.Params(), rbm.Param{Name: "tilt", Data: l.Tilt})
}
func (l *tiltedUnit) Clone() rbm.Layer {
	return &tiltedUnit{l.Bernoulli.Clone().(*rbm.Bernoulli), append([]float64(nil), l.Tilt...)}
}
func (l *tiltedUnit) Stats(dst [][]float64, s *matrix.Dense) {
	l.Bernoulli.Stats(dst[:1], s)
	clear(dst[1])
}

func init() {
	rbm.RegisterLayer("tilted", func(spec string, n int) (rbm.Layer, error) {
		return &tiltedUnit{rbm.NewBernoulli(n), make([]float64, n)}, nil
	})
}

// A unit type registered from outside the package saves and loads with its own
// parameters, under the file name visible_tilt.
func TestRegisteredLayerRoundTrip(t *testing.T) {
	vis := &tiltedUnit{rbm.NewBernoulli(3), []float64{0.5, -1, 2}}
	m := rbm.NewWithLayers(vis, rbm.NewBernoulli(2))
	m.B()[1], m.W.Data[3] = 0.25, -0.75
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := m.Save(path, nil); err != nil {
		t.Fatal(err)
	}
	a, err := npz.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Arrays["visible_tilt"] == nil {
		t.Errorf("the file has no array visible_tilt")
	}
	back, meta, err := rbm.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := back.Visible.(*tiltedUnit)
	if !ok || meta.Visible != "tilted" {
		t.Fatalf("loaded visible layer %T (%q)", back.Visible, meta.Visible)
	}
	for i, x := range vis.Tilt {
		if got.Tilt[i] != x {
			t.Errorf("tilt[%d] = %v, want %v", i, got.Tilt[i], x)
		}
	}
	if back.B()[1] != 0.25 || back.W.Data[3] != -0.75 {
		t.Error("biases or weights changed in the round trip")
	}
}
