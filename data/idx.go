package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/boltzgo/boltz/matrix"
)

// IDX is the format of the MNIST files (LeCun et al., "THE MNIST DATABASE of handwritten
// digits", yann.lecun.com/exdb/mnist): a magic number 0x00 0x00 TYPE NDIMS, NDIMS big-endian
// uint32 dimensions, then the values in row-major order.
const (
	idxUnsignedByte = 0x08    // the only value type MNIST uses
	maxIDXValues    = 1 << 31 // largest payload accepted; MNIST's training images are 47,040,000
	idxChunk        = 1 << 20 // payload read size: memory follows the bytes present, not the header
)

// gzipMagic starts every gzip stream (RFC 1952, section 2.3.1).
var gzipMagic = []byte{0x1f, 0x8b}

// ReadIDX reads an IDX file of unsigned bytes (type 0x08), raw or gzip-compressed; gzip is
// recognised by its magic bytes 0x1f 0x8b. It returns the dimensions and the values in
// row-major order, so len(data) is the product of shape.
//
// It returns an error if the magic number is not 0x00 0x00 0x08 NDIMS with NDIMS ≥ 1, if a
// dimension is 0 or their product exceeds 2^31, if the payload is shorter or longer than the
// product, or if the gzip stream is corrupt. Memory grows with the bytes actually read, in
// chunks of 1 MiB, so a small file that declares huge dimensions fails without allocating
// for them.
func ReadIDX(r io.Reader) (shape []int, data []byte, err error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	if head, _ := br.Peek(len(gzipMagic)); string(head) == string(gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("idx: gzip: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	shape, total, err := readIDXHeader(src)
	if err != nil {
		return nil, nil, err
	}
	data, err = readIDXPayload(src, total)
	if err != nil {
		return nil, nil, err
	}
	return shape, data, nil
}

// readIDXHeader reads the magic number and the dimensions, and returns the dimensions and
// their product.
func readIDXHeader(r io.Reader) (shape []int, total int, err error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, 0, fmt.Errorf("idx: reading magic number: %w", noEOF(err))
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, 0, fmt.Errorf("idx: bad magic number % x: want 00 00 TYPE NDIMS", magic)
	}
	if magic[2] != idxUnsignedByte {
		return nil, 0, fmt.Errorf("idx: value type 0x%02x not supported: want 0x%02x (unsigned byte)", magic[2], idxUnsignedByte)
	}
	ndims := int(magic[3])
	if ndims == 0 {
		return nil, 0, errors.New("idx: zero dimensions in magic number")
	}
	dims := make([]byte, 4*ndims)
	if _, err := io.ReadFull(r, dims); err != nil {
		return nil, 0, fmt.Errorf("idx: reading %d dimensions: %w", ndims, noEOF(err))
	}
	shape = make([]int, ndims)
	total = 1
	for i := range shape {
		d := binary.BigEndian.Uint32(dims[4*i:])
		if d == 0 {
			return nil, 0, fmt.Errorf("idx: dimension %d is 0", i)
		}
		if uint64(total)*uint64(d) > maxIDXValues {
			return nil, 0, fmt.Errorf("idx: dimensions %v… hold more than 2^31 values", shapeOf(dims, i+1))
		}
		shape[i] = int(d)
		total *= int(d)
	}
	return shape, total, nil
}

// readIDXPayload reads exactly total bytes and checks that nothing follows them.
func readIDXPayload(r io.Reader, total int) ([]byte, error) {
	data := make([]byte, 0, min(total, idxChunk))
	for len(data) < total {
		n := min(total-len(data), idxChunk)
		data = growLen(data, n)
		got, err := io.ReadFull(r, data[len(data)-n:])
		data = data[:len(data)-n+got]
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("idx: truncated payload: %d bytes, want %d", len(data), total)
			}
			return nil, fmt.Errorf("idx: %w", err)
		}
	}
	var extra [1]byte
	n, err := io.ReadFull(r, extra[:])
	if n > 0 {
		return nil, fmt.Errorf("idx: trailing bytes after the %d-byte payload", total)
	}
	if err != io.EOF { // a gzip checksum or other read error surfaces at the end of the stream
		return nil, fmt.Errorf("idx: %w", err)
	}
	return data, nil
}

// growLen extends b by n bytes, reallocating with amortised doubling when needed.
func growLen(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), max(2*cap(b), len(b)+n))
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}

// shapeOf decodes the first k big-endian dimensions, for error messages.
func shapeOf(dims []byte, k int) []uint32 {
	s := make([]uint32, k)
	for i := range s {
		s[i] = binary.BigEndian.Uint32(dims[4*i:])
	}
	return s
}

// noEOF turns a bare io.EOF into io.ErrUnexpectedEOF: a header cut short is a truncated file.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readIDXFile reads the IDX file at path, adding the path to errors that lack it.
func readIDXFile(path string) ([]int, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	shape, data, err := ReadIDX(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return shape, data, nil
}

// ReadIDXImages reads an IDX file of images, N×H×W (as MNIST's) or N×D, into a Dataset
// whose rows are the examples scaled to [0,1] (byte/255). Shape is H×W for a 3-D file and
// zero for a 2-D one; Labels is nil; Name is path. It returns an error for any other number
// of dimensions and for the faults ReadIDX reports.
func ReadIDXImages(path string) (*Dataset, error) {
	shape, raw, err := readIDXFile(path)
	if err != nil {
		return nil, err
	}
	d, err := idxDataset(shape, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d.Name = path
	return d, nil
}

// idxDataset converts IDX bytes of shape N×D or N×H×W into a Dataset scaled to [0,1].
func idxDataset(shape []int, raw []byte) (*Dataset, error) {
	var d Dataset
	switch len(shape) {
	case 2:
	case 3:
		d.Shape = [2]int{shape[1], shape[2]}
	default:
		return nil, fmt.Errorf("idx: images have %d dimensions %v, want 3 (N×H×W) or 2 (N×D)", len(shape), shape)
	}
	x := matrix.NewDense(shape[0], len(raw)/shape[0])
	for i, b := range raw {
		x.Data[i] = float64(b) / 255
	}
	d.X = x
	return &d, nil
}

// ReadIDXLabels reads a 1-D IDX file of unsigned bytes, such as MNIST's labels, as ints.
// It returns an error for any other number of dimensions and for the faults ReadIDX reports.
func ReadIDXLabels(path string) ([]int, error) {
	shape, raw, err := readIDXFile(path)
	if err != nil {
		return nil, err
	}
	if len(shape) != 1 {
		return nil, fmt.Errorf("%s: idx: labels have %d dimensions %v, want 1", path, len(shape), shape)
	}
	labels := make([]int, len(raw))
	for i, b := range raw {
		labels[i] = int(b)
	}
	return labels, nil
}

// labelsPathFor returns the labels file that goes with an MNIST-style images file
// ("…-images-idx3-ubyte…" → "…-labels-idx1-ubyte…"), or "" when the name is not of that form.
func labelsPathFor(imagesPath string) string {
	const images, labels = "-images-idx3-ubyte", "-labels-idx1-ubyte"
	i := strings.LastIndex(imagesPath, images)
	if i < 0 {
		return ""
	}
	return imagesPath[:i] + labels + imagesPath[i+len(images):]
}
