package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LoadOptions configures Load.
type LoadOptions struct {
	Valid    int       // rows held out from the end of the MNIST training set for mnist:valid; default 0
	Fetch    bool      // fetch MNIST into its cache (FetchMNIST) if it is missing
	Progress io.Writer // progress of a fetch; may be nil
}

// Ranges of the toy set sizes that Load accepts: beyond them exact likelihoods, the reason for
// these sets, are out of reach (bas:8 has 64 visible units).
const (
	minBASSpec, maxBASSpec         = 2, 8
	minShifterSpec, maxShifterSpec = 2, 10
)

// specForms lists the SPEC forms Load accepts, for its error message.
const specForms = "bas:N (N in 2..8), shifter:N (N in 2..10), ising:L:T[:N[:SEED]], potts-chain:Q:N[:ROWS[:SEED[:DRAW]]], " +
	"mnist, mnist:train, mnist:test, mnist:valid, " +
	"or a file path ending in .csv, .npy, .idx, .idx.gz, -ubyte or -ubyte.gz"

// Load returns the data set named by spec:
//
//	bas:N                BarsAndStripes(N), N in 2..8
//	shifter:N            Shifter(N), N in 2..10
//	ising:L:T[:N[:SEED]] Ising(L, T, N, SEED): N (default 10000) configurations of the L×L
//	                     periodic Ising model at temperature T, spins ±1; L in 2..256,
//	                     SEED default 1
//	potts-chain:Q:N[:ROWS[:SEED[:DRAW]]]
//	                     PottsChainData(Q, N, ROWS, SEED): ROWS (default 10000) exact draws of
//	                     a chain of N Potts sites with Q states (0..Q−1), Q in 2..21,
//	                     N in 1..10000, SEED default 1; DRAW (default 0) picks an
//	                     independent set of rows of the same chain (PottsChainDraw)
//	mnist, mnist:train   the MNIST training set without its last opts.Valid rows
//	mnist:valid          the last opts.Valid rows of the MNIST training set (needs Valid > 0)
//	mnist:test           the MNIST test set
//	PATH.csv             ReadCSV
//	PATH.npy             ReadNPYData
//	PATH.idx, PATH.idx.gz, PATH-ubyte, PATH-ubyte.gz
//	                     ReadIDXImages; with labels when PATH has the MNIST form
//	                     …-images-idx3-ubyte… and the matching …-labels-idx1-ubyte… exists
//
// MNIST comes from MNISTDir (see FetchMNIST), scaled to [0,1], with labels and Shape 28×28;
// when its files are missing, Load fetches them if opts.Fetch is set and otherwise returns an
// error saying how to fetch them. Values are returned as stored, never binarised. An unknown
// spec is an error listing the accepted forms.
func Load(spec string, opts LoadOptions) (*Dataset, error) {
	if kind, arg, ok := strings.Cut(spec, ":"); ok {
		switch kind {
		case "bas":
			n, err := specSize(spec, arg, minBASSpec, maxBASSpec)
			if err != nil {
				return nil, err
			}
			return BarsAndStripes(n), nil
		case "shifter":
			n, err := specSize(spec, arg, minShifterSpec, maxShifterSpec)
			if err != nil {
				return nil, err
			}
			return Shifter(n), nil
		case "ising":
			return loadIsing(spec, arg)
		case "potts-chain":
			return loadPottsChain(spec, arg)
		case "mnist":
			return loadMNIST(arg, opts)
		}
	}
	if spec == "mnist" {
		return loadMNIST("train", opts)
	}
	lower := strings.ToLower(spec)
	switch {
	case strings.HasSuffix(lower, ".csv"):
		return readFile(spec, ReadCSV)
	case strings.HasSuffix(lower, ".npy"):
		return readFile(spec, ReadNPYData)
	case hasAnySuffix(lower, ".idx", ".idx.gz", "-ubyte", "-ubyte.gz"):
		return loadIDX(spec)
	}
	return nil, fmt.Errorf("unknown data set %q: want %s", spec, specForms)
}

// specSize parses the N of a toy-set spec and checks it is in lo..hi.
func specSize(spec, arg string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(arg)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("data set %q: N must be an integer in %d..%d", spec, lo, hi)
	}
	return n, nil
}

func hasAnySuffix(s string, suffixes ...string) bool {
	for _, suf := range suffixes {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return false
}

// readFile opens path and reads it with read, naming the data set by its path.
func readFile(path string, read func(io.Reader, string) (*Dataset, error)) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return read(f, path)
}

// loadIDX reads an IDX images file and, for MNIST-style names, its labels file when present.
func loadIDX(path string) (*Dataset, error) {
	d, err := ReadIDXImages(path)
	if err != nil {
		return nil, err
	}
	labelsPath := labelsPathFor(path)
	if labelsPath == "" {
		return d, nil
	}
	if _, err := os.Stat(labelsPath); errors.Is(err, os.ErrNotExist) {
		return d, nil
	}
	if err := attachLabels(d, labelsPath); err != nil {
		return nil, err
	}
	return d, nil
}

// attachLabels reads the labels at path into d, checking there is one per row.
func attachLabels(d *Dataset, path string) error {
	labels, err := ReadIDXLabels(path)
	if err != nil {
		return err
	}
	if len(labels) != d.X.Rows {
		return fmt.Errorf("%s: %d labels for the %d images of %s", path, len(labels), d.X.Rows, d.Name)
	}
	d.Labels = labels
	return nil
}

// loadMNIST returns the MNIST part named by which: train, valid or test.
func loadMNIST(which string, opts LoadOptions) (*Dataset, error) {
	var images, labels string
	switch which {
	case "train", "valid":
		images, labels = MNISTTrainImages, MNISTTrainLabels
	case "test":
		images, labels = MNISTTestImages, MNISTTestLabels
	default:
		return nil, fmt.Errorf("unknown data set %q: want %s", "mnist:"+which, specForms)
	}
	if opts.Valid < 0 {
		return nil, fmt.Errorf("mnist: Valid = %d: want 0 or more held-out rows", opts.Valid)
	}
	if which == "valid" && opts.Valid == 0 {
		return nil, errors.New("mnist:valid: no validation rows: set the number held out from the end of the training set (Valid > 0)")
	}
	dir, err := mnistFilesDir(opts)
	if err != nil {
		return nil, err
	}
	d, err := ReadIDXImages(filepath.Join(dir, images))
	if err != nil {
		return nil, err
	}
	if err := attachLabels(d, filepath.Join(dir, labels)); err != nil {
		return nil, err
	}
	d.Name = "mnist:" + which
	if which == "test" {
		return d, nil
	}
	if opts.Valid >= d.X.Rows {
		return nil, fmt.Errorf("mnist: Valid = %d: want fewer than the %d training rows", opts.Valid, d.X.Rows)
	}
	split := d.X.Rows - opts.Valid
	if which == "train" {
		d.X, d.Labels = d.X.Slice(0, split), d.Labels[:split:split]
	} else {
		d.X, d.Labels = d.X.Slice(split, d.X.Rows), d.Labels[split:]
	}
	return d, nil
}

// mnistFilesDir returns the MNIST cache directory, fetching the files first if they are
// missing and opts.Fetch is set.
func mnistFilesDir(opts LoadOptions) (string, error) {
	dir, err := MNISTDir()
	if err != nil {
		return "", err
	}
	if opts.Fetch {
		return FetchMNIST(context.Background(), FetchOptions{Dir: dir, Progress: opts.Progress})
	}
	for _, name := range mnistFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return "", fmt.Errorf("MNIST is not in %s (%s missing): run `boltz data fetch mnist` first, or load with fetching enabled", dir, name)
		}
	}
	return dir, nil
}

// maxGeneratedValues bounds rows × columns of a generated data set (ising, potts-chain):
// 2^27 float64 values are 1 GiB.
const maxGeneratedValues = 1 << 27

// specInt parses the field called name of a generated data set's spec as an integer in
// lo..hi, naming the field in the error.
func specInt(spec, name, field string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(field)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("data set %q: %s must be an integer in %d..%d, got %q", spec, name, lo, hi, field)
	}
	return n, nil
}

// specRowsAndSeed parses the optional row-count and SEED fields, fields[2] and fields[3], of
// a generated data set's spec (defaults defRows and defSeed; the row field is called
// rowsName in errors), and refuses more than maxGeneratedValues values of cols columns.
func specRowsAndSeed(spec string, fields []string, rowsName string, defRows int, defSeed uint64, cols int) (int, uint64, error) {
	rows, seed := defRows, defSeed
	var err error
	if len(fields) > 2 {
		if rows, err = specInt(spec, rowsName, fields[2], 1, maxGeneratedValues); err != nil {
			return 0, 0, err
		}
	}
	if len(fields) > 3 {
		if seed, err = strconv.ParseUint(fields[3], 10, 64); err != nil {
			return 0, 0, fmt.Errorf("data set %q: SEED must be a non-negative integer, got %q", spec, fields[3])
		}
	}
	if rows > maxGeneratedValues/cols {
		return 0, 0, fmt.Errorf("data set %q: %d rows of %d values exceed the %d values (1 GiB) a generated data set may hold",
			spec, rows, cols, maxGeneratedValues)
	}
	return rows, seed, nil
}

// loadIsing loads ising:L:T[:N[:SEED]]; arg is what follows "ising:".
func loadIsing(spec, arg string) (*Dataset, error) {
	fields := strings.Split(arg, ":")
	if len(fields) < 2 || len(fields) > 4 {
		return nil, fmt.Errorf("data set %q: want ising:L:T[:N[:SEED]]", spec)
	}
	l, err := specInt(spec, "L", fields[0], minIsingSize, maxIsingSize)
	if err != nil {
		return nil, err
	}
	T, err := strconv.ParseFloat(fields[1], 64)
	if err != nil || !(T > 0) || math.IsInf(T, 1) {
		return nil, fmt.Errorf("data set %q: T must be a positive temperature, got %q", spec, fields[1])
	}
	n, seed, err := specRowsAndSeed(spec, fields, "N", DefaultIsingRows, DefaultIsingSeed, l*l)
	if err != nil {
		return nil, err
	}
	d := Ising(l, T, n, seed)
	d.Name = spec
	return d, nil
}

// loadPottsChain loads potts-chain:Q:N[:ROWS[:SEED[:DRAW]]]; arg is what follows
// "potts-chain:".
func loadPottsChain(spec, arg string) (*Dataset, error) {
	fields := strings.Split(arg, ":")
	if len(fields) < 2 || len(fields) > 5 {
		return nil, fmt.Errorf("data set %q: want potts-chain:Q:N[:ROWS[:SEED[:DRAW]]]", spec)
	}
	var draw uint64
	if len(fields) == 5 {
		d, err := strconv.ParseUint(fields[4], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("data set %q: DRAW %q is not a non-negative integer", spec, fields[4])
		}
		draw, fields = d, fields[:4]
	}
	q, err := specInt(spec, "Q", fields[0], MinPottsStates, MaxPottsStates)
	if err != nil {
		return nil, err
	}
	n, err := specInt(spec, "N", fields[1], 1, maxPottsSites)
	if err != nil {
		return nil, err
	}
	rows, seed, err := specRowsAndSeed(spec, fields, "ROWS", DefaultPottsRows, DefaultPottsSeed, n)
	if err != nil {
		return nil, err
	}
	d := PottsChainDraw(q, n, rows, seed, draw)
	d.Name = spec
	return d, nil
}
