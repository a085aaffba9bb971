package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/boltzgo/boltz/matrix"
)

// ReadCSV reads a matrix of numbers, one example per line, values separated by commas.
//
// Spaces and tabs around values are ignored, as are blank lines and lines whose first
// non-space character is '#'. The first remaining line is taken as a header of column names
// and skipped when none of its fields is a number; it must then have as many fields as the
// data rows. Every data row must have the same number of values. name is used in error
// messages and as the Dataset's Name.
//
// It returns a *ParseError, naming the line (and column where there is one), for a ragged row,
// an empty field, a value that is not a number, a NaN or infinite value (or one that
// overflows float64), and an input with no data rows. The Dataset has no labels and a zero
// Shape. Cost O(size of input); lines may be of any length.
func ReadCSV(r io.Reader, name string) (*Dataset, error) {
	br := bufio.NewReader(r)
	var (
		values      []float64
		width       int
		widthLine   int // line that fixed the width
		header      []string
		headerLine  int
		rows        int
		lineNo      int
		firstRecord = true
	)
	for {
		line, readErr := br.ReadString('\n')
		if readErr != nil && readErr != io.EOF {
			return nil, &ParseError{Name: name, Line: lineNo + 1, Err: readErr}
		}
		if line == "" && readErr == io.EOF {
			break
		}
		lineNo++
		text := strings.TrimSpace(line)
		if text == "" || text[0] == '#' {
			if readErr == io.EOF {
				break
			}
			continue
		}
		fields := strings.Split(text, ",")
		if firstRecord {
			firstRecord = false
			if isHeader(fields) {
				header, headerLine = fields, lineNo
				if readErr == io.EOF {
					break
				}
				continue
			}
		}
		if width == 0 {
			width, widthLine = len(fields), lineNo
			if header != nil && len(header) != width {
				return nil, &ParseError{Name: name, Line: lineNo,
					Err: fmt.Errorf("row has %d values but the header on line %d names %d columns", width, headerLine, len(header))}
			}
		} else if len(fields) != width {
			return nil, &ParseError{Name: name, Line: lineNo,
				Err: fmt.Errorf("row has %d values, want %d as on line %d", len(fields), width, widthLine)}
		}
		for j, f := range fields {
			v, err := parseValue(f)
			if err != nil {
				return nil, &ParseError{Name: name, Line: lineNo, Column: j + 1, Err: err}
			}
			values = append(values, v)
		}
		rows++
		if readErr == io.EOF {
			break
		}
	}
	if rows == 0 {
		return nil, &ParseError{Name: name, Err: errors.New("no data rows")}
	}
	return &Dataset{Name: name, X: &matrix.Dense{Rows: rows, Cols: width, Data: values}}, nil
}

// isHeader reports whether no field of a line parses as a number.
func isHeader(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return false
		}
	}
	return true
}

// parseValue parses one CSV field as a finite float64.
func parseValue(field string) (float64, error) {
	f := strings.TrimSpace(field)
	if f == "" {
		return 0, errors.New("empty value")
	}
	v, err := strconv.ParseFloat(f, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && math.IsInf(v, 0):
		return 0, fmt.Errorf("value %q overflows float64", f)
	case err != nil && !errors.Is(err, strconv.ErrRange): // ErrRange alone is an underflow to 0 or a subnormal: keep it
		return 0, fmt.Errorf("%q is not a number", f)
	case math.IsNaN(v):
		return 0, fmt.Errorf("value %q is NaN", f)
	case math.IsInf(v, 0):
		return 0, fmt.Errorf("value %q is infinite", f)
	}
	return v, nil
}
