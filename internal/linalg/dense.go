// Package linalg holds the dense row-major matrix type that boltz passes minibatches in, and
// the matrix-multiply kernels behind every minibatch product.
package linalg

import "fmt"

// Dense is a row-major matrix: element (i, j) is Data[i*Cols+j]. Rows are contiguous, so a
// minibatch of visible vectors is a Dense with one vector per row.
type Dense struct {
	Rows, Cols int
	Data       []float64
}

// NewDense returns a zeroed rows×cols matrix. It panics if either dimension is negative.
func NewDense(rows, cols int) *Dense {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("boltz/linalg: negative dimension %d×%d", rows, cols))
	}
	return &Dense{Rows: rows, Cols: cols, Data: make([]float64, rows*cols)}
}

// Row returns row i as a slice sharing m's storage.
func (m *Dense) Row(i int) []float64 { return m.Data[i*m.Cols : (i+1)*m.Cols : (i+1)*m.Cols] }

// At returns element (i, j).
func (m *Dense) At(i, j int) float64 { return m.Data[i*m.Cols+j] }

// Set sets element (i, j) to v.
func (m *Dense) Set(i, j int, v float64) { m.Data[i*m.Cols+j] = v }

// Reuse returns m resized to rows×cols if its storage is large enough, or a new matrix
// otherwise. It is the "destination first, nil means allocate" rule for matrices: the
// contents of the result are unspecified.
func Reuse(m *Dense, rows, cols int) *Dense {
	if m == nil {
		return NewDense(rows, cols)
	}
	if cap(m.Data) < rows*cols {
		m.Data = make([]float64, rows*cols)
	}
	m.Rows, m.Cols, m.Data = rows, cols, m.Data[:rows*cols]
	return m
}

// Clone returns a deep copy of m.
func (m *Dense) Clone() *Dense {
	return &Dense{Rows: m.Rows, Cols: m.Cols, Data: append([]float64(nil), m.Data...)}
}

// Slice returns rows [from, to) as a matrix sharing m's storage.
func (m *Dense) Slice(from, to int) *Dense {
	return &Dense{Rows: to - from, Cols: m.Cols, Data: m.Data[from*m.Cols : to*m.Cols : to*m.Cols]}
}
