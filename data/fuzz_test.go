package data

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/npz"
)

// checkDataset fails t unless d is what a reader may return: at least one row, a matrix
// whose storage matches its shape, and only finite values.
func checkDataset(t *testing.T, d *Dataset) {
	t.Helper()
	if d.X == nil || d.X.Rows < 1 || d.X.Cols < 1 {
		t.Fatalf("accepted an empty data set: %+v", d.X)
	}
	if len(d.X.Data) != d.X.Rows*d.X.Cols {
		t.Fatalf("%d×%d matrix holds %d values", d.X.Rows, d.X.Cols, len(d.X.Data))
	}
	for i, v := range d.X.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("accepted non-finite value %v at index %d", v, i)
		}
	}
}

// FuzzReadCSV checks that no input makes ReadCSV panic and that every data set it accepts
// is rectangular, non-empty and finite, and reads back the same from its own CSV form.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"0,1,0\n1,0,1\n",
		"a,b\n1,2\n3,4\n",
		"# comment\n\n 1 ,\t2\n3,4",
		"1,2\n3\n",
		"1,,2\n",
		"1,NaN\n",
		"1e400,0\n",
		"x,y\n",
		"0x10,1_0\n",
		"\r\n1,2\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := ReadCSV(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			return
		}
		checkDataset(t, d)
		var sb strings.Builder
		for r := 0; r < d.X.Rows; r++ {
			for c, v := range d.X.Row(r) {
				if c > 0 {
					sb.WriteByte(',')
				}
				sb.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			}
			sb.WriteByte('\n')
		}
		e, err := ReadCSV(strings.NewReader(sb.String()), "again.csv")
		if err != nil {
			t.Fatalf("rereading what was accepted: %v", err)
		}
		if e.X.Rows != d.X.Rows || e.X.Cols != d.X.Cols {
			t.Fatalf("round trip changed %d×%d to %d×%d", d.X.Rows, d.X.Cols, e.X.Rows, e.X.Cols)
		}
		for i := range d.X.Data {
			if d.X.Data[i] != e.X.Data[i] {
				t.Fatalf("round trip changed value %d from %v to %v", i, d.X.Data[i], e.X.Data[i])
			}
		}
	})
}

// FuzzReadNPYData checks that no input makes ReadNPYData panic and that every data set it
// accepts is a non-empty finite matrix.
func FuzzReadNPYData(f *testing.F) {
	for _, a := range []*npz.Array{
		{Shape: []int{2, 3}, Dtype: "<f8", Data: []float64{0, 1, 0, 1, 0.5, 1}},
		{Shape: []int{1, 2}, Dtype: "|u1", Data: []float64{0, 255}},
		{Shape: []int{2, 1}, Dtype: "|b1", Data: []float64{0, 1}},
		{Shape: []int{3}, Dtype: "<f4", Data: []float64{1, 2, 3}},
		{Shape: []int{1, 2}, Dtype: ">f8", Data: []float64{math.NaN(), 1}},
	} {
		var buf bytes.Buffer
		if err := npz.WriteNPY(&buf, a); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := ReadNPYData(bytes.NewReader(in), "fuzz.npy")
		if err != nil {
			return
		}
		checkDataset(t, d)
	})
}
