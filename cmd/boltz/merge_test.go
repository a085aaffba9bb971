package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shardRun runs args with -shard i/n -o DIR/part-i.json for every i and returns the
// partials' paths, last shard first, so that merge must put them in order.
func shardRun(t *testing.T, n int, args ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var parts []string
	for i := n - 1; i >= 0; i-- {
		path := filepath.Join(dir, fmt.Sprintf("part-%d.json", i))
		a := append(append([]string(nil), args...), "-shard", fmt.Sprintf("%d/%d", i, n), "-o", path)
		if code, _, stderr := runCmd(t, a...); code != 0 {
			t.Fatalf("%v: exit %d: %s", a, code, stderr)
		}
		parts = append(parts, path)
	}
	return parts
}

// checkMergeIdentical checks that merging the partials of 1, 2, 3 and 7 shards prints
// exactly what the unsharded command prints, as a table and as JSON.
func checkMergeIdentical(t *testing.T, args ...string) {
	t.Helper()
	code, want, stderr := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	_, wantJSON, _ := runCmd(t, append(args, "-json")...)
	for _, n := range []int{1, 2, 3, 7} {
		parts := shardRun(t, n, args...)
		code, got, stderr := runCmd(t, append([]string{"merge"}, parts...)...)
		if code != 0 {
			t.Fatalf("%d shards: merge: exit %d: %s", n, code, stderr)
		}
		if got != want {
			t.Errorf("%d shards: merge prints\n%s\nunsharded\n%s", n, got, want)
		}
		_, gotJSON, _ := runCmd(t, append([]string{"merge", "-json"}, parts...)...)
		if gotJSON != wantJSON {
			t.Errorf("%d shards: merge -json prints\n%s\nunsharded\n%s", n, gotJSON, wantJSON)
		}
	}
}

func TestMergeEvalAISIdentical(t *testing.T) {
	model := saveTestModel(t, 9, 7, 0.5)
	checkMergeIdentical(t, "eval", "-model", model, "-data", "bas:3", "-method", "ais", "-runs", "14", "-betas", "60", "-seed", "4")
	// One row: the data's standard error is null, in the partial as in the output.
	one := writeTestFile(t, "one.csv", "1,0,1,0,1,0,1,0,1\n")
	checkMergeIdentical(t, "eval", "-model", model, "-data", one, "-method", "ais", "-runs", "7", "-betas", "20")
}

// A Gaussian model (no pseudo-log-likelihood: null in the partial) merges to what the
// unsharded eval prints.
func TestMergeEvalAISGaussian(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCmd(t, "train", "-data", "bas:3", "-visible-units", "gaussian:fixed", "-hidden", "30", "-epochs", "2",
		"-final-eval", "none", "-no-report", "-o", filepath.Join(dir, "m")); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	checkMergeIdentical(t, "eval", "-model", filepath.Join(dir, "m", "model.npz"), "-data", "bas:3", "-method", "ais", "-runs", "7", "-betas", "40")
}

// 14 enumerated hidden units against 16 visible ones split into 16 ranges (the inner 10 bits
// are one table), so 7 shards hold 2 or 3 ranges each.
func TestMergeExactIdentical(t *testing.T) {
	model := saveTestModel(t, 16, 14, 0.5)
	checkMergeIdentical(t, "exact", "-model", model, "-data", "bas:4")
	checkMergeIdentical(t, "exact", "-model", model)
}

func TestMergeRefuses(t *testing.T) {
	model := saveTestModel(t, 9, 7, 0.5)
	eval := []string{"eval", "-model", model, "-data", "bas:3", "-method", "ais", "-runs", "8", "-betas", "20"}
	parts := shardRun(t, 4, eval...) // parts[i] is shard 3−i
	other := shardRun(t, 4, append(eval, "-seed", "2")...)
	exactParts := shardRun(t, 4, "exact", "-model", model)
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"missing", []string{parts[0], parts[2]}, "missing shard(s) 0, 2 of 4"},
		{"duplicated", []string{parts[0], parts[1], parts[1], parts[2], parts[3]}, "shard 2 of 4 is given twice"},
		{"foreign", []string{parts[0], parts[1], other[2], parts[3]}, "differ in eval.seed"},
		{"other command", []string{parts[0], exactParts[1]}, "differ in command"},
		{"not a partial", []string{writeTestFile(t, "x.json", `{"log_z": 1}`)}, "not a boltz partial result"},
	} {
		code, stdout, stderr := runCmd(t, append([]string{"merge"}, tc.files...)...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and one line with %q", tc.name, code, stdout, stderr, tc.want)
		}
	}
	if code, _, stderr := runCmd(t, "merge"); code != 2 {
		t.Errorf("merge without files: exit %d, stderr %q; want 2", code, stderr)
	}
	// The exact merge reads the data again and refuses data that changed since the shards ran.
	csv := writeTestFile(t, "d.csv", "1,0,1,0,1,0,1,0,1\n0,0,0,1,1,1,0,0,0\n")
	dataParts := shardRun(t, 2, "exact", "-model", model, "-data", csv)
	if err := os.WriteFile(csv, []byte("1,1,1,0,1,0,1,0,1\n0,0,0,1,1,1,0,0,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, append([]string{"merge"}, dataParts...)...); code != 1 || !strings.Contains(stderr, "differs from what the shards saw") {
		t.Errorf("changed data: exit %d, stderr %q", code, stderr)
	}
	// The exact merge reads the model again and refuses one that changed since the shards ran.
	if err := os.WriteFile(model, []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, append([]string{"merge"}, exactParts...)...); code != 1 || !strings.Contains(stderr, "has changed since") {
		t.Errorf("changed model: exit %d, stderr %q", code, stderr)
	}
}

func TestShardFlags(t *testing.T) {
	model := saveTestModel(t, 9, 7, 0.5)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "-model", model, "-data", "bas:3", "-method", "ais", "-shard", "3/3", "-o", "x.json"}, "-shard: must be I/N"},
		{[]string{"eval", "-model", model, "-data", "bas:3", "-method", "ais", "-shard", "0/2"}, "-o: a partial result FILE is required"},
		{[]string{"eval", "-model", model, "-data", "bas:3", "-method", "ais", "-o", "x.json"}, "-o: is the partial result of -shard"},
		{[]string{"eval", "-model", model, "-data", "bas:3", "-method", "exact", "-shard", "0/2", "-o", "x.json"}, "use boltz exact -shard"},
		{[]string{"eval", "-model", model, "-data", "bas:3", "-method", "ais", "-runs", "4", "-shard", "0/5", "-o", "x.json"}, "at most -runs shards"},
		{[]string{"exact", "-model", model, "-shard", "a/2", "-o", "x.json"}, "-shard: must be I/N"},
	} {
		if code, _, stderr := runCmd(t, tc.args...); code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
