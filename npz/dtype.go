package npz

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
)

// dtype is a supported numpy element type: its kind ('f', 'i', 'u' or 'b'), its size in bytes
// and its byte order.
type dtype struct {
	kind  byte
	size  int
	order binary.ByteOrder
}

// nativeBig reports whether this machine is big-endian; numpy's '=' means the native order.
var nativeBig = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

// parseDescr parses a numpy descr string such as "<f8", ">i4", "|u1" or "=f4".
// A missing byte-order character, '=' and '|' on a multi-byte type mean the native order.
func parseDescr(descr string) (dtype, error) {
	s := descr
	order := byte('=')
	if len(s) > 0 && (s[0] == '<' || s[0] == '>' || s[0] == '|' || s[0] == '=') {
		order, s = s[0], s[1:]
	}
	if len(s) == 0 {
		return dtype{}, fmt.Errorf("unsupported dtype %q", descr)
	}
	kind := s[0]
	if len(s) < 2 {
		return dtype{}, unsupportedKind(descr, kind)
	}
	size, err := strconv.Atoi(s[1:])
	if err != nil || s[1] == '+' || s[1] == '-' {
		return dtype{}, unsupportedKind(descr, kind)
	}
	switch {
	case kind == 'f' && (size == 4 || size == 8),
		(kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8),
		kind == 'b' && size == 1:
	default:
		return dtype{}, unsupportedKind(descr, kind)
	}
	d := dtype{kind: kind, size: size, order: binary.LittleEndian}
	if order == '>' || (order != '<' && nativeBig) {
		d.order = binary.BigEndian
	}
	return d, nil
}

func unsupportedKind(descr string, kind byte) error {
	what := ""
	switch kind {
	case 'O':
		what = " (object arrays)"
	case 'c':
		what = " (complex numbers)"
	case 'V':
		what = " (structured or void)"
	case 'U', 'S', 'a':
		what = " (strings)"
	case 'M', 'm':
		what = " (datetime)"
	case 'f':
		what = " (only f4 and f8 floats)"
	}
	return fmt.Errorf("unsupported dtype %q%s", descr, what)
}

// String returns the canonical numpy descr: "|" for one-byte types, else "<" or ">".
func (d dtype) String() string {
	order := "<"
	switch {
	case d.size == 1:
		order = "|"
	case d.order == binary.BigEndian:
		order = ">"
	}
	return order + string(d.kind) + strconv.Itoa(d.size)
}

// decode converts len(dst) elements from src, which holds len(dst)*d.size bytes.
func (d dtype) decode(dst []float64, src []byte) {
	o := d.order
	switch d.kind {
	case 'f':
		if d.size == 8 {
			for i := range dst {
				dst[i] = math.Float64frombits(o.Uint64(src[8*i:]))
			}
		} else {
			for i := range dst {
				dst[i] = float64(math.Float32frombits(o.Uint32(src[4*i:])))
			}
		}
	case 'b':
		for i := range dst {
			if src[i] != 0 {
				dst[i] = 1
			} else {
				dst[i] = 0
			}
		}
	case 'i':
		switch d.size {
		case 1:
			for i := range dst {
				dst[i] = float64(int8(src[i]))
			}
		case 2:
			for i := range dst {
				dst[i] = float64(int16(o.Uint16(src[2*i:])))
			}
		case 4:
			for i := range dst {
				dst[i] = float64(int32(o.Uint32(src[4*i:])))
			}
		case 8:
			for i := range dst {
				dst[i] = float64(int64(o.Uint64(src[8*i:])))
			}
		}
	case 'u':
		switch d.size {
		case 1:
			for i := range dst {
				dst[i] = float64(src[i])
			}
		case 2:
			for i := range dst {
				dst[i] = float64(o.Uint16(src[2*i:]))
			}
		case 4:
			for i := range dst {
				dst[i] = float64(o.Uint32(src[4*i:]))
			}
		case 8:
			for i := range dst {
				dst[i] = float64(o.Uint64(src[8*i:]))
			}
		}
	}
}

// encode converts src into dst, which has room for len(src)*d.size bytes. The values must have
// passed d.check.
func (d dtype) encode(dst []byte, src []float64) {
	o := d.order
	switch {
	case d.kind == 'f' && d.size == 8:
		for i, x := range src {
			o.PutUint64(dst[8*i:], math.Float64bits(x))
		}
	case d.kind == 'f':
		for i, x := range src {
			o.PutUint32(dst[4*i:], math.Float32bits(float32(x)))
		}
	case d.kind == 'u' && d.size == 8:
		for i, x := range src {
			o.PutUint64(dst[8*i:], uint64(x))
		}
	default: // b1 and integers that fit in int64
		for i, x := range src {
			v := uint64(int64(x))
			switch d.size {
			case 1:
				dst[i] = byte(v)
			case 2:
				o.PutUint16(dst[2*i:], uint16(v))
			case 4:
				o.PutUint32(dst[4*i:], uint32(v))
			case 8:
				o.PutUint64(dst[8*i:], v)
			}
		}
	}
}

// representable reports whether x is stored exactly by d (or, for f4, whether it does not
// overflow to infinity; rounding to float32 is the point of f4).
func (d dtype) representable(x float64) bool {
	switch d.kind {
	case 'f':
		if d.size == 4 {
			return math.IsInf(x, 0) || math.IsNaN(x) || !math.IsInf(float64(float32(x)), 0)
		}
		return true
	case 'b':
		return x == 0 || x == 1
	}
	if x != math.Trunc(x) { // also false for NaN
		return false
	}
	bits := 8 * d.size
	if d.kind == 'u' {
		return x >= 0 && x < math.Ldexp(1, bits)
	}
	return x >= -math.Ldexp(1, bits-1) && x < math.Ldexp(1, bits-1)
}

// check returns a *ValueError for the first value in data that d cannot store.
func (d dtype) check(data []float64) error {
	if d.kind == 'f' && d.size == 8 {
		return nil
	}
	for i, x := range data {
		if !d.representable(x) {
			return &ValueError{Index: i, Value: x, Dtype: d.String()}
		}
	}
	return nil
}
