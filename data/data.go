// Package data loads the example matrices that boltz trains and evaluates on: the toy sets of
// the RBM literature (bars-and-stripes, the labelled shifter ensemble), generated sets whose
// distribution is known exactly (Ising configurations with Onsager's and Yang's exact values,
// a Potts chain with exact log-probabilities and entropy), files in the IDX
// (MNIST), .npy and CSV formats, and MNIST itself, fetched once into a local cache. It also
// binarises real-valued data and draws minibatches.
//
// A data set is a matrix with one example per row. Readers validate what they read and return
// an error naming the file, line or field at fault; they never panic on bad input. Functions
// that take a matrix argument panic with a "boltz/data: " message on a programmer's mistake
// (a nil matrix, an index out of range), as documented on each.
//
// Nothing here binarises implicitly: Load returns values as stored (MNIST scaled to [0,1]),
// and callers choose Threshold or BinarizeStochastic.
package data

import (
	"fmt"

	"github.com/boltzgo/boltz/matrix"
)

// Dataset is a data matrix with one example per row, and optional labels.
type Dataset struct {
	Name   string        // e.g. "bas:4", "mnist:test", "/path/x.csv"
	X      *matrix.Dense // rows = examples
	Labels []int         // nil when the source has none; else one per row of X
	Shape  [2]int        // image height×width when rows are images (MNIST: 28×28, bas:n: n×n), zero otherwise
}

// ParseError reports a fault in a text or binary data file at a known place.
// Line and Column count from 1; Column is 0 when the fault concerns the whole line
// (for example a row of the wrong width), and Line is 0 when the fault has no line.
type ParseError struct {
	Name   string // the file's name as given to the reader
	Line   int
	Column int
	Err    error
}

func (e *ParseError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %v", e.Name, e.Err)
	case e.Column == 0:
		return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err)
	default:
		return fmt.Sprintf("%s:%d: column %d: %v", e.Name, e.Line, e.Column, e.Err)
	}
}

func (e *ParseError) Unwrap() error { return e.Err }
