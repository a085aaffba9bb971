package rbm

import (
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/boltzgo/boltz/matrix"
)

// allStates returns every state of l, in the numbering of SetState.
func allStates(l Layer) [][]float64 {
	n := int(NumStates(l))
	out := make([][]float64, n)
	for k := range out {
		out[k] = make([]float64, l.Len())
		SetState(l, out[k], uint64(k))
	}
	return out
}

// discreteModel returns a random RBM on fresh layers of the given specs.
func discreteModel(t *testing.T, vis string, nv int, hid string, nh int, seed uint64) *RBM {
	t.Helper()
	v, err := LayerByName(vis, nv)
	if err != nil {
		t.Fatal(err)
	}
	h, err := LayerByName(hid, nh)
	if err != nil {
		t.Fatal(err)
	}
	m := NewWithLayers(v, h)
	m.InitNormalWithBiases(0.8, 0.8, rand.New(rand.NewPCG(seed, 5)))
	return m
}

// discretePairs are the layer combinations the brute-force tests run over.
var discretePairs = []struct {
	vis    string
	nv     int
	hid    string
	nh     int
	states int // visible × hidden states
}{
	{"spin", 4, "spin", 3, 16 * 8},
	{"spin", 3, "bernoulli", 4, 8 * 16},
	{"bernoulli", 3, "spin", 3, 8 * 8},
	{"potts:3", 9, "bernoulli", 3, 27 * 8},
	{"potts:4", 8, "spin", 2, 16 * 4},
	{"bernoulli", 3, "potts:3", 6, 8 * 9},
	{"spin", 2, "potts:2", 4, 4 * 4},
}

// The free energies sum out one layer: exp(−F(v)) = Σ_h exp(−E(v,h)) and
// exp(−F(h)) = Σ_v exp(−E(v,h)), by brute force over every state, and the conditional
// means are the conditional expectations of the joint, for spin and Potts layers on either
// side.
func TestDiscreteFreeEnergyAndMeans(t *testing.T) {
	for _, c := range discretePairs {
		m := discreteModel(t, c.vis, c.nv, c.hid, c.nh, 3)
		vs, hs := allStates(m.Visible), allStates(m.Hidden)
		if len(vs)*len(hs) != c.states {
			t.Fatalf("%s/%s: %d×%d states, want %d", c.vis, c.hid, len(vs), len(hs), c.states)
		}
		for _, v := range vs {
			var z float64
			mean := make([]float64, m.NH())
			for _, h := range hs {
				p := math.Exp(-m.Energy(v, h))
				z += p
				for j := range h {
					mean[j] += p * h[j]
				}
			}
			if got, want := m.FreeEnergy(v), -math.Log(z); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("%s/%s: F(%v) = %v, brute force %v", c.vis, c.hid, v, got, want)
			}
			got := m.HiddenMeans(nil, v)
			for j := range mean {
				if math.Abs(got[j]-mean[j]/z) > 1e-12 {
					t.Errorf("%s/%s: E[h_%d|v=%v] = %v, brute force %v", c.vis, c.hid, j, v, got[j], mean[j]/z)
				}
			}
		}
		for _, h := range hs {
			var z float64
			for _, v := range vs {
				z += math.Exp(-m.Energy(v, h))
			}
			if got, want := m.FreeEnergyHidden(h), -math.Log(z); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("%s/%s: F(h=%v) = %v, brute force %v", c.vis, c.hid, h, got, want)
			}
		}
	}
}

// Each entry of the samples is 1 (spins: +1) with the frequency the means give, within 4
// standard errors, and every draw is a state of the layer.
func TestDiscreteSampleFrequencies(t *testing.T) {
	x := []float64{-30, -2, -0.3, 0, 0.3, 1, 2.5, 30, -1, 0.7, 4, -4}
	for _, l := range []Layer{NewSpin(12), NewPotts(3, 4), NewPotts(4, 3), NewPotts(6, 2)} {
		const n = 40_000
		mean := make([]float64, len(x))
		l.Means(mean, x)
		count := make([]float64, len(x))
		dst := make([]float64, len(x))
		r := rand.New(rand.NewPCG(7, 8))
		for range n {
			l.Sample(dst, x, r)
			if err := l.Check(dst); err != nil {
				t.Fatalf("%s drew %v: %v", l.Name(), dst, err)
			}
			for i, s := range dst {
				count[i] += s
			}
		}
		for i := range x {
			// p is the probability of the entry's upper value: (1+m)/2 for spins, m for one-hot.
			p, scale := mean[i], 1.0
			if l.Name() == "spin" {
				p, scale = (1+mean[i])/2, 2
			}
			se := scale * math.Sqrt(p*(1-p)/n)
			if f := count[i] / n; math.Abs(f-mean[i]) > 4*se+1e-12 {
				t.Errorf("%s entry %d (x = %v): mean of draws %v, want %v ± %v", l.Name(), i, x[i], f, mean[i], 4*se)
			}
		}
	}
}

// The log-normalisers stay finite and exact at extreme inputs, where a naive log(2 cosh x)
// or log Σ e^x would overflow.
func TestDiscreteExtremeInputs(t *testing.T) {
	s := NewSpin(3)
	if got, want := s.LogNormalizer([]float64{1e3, -1e3, 0}), 2e3+math.Ln2; math.Abs(got-want) > 1e-9 {
		t.Errorf("spin A(±1e3, 0) = %v, want %v", got, want)
	}
	p := NewPotts(1, 3)
	if got, want := p.LogNormalizer([]float64{1e3, 1e3, -1e3}), 1e3+math.Ln2; math.Abs(got-want) > 1e-9 {
		t.Errorf("potts A = %v, want %v", got, want)
	}
	mean := make([]float64, 3)
	p.Means(mean, []float64{1e3, 1e3, -1e3})
	if mean[0] != 0.5 || mean[1] != 0.5 || mean[2] != 0 {
		t.Errorf("potts means %v", mean)
	}
}

func TestDiscreteCheckAndSpecs(t *testing.T) {
	if err := NewSpin(3).Check([]float64{-1, 1, 1}); err != nil {
		t.Error(err)
	}
	var ve *ValueError
	if err := NewSpin(3).Check([]float64{-1, 0, 1}); !errors.As(err, &ve) || ve.Index != 1 {
		t.Errorf("spin 0: %v", err)
	}
	p := NewPotts(2, 3)
	if err := p.Check([]float64{0, 1, 0, 1, 0, 0}); err != nil {
		t.Error(err)
	}
	for _, bad := range [][]float64{{0, 1, 1, 1, 0, 0}, {0, 0, 0, 1, 0, 0}, {0, 0.5, 0.5, 1, 0, 0}} {
		if err := p.Check(bad); err == nil {
			t.Errorf("potts accepted %v", bad)
		}
	}
	for spec, n := range map[string]int{"potts:4": 8, "spin": 5, "potts:21": 42} {
		l, err := LayerByName(spec, n)
		if err != nil || l.Name() != spec || l.Len() != n {
			t.Errorf("LayerByName(%q, %d) = %v, %v", spec, n, l, err)
		}
	}
	for spec, n := range map[string]int{"potts:4": 7, "potts": 4, "potts:1": 4, "potts:x": 4, "potts:04": 8, "spin:2": 4} {
		if _, err := LayerByName(spec, n); err == nil {
			t.Errorf("LayerByName(%q, %d) accepted", spec, n)
		}
	}
}

// Encode and Decode are inverse; Encode rejects values that are not categories.
func TestPottsEncodeDecode(t *testing.T) {
	p := NewPotts(3, 4)
	cats := matrix.NewDense(2, 3)
	copy(cats.Data, []float64{0, 3, 1, 2, 2, 0})
	x, err := EncodeRows(p, cats)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0}
	for i, v := range want {
		if x.Row(0)[i] != v {
			t.Fatalf("row 0 encoded as %v, want %v", x.Row(0), want)
		}
	}
	back := DecodeRows(p, x)
	for i := range back.Data {
		if back.Data[i] != cats.Data[i] {
			t.Fatalf("decoded %v, want %v", back.Data, cats.Data)
		}
	}
	for _, bad := range []float64{4, -1, 0.5, math.NaN()} {
		cats.Row(1)[2] = bad
		if _, err := EncodeRows(p, cats); err == nil {
			t.Errorf("category %v accepted", bad)
		}
	}
}

// InitFromData makes the independent model (no weights) match the data's per-unit
// frequencies up to the pseudo-counts.
func TestDiscreteInitFromData(t *testing.T) {
	sp := NewSpin(2)
	x := matrix.NewDense(4, 2)
	copy(x.Data, []float64{1, -1, 1, -1, 1, 1, -1, -1})
	sp.InitFromData(x)
	mean := make([]float64, 2)
	sp.Means(mean, sp.H)
	// column 0: 3 of 4 up, smoothed (3.5/5): mean 2·0.7 − 1 = 0.4; column 1: 1 of 4, −0.4.
	if math.Abs(mean[0]-0.4) > 1e-12 || math.Abs(mean[1]+0.4) > 1e-12 {
		t.Errorf("spin means after init %v, want [0.4 −0.4]", mean)
	}
	p := NewPotts(1, 3)
	y := matrix.NewDense(3, 3)
	copy(y.Data, []float64{1, 0, 0, 1, 0, 0, 0, 1, 0})
	p.InitFromData(y)
	pm := make([]float64, 3)
	p.Means(pm, p.Field)
	for a, want := range []float64{2.5 / 4.5, 1.5 / 4.5, 0.5 / 4.5} {
		if math.Abs(pm[a]-want) > 1e-12 {
			t.Errorf("potts means after init %v", pm)
		}
	}
}

// BenchmarkSampleSpin and BenchmarkSamplePotts draw one row of 2,100 units (a Potts layer
// of 100 sites of 21 states, a protein-sized alphabet) from inputs N(0, 2²).
func BenchmarkSampleSpin(b *testing.B)  { benchmarkSample(b, NewSpin(2100)) }
func BenchmarkSamplePotts(b *testing.B) { benchmarkSample(b, NewPotts(100, 21)) }

func benchmarkSample(b *testing.B, l Layer) {
	r := rand.New(rand.NewPCG(1, 2))
	x, dst := make([]float64, l.Len()), make([]float64, l.Len())
	for i := range x {
		x[i] = 2 * r.NormFloat64()
	}
	b.ReportAllocs()
	for b.Loop() {
		l.Sample(dst, x, r)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*l.Len()), "ns/unit")
}

// A model of spin and Potts units saves and loads with its unit types and parameters.
func TestDiscreteSaveLoad(t *testing.T) {
	m := discreteModel(t, "potts:4", 12, "spin", 5, 6)
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := m.Save(path, nil); err != nil {
		t.Fatal(err)
	}
	got, meta, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Visible != "potts:4" || meta.Hidden != "spin" || got.Visible.Name() != "potts:4" || got.Hidden.Name() != "spin" {
		t.Fatalf("loaded %s/%s units (meta %q/%q)", got.Visible.Name(), got.Hidden.Name(), meta.Visible, meta.Hidden)
	}
	if !slices.Equal(m.W.Data, got.W.Data) || !slices.Equal(m.B(), got.B()) || !slices.Equal(m.C(), got.C()) {
		t.Fatal("the loaded parameters differ from the saved ones")
	}
}
