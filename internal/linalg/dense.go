// Package linalg holds the matrix-multiply kernels behind every minibatch product. The
// matrices they read are boltz/matrix's row-major Dense and Dense32, aliased here.
package linalg

import "github.com/boltzgo/boltz/matrix"

// Dense and Dense32 are the public matrix types, so that kernels and API share one layout.
type (
	Dense   = matrix.Dense
	Dense32 = matrix.Dense32
)

// NewDense returns a zeroed rows×cols matrix.
func NewDense(rows, cols int) *Dense { return matrix.NewDense(rows, cols) }

// NewDense32 returns a zeroed rows×cols float32 matrix.
func NewDense32(rows, cols int) *Dense32 { return matrix.NewDense32(rows, cols) }

// Reuse returns m resized to rows×cols (matrix.Reuse).
func Reuse(m *Dense, rows, cols int) *Dense { return matrix.Reuse(m, rows, cols) }
