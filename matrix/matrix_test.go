package matrix_test

import (
	"testing"

	"github.com/boltzgo/boltz/matrix"
	"gonum.org/v1/gonum/mat"
)

func TestRowsRoundTrip(t *testing.T) {
	rows := [][]float64{{1, 2, 3}, {4, 5, 6}}
	m, err := matrix.FromRows(rows)
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != 2 || m.Cols != 3 || m.At(1, 2) != 6 || m.Row(0)[1] != 2 {
		t.Fatalf("FromRows gave %+v", m)
	}
	back := m.ToRows()
	back[0][0] = 9
	if m.At(0, 0) != 1 {
		t.Error("ToRows shares storage with the matrix")
	}
	if _, err := matrix.FromRows([][]float64{{1, 2}, {3}}); err == nil {
		t.Error("ragged rows accepted")
	}
}

// A contiguous gonum matrix is shared both ways; a strided view is copied with its values.
func TestGonumShares(t *testing.T) {
	g := mat.NewDense(3, 4, nil)
	for i := range 3 {
		for j := range 4 {
			g.Set(i, j, float64(10*i+j))
		}
	}
	m := matrix.FromGonum(g)
	m.Set(2, 3, -1)
	if g.At(2, 3) != -1 {
		t.Error("FromGonum copied a contiguous matrix")
	}
	back := matrix.ToGonum(m)
	back.Set(0, 0, 7)
	if m.At(0, 0) != 7 {
		t.Error("ToGonum copied")
	}
	view := g.Slice(1, 3, 1, 3) // stride 4, 2 columns
	v := matrix.FromGonum(view)
	if v.Rows != 2 || v.Cols != 2 || v.At(1, 1) != g.At(2, 2) || v.At(0, 0) != 11 {
		t.Errorf("FromGonum of a view gave %+v", v)
	}
	tr := matrix.FromGonum(g.T())
	if tr.Rows != 4 || tr.At(3, 1) != g.At(1, 3) {
		t.Errorf("FromGonum of a transpose gave %+v", tr)
	}
}

func TestReuseAndSlice(t *testing.T) {
	m := matrix.NewDense32(4, 2)
	s := m.Slice(1, 3)
	s.Set(0, 1, 5)
	if m.At(1, 1) != 5 {
		t.Error("Slice does not share storage")
	}
	r := matrix.Reuse(m, 2, 3)
	if r != m || r.Rows != 2 || r.Cols != 3 || len(r.Data) != 6 {
		t.Errorf("Reuse gave %+v", r)
	}
	if matrix.Reuse[float64](nil, 2, 2).Rows != 2 {
		t.Error("Reuse(nil) did not allocate")
	}
}
