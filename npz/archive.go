package npz

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/boltzgo/boltz/internal/atomicfile"
)

// Archive is an .npz file: .npy members (keyed without the .npy suffix) and other raw members
// such as meta.json.
type Archive struct {
	Arrays map[string]*Array
	Files  map[string][]byte
}

const (
	// maxMemberBytes refuses members whose declared uncompressed size exceeds 4 GiB, the
	// classic zip limit; a larger declared size in a boltz file is a zip bomb or corruption.
	maxMemberBytes = 4 << 30
	// maxTotalBytes bounds the declared uncompressed size of all members together.
	maxTotalBytes = 8 << 30
)

// modTime is the fixed modification time of every member Write stores, the earliest time the
// zip format can hold, so that the same Archive always gives the same bytes.
var modTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Read reads an .npz archive of size bytes from r. Members whose names end in ".npy" are parsed
// as arrays (see ReadNPY) and keyed without the suffix; the others are kept as raw bytes in
// Files. Directory entries are skipped.
//
// It returns a *FormatError for input that is not a zip archive, a duplicate member name, a
// member whose declared uncompressed size exceeds 4 GiB (or 8 GiB for all members), bad .npy
// content or trailing bytes after an array (the error names the member), a checksum mismatch,
// or an unsupported compression method. Each member is read through an io.LimitReader bounded
// by its declared size, and memory grows only as bytes arrive. Read is safe for concurrent use
// if r is.
func Read(r io.ReaderAt, size int64) (*Archive, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return nil, &FormatError{Msg: "not a zip archive", Err: err}
	}
	a := &Archive{Arrays: map[string]*Array{}, Files: map[string][]byte{}}
	seen := map[string]bool{}
	var total uint64
	for _, f := range zr.File {
		if seen[f.Name] {
			return nil, &FormatError{Member: f.Name, Msg: "duplicate member name"}
		}
		seen[f.Name] = true
		if f.Name == "" {
			return nil, formatErrorf("member with an empty name")
		}
		if strings.HasSuffix(f.Name, "/") && f.UncompressedSize64 == 0 {
			continue // a directory entry
		}
		if f.UncompressedSize64 > maxMemberBytes {
			return nil, &FormatError{Member: f.Name, Msg: fmt.Sprintf("declared size %d exceeds the limit of %d bytes", f.UncompressedSize64, int64(maxMemberBytes))}
		}
		total += f.UncompressedSize64
		if total > maxTotalBytes {
			return nil, formatErrorf("declared size of all members exceeds the limit of %d bytes", int64(maxTotalBytes))
		}
		if err := a.readMember(f); err != nil {
			var fe *FormatError
			if errors.As(err, &fe) {
				fe.Member = f.Name
				return nil, fe
			}
			return nil, fmt.Errorf("npz: member %s: %w", f.Name, err)
		}
	}
	return a, nil
}

// readMember reads one member into a.Arrays or a.Files.
func (a *Archive) readMember(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return &FormatError{Msg: "cannot open", Err: err}
	}
	defer rc.Close()
	declared := int64(f.UncompressedSize64)
	lr := &io.LimitedReader{R: rc, N: declared}
	if key, ok := strings.CutSuffix(f.Name, ".npy"); ok {
		arr, err := readNPY(lr, declared)
		if err != nil {
			return err
		}
		if lr.N > 0 {
			return formatErrorf("%d bytes after the array data", lr.N)
		}
		a.Arrays[key] = arr
	} else {
		data, err := io.ReadAll(lr)
		if err != nil {
			return err
		}
		if lr.N > 0 {
			return &FormatError{Msg: fmt.Sprintf("truncated: got %d of %d bytes", len(data), declared), Err: io.ErrUnexpectedEOF}
		}
		a.Files[f.Name] = data
	}
	return checkEnd(rc)
}

// checkEnd reads rc to its end, which makes archive/zip verify the member's checksum.
func checkEnd(rc io.Reader) error {
	var b [1]byte
	_, err := io.ReadFull(rc, b[:])
	switch {
	case err == io.EOF:
		return nil
	case err == nil:
		return formatErrorf("more data than the declared size")
	case errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrFormat):
		return &FormatError{Msg: "corrupt member", Err: err}
	}
	return err
}

// ReadFile reads the .npz archive at path; see Read. Errors name the path.
func ReadFile(path string) (*Archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	a, err := Read(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// Write writes a as an .npz archive that numpy.load opens: each array as the member
// "name.npy" (see WriteNPY), each file under its own name, members in sorted name order,
// stored uncompressed (as numpy.savez does) with a fixed modification time of 1980-01-01, so
// the same Archive always gives identical bytes.
//
// Names must be non-empty valid UTF-8 without '/', '\\' or NUL bytes and not "." or ".."; a
// file name must not end in ".npy" (that would read back as an array). Write checks every name
// and array before writing anything and returns an error naming the first at fault; errors from
// w are returned wrapped. A nil Archive or nil maps are treated as empty.
func Write(w io.Writer, a *Archive) error {
	type member struct {
		name  string
		array *Array
		dt    dtype
		file  []byte
	}
	var members []member
	if a != nil {
		for name, arr := range a.Arrays {
			if err := checkName(name); err != nil {
				return fmt.Errorf("npz: array %q: %w", name, err)
			}
			dt, err := validate(arr)
			if err != nil {
				return fmt.Errorf("npz: array %s: %w", name, err)
			}
			members = append(members, member{name: name + ".npy", array: arr, dt: dt})
		}
		for name, data := range a.Files {
			if err := checkName(name); err != nil {
				return fmt.Errorf("npz: file %q: %w", name, err)
			}
			if strings.HasSuffix(name, ".npy") {
				return fmt.Errorf("npz: file %q: a name ending in .npy would read back as an array; put it in Arrays", name)
			}
			members = append(members, member{name: name, file: data})
		}
	}
	slices.SortFunc(members, func(x, y member) int { return strings.Compare(x.name, y.name) })

	zw := zip.NewWriter(w)
	for _, m := range members {
		fh := &zip.FileHeader{Name: m.name, Method: zip.Store, Modified: modTime}
		fh.SetMode(0o644)
		mw, err := zw.CreateHeader(fh)
		if err == nil {
			if m.array != nil {
				err = writeNPY(mw, m.array, m.dt)
			} else {
				_, err = mw.Write(m.file)
			}
		}
		if err != nil {
			return fmt.Errorf("npz: write %s: %w", m.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("npz: write: %w", err)
	}
	return nil
}

// checkName reports whether name is usable as a member name.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case name == "." || name == "..":
		return errors.New("name is a path component")
	case !utf8.ValidString(name):
		return errors.New("name is not valid UTF-8")
	case strings.ContainsAny(name, "/\\\x00"):
		return errors.New("name contains '/', '\\' or NUL")
	}
	return nil
}

// WriteFile writes a to path atomically (see Write): through a temporary file in the same
// directory that is synced and renamed over path, so that a failed or interrupted write leaves
// any existing file untouched. The file gets mode 0644.
func WriteFile(path string, a *Archive) error {
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error { return Write(w, a) })
}

// Get returns the named array, checking its shape if shape is given: the array must have
// len(shape) axes, and each axis the given size, where -1 means any size. It returns a
// *MissingError ("npz: missing array W") if there is no such array and a *ShapeError
// ("npz: array W: shape (3, 4), want (3, 5)") if the shape differs. It panics if a wanted size
// is below -1, which is a programmer's mistake.
func (a *Archive) Get(name string, shape ...int) (*Array, error) {
	for _, d := range shape {
		if d < -1 {
			panic(fmt.Sprintf("boltz/npz: Get(%q): invalid wanted size %d", name, d))
		}
	}
	var arr *Array
	if a != nil {
		arr = a.Arrays[name]
	}
	if arr == nil {
		return nil, &MissingError{Name: name}
	}
	if len(shape) == 0 {
		return arr, nil
	}
	ok := len(arr.Shape) == len(shape)
	for i := 0; ok && i < len(shape); i++ {
		ok = shape[i] == -1 || shape[i] == arr.Shape[i]
	}
	if !ok {
		return nil, &ShapeError{Name: name, Shape: slices.Clone(arr.Shape), Want: slices.Clone(shape)}
	}
	return arr, nil
}
