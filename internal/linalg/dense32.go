package linalg

import "fmt"

// Dense32 is the float32 twin of Dense: a row-major matrix whose element (i, j) is
// Data[i*Cols+j]. Minibatch kernels use it where single precision is fast enough and the
// tests show no loss (see DESIGN.md, Conventions).
type Dense32 struct {
	Rows, Cols int
	Data       []float32
}

// NewDense32 returns a zeroed rows×cols matrix. It panics if either dimension is negative.
func NewDense32(rows, cols int) *Dense32 {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("boltz/linalg: negative dimension %d×%d", rows, cols))
	}
	return &Dense32{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
}

// Row returns row i as a slice sharing m's storage.
func (m *Dense32) Row(i int) []float32 { return m.Data[i*m.Cols : (i+1)*m.Cols : (i+1)*m.Cols] }

// At returns element (i, j).
func (m *Dense32) At(i, j int) float32 { return m.Data[i*m.Cols+j] }

// Set sets element (i, j) to v.
func (m *Dense32) Set(i, j int, v float32) { m.Data[i*m.Cols+j] = v }

// Reuse32 returns m resized to rows×cols if its storage is large enough, or a new matrix
// otherwise; the contents of the result are unspecified. It is Reuse for Dense32.
func Reuse32(m *Dense32, rows, cols int) *Dense32 {
	if m == nil {
		return NewDense32(rows, cols)
	}
	if cap(m.Data) < rows*cols {
		m.Data = make([]float32, rows*cols)
	}
	m.Rows, m.Cols, m.Data = rows, cols, m.Data[:rows*cols]
	return m
}

// Clone returns a deep copy of m.
func (m *Dense32) Clone() *Dense32 {
	return &Dense32{Rows: m.Rows, Cols: m.Cols, Data: append([]float32(nil), m.Data...)}
}

// Slice returns rows [from, to) as a matrix sharing m's storage.
func (m *Dense32) Slice(from, to int) *Dense32 {
	return &Dense32{Rows: to - from, Cols: m.Cols, Data: m.Data[from*m.Cols : to*m.Cols : to*m.Cols]}
}
