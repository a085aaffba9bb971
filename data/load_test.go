package data

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadToys(t *testing.T) {
	for spec, want := range map[string][2]int{
		"bas:2": {6, 4}, "bas:4": {30, 16}, "bas:8": {510, 64},
		"shifter:2": {12, 7}, "shifter:5": {96, 13}, "shifter:10": {3072, 23},
	} {
		d, err := Load(spec, LoadOptions{})
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		if d.Name != spec || d.X.Rows != want[0] || d.X.Cols != want[1] {
			t.Errorf("%s: %q %d×%d, want %d×%d", spec, d.Name, d.X.Rows, d.X.Cols, want[0], want[1])
		}
	}
	for _, spec := range []string{"bas:1", "bas:9", "bas:x", "bas:", "shifter:1", "shifter:11", "shifter:-3"} {
		if _, err := Load(spec, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "N must be an integer in") {
			t.Errorf("%s: error %v, want one giving the range", spec, err)
		}
	}
}

func TestLoadUnknown(t *testing.T) {
	for _, spec := range []string{"", "foo", "cifar:10", "mnist:extra", "x.txt"} {
		_, err := Load(spec, LoadOptions{})
		if err == nil || !strings.Contains(err.Error(), "bas:N") || !strings.Contains(err.Error(), ".csv") {
			t.Errorf("%q: error %v, want one listing the accepted forms", spec, err)
		}
	}
}

func TestLoadCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "X.CSV") // suffixes match in any case
	if err := os.WriteFile(path, []byte("a,b\n1,0\n0,1\n1,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != path || d.X.Rows != 3 || d.X.Cols != 2 {
		t.Errorf("%q %d×%d", d.Name, d.X.Rows, d.X.Cols)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.csv"), LoadOptions{}); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadIDXPaths(t *testing.T) {
	dir := t.TempDir()
	raw := readTestdata(t, "images-3x4x5.idx")
	for _, name := range []string{"a.idx", "b.IDX.gz", "c-idx3-ubyte", "d-idx3-ubyte.gz"} {
		b := raw
		if strings.HasSuffix(strings.ToLower(name), ".gz") {
			b = gzipBytes(t, raw)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := Load(path, LoadOptions{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if d.X.Rows != 3 || d.X.Cols != 20 || d.Shape != [2]int{4, 5} || d.Labels != nil {
			t.Errorf("%s: %d×%d Shape %v Labels %v", name, d.X.Rows, d.X.Cols, d.Shape, d.Labels)
		}
	}
	// An MNIST-style name picks up its labels file.
	path := filepath.Join(fakeMNISTDir, MNISTTestImages)
	d, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Labels, []int{7, 0, 3}) {
		t.Errorf("%s: labels %v, want [7 0 3]", path, d.Labels)
	}
}

// setFakeMNISTCache points $BOLTZ_DATA at a copy of the fake MNIST files (or at an empty
// directory when empty is set) and makes their checksums the accepted ones.
func setFakeMNISTCache(t *testing.T, empty bool) string {
	t.Helper()
	useFakeMNISTChecksums(t)
	dir := t.TempDir()
	if !empty {
		for _, name := range mnistFiles {
			b, _ := os.ReadFile(filepath.Join(fakeMNISTDir, name))
			os.WriteFile(filepath.Join(dir, name), b, 0o644)
		}
	}
	t.Setenv(MNISTDataEnv, dir)
	return dir
}

func TestLoadMNIST(t *testing.T) {
	setFakeMNISTCache(t, false)
	// The fake training set has 6 images with labels 5, 8, 1, 4, 7, 0; the test set 3 with 7, 0, 3.
	trainLabels := []int{5, 8, 1, 4, 7, 0}
	for _, tc := range []struct {
		spec   string
		valid  int
		name   string
		labels []int
	}{
		{"mnist", 0, "mnist:train", trainLabels},
		{"mnist:train", 0, "mnist:train", trainLabels},
		{"mnist", 2, "mnist:train", trainLabels[:4]},
		{"mnist:train", 2, "mnist:train", trainLabels[:4]},
		{"mnist:valid", 2, "mnist:valid", trainLabels[4:]},
		{"mnist:test", 0, "mnist:test", []int{7, 0, 3}},
		{"mnist:test", 2, "mnist:test", []int{7, 0, 3}},
	} {
		d, err := Load(tc.spec, LoadOptions{Valid: tc.valid})
		if err != nil {
			t.Errorf("%s Valid=%d: %v", tc.spec, tc.valid, err)
			continue
		}
		if d.Name != tc.name || !slices.Equal(d.Labels, tc.labels) || d.X.Rows != len(tc.labels) ||
			d.X.Cols != 20 || d.Shape != [2]int{4, 5} {
			t.Errorf("%s Valid=%d: %q %d×%d Shape %v labels %v, want %q labels %v",
				tc.spec, tc.valid, d.Name, d.X.Rows, d.X.Cols, d.Shape, d.Labels, tc.name, tc.labels)
		}
		for _, v := range d.X.Data {
			if v < 0 || v > 1 {
				t.Fatalf("%s: value %v outside [0,1]", tc.spec, v)
			}
		}
	}
	// Training and validation rows partition the training set.
	full, _ := Load("mnist", LoadOptions{})
	train, _ := Load("mnist", LoadOptions{Valid: 2})
	valid, _ := Load("mnist:valid", LoadOptions{Valid: 2})
	if !slices.Equal(append(slices.Clone(train.X.Data), valid.X.Data...), full.X.Data) {
		t.Error("train and valid rows do not make up the training set")
	}
	for _, tc := range []struct {
		spec  string
		valid int
		msg   string
	}{
		{"mnist:valid", 0, "Valid > 0"},
		{"mnist", -1, "want 0 or more"},
		{"mnist:valid", 6, "fewer than the 6 training rows"},
	} {
		if _, err := Load(tc.spec, LoadOptions{Valid: tc.valid}); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s Valid=%d: error %v, want one containing %q", tc.spec, tc.valid, err, tc.msg)
		}
	}
}

func TestLoadMNISTMissing(t *testing.T) {
	dir := setFakeMNISTCache(t, true)
	_, err := Load("mnist:test", LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "boltz data fetch mnist") || !strings.Contains(err.Error(), dir) {
		t.Errorf("error %v, want one saying how to fetch MNIST", err)
	}
	if got := dirEntries(t, dir); len(got) != 0 {
		t.Errorf("Load without Fetch wrote %v", got)
	}
}

func TestLoadMNISTFetch(t *testing.T) {
	dir := setFakeMNISTCache(t, true)
	// The fetch goes through a stand-in go command serving the fake files.
	module := t.TempDir()
	os.Mkdir(filepath.Join(module, "data"), 0o755)
	for _, name := range mnistFiles {
		b, _ := os.ReadFile(filepath.Join(fakeMNISTDir, name))
		os.WriteFile(filepath.Join(module, "data", name), b, 0o644)
	}
	fakeGo(t, `printf '{"Dir": "`+module+`"}\n'`)
	var progress strings.Builder
	d, err := Load("mnist:test", LoadOptions{Fetch: true, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if d.X.Rows != 3 || len(dirEntries(t, dir)) != 4 || !strings.Contains(progress.String(), "installed") {
		t.Errorf("%d rows, cache %v, progress %q", d.X.Rows, dirEntries(t, dir), progress.String())
	}
}

func TestLoadMNISTMismatchedLabels(t *testing.T) {
	dir := setFakeMNISTCache(t, false)
	// Test labels in place of the training labels: 3 labels for 6 images.
	b, _ := os.ReadFile(filepath.Join(fakeMNISTDir, MNISTTestLabels))
	os.WriteFile(filepath.Join(dir, MNISTTrainLabels), b, 0o644)
	if _, err := Load("mnist", LoadOptions{}); err == nil || !strings.Contains(err.Error(), "3 labels for the 6 images") {
		t.Errorf("error %v, want a label count mismatch", err)
	}
}
