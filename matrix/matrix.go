// Package matrix is the dense matrix boltz takes and returns at every exported boundary: a
// minibatch of visible vectors is a Dense with one vector per row, a weight matrix is a Dense
// of nv rows and nh columns.
//
// A Matrix is row-major with no stride of its own: element (i, j) is Data[i*Cols+j]. That is
// the layout boltz's matrix-product kernels read without a copy, and the layout of a C-order
// numpy array, so rows, files and kernels share one slice. Dense (float64) is what the API
// speaks; Dense32 (float32) is its twin for the single-precision kernels.
//
// Build one from your own data with FromRows, from a flat slice with New, or from gonum with
// FromGonum; hand one to gonum without a copy with ToGonum.
package matrix

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Float is the element type of a Matrix.
type Float interface{ ~float32 | ~float64 }

// Matrix is a row-major matrix of rows×cols elements of type T: element (i, j) is
// Data[i*Cols+j], and len(Data) == Rows*Cols.
type Matrix[T Float] struct {
	Rows, Cols int
	Data       []T
}

// Dense is the float64 matrix of boltz's API.
type Dense = Matrix[float64]

// Dense32 is the float32 matrix of the single-precision kernels.
type Dense32 = Matrix[float32]

// NewOf returns a zeroed rows×cols matrix. It panics if either dimension is negative.
func NewOf[T Float](rows, cols int) *Matrix[T] {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("boltz/matrix: negative dimension %d×%d", rows, cols))
	}
	return &Matrix[T]{Rows: rows, Cols: cols, Data: make([]T, rows*cols)}
}

// NewDense returns a zeroed rows×cols float64 matrix. It panics if either dimension is
// negative.
func NewDense(rows, cols int) *Dense { return NewOf[float64](rows, cols) }

// NewDense32 returns a zeroed rows×cols float32 matrix.
func NewDense32(rows, cols int) *Dense32 { return NewOf[float32](rows, cols) }

// New returns a rows×cols matrix that uses data as its storage, without a copy. It panics
// unless len(data) == rows*cols.
func New[T Float](rows, cols int, data []T) *Matrix[T] {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		panic(fmt.Sprintf("boltz/matrix: %d elements for a %d×%d matrix", len(data), rows, cols))
	}
	return &Matrix[T]{Rows: rows, Cols: cols, Data: data}
}

// FromRows returns a matrix holding a copy of rows, one matrix row per slice. It returns an
// error if the rows differ in length.
func FromRows[T Float](rows [][]T) (*Matrix[T], error) {
	cols := 0
	if len(rows) > 0 {
		cols = len(rows[0])
	}
	m := NewOf[T](len(rows), cols)
	for i, r := range rows {
		if len(r) != cols {
			return nil, fmt.Errorf("boltz/matrix: row %d has %d elements, row 0 has %d", i, len(r), cols)
		}
		copy(m.Row(i), r)
	}
	return m, nil
}

// ToRows returns a copy of m as one slice per row.
func (m *Matrix[T]) ToRows() [][]T {
	out := make([][]T, m.Rows)
	for i := range out {
		out[i] = append([]T(nil), m.Row(i)...)
	}
	return out
}

// Dims returns the number of rows and columns.
func (m *Matrix[T]) Dims() (rows, cols int) { return m.Rows, m.Cols }

// Row returns row i as a slice sharing m's storage.
func (m *Matrix[T]) Row(i int) []T { return m.Data[i*m.Cols : (i+1)*m.Cols : (i+1)*m.Cols] }

// At returns element (i, j).
func (m *Matrix[T]) At(i, j int) T { return m.Data[i*m.Cols+j] }

// Set sets element (i, j) to v.
func (m *Matrix[T]) Set(i, j int, v T) { m.Data[i*m.Cols+j] = v }

// Clone returns a deep copy of m.
func (m *Matrix[T]) Clone() *Matrix[T] {
	return &Matrix[T]{Rows: m.Rows, Cols: m.Cols, Data: append([]T(nil), m.Data...)}
}

// Slice returns rows [from, to) as a matrix sharing m's storage.
func (m *Matrix[T]) Slice(from, to int) *Matrix[T] {
	return &Matrix[T]{Rows: to - from, Cols: m.Cols, Data: m.Data[from*m.Cols : to*m.Cols : to*m.Cols]}
}

// Reuse returns m resized to rows×cols if its storage is large enough, or a new matrix
// otherwise: the "destination first, nil means allocate" rule for matrices. The contents of
// the result are unspecified.
func Reuse[T Float](m *Matrix[T], rows, cols int) *Matrix[T] {
	if m == nil {
		return NewOf[T](rows, cols)
	}
	if cap(m.Data) < rows*cols {
		m.Data = make([]T, rows*cols)
	}
	m.Rows, m.Cols, m.Data = rows, cols, m.Data[:rows*cols]
	return m
}

// ToGonum returns m as a gonum *mat.Dense sharing m's storage: writes through either show
// in both. An empty m gives nil, since gonum has no empty matrix.
func ToGonum(m *Dense) *mat.Dense {
	if m.Rows == 0 || m.Cols == 0 {
		return nil
	}
	return mat.NewDense(m.Rows, m.Cols, m.Data)
}

// FromGonum returns a as a Dense. A *mat.Dense whose rows are contiguous (stride equal to
// its number of columns) is shared without a copy; any other mat.Matrix is copied.
func FromGonum(a mat.Matrix) *Dense {
	r, c := a.Dims()
	if d, ok := a.(*mat.Dense); ok {
		raw := d.RawMatrix()
		if raw.Stride == c || r == 1 {
			return &Dense{Rows: r, Cols: c, Data: raw.Data[: r*c : r*c]}
		}
	}
	m := NewDense(r, c)
	for i := range r {
		row := m.Row(i)
		for j := range row {
			row[j] = a.At(i, j)
		}
	}
	return m
}
