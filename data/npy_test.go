package data

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// makeNPY builds a version 1.0 .npy file by hand, as NEP 1 specifies it: magic, version,
// little-endian uint16 header length, a dict literal padded with spaces and ended by '\n' so
// that the data starts at a multiple of 64 bytes, then the raw values.
func makeNPY(descr string, fortran bool, shape []int, values []byte) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	order := "False"
	if fortran {
		order = "True"
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }", descr, order, tuple)
	pad := 64 - (10+len(header)+1)%64
	header += strings.Repeat(" ", pad%64) + "\n"
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	b = append(b, header...)
	return append(b, values...)
}

func float64Bytes(vs ...float64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

func TestReadNPYData(t *testing.T) {
	for _, tc := range []struct {
		name string
		file []byte
		want []float64
	}{
		{"f8", makeNPY("<f8", false, []int{2, 3}, float64Bytes(0, 0.5, 1, -2, 3.25, 1e-3)), []float64{0, 0.5, 1, -2, 3.25, 1e-3}},
		{"u1", makeNPY("|u1", false, []int{2, 3}, []byte{0, 1, 255, 7, 8, 9}), []float64{0, 1, 255, 7, 8, 9}},
		{"i4 big-endian", makeNPY(">i4", false, []int{2, 3}, []byte{
			0, 0, 0, 1, 255, 255, 255, 255, 0, 0, 1, 0,
			0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3}), []float64{1, -1, 256, 0, 2, 3}},
		{"b1", makeNPY("|b1", false, []int{2, 3}, []byte{1, 0, 1, 0, 0, 1}), []float64{1, 0, 1, 0, 0, 1}},
		// Fortran order stores columns first: the same matrix as "f8".
		{"f8 fortran", makeNPY("<f8", true, []int{2, 3}, float64Bytes(0, -2, 0.5, 3.25, 1, 1e-3)), []float64{0, 0.5, 1, -2, 3.25, 1e-3}},
	} {
		d, err := ReadNPYData(bytes.NewReader(tc.file), tc.name)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if d.Name != tc.name || d.X.Rows != 2 || d.X.Cols != 3 || !slices.Equal(d.X.Data, tc.want) {
			t.Errorf("%s: %q %d×%d %v, want 2×3 %v", tc.name, d.Name, d.X.Rows, d.X.Cols, d.X.Data, tc.want)
		}
	}
}

func TestReadNPYDataErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		file []byte
		msg  string
	}{
		{"1-D", makeNPY("<f8", false, []int{3}, float64Bytes(1, 2, 3)), "want a 2-D array"},
		{"3-D", makeNPY("|u1", false, []int{1, 2, 2}, []byte{1, 2, 3, 4}), "want a 2-D array"},
		{"NaN", makeNPY("<f8", false, []int{2, 2}, float64Bytes(0, 1, 2, math.NaN())), "x.npy:2: column 2: value NaN"},
		{"Inf", makeNPY("<f8", false, []int{1, 2}, float64Bytes(math.Inf(-1), 0)), "x.npy:1: column 1: value -Inf"},
		{"truncated", makeNPY("<f8", false, []int{2, 2}, float64Bytes(0, 1, 2)), "x.npy"},
		{"not npy", []byte("1,2\n3,4\n"), "x.npy"},
	} {
		_, err := ReadNPYData(bytes.NewReader(tc.file), "x.npy")
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.msg)
		}
	}
	_, err := ReadNPYData(bytes.NewReader(makeNPY("<f8", false, []int{2, 2}, float64Bytes(0, 1, math.NaN(), 0))), "x.npy")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Column != 1 {
		t.Errorf("NaN at row 2 column 1: %v", err)
	}
}

func TestLoadNPY(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.npy")
	if err := os.WriteFile(path, makeNPY("<f8", false, []int{3, 2}, float64Bytes(1, 0, 0, 1, 1, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != path || d.X.Rows != 3 || d.X.Cols != 2 {
		t.Errorf("%q %d×%d", d.Name, d.X.Rows, d.X.Cols)
	}
}
