package npz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// Array is an n-dimensional array in C (row-major) order, held as float64 whatever its stored
// dtype.
type Array struct {
	Shape []int
	Data  []float64 // len == product of Shape (1 for a 0-d array)
	Dtype string    // numpy descr: on read, the dtype found (e.g. "<f8", "<f4", "|u1", "<i8", "|b1"); on write, the dtype to store ("" means "<f8")
}

// Len returns the number of elements, the product of Shape (1 for a 0-d array).
// It does not check for overflow or negative sizes; the readers and writers do.
func (a *Array) Len() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

const (
	magic = "\x93NUMPY"
	// maxElements bounds the element count of a shape read from a file (16 GiB as float64),
	// so that a corrupt header cannot make a caller plan an absurd allocation.
	maxElements = 1 << 31
	// maxHeaderLen bounds a version 2.0/3.0 header. numpy's own headers are about 128 bytes and
	// numpy.load refuses more than 10000 by default (its max_header_size argument).
	maxHeaderLen = 1 << 16
	// chunkBytes is the size of the pieces data is read and written in; memory grows only as
	// data actually arrives.
	chunkBytes = 1 << 16
	// headerAlign is numpy's ARRAY_ALIGN: the data starts at a multiple of 64 bytes.
	headerAlign = 64
)

// ReadNPY reads one .npy array from r: versions 1.0, 2.0 and 3.0, the dtypes f4, f8, i1, i2, i4,
// i8, u1, u2, u4, u8 and b1 in either byte order, C or Fortran order (converted to C order).
// Integers of magnitude above 2^53 are rounded to float64; those that round up to 2^63 (i8) or
// 2^64 (u8) cannot be written back in their own dtype. Nonzero b1 bytes read as 1.
// It reads exactly the header and data and nothing after them, so several arrays stored back to
// back can be read in turn; wrap an unbuffered r in a bufio.Reader for speed.
//
// Malformed input (bad magic, unknown version, a garbled or oversized header, an unsupported
// dtype, a negative dimension, more than 2^31 elements, truncated data) gives a *FormatError;
// an early end of data wraps io.ErrUnexpectedEOF. Other errors from r are returned wrapped.
// ReadNPY never panics on bad input and allocates in proportion to the bytes actually read,
// not the declared shape. The returned Array's Dtype is the canonical descr of the stored type.
func ReadNPY(r io.Reader) (*Array, error) {
	a, err := readNPY(r, -1)
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			err = fmt.Errorf("npz: read: %w", err)
		}
		return nil, err
	}
	return a, nil
}

// readNPY is ReadNPY for a stream known to hold at most limit bytes (limit < 0: unknown).
// It returns either a *FormatError or an unwrapped error from r.
func readNPY(r io.Reader, limit int64) (*Array, error) {
	h, dt, n, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	payload := n * int64(dt.size)
	if limit >= 0 && payload > limit {
		return nil, &FormatError{
			Msg: fmt.Sprintf("truncated data: shape %v of %s needs %d bytes, only %d present", h.shape, dt, payload, limit),
			Err: io.ErrUnexpectedEOF,
		}
	}
	data, err := readData(r, dt, int(n))
	if err != nil {
		return nil, err
	}
	shape := make([]int, len(h.shape))
	for i, d := range h.shape {
		shape[i] = int(d)
	}
	if h.fortranOrder {
		data = fortranToC(data, shape)
	}
	return &Array{Shape: shape, Data: data, Dtype: dt.String()}, nil
}

// readHeader reads the magic, version and header dict, and returns the header, its dtype and
// its element count.
func readHeader(r io.Reader) (header, dtype, int64, error) {
	var pre [8]byte
	if err := readFull(r, pre[:], "preamble"); err != nil {
		return header{}, dtype{}, 0, err
	}
	if string(pre[:6]) != magic {
		return header{}, dtype{}, 0, formatErrorf("bad magic %q, not a .npy file", pre[:6])
	}
	major, minor := pre[6], pre[7]
	var hlen int
	switch {
	case major == 1 && minor == 0:
		var b [2]byte
		if err := readFull(r, b[:], "header length"); err != nil {
			return header{}, dtype{}, 0, err
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case (major == 2 || major == 3) && minor == 0:
		var b [4]byte
		if err := readFull(r, b[:], "header length"); err != nil {
			return header{}, dtype{}, 0, err
		}
		n := binary.LittleEndian.Uint32(b[:])
		if n > maxHeaderLen {
			return header{}, dtype{}, 0, formatErrorf("header length %d exceeds the limit of %d bytes", n, maxHeaderLen)
		}
		hlen = int(n)
	default:
		return header{}, dtype{}, 0, formatErrorf("unknown format version %d.%d", major, minor)
	}
	text := make([]byte, hlen)
	if err := readFull(r, text, "header"); err != nil {
		return header{}, dtype{}, 0, err
	}
	h, err := parseHeader(string(text))
	if err != nil {
		return header{}, dtype{}, 0, &FormatError{Msg: err.Error()}
	}
	dt, err := parseDescr(h.descr)
	if err != nil {
		return header{}, dtype{}, 0, &FormatError{Msg: err.Error()}
	}
	n, err := elementCount(h.shape)
	if err != nil {
		return header{}, dtype{}, 0, &FormatError{Msg: err.Error()}
	}
	return h, dt, n, nil
}

// elementCount returns the product of shape, or an error if it exceeds maxElements.
func elementCount(shape []int64) (int64, error) {
	n := int64(1)
	for _, d := range shape {
		if d > maxElements {
			return 0, fmt.Errorf("shape %v has more than %d elements", shape, int64(maxElements))
		}
		if d == 0 {
			return 0, nil
		}
	}
	for _, d := range shape {
		if n > maxElements/d {
			return 0, fmt.Errorf("shape %v has more than %d elements", shape, int64(maxElements))
		}
		n *= d
	}
	if n > math.MaxInt {
		return 0, fmt.Errorf("shape %v is too large for this platform", shape)
	}
	return n, nil
}

// readFull is io.ReadFull reporting an early end of input as a *FormatError naming what was
// being read.
func readFull(r io.Reader, buf []byte, what string) error {
	n, err := io.ReadFull(r, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return &FormatError{
			Msg: fmt.Sprintf("truncated %s: got %d of %d bytes", what, n, len(buf)),
			Err: io.ErrUnexpectedEOF,
		}
	}
	return err
}

// readData reads n elements of dt in chunks, growing the result only as bytes arrive.
func readData(r io.Reader, dt dtype, n int) ([]float64, error) {
	perChunk := chunkBytes / dt.size
	data := make([]float64, 0, min(n, perChunk))
	buf := make([]byte, min(n, perChunk)*dt.size)
	for len(data) < n {
		k := min(n-len(data), perChunk)
		if err := readFull(r, buf[:k*dt.size], "data"); err != nil {
			var fe *FormatError
			if errors.As(err, &fe) {
				fe.Msg = fmt.Sprintf("truncated data: got about %d of %d elements", len(data), n)
			}
			return nil, err
		}
		start := len(data)
		if cap(data) < start+k { // double, so memory stays within twice the bytes read
			grown := make([]float64, start, min(n, max(2*cap(data), start+k)))
			copy(grown, data)
			data = grown
		}
		data = data[:start+k]
		dt.decode(data[start:], buf[:k*dt.size])
	}
	return data, nil
}

// fortranToC reorders data from column-major to row-major order for the given shape.
func fortranToC(data []float64, shape []int) []float64 {
	if len(shape) < 2 || len(data) == 0 {
		return data
	}
	strides := make([]int, len(shape)) // C-order strides, in elements
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		strides[i] = s
		s *= shape[i]
	}
	out := make([]float64, len(data))
	idx := make([]int, len(shape))
	off := 0
	for _, x := range data { // Fortran order: the first axis varies fastest
		out[off] = x
		for ax := 0; ax < len(shape); ax++ {
			idx[ax]++
			off += strides[ax]
			if idx[ax] < shape[ax] {
				break
			}
			off -= idx[ax] * strides[ax]
			idx[ax] = 0
		}
	}
	return out
}

// WriteNPY writes a as a version 1.0 .npy file (version 2.0 only if the header exceeds 65535
// bytes), with the header padded so that the data starts at a multiple of 64 bytes as numpy
// does. a.Dtype chooses the stored type: "" or "<f8" (the default), "<f4", "|u1", "|b1", "<i8",
// "<i4", and also the other sizes and big-endian forms that ReadNPY accepts.
//
// It returns an error, and writes nothing, if the array is nil, has a negative dimension, holds
// a number of values other than the product of its shape, names an unsupported dtype, or holds
// a value the dtype cannot store exactly (a *ValueError naming the index: a fraction, NaN or
// out-of-range value for an integer dtype, anything but 0 or 1 for |b1, a finite value beyond
// the float32 range for <f4). Errors from w are returned as they are.
func WriteNPY(w io.Writer, a *Array) error {
	dt, err := validate(a)
	if err != nil {
		return fmt.Errorf("npz: %w", err)
	}
	return writeNPY(w, a, dt)
}

// validate checks that a can be written and returns its dtype.
func validate(a *Array) (dtype, error) {
	if a == nil {
		return dtype{}, errors.New("nil array")
	}
	n := 1
	for _, d := range a.Shape {
		if d < 0 {
			return dtype{}, fmt.Errorf("negative dimension in shape %s", formatShape(a.Shape))
		}
		if d != 0 && n > math.MaxInt/d {
			return dtype{}, fmt.Errorf("shape %s overflows", formatShape(a.Shape))
		}
		n *= d
	}
	if len(a.Data) != n {
		return dtype{}, fmt.Errorf("shape %s needs %d values, Data has %d", formatShape(a.Shape), n, len(a.Data))
	}
	descr := a.Dtype
	if descr == "" {
		descr = "<f8"
	}
	dt, err := parseDescr(descr)
	if err != nil {
		return dtype{}, err
	}
	return dt, dt.check(a.Data)
}

// writeNPY writes a validated array.
func writeNPY(w io.Writer, a *Array, dt dtype) error {
	if _, err := w.Write(encodeHeader(a.Shape, dt)); err != nil {
		return err
	}
	perChunk := chunkBytes / dt.size
	buf := make([]byte, min(len(a.Data), perChunk)*dt.size)
	for start := 0; start < len(a.Data); start += perChunk {
		part := a.Data[start:min(start+perChunk, len(a.Data))]
		b := buf[:len(part)*dt.size]
		dt.encode(b, part)
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// encodeHeader returns the magic, version, header length and header dict, padded with spaces
// and ended by '\n' so that the total length is a multiple of headerAlign. The dict is written
// as numpy writes it: keys sorted, each followed by ", ".
func encodeHeader(shape []int, dt dtype) []byte {
	var dict strings.Builder
	fmt.Fprintf(&dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", dt, formatShape(shape))
	var buf bytes.Buffer
	buf.WriteString(magic)
	version := []byte{1, 0}
	prefix := len(magic) + 2 + 2 // magic, version, uint16 length
	hlen := paddedLen(prefix, dict.Len())
	if hlen > math.MaxUint16 {
		version = []byte{2, 0}
		prefix += 2 // uint32 length
		hlen = paddedLen(prefix, dict.Len())
	}
	pad := hlen - dict.Len() - 1
	buf.Write(version)
	if version[0] == 1 {
		buf.Write(binary.LittleEndian.AppendUint16(nil, uint16(hlen)))
	} else {
		buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(hlen)))
	}
	buf.WriteString(dict.String())
	buf.WriteString(strings.Repeat(" ", pad))
	buf.WriteByte('\n')
	return buf.Bytes()
}

// paddedLen returns the header length for a dict of dictLen bytes after prefix bytes: the dict,
// spaces and '\n', so that prefix plus header is a multiple of headerAlign.
func paddedLen(prefix, dictLen int) int {
	n := prefix + dictLen + 1
	return dictLen + 1 + (headerAlign-n%headerAlign)%headerAlign
}

// NPYWriter writes one .npy array whose values arrive in parts, so that an array larger
// than memory can be written from blocks: the header first (the shape is known up front),
// then the values in C order as Write receives them. Close checks that exactly the shape's
// number of values was written. It is not safe for concurrent use.
type NPYWriter struct {
	w      io.Writer
	dt     dtype
	want   int
	n      int
	buf    []byte
	broken error
}

// NewNPYWriter writes the header of an array of the given shape and dtype (as in WriteNPY;
// "" means "<f8") to w and returns a writer for its values. It returns an error for a
// negative or overflowing shape, an unsupported dtype, or a failed write.
func NewNPYWriter(w io.Writer, shape []int, descr string) (*NPYWriter, error) {
	n := 1
	for _, d := range shape {
		if d < 0 || (d != 0 && n > math.MaxInt/d) {
			return nil, fmt.Errorf("npz: invalid shape %s", formatShape(shape))
		}
		n *= d
	}
	if descr == "" {
		descr = "<f8"
	}
	dt, err := parseDescr(descr)
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	if _, err := w.Write(encodeHeader(shape, dt)); err != nil {
		return nil, err
	}
	return &NPYWriter{w: w, dt: dt, want: n}, nil
}

// Write appends values to the array. It returns an error, and writes nothing, when values
// would exceed the shape or hold a value the dtype cannot store (a *ValueError whose index
// counts within values); errors from the underlying writer are returned as they are, and
// every later call fails.
func (nw *NPYWriter) Write(values []float64) error {
	if nw.broken != nil {
		return nw.broken
	}
	if len(values) > nw.want-nw.n {
		return fmt.Errorf("npz: %d values beyond the %d of the array's shape", nw.n+len(values)-nw.want, nw.want)
	}
	if err := nw.dt.check(values); err != nil {
		return fmt.Errorf("npz: %w", err)
	}
	size := len(values) * nw.dt.size
	if cap(nw.buf) < size {
		nw.buf = make([]byte, size)
	}
	b := nw.buf[:size]
	nw.dt.encode(b, values)
	if _, err := nw.w.Write(b); err != nil {
		nw.broken = err
		return err
	}
	nw.n += len(values)
	return nil
}

// Close reports an error if fewer values were written than the shape holds. It does not
// close the underlying writer.
func (nw *NPYWriter) Close() error {
	if nw.broken != nil {
		return nw.broken
	}
	if nw.n != nw.want {
		return fmt.Errorf("npz: %d of the array's %d values written", nw.n, nw.want)
	}
	return nil
}
