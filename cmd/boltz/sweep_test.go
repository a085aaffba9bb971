package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// inProcess makes the sweep run its tasks in this process (the test binary is not boltz).
func inProcess(t *testing.T) {
	t.Helper()
	old := execTask
	execTask = func(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
		return run(ctx, args, stdout, stderr), nil
	}
	t.Cleanup(func() { execTask = old })
}

func TestExpandGrid(t *testing.T) {
	const grid = "lr=0.01,0.05 hidden=100,500 seed=1..5"
	axes, err := parseGrid(grid)
	if err != nil {
		t.Fatal(err)
	}
	p, err := expandGrid(grid, axes, []string{"train", "-data", "bas:4"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tasks) != 20 || !reflect.DeepEqual(p.Keys, []string{"lr", "hidden", "seed"}) {
		t.Fatalf("%d tasks, keys %v; want 20, [lr hidden seed]", len(p.Tasks), p.Keys)
	}
	// The last key varies fastest: task 7 is lr=0.01 (7/10 = 0), hidden=500 (7/5 % 2 = 1), seed=3.
	want := []string{"train", "-data", "bas:4", "-lr", "0.01", "-hidden", "500", "-seed", "3"}
	if got := p.Tasks[7]; !reflect.DeepEqual(got.Args, want) || got.Name != "task-007" {
		t.Errorf("task 7: %s %v; want task-007 %v", got.Name, got.Args, want)
	}
	seen := map[string]bool{}
	for _, task := range p.Tasks {
		key := strings.Join(task.Args, " ")
		if seen[key] {
			t.Errorf("task %d repeats %s", task.Index, key)
		}
		seen[key] = true
	}
	for _, bad := range []string{"", "lr", "lr=", "lr=0.1,", "seed=5..1", "seed=a..3", "lr=1 lr=2", "seed=0..20000"} {
		if _, err := parseGrid(bad); err == nil {
			t.Errorf("parseGrid(%q) accepted", bad)
		}
	}
}

func TestSweepUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "-o", dir, "--", "train"}, "-grid: a grid is required"},
		{[]string{"sweep", "-grid", "lr=1", "--", "train"}, "-o: a sweep directory is required"},
		{[]string{"sweep", "-grid", "lr=1", "-o", dir}, "needs the boltz command"},
		{[]string{"sweep", "-grid", "nosuch=1", "-o", dir, "--", "train"}, "nosuch is not a flag of boltz train"},
		{[]string{"sweep", "-grid", "lr=1", "-o", dir, "--", "train", "-o", "x"}, "leave it out"},
		{[]string{"sweep", "-grid", "lr=1", "-o", dir, "--", "nosuch"}, "cannot sweep"},
		{[]string{"sweep", "-grid", "lr=1", "-o", dir, "-jobs", "0", "--", "train"}, "-jobs: must be at least 1"},
		{[]string{"sweep", "run", dir, "extra"}, "takes one sweep DIR"},
	} {
		if code, _, stderr := runCmd(t, tc.args...); code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// A 4-task sweep of tiny trainings runs two at a time, is summarised from the final
// evaluation, skips its done tasks when run again, refuses another grid in its directory, and
// runs one task by index as a scheduler would.
func TestSweepRunAndSummary(t *testing.T) {
	inProcess(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	args := []string{"sweep", "-grid", "lr=0.01,0.05 seed=1..2", "-o", dir, "-jobs", "2", "--",
		"train", "-data", "bas:3", "-test", "bas:3", "-hidden", "4", "-epochs", "2"}
	if code, _, stderr := runCmd(t, args...); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCmd(t, "sweep", "summary", "-json", dir)
	if code != 0 {
		t.Fatalf("summary: exit %d: %s", code, stderr)
	}
	var sum sweepSummaryJSON
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("summary -json: %v\n%s", err, stdout)
	}
	if len(sum.Tasks) != 4 {
		t.Fatalf("%d tasks in the summary, want 4", len(sum.Tasks))
	}
	for _, r := range sum.Tasks {
		if r.Status != "done" || r.Metric != "test_log_likelihood" || r.Value == nil || !(*r.Value < 0) ||
			r.Trustworthy == nil || r.Method != "exact" {
			t.Errorf("task %d: %+v", r.Index, r)
		}
	}
	if sum.Tasks[2].Params["lr"] != "0.05" || sum.Tasks[2].Params["seed"] != "1" {
		t.Errorf("task 2 params %v", sum.Tasks[2].Params)
	}
	_, table, _ := runCmd(t, "sweep", "summary", dir)
	if lines := strings.Split(strings.TrimSpace(table), "\n"); len(lines) != 5 || !strings.Contains(lines[0], "lr") || !strings.Contains(lines[1], "test_log_likelihood") {
		t.Errorf("summary table:\n%s", table)
	}
	page, err := os.ReadFile(filepath.Join(dir, "summary.html"))
	if err != nil || strings.Count(string(page), "<circle") != 4 {
		t.Errorf("summary.html: %v, %d points", err, strings.Count(string(page), "<circle"))
	}

	if code, _, stderr := runCmd(t, args...); code != 0 || !strings.Contains(stderr, "4 tasks already done, 0 to run") {
		t.Errorf("rerun: exit %d, stderr %q", code, stderr)
	}
	other := append([]string(nil), args...)
	other[2] = "lr=0.1"
	if code, _, stderr := runCmd(t, other...); code != 1 || !strings.Contains(stderr, "holds another sweep") {
		t.Errorf("another grid in the same directory: exit %d, stderr %q", code, stderr)
	}

	// One task by index, after its status is lost: it runs again (with -force, as its run
	// directory exists) and records its exit code.
	if err := os.Remove(filepath.Join(dir, "logs", "task-001.json")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, "sweep", "run", "-index", "1", dir); code != 0 {
		t.Fatalf("sweep run -index 1: exit %d: %s", code, stderr)
	}
	if st, err := readStatus(dir, &sweepTask{Name: "task-001"}); err != nil || st.Exit != 0 {
		t.Errorf("task-001 status %+v, %v", st, err)
	}
	if code, _, stderr := runCmd(t, "sweep", "run", "-index", "4", dir); code != 2 || !strings.Contains(stderr, "0 to 3") {
		t.Errorf("sweep run -index 4: exit %d, stderr %q", code, stderr)
	}
}

// A task that fails is reported with its log, and the summary says so.
func TestSweepFailedTask(t *testing.T) {
	inProcess(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	code, _, stderr := runCmd(t, "sweep", "-grid", "hidden=4,-1", "-o", dir, "--", "train", "-data", "bas:3", "-epochs", "1")
	if code != 1 || !strings.Contains(stderr, "1 of 2 tasks failed") || !strings.Contains(stderr, "task-001 (exit 2") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	_, stdout, _ := runCmd(t, "sweep", "summary", "-json", dir)
	var sum sweepSummaryJSON
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Tasks[0].Status != "done" || sum.Tasks[1].Status != "failed" || *sum.Tasks[1].Exit != 2 {
		t.Errorf("statuses %q %q", sum.Tasks[0].Status, sum.Tasks[1].Status)
	}
}

// -jobs bounds the tasks running at once, and with enough tasks reaches the bound.
func TestSweepJobsBound(t *testing.T) {
	var mu sync.Mutex
	running, most, ran := 0, 0, 0
	old := execTask
	execTask = func(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
		mu.Lock()
		running++
		most = max(most, running)
		ran++
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		running--
		mu.Unlock()
		return 0, nil
	}
	t.Cleanup(func() { execTask = old })
	for _, jobs := range []int{1, 3} {
		most, ran = 0, 0
		dir := filepath.Join(t.TempDir(), "sweep")
		if code, _, stderr := runCmd(t, "sweep", "-grid", "seed=1..8", "-jobs", strconv.Itoa(jobs), "-o", dir, "--", "eval", "-model", "m.npz", "-data", "bas:3"); code != 0 {
			t.Fatalf("-jobs %d: exit %d: %s", jobs, code, stderr)
		}
		if most != jobs || ran != 8 {
			t.Errorf("-jobs %d: at most %d tasks at once, %d run; want %d and 8", jobs, most, ran, jobs)
		}
	}
}
