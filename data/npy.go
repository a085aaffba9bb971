package data

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/npz"
)

// ReadNPYData reads a data matrix from a .npy file: a 2-D array of rows × features, in
// either memory order, of a float, signed or unsigned integer, or boolean dtype (numpy's
// kinds f, i, u and b; booleans read as 0 and 1). name is used in error messages and as the
// Dataset's Name; the Dataset has no labels and a zero Shape.
//
// It returns an error for an array that is not 2-D ("want a 2-D array"), for a dtype of
// another kind, for a NaN or infinite value (a *ParseError naming its row and column, counted
// from 1, in Line and Column), and for the faults npz.ReadNPY reports.
func ReadNPYData(r io.Reader, name string) (*Dataset, error) {
	arr, err := npz.ReadNPY(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(arr.Shape) != 2 {
		return nil, &ParseError{Name: name, Err: fmt.Errorf("array of shape %v: want a 2-D array (examples × features)", arr.Shape)}
	}
	if kind := strings.TrimLeft(arr.Dtype, "<>|="); kind == "" || !strings.ContainsRune("fiub", rune(kind[0])) {
		return nil, &ParseError{Name: name, Err: fmt.Errorf("dtype %q: want a float, integer or boolean array", arr.Dtype)}
	}
	rows, cols := arr.Shape[0], arr.Shape[1]
	if rows*cols != len(arr.Data) {
		return nil, &ParseError{Name: name, Err: fmt.Errorf("shape %v with %d values", arr.Shape, len(arr.Data))}
	}
	if rows == 0 || cols == 0 {
		return nil, &ParseError{Name: name, Err: errors.New("empty array")}
	}
	for i, v := range arr.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, &ParseError{Name: name, Line: i/cols + 1, Column: i%cols + 1, Err: fmt.Errorf("value %v is not finite", v)}
		}
	}
	return &Dataset{Name: name, X: &matrix.Dense{Rows: rows, Cols: cols, Data: arr.Data}}, nil
}
