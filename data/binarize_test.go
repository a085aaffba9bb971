package data

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/boltzgo/boltz/matrix"
)

func TestThreshold(t *testing.T) {
	x := &matrix.Dense{Rows: 2, Cols: 4, Data: []float64{0, 0.49, 0.5, 1, -3, 7, math.NaN(), 0.5000001}}
	Threshold(x, DefaultThreshold)
	if want := []float64{0, 0, 1, 1, 0, 1, 0, 1}; !slices.Equal(x.Data, want) {
		t.Errorf("Threshold 0.5: %v, want %v", x.Data, want)
	}
	y := &matrix.Dense{Rows: 1, Cols: 3, Data: []float64{0.1, 0.2, 0.3}}
	Threshold(y, 0.2)
	if want := []float64{0, 1, 1}; !slices.Equal(y.Data, want) {
		t.Errorf("Threshold 0.2: %v, want %v", y.Data, want)
	}
}

func TestBinarizeStochastic(t *testing.T) {
	// Each column holds one probability; the fraction of ones in a column is a binomial
	// proportion with standard error sqrt(p(1−p)/n), and must fall within 4 of them.
	probs := []float64{-0.5, 0, 0.1, 0.5, 0.9, 1, 1.5}
	const n = 20000
	x := matrix.NewDense(n, len(probs))
	for i := range n {
		copy(x.Row(i), probs)
	}
	BinarizeStochastic(x, rand.New(rand.NewPCG(1, 2)))
	if r, c, ok := IsBinary(x); !ok {
		t.Fatalf("value at (%d,%d) = %v is not binary", r, c, x.At(r, c))
	}
	for j, p := range probs {
		ones := 0.0
		for i := range n {
			ones += x.At(i, j)
		}
		want := math.Min(math.Max(p, 0), 1)
		se := math.Sqrt(want * (1 - want) / n)
		if got := ones / n; math.Abs(got-want) > 4*se {
			t.Errorf("p=%v: fraction of ones %v, want %v ± 4·%.4f", p, got, want, se)
		}
	}
	// The same seed gives the same bits.
	a := &matrix.Dense{Rows: 1, Cols: 50, Data: slices.Repeat([]float64{0.5}, 50)}
	b := a.Clone()
	BinarizeStochastic(a, rand.New(rand.NewPCG(7, 7)))
	BinarizeStochastic(b, rand.New(rand.NewPCG(7, 7)))
	if !slices.Equal(a.Data, b.Data) {
		t.Error("same seed, different result")
	}
}

func TestIsBinary(t *testing.T) {
	x := &matrix.Dense{Rows: 2, Cols: 3, Data: []float64{0, 1, 1, 0, 0.5, 2}}
	if r, c, ok := IsBinary(x); ok || r != 1 || c != 1 {
		t.Errorf("IsBinary = %d, %d, %v, want 1, 1, false", r, c, ok)
	}
	x.Data[4], x.Data[5] = 1, 0
	if r, c, ok := IsBinary(x); !ok || r != -1 || c != -1 {
		t.Errorf("IsBinary = %d, %d, %v, want -1, -1, true", r, c, ok)
	}
	x.Data[0] = math.NaN()
	if r, c, ok := IsBinary(x); ok || r != 0 || c != 0 {
		t.Errorf("NaN: IsBinary = %d, %d, %v, want 0, 0, false", r, c, ok)
	}
}

// Different data sets get different bits with the same seed; the same data set and seed get
// the same bits; another seed gets other bits.
func TestBinarizeStream(t *testing.T) {
	grey := &matrix.Dense{Rows: 4, Cols: 50, Data: slices.Repeat([]float64{0.5}, 200)}
	draw := func(seed uint64, spec string) []float64 {
		x := grey.Clone()
		BinarizeStochastic(x, BinarizeStream(seed, spec))
		return x.Data
	}
	train, test := draw(1, "mnist"), draw(1, "mnist:test")
	if slices.Equal(train, test) {
		t.Error("mnist and mnist:test got the same bits with seed 1")
	}
	if !slices.Equal(train, draw(1, "mnist")) {
		t.Error("the same spec and seed gave different bits")
	}
	if slices.Equal(train, draw(2, "mnist")) {
		t.Error("seeds 1 and 2 gave the same bits")
	}
	if SpecHash("mnist") == SpecHash("mnist:test") {
		t.Error("SpecHash does not tell mnist from mnist:test")
	}
	// FNV-1a of the empty string is its offset basis (reference: the FNV specification,
	// http://www.isthe.com/chongo/tech/comp/fnv/).
	if SpecHash("") != 0xcbf29ce484222325 {
		t.Errorf("SpecHash(\"\") = %#x", SpecHash(""))
	}
	a, b := DynamicStream(1, 0, 0).Uint64(), DynamicStream(1, 0, 1).Uint64()
	if a == b || a == DynamicStream(1, 1, 0).Uint64() || a != DynamicStream(1, 0, 0).Uint64() {
		t.Error("DynamicStream does not give one repeatable stream per (epoch, minibatch)")
	}
}
