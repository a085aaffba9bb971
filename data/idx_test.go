package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// makeIDX builds an IDX file of unsigned bytes with the given dimensions and payload.
func makeIDX(dims []uint32, payload []byte) []byte {
	b := []byte{0, 0, idxUnsignedByte, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, payload...)
}

func gzipBytes(t testing.TB, p []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(p); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadIDX(t *testing.T) {
	// testdata/images-3x4x5.idx: 3 images of 4×5, value (37k + 11i) mod 256 for pixel i of
	// image k, except that pixels 0 and 1 of image 0 are 0 and 255.
	want := make([]byte, 60)
	for k := range 3 {
		for i := range 20 {
			want[k*20+i] = byte((37*k + 11*i) % 256)
		}
	}
	want[0], want[1] = 0, 255
	for _, name := range []string{"images-3x4x5.idx", "images-3x4x5.idx.gz"} {
		shape, data, err := ReadIDX(bytes.NewReader(readTestdata(t, name)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(shape, []int{3, 4, 5}) || !bytes.Equal(data, want) {
			t.Errorf("%s: shape %v data %v, want [3 4 5] %v", name, shape, data, want)
		}
	}
	for _, name := range []string{"labels-3.idx", "labels-3.idx.gz"} {
		shape, data, err := ReadIDX(bytes.NewReader(readTestdata(t, name)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(shape, []int{3}) || !bytes.Equal(data, []byte{7, 0, 3}) {
			t.Errorf("%s: shape %v data %v, want [3] [7 0 3]", name, shape, data)
		}
	}
}

func TestReadIDXLargerThanChunk(t *testing.T) {
	payload := make([]byte, 3*idxChunk+17)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	file := makeIDX([]uint32{uint32(len(payload))}, payload)
	for _, in := range [][]byte{file, gzipBytes(t, file)} {
		_, data, err := ReadIDX(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, payload) {
			t.Error("payload differs")
		}
	}
}

func TestReadIDXErrors(t *testing.T) {
	good := readTestdata(t, "images-3x4x5.idx")
	corruptGzip := gzipBytes(t, good)
	corruptGzip[len(corruptGzip)-6] ^= 0xff // inside the CRC-32 of the gzip trailer
	for _, tc := range []struct {
		name string
		in   []byte
		msg  string
	}{
		{"empty", nil, "magic"},
		{"short magic", []byte{0, 0}, "magic"},
		{"wrong magic", append([]byte{1, 0}, good[2:]...), "bad magic"},
		{"wrong type", append([]byte{0, 0, 0x0d}, good[3:]...), "type 0x0d"},
		{"no dimensions", []byte{0, 0, 8, 0}, "zero dimensions"},
		{"dimensions cut", good[:10], "dimensions"},
		{"zero dimension", makeIDX([]uint32{3, 0, 5}, nil), "dimension 1 is 0"},
		{"over 2^31 values", makeIDX([]uint32{1 << 16, 1 << 16}, nil), "more than 2^31"},
		{"over 2^31 by overflow", makeIDX([]uint32{1 << 31, 1 << 31, 1 << 31}, nil), "more than 2^31"},
		{"truncated payload", good[:len(good)-1], "truncated payload: 59 bytes, want 60"},
		{"no payload", good[:16], "truncated payload: 0 bytes, want 60"},
		{"trailing byte", append(slices.Clone(good), 0), "trailing bytes"},
		{"gzip truncated", gzipBytes(t, good)[:40], "idx"},
		{"gzip of truncated", gzipBytes(t, good[:30]), "truncated payload"},
		{"gzip trailing", gzipBytes(t, append(slices.Clone(good), 1, 2)), "trailing bytes"},
		{"gzip garbage after stream", append(gzipBytes(t, good), 'x', 'y'), "idx"},
		{"gzip bad checksum", corruptGzip, "checksum"},
		{"gzip magic only", []byte{0x1f, 0x8b}, "gzip"},
	} {
		_, _, err := ReadIDX(bytes.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.msg)
		}
	}
}

// TestReadIDXHugeDeclaredSize checks that a tiny file declaring 2^31 values fails without
// allocating anywhere near that much: memory follows the bytes present.
func TestReadIDXHugeDeclaredSize(t *testing.T) {
	file := makeIDX([]uint32{1 << 15, 1 << 8, 1 << 8}, []byte{1, 2, 3}) // exactly 2^31 declared
	for _, in := range [][]byte{file, gzipBytes(t, file)} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := ReadIDX(bytes.NewReader(in))
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "truncated payload: 3 bytes, want 2147483648") {
			t.Errorf("error %v, want truncated payload", err)
		}
		// One 1 MiB chunk plus the reader's buffers; a header-sized allocation would be 2 GiB.
		const limit = 4 << 20
		if got := after.TotalAlloc - before.TotalAlloc; got > limit {
			t.Errorf("allocated %d bytes for a %d-byte file, want at most %d", got, len(in), limit)
		}
	}
}

func TestReadIDXImages(t *testing.T) {
	for _, name := range []string{"images-3x4x5.idx", "images-3x4x5.idx.gz"} {
		path := filepath.Join("testdata", name)
		d, err := ReadIDXImages(path)
		if err != nil {
			t.Fatal(err)
		}
		if d.X.Rows != 3 || d.X.Cols != 20 || d.Shape != [2]int{4, 5} || d.Name != path || d.Labels != nil {
			t.Fatalf("%s: %d×%d Shape %v Name %q Labels %v", name, d.X.Rows, d.X.Cols, d.Shape, d.Name, d.Labels)
		}
		if d.X.At(0, 0) != 0 || d.X.At(0, 1) != 1 || d.X.At(2, 3) != float64((37*2+11*3)%256)/255 {
			t.Errorf("%s: values %v %v %v not byte/255", name, d.X.At(0, 0), d.X.At(0, 1), d.X.At(2, 3))
		}
	}
	// A 2-D file: rows of D values, no image shape.
	path := filepath.Join(t.TempDir(), "x.idx")
	if err := os.WriteFile(path, makeIDX([]uint32{2, 3}, []byte{0, 51, 255, 255, 0, 102}), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := ReadIDXImages(path)
	if err != nil {
		t.Fatal(err)
	}
	if d.X.Rows != 2 || d.X.Cols != 3 || d.Shape != [2]int{} || d.X.At(0, 1) != 0.2 || d.X.At(1, 2) != 0.4 {
		t.Errorf("2-D: %d×%d Shape %v data %v", d.X.Rows, d.X.Cols, d.Shape, d.X.Data)
	}
	// Labels are not images; a missing file names its path.
	if _, err := ReadIDXImages(filepath.Join("testdata", "labels-3.idx")); err == nil || !strings.Contains(err.Error(), "want 3") {
		t.Errorf("1-D file read as images: %v", err)
	}
	if _, err := ReadIDXImages(filepath.Join("testdata", "nothing.idx")); err == nil || !strings.Contains(err.Error(), "nothing.idx") {
		t.Errorf("missing file: %v", err)
	}
}

func TestReadIDXLabels(t *testing.T) {
	for _, name := range []string{"labels-3.idx", "labels-3.idx.gz"} {
		labels, err := ReadIDXLabels(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(labels, []int{7, 0, 3}) {
			t.Errorf("%s: %v, want [7 0 3]", name, labels)
		}
	}
	_, err := ReadIDXLabels(filepath.Join("testdata", "images-3x4x5.idx"))
	if err == nil || !strings.Contains(err.Error(), "want 1") || !strings.Contains(err.Error(), "images-3x4x5.idx") {
		t.Errorf("images read as labels: %v", err)
	}
}

func TestLabelsPathFor(t *testing.T) {
	for in, want := range map[string]string{
		"d/train-images-idx3-ubyte.gz": "d/train-labels-idx1-ubyte.gz",
		"t10k-images-idx3-ubyte":       "t10k-labels-idx1-ubyte",
		"x.idx":                        "",
	} {
		if got := labelsPathFor(in); got != want {
			t.Errorf("labelsPathFor(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzReadIDX checks that no input makes ReadIDX panic, and that what it accepts is
// consistent: the payload length is the product of the dimensions, each positive.
func FuzzReadIDX(f *testing.F) {
	for _, name := range []string{"images-3x4x5.idx", "images-3x4x5.idx.gz", "labels-3.idx", "labels-3.idx.gz"} {
		f.Add(readTestdata(f, name))
	}
	f.Add(makeIDX([]uint32{1 << 15, 1 << 8, 1 << 8}, []byte{1}))
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 1, 42})
	f.Fuzz(func(t *testing.T, in []byte) {
		shape, data, err := ReadIDX(bytes.NewReader(in))
		if err != nil {
			return
		}
		n := 1
		for _, d := range shape {
			if d <= 0 {
				t.Fatalf("accepted dimension %d in %v", d, shape)
			}
			n *= d
		}
		if len(shape) == 0 || n != len(data) {
			t.Fatalf("shape %v with %d values", shape, len(data))
		}
	})
}
