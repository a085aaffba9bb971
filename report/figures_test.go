package report

import (
	"math"
	"slices"
	"testing"

	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/rbm"
)

// randomModel returns an nv×nh RBM with N(0, std²) weights and biases drawn from seed.
func randomModel(nv, nh int, std float64, seed uint64) *rbm.RBM {
	m := rbm.New(nv, nh)
	r := rng.New(seed)
	m.InitNormalWithBiases(std, std, r)
	return m
}

func TestFilterOrderAndRows(t *testing.T) {
	m := rbm.New(2, 4)
	// Column norms²: unit 0: 1, unit 1: 25, unit 2: 1 (tie with 0), unit 3: 4.
	copy(m.W.Data, []float64{
		1, 3, 0, 2,
		0, -4, -1, 0,
	})
	if got, want := FilterOrder(m), []int{1, 3, 0, 2}; !slices.Equal(got, want) {
		t.Errorf("FilterOrder = %v, want %v", got, want)
	}
	rows := FilterRows(m, 2)
	if rows.Rows != 2 || rows.Cols != 2 || !slices.Equal(rows.Data, []float64{3, -4, 2, 0}) {
		t.Errorf("FilterRows(m, 2) = %d×%d %v, want 2×2 [3 -4 2 0]", rows.Rows, rows.Cols, rows.Data)
	}
	if all := FilterRows(m, 10); all.Rows != 4 {
		t.Errorf("FilterRows(m, 10) has %d rows, want all 4", all.Rows)
	}
}

// Filters caps the picture at MaxFilters tiles: 100 tiles in a 10×10 grid.
func TestFiltersCap(t *testing.T) {
	m := randomModel(4, 150, 0.1, 1)
	img := Filters(m, [2]int{2, 2})
	s := AutoScale([2]int{2, 2})
	side := 10*2*s + 9
	if got := img.Bounds().Size(); got.X != side || got.Y != side {
		t.Errorf("filters of 150 units are %v, want %d×%d (10×10 tiles)", got, side, side)
	}
}

func TestSamples(t *testing.T) {
	m := randomModel(6, 4, 1, 2)
	a := Samples(m, 5, 10, 7)
	b := Samples(m, 5, 10, 7)
	if a.Rows != 5 || a.Cols != 6 {
		t.Fatalf("Samples is %d×%d, want 5×6", a.Rows, a.Cols)
	}
	if !slices.Equal(a.Data, b.Data) {
		t.Error("Samples with the same seed differ")
	}
	if c := Samples(m, 5, 10, 8); slices.Equal(a.Data, c.Data) {
		t.Error("Samples with different seeds agree")
	}
	for _, v := range a.Data {
		if !(v > 0 && v < 1) {
			t.Fatalf("E[v|h] = %v outside (0, 1)", v)
		}
	}
	// With visible biases of ±20 the means are σ(±20) whatever h is.
	for i := range m.B() {
		m.B()[i] = 20 * float64(1-2*(i%2))
	}
	m.W = matrix.NewDense(6, 4)
	for _, v := range Samples(m, 3, 0, 1).Data {
		if math.Abs(v-math.Round(v)) > 1e-8 {
			t.Errorf("E[v|h] = %v with biases ±20, want σ(±20) ≈ 0 or 1", v)
		}
	}
}

func TestSpreadRows(t *testing.T) {
	x := matrix.NewDense(10, 1)
	for i := range x.Data {
		x.Data[i] = float64(i)
	}
	if got, want := SpreadRows(x, 4).Data, []float64{0, 2, 5, 7}; !slices.Equal(got, want) {
		t.Errorf("SpreadRows(10 rows, 4) = %v, want %v", got, want)
	}
	if got := SpreadRows(x, 20); got.Rows != 10 || !slices.Equal(got.Data, x.Data) {
		t.Errorf("SpreadRows(10 rows, 20) = %v, want all rows", got.Data)
	}
}

// Reconstructions interleaves each row with E[v|E[h|v]], computed here one vector at a time.
func TestReconstructions(t *testing.T) {
	m := randomModel(5, 3, 1, 3)
	x := matrix.NewDense(2, 5)
	copy(x.Data, []float64{1, 0, 1, 1, 0, 0, 0, 1, 0, 1})
	pairs := Reconstructions(m, x)
	if pairs.Rows != 4 || pairs.Cols != 5 {
		t.Fatalf("Reconstructions is %d×%d, want 4×5", pairs.Rows, pairs.Cols)
	}
	for k := range x.Rows {
		if !slices.Equal(pairs.Row(2*k), x.Row(k)) {
			t.Errorf("row %d = %v, want data row %v", 2*k, pairs.Row(2*k), x.Row(k))
		}
		want := m.VisibleMeans(nil, m.HiddenMeans(nil, x.Row(k)))
		for i, v := range pairs.Row(2*k + 1) {
			if math.Abs(v-want[i]) > 1e-12 {
				t.Errorf("reconstruction %d = %v, want %v", k, pairs.Row(2*k+1), want)
				break
			}
		}
	}
}

func TestPairCols(t *testing.T) {
	for n, want := range map[int]int{1: 2, 2: 2, 3: 4, 8: 4, 30: 8, 32: 8, 50: 10} {
		if got := pairCols(n); got != want {
			t.Errorf("pairCols(%d) = %d, want %d", n, got, want)
		}
	}
}

// Sweeping in chunks between context checks gives the chains one Sweep call would.
func TestSamplesChunking(t *testing.T) {
	m := randomModel(6, 4, 1, 5)
	c := mcmc.NewChains(m, 3, 9, streamSamples)
	c.Sweep(m, 1, 2*sweepsPerCheck+3)
	want := m.VisibleMeansBatch(nil, c.H)
	if got := Samples(m, 3, 2*sweepsPerCheck+3, 9); !slices.Equal(got.Data, want.Data) {
		t.Errorf("Samples = %v, want %v", got.Data, want.Data)
	}
}
