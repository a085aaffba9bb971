package npz

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// allDtypes lists every dtype WriteNPY and ReadNPY support, in canonical form.
var allDtypes = []string{
	"<f8", ">f8", "<f4", ">f4",
	"|i1", "<i2", ">i2", "<i4", ">i4", "<i8", ">i8",
	"|u1", "<u2", ">u2", "<u4", ">u4", "<u8", ">u8",
	"|b1",
}

var testShapes = [][]int{{}, {0}, {5}, {2, 3}, {2, 3, 4}}

// sampleValues returns n values that dtype stores exactly, including its extremes.
func sampleValues(dtype string, n int) []float64 {
	var pool []float64
	switch dtype[1:] {
	case "f8":
		pool = []float64{0, -1.5, math.Pi, 1e300, -4.9e-324, math.Inf(1), math.Inf(-1), math.MaxFloat64}
	case "f4":
		pool = []float64{0, -1.5, 0.25, math.MaxFloat32, -float64(math.SmallestNonzeroFloat32), math.Inf(-1), 3}
	case "b1":
		pool = []float64{0, 1, 1, 0}
	case "i1":
		pool = []float64{0, -128, 127, -1, 5}
	case "u1":
		pool = []float64{0, 255, 1, 128}
	case "i2":
		pool = []float64{0, -32768, 32767, -7}
	case "u2":
		pool = []float64{0, 65535, 300}
	case "i4":
		pool = []float64{0, math.MinInt32, math.MaxInt32, -70000}
	case "u4":
		pool = []float64{0, math.MaxUint32, 70000}
	case "i8":
		pool = []float64{0, math.MinInt64, 1 << 62, -(1 << 53), 1<<53 + 2}
	case "u8":
		pool = []float64{0, 1 << 63, 18446744073709549568, 12345} // 2^64-2048: largest float64 below 2^64
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = pool[i%len(pool)]
	}
	return out
}

func equalData(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) })
}

func TestNPYRoundTrip(t *testing.T) {
	for _, dt := range allDtypes {
		for _, shape := range testShapes {
			t.Run(fmt.Sprintf("%s%v", dt, shape), func(t *testing.T) {
				a := &Array{Shape: shape, Dtype: dt}
				a.Data = sampleValues(dt, a.Len())
				var buf bytes.Buffer
				if err := WriteNPY(&buf, a); err != nil {
					t.Fatal(err)
				}
				// Every header here is under 128 bytes; numpy's 64-byte alignment pads it to 128.
				if hlen := buf.Len() - a.Len()*int(dt[2]-'0'); hlen != 128 {
					t.Errorf("header is %d bytes, want 128", hlen)
				}
				got, err := ReadNPY(&buf)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.Shape, shape) || got.Dtype != dt || !equalData(got.Data, a.Data) {
					t.Errorf("got %v %s %v, want %v %s %v", got.Shape, got.Dtype, got.Data, shape, dt, a.Data)
				}
				if buf.Len() != 0 {
					t.Errorf("%d bytes left unread", buf.Len())
				}
			})
		}
	}
}

func TestWriteNPYDefaultDtype(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteNPY(&buf, &Array{Shape: []int{2}, Data: []float64{1, 2}}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadNPY(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dtype != "<f8" {
		t.Errorf("Dtype = %q, want <f8", got.Dtype)
	}
}

// goldenNPY is numpy 1.24.2's np.save of np.array([1., 2., 3.]): a 118-byte header that puts
// the data at byte 128.
var goldenNPY = "\x93NUMPY\x01\x00v\x00" +
	"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }" +
	strings.Repeat(" ", 60) + "\n" +
	"\x00\x00\x00\x00\x00\x00\xf0\x3f" + // 1.0
	"\x00\x00\x00\x00\x00\x00\x00\x40" + // 2.0
	"\x00\x00\x00\x00\x00\x00\x08\x40" // 3.0

func TestGoldenHeader(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteNPY(&buf, &Array{Shape: []int{3}, Data: []float64{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != goldenNPY {
		t.Errorf("WriteNPY =\n%q\nwant\n%q", buf.String(), goldenNPY)
	}
	a, err := ReadNPY(strings.NewReader(goldenNPY))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Data, []float64{1, 2, 3}) {
		t.Errorf("Data = %v", a.Data)
	}
}

// makeNPY builds a .npy file by hand with the given version, header text and payload.
func makeNPY(major byte, header string, payload []byte) []byte {
	b := []byte(magic)
	b = append(b, major, 0)
	if major == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(header)))
	}
	b = append(b, header...)
	return append(b, payload...)
}

func TestReadBigEndianFortran(t *testing.T) {
	// A 2×3 int32 array [[1 2 3] [4 5 6]] stored big-endian in Fortran (column-major) order.
	var payload []byte
	for _, v := range []int32{1, 4, 2, 5, 3, 6} {
		payload = binary.BigEndian.AppendUint32(payload, uint32(v))
	}
	file := makeNPY(1, "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }\n", payload)
	a, err := ReadNPY(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Shape, []int{2, 3}) || !slices.Equal(a.Data, []float64{1, 2, 3, 4, 5, 6}) || a.Dtype != ">i4" {
		t.Errorf("got %v %v %s", a.Shape, a.Data, a.Dtype)
	}
}

func TestReadFortran3D(t *testing.T) {
	// x[i,j,k] = 100i + 10j + k for shape (2, 3, 4), written in Fortran order (i fastest).
	var payload []byte
	for k := range 4 {
		for j := range 3 {
			for i := range 2 {
				payload = binary.LittleEndian.AppendUint64(payload, math.Float64bits(float64(100*i+10*j+k)))
			}
		}
	}
	file := makeNPY(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }\n", payload)
	a, err := ReadNPY(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		for j := range 3 {
			for k := range 4 {
				if got, want := a.Data[12*i+4*j+k], float64(100*i+10*j+k); got != want {
					t.Fatalf("x[%d,%d,%d] = %v, want %v", i, j, k, got, want)
				}
			}
		}
	}
}

func TestReadHeaderVariants(t *testing.T) {
	two := binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(nil, 7), 9)
	native := "<u2"
	if nativeBig {
		native = ">u2"
	}
	cases := []struct {
		major  byte
		header string
		dtype  string
	}{
		{1, "{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }", "<u2"},
		{2, "{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }\n", "<u2"},
		{3, "{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }\n", "<u2"},
		{1, `{"shape":(2L,),"descr":"<u2","fortran_order":False}`, "<u2"},
		{1, "  { 'descr' : '=u2' ,\n 'fortran_order' : False , 'shape' : ( 2 , ) }   \n", native},
		{1, "{'descr': 'u2', 'fortran_order': False, 'shape': (1, 2), }", native},
		{1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", "|u1"},
		{1, "{'descr': '<u1', 'fortran_order': False, 'shape': (4,), }", "|u1"},
	}
	for _, c := range cases {
		a, err := ReadNPY(bytes.NewReader(makeNPY(c.major, c.header, two)))
		if err != nil {
			t.Errorf("%d %q: %v", c.major, c.header, err)
			continue
		}
		if a.Dtype != c.dtype || a.Len() != len(a.Data) {
			t.Errorf("%q: dtype %s, shape %v, %d values", c.header, a.Dtype, a.Shape, len(a.Data))
		}
	}
}

func TestReadErrors(t *testing.T) {
	hdr := func(descr, shape string) []byte {
		return makeNPY(1, fmt.Sprintf("{'descr': %s, 'fortran_order': False, 'shape': %s, }\n", descr, shape), make([]byte, 64))
	}
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "truncated preamble"},
		{"bad magic", []byte("PK\x03\x04 not an npy file"), "bad magic"},
		{"version 4", []byte("\x93NUMPY\x04\x00\x10\x00"), "unknown format version 4.0"},
		{"version 1.1", []byte("\x93NUMPY\x01\x01\x10\x00"), "unknown format version 1.1"},
		{"header too long", []byte("\x93NUMPY\x02\x00\xff\xff\xff\x7f"), "header length"},
		{"header short", makeNPY(1, "{'descr'", nil)[:14], "truncated header"},
		{"not a dict", makeNPY(1, "[1, 2]", nil), "not a dict"},
		{"garbled", makeNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,) ", nil), "garbled"},
		{"unterminated string", makeNPY(1, "{'descr: '<f8'}", nil), "garbled"},
		{"text after", makeNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), } x", nil), "after the header"},
		{"deep nesting", makeNPY(1, strings.Repeat("(", 100), nil), "nested"},
		{"missing shape", makeNPY(1, "{'descr': '<f8', 'fortran_order': False}", nil), "no tuple 'shape'"},
		{"missing descr", makeNPY(1, "{'fortran_order': False, 'shape': ()}", nil), "no 'descr'"},
		{"extra key", makeNPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), 'x': 1}", nil), "unexpected key"},
		{"duplicate key", makeNPY(1, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': ()}", nil), "duplicate key"},
		{"fortran not bool", makeNPY(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': ()}", nil), "fortran_order"},
		{"shape not tuple", hdr("'<f8'", "(3)"), "no tuple 'shape'"},
		{"shape of strings", hdr("'<f8'", "('3',)"), "not an integer"},
		{"negative dim", hdr("'<f8'", "(2, -3)"), "negative dimension"},
		{"too many elements", hdr("'<f8'", "(100000, 100000)"), "more than"},
		{"overflowing shape", hdr("'<f8'", "(4294967296, 4294967296, 4294967296)"), "more than"},
		{"int out of range", hdr("'<f8'", "(99999999999999999999,)"), "out of range"},
		{"object", hdr("'|O'", "(2,)"), "object"},
		{"complex", hdr("'<c16'", "(2,)"), "complex"},
		{"structured", hdr("[('a', '<f8'), ('b', '<i4')]", "(2,)"), "structured"},
		{"void", hdr("'|V8'", "(2,)"), "structured"},
		{"string", hdr("'<U3'", "(2,)"), "strings"},
		{"datetime", hdr("'<M8[s]'", "(2,)"), "datetime"},
		{"float16", hdr("'<f2'", "(2,)"), "unsupported dtype"},
		{"bad size", hdr("'<i3'", "(2,)"), "unsupported dtype"},
		{"no size", hdr("'<f'", "(2,)"), "unsupported dtype"},
		{"truncated data", hdr("'<f8'", "(9,)"), "truncated data"},
	}
	for _, c := range cases {
		a, err := ReadNPY(bytes.NewReader(c.file))
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: got %v, %v; want a *FormatError", c.name, a, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "npz: ") {
			t.Errorf("%s: error %q, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestReadIOError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := ReadNPY(io.MultiReader(strings.NewReader(goldenNPY[:20]), errReader{boom}))
	var fe *FormatError
	if !errors.Is(err, boom) || errors.As(err, &fe) {
		t.Errorf("err = %v, want wrapping %v and not a *FormatError", err, boom)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestReadTruncatedEveryOffset(t *testing.T) {
	var buf bytes.Buffer
	a := &Array{Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}, Dtype: "<f4"}
	if err := WriteNPY(&buf, a); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()
	for n := range len(file) {
		_, err := ReadNPY(bytes.NewReader(file[:n]))
		if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("prefix of %d bytes: err = %v, want io.ErrUnexpectedEOF", n, err)
		}
	}
}

func TestReadArchiveTruncatedEveryOffset(t *testing.T) {
	file := archiveBytes(t, sampleArchive())
	for n := range len(file) {
		if _, err := Read(bytes.NewReader(file[:n]), int64(n)); err == nil {
			t.Errorf("prefix of %d bytes read without error", n)
		}
	}
}

func TestReadCorruptHeaderEveryByte(t *testing.T) {
	// Overwrite each header byte with each of a few troublesome values: any outcome but a panic
	// or an inconsistent array is fine.
	for i := 6; i < 128; i++ {
		for _, c := range []byte{0, '(', ')', '\'', ',', '-', '9', 0xff} {
			file := []byte(goldenNPY)
			file[i] = c
			a, err := ReadNPY(bytes.NewReader(file))
			if err == nil && a.Len() != len(a.Data) {
				t.Errorf("byte %d = %q: shape %v with %d values", i, c, a.Shape, len(a.Data))
			}
		}
	}
}

func TestReadHugeShapeFailsFast(t *testing.T) {
	file := makeNPY(1, "{'descr':'<f8','fortran_order':False,'shape':(1000000000,)}", []byte("tiny"))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := ReadNPY(bytes.NewReader(file))
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want truncation", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("allocated %d bytes for a %d-byte file", alloc, len(file))
	}
	if elapsed > time.Second {
		t.Errorf("took %v", elapsed)
	}
}

func TestWriteNPYValueErrors(t *testing.T) {
	cases := []struct {
		dtype string
		value float64
	}{
		{"<i4", 0.5}, {"<i4", math.MaxInt32 + 1}, {"<i4", math.NaN()}, {"<i8", math.Inf(1)},
		{"<i8", 1 << 63}, {"|u1", 256}, {"|u1", -1}, {"|b1", 2}, {"|b1", 0.5}, {"<u8", 1 << 64},
		{"<f4", 1e39}, {"|i1", -129},
	}
	for _, c := range cases {
		a := &Array{Shape: []int{3}, Data: []float64{0, 1, c.value}, Dtype: c.dtype}
		var buf bytes.Buffer
		err := WriteNPY(&buf, a)
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Index != 2 || !strings.Contains(err.Error(), "index 2") {
			t.Errorf("%s %v: err = %v, want a *ValueError at index 2", c.dtype, c.value, err)
		}
		if buf.Len() != 0 {
			t.Errorf("%s %v: wrote %d bytes before failing", c.dtype, c.value, buf.Len())
		}
	}
}

func TestWriteNPYInvalid(t *testing.T) {
	cases := []struct {
		name string
		a    *Array
		want string
	}{
		{"nil", nil, "nil array"},
		{"short data", &Array{Shape: []int{2, 2}, Data: []float64{1}}, "needs 4 values"},
		{"0-d without value", &Array{}, "needs 1 values"},
		{"negative", &Array{Shape: []int{-1}, Data: nil}, "negative dimension"},
		{"dtype", &Array{Shape: []int{1}, Data: []float64{1}, Dtype: "<c8"}, "unsupported dtype"},
		{"dtype name", &Array{Shape: []int{1}, Data: []float64{1}, Dtype: "float64"}, "unsupported dtype"},
	}
	for _, c := range cases {
		err := WriteNPY(io.Discard, c.a)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

func sampleArchive() *Archive {
	return &Archive{
		Arrays: map[string]*Array{
			"W": {Shape: []int{3, 4}, Data: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.5}},
			"b": {Shape: []int{3}, Data: []float64{-1, 0, 1}, Dtype: "<f4"},
			"c": {Shape: []int{4}, Data: []float64{0, 1, 1, 0}, Dtype: "|b1"},
			"s": {Shape: []int{}, Data: []float64{42}, Dtype: "<i8"},
		},
		Files: map[string][]byte{"meta.json": []byte(`{"version": 1}`)},
	}
}

func archiveBytes(t testing.TB, a *Archive) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, a); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestArchiveRoundTrip(t *testing.T) {
	want := sampleArchive()
	file := archiveBytes(t, want)
	got, err := Read(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Arrays) != len(want.Arrays) || len(got.Files) != len(want.Files) {
		t.Fatalf("got %d arrays, %d files", len(got.Arrays), len(got.Files))
	}
	for name, w := range want.Arrays {
		g := got.Arrays[name]
		wantDtype := cmpOr(w.Dtype, "<f8")
		if g == nil || !slices.Equal(g.Shape, w.Shape) || !slices.Equal(g.Data, w.Data) || g.Dtype != wantDtype {
			t.Errorf("array %s = %+v, want %+v", name, g, w)
		}
	}
	if string(got.Files["meta.json"]) != string(want.Files["meta.json"]) {
		t.Errorf("meta.json = %q", got.Files["meta.json"])
	}
}

func cmpOr(a, b string) string {
	if a == "" {
		return b
	}
	return a
}

func TestArchiveMembersSortedAndStored(t *testing.T) {
	file := archiveBytes(t, sampleArchive())
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Method != zip.Store || !f.Modified.Equal(modTime) {
			t.Errorf("%s: method %d, modified %v", f.Name, f.Method, f.Modified)
		}
	}
	if want := []string{"W.npy", "b.npy", "c.npy", "meta.json", "s.npy"}; !slices.Equal(names, want) {
		t.Errorf("members %v, want %v", names, want)
	}
}

func TestArchiveDeterministic(t *testing.T) {
	first := archiveBytes(t, sampleArchive())
	for range 5 {
		// Fresh maps have a fresh iteration order.
		if again := archiveBytes(t, sampleArchive()); !bytes.Equal(first, again) {
			t.Fatal("the same archive gave different bytes")
		}
	}
	dir := t.TempDir()
	p1, p2 := filepath.Join(dir, "a.npz"), filepath.Join(dir, "b.npz")
	if err := WriteFile(p1, sampleArchive()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	if err := WriteFile(p2, sampleArchive()); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(p1)
	b2, _ := os.ReadFile(p2)
	if !bytes.Equal(b1, b2) || !bytes.Equal(b1, first) {
		t.Error("WriteFile gave different bytes")
	}
}

func TestWriteBadNames(t *testing.T) {
	for _, name := range []string{"", ".", "..", "a/b", "../x", "/abs", `a\b`, "x\x00", "\xff"} {
		a := &Archive{Arrays: map[string]*Array{name: {Shape: []int{}, Data: []float64{1}}}}
		if err := Write(io.Discard, a); err == nil {
			t.Errorf("array name %q: no error", name)
		}
		f := &Archive{Files: map[string][]byte{name: nil}}
		if err := Write(io.Discard, f); err == nil {
			t.Errorf("file name %q: no error", name)
		}
	}
	f := &Archive{Files: map[string][]byte{"x.npy": nil}}
	if err := Write(io.Discard, f); err == nil {
		t.Error("file named x.npy: no error")
	}
}

func TestWriteInvalidArrayWritesNothing(t *testing.T) {
	a := sampleArchive()
	a.Arrays["c"].Data[1] = 0.5 // not a bool
	var buf bytes.Buffer
	err := Write(&buf, a)
	if err == nil || !strings.Contains(err.Error(), "array c") || !strings.Contains(err.Error(), "index 1") {
		t.Errorf("err = %v, want it to name array c and index 1", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes", buf.Len())
	}
	a.Arrays["c"] = nil
	if err := Write(io.Discard, a); err == nil {
		t.Error("nil array: no error")
	}
}

func TestWriteEmptyArchive(t *testing.T) {
	for _, a := range []*Archive{nil, {}} {
		var buf bytes.Buffer
		if err := Write(&buf, a); err != nil {
			t.Fatal(err)
		}
		got, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil || len(got.Arrays)+len(got.Files) != 0 {
			t.Errorf("got %+v, %v", got, err)
		}
	}
}

// zipOf builds a zip by hand, bypassing Write's checks.
func zipOf(t testing.TB, members ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(members); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: members[i], Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, members[i+1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadArchiveErrors(t *testing.T) {
	var oversize bytes.Buffer
	zw := zip.NewWriter(&oversize)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "bomb.npy", Method: zip.Store, CompressedSize64: 4, UncompressedSize64: 5 << 30})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("tiny"))
	zw.Close()

	corrupt := archiveBytes(t, &Archive{Files: map[string][]byte{"meta.json": []byte("hello, world")}})
	i := bytes.Index(corrupt, []byte("hello"))
	corrupt[i] = 'j'

	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"not a zip", []byte(goldenNPY), "not a zip archive"},
		{"empty", nil, "not a zip archive"},
		{"duplicate", zipOf(t, "a.npy", goldenNPY, "a.npy", goldenNPY), "member a.npy: duplicate"},
		{"bad npy", zipOf(t, "meta.json", "{}", "W.npy", "not an npy file at all"), "member W.npy: bad magic"},
		{"truncated npy", zipOf(t, "W.npy", goldenNPY[:140]), "member W.npy: truncated data"},
		{"trailing", zipOf(t, "W.npy", goldenNPY+"junk"), "member W.npy: 4 bytes after"},
		{"oversize", oversize.Bytes(), "member bomb.npy: declared size"},
		{"checksum", corrupt, "member meta.json: corrupt member"},
	}
	for _, c := range cases {
		_, err := Read(bytes.NewReader(c.file), int64(len(c.file)))
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a *FormatError containing %q", c.name, err, c.want)
		}
	}
}

func TestReadArchiveDeflate(t *testing.T) {
	file := zipOf(t, "W.npy", goldenNPY, "dir/", "", "notes.txt", "hi")
	a, err := Read(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	if w, err := a.Get("W", 3); err != nil || w.Data[2] != 3 {
		t.Errorf("W = %v, %v", w, err)
	}
	if string(a.Files["notes.txt"]) != "hi" || len(a.Files) != 1 {
		t.Errorf("Files = %v", a.Files)
	}
}

func TestGet(t *testing.T) {
	a := sampleArchive()
	if _, err := a.Get("W", 3, 4); err != nil {
		t.Error(err)
	}
	if _, err := a.Get("W", -1, 4); err != nil {
		t.Error(err)
	}
	if _, err := a.Get("W"); err != nil {
		t.Error(err)
	}
	if _, err := a.Get("s", []int{}...); err != nil {
		t.Error(err)
	}
	_, err := a.Get("W", 3, 5)
	var se *ShapeError
	if !errors.As(err, &se) || err.Error() != "npz: array W: shape (3, 4), want (3, 5)" {
		t.Errorf("err = %v", err)
	}
	if _, err := a.Get("b", 3, -1); err == nil || err.Error() != "npz: array b: shape (3,), want (3, *)" {
		t.Errorf("err = %v", err)
	}
	_, err = a.Get("V", 3)
	var me *MissingError
	if !errors.As(err, &me) || err.Error() != "npz: missing array V" {
		t.Errorf("err = %v", err)
	}
	var nilArchive *Archive
	if _, err := nilArchive.Get("W"); !errors.As(err, &me) {
		t.Errorf("nil archive: err = %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Get with size -2 did not panic")
		}
	}()
	a.Get("W", -2, 4)
}

func TestWriteFileKeepsOldOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.npz")
	if err := WriteFile(path, sampleArchive()); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path)
	bad := sampleArchive()
	bad.Arrays["W"].Data = bad.Arrays["W"].Data[:5]
	if err := WriteFile(path, bad); err == nil {
		t.Fatal("no error for a bad array")
	}
	now, _ := os.ReadFile(path)
	if !bytes.Equal(old, now) {
		t.Error("failed WriteFile changed the file")
	}
	a, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get("W", 3, 4); err != nil {
		t.Error(err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.npz")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v", err)
	}
}

// pythonWithNumpy returns a Python interpreter that can import numpy, or "".
func pythonWithNumpy() string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import numpy").Run() == nil {
			return py
		}
	}
	return ""
}

func TestNumpyInterop(t *testing.T) {
	py := pythonWithNumpy()
	if py == "" {
		t.Skip("python3 with numpy not installed")
	}
	dir := t.TempDir()
	run := func(script string, args ...string) {
		t.Helper()
		out, err := exec.Command(py, append([]string{"-c", script}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("python: %v\n%s", err, out)
		}
	}

	// boltz writes, numpy reads.
	model := filepath.Join(dir, "model.npz")
	if err := WriteFile(model, sampleArchive()); err != nil {
		t.Fatal(err)
	}
	run(`
import sys, zipfile, json, numpy as np
d = np.load(sys.argv[1], allow_pickle=False)
assert sorted(d.files) == ['W', 'b', 'c', 'meta.json', 's'], d.files
W = d['W']
assert W.dtype == np.float64 and W.shape == (3, 4), (W.dtype, W.shape)
assert (W == np.array([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12.5]])).all(), W
assert d['b'].dtype == np.float32 and (d['b'] == [-1, 0, 1]).all()
assert d['c'].dtype == np.bool_ and (d['c'] == [False, True, True, False]).all()
assert d['s'].dtype == np.int64 and d['s'].shape == () and d['s'] == 42
assert json.loads(zipfile.ZipFile(sys.argv[1]).read('meta.json')) == {'version': 1}
`, model)

	// numpy writes, boltz reads.
	run(`
import sys, os, numpy as np
d = sys.argv[1]
x = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 4
np.save(os.path.join(d, 'x.npy'), x.astype(np.float32))
kw = dict(f32=x.astype(np.float32), i64=np.arange(-3, 3), i32=np.arange(6, dtype=np.int32),
          u1=np.arange(250, 256, dtype=np.uint8), b=np.array([True, False]),
          fort=np.asfortranarray(x), be=x.astype('>f8'), bei=np.arange(6, dtype='>i2'),
          scalar=np.float64(2.5), empty=np.zeros((0, 3)))
np.savez(os.path.join(d, 'plain.npz'), **kw)
np.savez_compressed(os.path.join(d, 'compressed.npz'), **kw)
`, dir)
	x := make([]float64, 24)
	for i := range x {
		x[i] = float64(i) / 4
	}
	lone, err := os.Open(filepath.Join(dir, "x.npy"))
	if err != nil {
		t.Fatal(err)
	}
	defer lone.Close()
	a, err := ReadNPY(lone)
	if err != nil || a.Dtype != "<f4" || !slices.Equal(a.Data, x) || !slices.Equal(a.Shape, []int{2, 3, 4}) {
		t.Errorf("x.npy: %+v, %v", a, err)
	}
	want := map[string]struct {
		dtype string
		shape []int
		data  []float64
	}{
		"f32":    {"<f4", []int{2, 3, 4}, x},
		"i64":    {"<i8", []int{6}, []float64{-3, -2, -1, 0, 1, 2}},
		"i32":    {"<i4", []int{6}, []float64{0, 1, 2, 3, 4, 5}},
		"u1":     {"|u1", []int{6}, []float64{250, 251, 252, 253, 254, 255}},
		"b":      {"|b1", []int{2}, []float64{1, 0}},
		"fort":   {"<f8", []int{2, 3, 4}, x},
		"be":     {">f8", []int{2, 3, 4}, x},
		"bei":    {">i2", []int{6}, []float64{0, 1, 2, 3, 4, 5}},
		"scalar": {"<f8", []int{}, []float64{2.5}},
		"empty":  {"<f8", []int{0, 3}, []float64{}},
	}
	for _, file := range []string{"plain.npz", "compressed.npz"} {
		ar, err := ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if len(ar.Arrays) != len(want) {
			t.Errorf("%s: %d arrays, want %d", file, len(ar.Arrays), len(want))
		}
		for name, w := range want {
			g, err := ar.Get(name, w.shape...)
			if err != nil {
				t.Errorf("%s: %v", file, err)
				continue
			}
			if g.Dtype != w.dtype || !slices.Equal(g.Data, w.data) {
				t.Errorf("%s %s: %s %v, want %s %v", file, name, g.Dtype, g.Data, w.dtype, w.data)
			}
		}
	}
}

func FuzzReadNPY(f *testing.F) {
	f.Add([]byte(goldenNPY))
	for _, dt := range []string{"<f4", ">i2", "|b1", "<u8"} {
		var buf bytes.Buffer
		a := &Array{Shape: []int{2, 3}, Dtype: dt}
		a.Data = sampleValues(dt, 6)
		WriteNPY(&buf, a)
		f.Add(buf.Bytes())
	}
	f.Add(makeNPY(2, "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 2), }\n", make([]byte, 32)))
	f.Add(makeNPY(3, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }\n", make([]byte, 4)))
	f.Add(makeNPY(1, "{'descr':'<f8','fortran_order':False,'shape':(1000000000,)}", nil))
	f.Fuzz(func(t *testing.T, file []byte) {
		a, err := ReadNPY(bytes.NewReader(file))
		if err != nil {
			return
		}
		if a.Len() != len(a.Data) {
			t.Fatalf("shape %v with %d values", a.Shape, len(a.Data))
		}
		// Whatever was read must write back in its own dtype and read back the same.
		var buf bytes.Buffer
		if err := WriteNPY(&buf, a); err != nil {
			// 2^63-1 and 2^64-1 round up to 2^63 and 2^64 as float64, outside <i8 and <u8.
			var ve *ValueError
			if errors.As(err, &ve) && math.Abs(ve.Value) >= 1<<63 && (ve.Dtype[1:] == "i8" || ve.Dtype[1:] == "u8") {
				return
			}
			t.Fatalf("rewrite: %v", err)
		}
		b, err := ReadNPY(&buf)
		if err != nil {
			t.Fatalf("reread: %v", err)
		}
		if !slices.Equal(a.Shape, b.Shape) || a.Dtype != b.Dtype || !equalData(a.Data, b.Data) {
			t.Fatalf("round trip changed %+v to %+v", a, b)
		}
	})
}

func FuzzRead(f *testing.F) {
	f.Add(archiveBytes(f, sampleArchive()))
	f.Add(archiveBytes(f, &Archive{}))
	f.Add(zipOf(f, "W.npy", goldenNPY, "x", "y"))
	f.Add([]byte(goldenNPY))
	f.Fuzz(func(t *testing.T, file []byte) {
		a, err := Read(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			return
		}
		for name, arr := range a.Arrays {
			if arr.Len() != len(arr.Data) {
				t.Fatalf("array %s: shape %v with %d values", name, arr.Shape, len(arr.Data))
			}
		}
	})
}

func benchArray() *Array {
	a := &Array{Shape: []int{784, 500}, Data: make([]float64, 784*500)}
	for i := range a.Data {
		a.Data[i] = float64(i%1000) / 7
	}
	return a
}

func BenchmarkWriteNPY784x500(b *testing.B) {
	a := benchArray()
	b.ReportAllocs()
	b.SetBytes(int64(8 * len(a.Data)))
	for b.Loop() {
		if err := WriteNPY(io.Discard, a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadNPY784x500(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteNPY(&buf, benchArray()); err != nil {
		b.Fatal(err)
	}
	file := buf.Bytes()
	b.ReportAllocs()
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		if _, err := ReadNPY(bytes.NewReader(file)); err != nil {
			b.Fatal(err)
		}
	}
}

// An array written in parts by NPYWriter reads back as the same bytes WriteNPY writes in
// one piece; too many or too few values are errors.
func TestNPYWriterParts(t *testing.T) {
	data := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	for _, dt := range []string{"<f8", "<f4"} {
		var whole, parts bytes.Buffer
		if err := WriteNPY(&whole, &Array{Shape: []int{4, 3}, Data: data, Dtype: dt}); err != nil {
			t.Fatal(err)
		}
		w, err := NewNPYWriter(&parts, []int{4, 3}, dt)
		if err != nil {
			t.Fatal(err)
		}
		for _, block := range [][]float64{data[:3], data[3:9], data[9:]} {
			if err := w.Write(block); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(whole.Bytes(), parts.Bytes()) {
			t.Errorf("%s: parts differ from WriteNPY", dt)
		}
		if err := w.Write([]float64{1}); err == nil {
			t.Errorf("%s: a value beyond the shape was accepted", dt)
		}
	}
	var b bytes.Buffer
	w, _ := NewNPYWriter(&b, []int{2, 2}, "")
	if err := w.Write([]float64{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil {
		t.Error("Close after 3 of 4 values succeeded")
	}
}
