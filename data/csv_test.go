package data

import (
	"errors"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		rows     int
		cols     int
		data     []float64
	}{
		{"plain", "1,2,3\n4,5,6\n", 2, 3, []float64{1, 2, 3, 4, 5, 6}},
		{"no final newline", "1,2\n3,4", 2, 2, []float64{1, 2, 3, 4}},
		{"spaces, blanks, comments, CRLF",
			"# a comment\r\n\r\n  1 , 2.5\t,-3e-1 \r\n\n   # indented comment\n0,0,1e2\n\n",
			2, 3, []float64{1, 2.5, -0.3, 0, 0, 100}},
		{"header", "# data\nx1, x2 ,label\n1,0,1\n0,1,0\n", 2, 3, []float64{1, 0, 1, 0, 1, 0}},
		{"single column", "0\n1\n", 2, 1, []float64{0, 1}},
		{"underflow kept", "1e-400,1\n", 1, 2, []float64{0, 1}},
	} {
		d, err := ReadCSV(strings.NewReader(tc.in), tc.name)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if d.X.Rows != tc.rows || d.X.Cols != tc.cols || d.Name != tc.name || d.Labels != nil {
			t.Errorf("%s: %d×%d %q labels %v, want %d×%d", tc.name, d.X.Rows, d.X.Cols, d.Name, d.Labels, tc.rows, tc.cols)
			continue
		}
		for i, v := range tc.data {
			if d.X.Data[i] != v {
				t.Errorf("%s: value %d = %v, want %v", tc.name, i, d.X.Data[i], v)
			}
		}
	}
}

func TestReadCSVLongLine(t *testing.T) {
	// Wider than bufio.Scanner's 64 KiB default token.
	row := strings.Repeat("0.123456789,", 20000) + "1\n"
	d, err := ReadCSV(strings.NewReader(row+row), "wide.csv")
	if err != nil {
		t.Fatal(err)
	}
	if d.X.Rows != 2 || d.X.Cols != 20001 {
		t.Errorf("%d×%d, want 2×20001", d.X.Rows, d.X.Cols)
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in  string
		line, col int
		msg       string // must appear in the error
	}{
		{"ragged", "1,2,3\n# c\n4,5\n", 3, 0, "2 values, want 3 as on line 1"},
		{"ragged longer", "1,2\n3,4\n5,6,7\n", 3, 0, "3 values, want 2 as on line 1"},
		{"NaN", "1,2\n3,NaN\n", 2, 2, "NaN"},
		{"Inf", "inf,2\n", 1, 1, "infinite"},
		{"-Inf", "1,2\n1, -Infinity\n", 2, 2, "infinite"},
		{"overflow", "1,1e400\n", 1, 2, "overflows"},
		{"empty field", "1,,3\n", 1, 2, "empty"},
		{"trailing comma", "1,2,\n", 1, 3, "empty"},
		{"not a number", "1,2\n3,x\n", 2, 2, `"x" is not a number`},
		{"mixed first line", "a,2\n", 1, 1, `"a" is not a number`},
		{"header width", "a,b,c\n1,2\n", 2, 0, "header on line 1 names 3"},
		{"header only", "a,b\n", 0, 0, "no data rows"},
		{"empty", "", 0, 0, "no data rows"},
		{"comments only", "# x\n\n", 0, 0, "no data rows"},
	} {
		_, err := ReadCSV(strings.NewReader(tc.in), "f.csv")
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want a *ParseError", tc.name, err)
			continue
		}
		if pe.Line != tc.line || pe.Column != tc.col || pe.Name != "f.csv" || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v (line %d column %d), want line %d column %d containing %q",
				tc.name, err, pe.Line, pe.Column, tc.line, tc.col, tc.msg)
		}
	}
}

func TestParseErrorFormat(t *testing.T) {
	err := errors.New("bad")
	for _, tc := range []struct {
		e    ParseError
		want string
	}{
		{ParseError{Name: "x.csv", Err: err}, "x.csv: bad"},
		{ParseError{Name: "x.csv", Line: 3, Err: err}, "x.csv:3: bad"},
		{ParseError{Name: "x.csv", Line: 3, Column: 2, Err: err}, "x.csv:3: column 2: bad"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}
