package npz

import (
	"fmt"
	"strings"
)

// FormatError reports input that is not valid .npy or .npz data: bad magic, an unknown version,
// a garbled header, an unsupported dtype, an implausible shape, truncated data and the like.
// Errors from the underlying reader other than an early end of input are returned as they are,
// wrapped with context, and are not FormatErrors.
type FormatError struct {
	Member string // the .npz member at fault; "" for a lone .npy stream
	Msg    string // what is wrong
	Err    error  // the underlying cause, if any (e.g. io.ErrUnexpectedEOF for truncation)
}

func (e *FormatError) Error() string {
	var b strings.Builder
	b.WriteString("npz: ")
	if e.Member != "" {
		fmt.Fprintf(&b, "member %s: ", e.Member)
	}
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *FormatError) Unwrap() error { return e.Err }

func formatErrorf(format string, args ...any) *FormatError {
	return &FormatError{Msg: fmt.Sprintf(format, args...)}
}

// ValueError reports a value that cannot be stored exactly in the requested dtype: a fraction,
// NaN or out-of-range value for an integer dtype, anything but 0 or 1 for b1, or a finite value
// too large for f4.
type ValueError struct {
	Index int     // flat index into Array.Data
	Value float64 // the offending value
	Dtype string  // the dtype it was to be stored as
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("value %v at index %d is not representable as %s", e.Value, e.Index, e.Dtype)
}

// MissingError is returned by Archive.Get when the archive has no array of that name.
type MissingError struct {
	Name string
}

func (e *MissingError) Error() string { return "npz: missing array " + e.Name }

// ShapeError is returned by Archive.Get when an array's shape is not the one asked for.
// A Want entry of -1 matches any size on that axis.
type ShapeError struct {
	Name  string
	Shape []int // the shape found
	Want  []int // the shape asked for
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("npz: array %s: shape %s, want %s", e.Name, formatShape(e.Shape), formatShape(e.Want))
}

// formatShape writes a shape as Python writes a tuple: (), (5,), (3, 4). A -1 entry is written
// as "*", meaning any size.
func formatShape(shape []int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		if d == -1 {
			b.WriteByte('*')
		} else {
			fmt.Fprint(&b, d)
		}
	}
	if len(shape) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}
