package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/boltzgo/boltz/internal/atomicfile"
)

func init() {
	register(&command{
		Name: "sweep",
		Usage: "boltz sweep -grid 'KEY=V1,V2 KEY=A..B ...' -o DIR [-jobs N] [-plan] -- COMMAND [flags]\n" +
			"       boltz sweep run -index I DIR\n" +
			"       boltz sweep summary [-json] DIR",
		Short: "run a grid of boltz commands (hyperparameters × seeds) locally or one task per scheduler job, and tabulate them",
		Long: `Sweep expands a grid of flag values into numbered tasks, each one boltz command, writes them
to DIR/tasks.json and runs them on this machine, at most -jobs at a time (default 1).

  boltz sweep -grid 'lr=0.01,0.05 hidden=100,500 seed=1..5' -o runs/sweep -- train -data mnist -epochs 10

gives 2 × 2 × 5 = 20 tasks; task i is 'boltz train -data mnist -epochs 10 -lr L -hidden H
-seed S -o runs/sweep/task-NNN' with the values of its grid point. The grid is a list of
KEY=VALUES separated by spaces; VALUES is a comma-separated list in which A..B stands for the
integers A to B. Each KEY must be a flag of COMMAND. The first key varies slowest, the last
fastest. For boltz train, every task writes its run directory DIR/task-NNN; for other
commands its stdout is kept. Every task's stdout and stderr go to DIR/logs/task-NNN.out and
.err, and its exit code and time to DIR/logs/task-NNN.json.

Each task runs as its own process (this boltz binary). Running the same sweep command again
runs only the tasks not yet done (exit 0); a DIR with other tasks is refused. -plan writes
tasks.json, prints the number of tasks and runs nothing: a scheduler then runs each task with

  boltz sweep run -index I DIR

(a Slurm array job with I = $SLURM_ARRAY_TASK_ID, a Kubernetes Indexed Job with I =
$JOB_COMPLETION_INDEX; see deploy/).

  boltz sweep summary DIR

tabulates each task's grid values, status, time and final metrics from its run directory:
the held-out log-likelihood of boltz train's final evaluation (test_log_likelihood with its
error, the reverse AIS figure and the verdict) when the last record of metrics.jsonl has it,
else the last record's log-likelihood, AIS log-likelihood or pseudo-log-likelihood. It
prints a table (or with -json one JSON object) and writes DIR/summary.html, a page with the
table and a chart of the figure against the task.`,
		Flags: sweepFlags,
	})
}

// maxSweepTasks bounds the size of a grid: a typo such as seed=1..100000 should not write a
// tasks.json of a hundred thousand runs.
const maxSweepTasks = 10000

type sweepOpts struct {
	grid   string
	out    string
	jobs   int
	plan   bool
	index  int
	asJSON bool
}

func sweepFlags(fs *flag.FlagSet) func(*env, []string) error {
	var o sweepOpts
	fs.StringVar(&o.grid, "grid", "", "the grid: `'KEY=V1,V2 KEY=A..B ...'`, each KEY a flag of the command")
	fs.StringVar(&o.out, "o", "", "sweep `DIR`: tasks.json, the tasks' run directories and logs")
	fs.IntVar(&o.jobs, "jobs", 1, "run at most `N` tasks at a time")
	fs.BoolVar(&o.plan, "plan", false, "write DIR/tasks.json and run nothing (for a scheduler: boltz sweep run -index I DIR)")
	fs.IntVar(&o.index, "index", -1, "boltz sweep run: the task `I` to run (from 0)")
	fs.BoolVar(&o.asJSON, "json", false, "boltz sweep summary: print one JSON object instead of a table")
	return func(e *env, args []string) error {
		if len(args) > 0 && (args[0] == "run" || args[0] == "summary") {
			if len(args) != 2 {
				return usagef("%s takes one sweep DIR, got %d arguments", args[0], len(args)-1)
			}
			if args[0] == "run" {
				return sweepRunOne(e, args[1], o.index)
			}
			return sweepSummary(e, args[1], o.asJSON)
		}
		return sweepStart(e, &o, args)
	}
}

// sweepPlan is tasks.json.
type sweepPlan struct {
	Format  string      `json:"format"`
	Version int         `json:"version"`
	Grid    string      `json:"grid"`
	Keys    []string    `json:"keys"`
	Command []string    `json:"command"` // the boltz command and its fixed flags
	Tasks   []sweepTask `json:"tasks"`
}

// sweepTask is one grid point. Args are the full boltz arguments but for the run directory,
// which is DIR/Name (added at run time, so that DIR can move).
type sweepTask struct {
	Index  int               `json:"index"`
	Name   string            `json:"name"`
	Params map[string]string `json:"params"`
	Args   []string          `json:"args"`
}

const (
	sweepFormat  = "boltz-sweep"
	sweepVersion = 1
)

// gridAxis is one KEY=VALUES of a grid.
type gridAxis struct {
	key    string
	values []string
}

// parseGrid parses 'KEY=V1,V2 KEY=A..B ...'.
func parseGrid(grid string) ([]gridAxis, error) {
	var axes []gridAxis
	seen := map[string]bool{}
	for _, field := range strings.Fields(grid) {
		key, vals, ok := strings.Cut(field, "=")
		key = strings.TrimLeft(key, "-")
		if !ok || key == "" || vals == "" {
			return nil, fmt.Errorf("%q is not KEY=VALUES", field)
		}
		if seen[key] {
			return nil, fmt.Errorf("%s appears twice", key)
		}
		seen[key] = true
		a := gridAxis{key: key}
		for _, v := range strings.Split(vals, ",") {
			lo, hi, isRange := strings.Cut(v, "..")
			if !isRange {
				if v == "" {
					return nil, fmt.Errorf("%s: empty value in %q", key, vals)
				}
				a.values = append(a.values, v)
				continue
			}
			l, err1 := strconv.Atoi(lo)
			h, err2 := strconv.Atoi(hi)
			if err1 != nil || err2 != nil || h < l {
				return nil, fmt.Errorf("%s: %q is not a range A..B of integers with A ≤ B", key, v)
			}
			if h-l >= maxSweepTasks {
				return nil, fmt.Errorf("%s: the range %q has more than %d values", key, v, maxSweepTasks)
			}
			for i := l; i <= h; i++ {
				a.values = append(a.values, strconv.Itoa(i))
			}
		}
		axes = append(axes, a)
	}
	if len(axes) == 0 {
		return nil, errors.New("is empty")
	}
	return axes, nil
}

// expandGrid returns the tasks of the grid for command, the first axis slowest.
func expandGrid(grid string, axes []gridAxis, command []string) (*sweepPlan, error) {
	n := 1
	for _, a := range axes {
		n *= len(a.values)
		if n > maxSweepTasks {
			return nil, fmt.Errorf("more than %d tasks", maxSweepTasks)
		}
	}
	p := &sweepPlan{Format: sweepFormat, Version: sweepVersion, Grid: grid, Command: command}
	for _, a := range axes {
		p.Keys = append(p.Keys, a.key)
	}
	width := len(strconv.Itoa(n - 1))
	width = max(width, 3)
	for i := 0; i < n; i++ {
		t := sweepTask{Index: i, Name: fmt.Sprintf("task-%0*d", width, i), Params: map[string]string{},
			Args: append([]string(nil), command...)}
		rest := i
		for k := len(axes) - 1; k >= 0; k-- { // the last axis varies fastest
			a := axes[k]
			t.Params[a.key] = a.values[rest%len(a.values)]
			rest /= len(a.values)
		}
		for _, a := range axes {
			t.Args = append(t.Args, "-"+a.key, t.Params[a.key])
		}
		p.Tasks = append(p.Tasks, t)
	}
	return p, nil
}

// checkSweepCommand checks that command is a boltz command that takes every grid key as a
// flag (and does not take -o from the grid, which the sweep sets for boltz train).
func checkSweepCommand(command []string, axes []gridAxis) error {
	if len(command) == 0 {
		return usagef("needs the boltz command to sweep after --, e.g. -- train -data bas:4")
	}
	c, ok := commands[command[0]]
	if !ok || c.Name == "sweep" || c.Name == "merge" {
		return usagef("cannot sweep %q: give a boltz command such as train or eval after --", command[0])
	}
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	c.Flags(fs)
	for _, a := range axes {
		if fs.Lookup(a.key) == nil {
			return flagError("grid", "%s is not a flag of boltz %s", a.key, c.Name)
		}
		if a.key == "o" && c.Name == "train" {
			return flagError("grid", "-o of each task is set by the sweep (DIR/task-NNN)")
		}
	}
	if c.Name == "train" {
		for _, arg := range command[1:] {
			if arg == "-o" || arg == "--o" || strings.HasPrefix(arg, "-o=") || strings.HasPrefix(arg, "--o=") {
				return usagef("the sweep sets -o of each boltz train task (DIR/task-NNN); leave it out of the command")
			}
		}
	}
	return nil
}

func sweepStart(e *env, o *sweepOpts, command []string) error {
	switch {
	case o.grid == "":
		return flagError("grid", "a grid is required, e.g. -grid 'lr=0.01,0.05 seed=1..3'")
	case o.out == "":
		return flagError("o", "a sweep directory is required")
	case o.jobs < 1:
		return flagError("jobs", "must be at least 1, got %d", o.jobs)
	}
	axes, err := parseGrid(o.grid)
	if err != nil {
		return flagError("grid", "%v", err)
	}
	if err := checkSweepCommand(command, axes); err != nil {
		return err
	}
	plan, err := expandGrid(o.grid, axes, command)
	if err != nil {
		return flagError("grid", "%v", err)
	}
	if err := writePlan(o.out, plan); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "sweep: %d tasks in %s\n", len(plan.Tasks), filepath.Join(o.out, "tasks.json"))
	if o.plan {
		fmt.Fprintln(e.stdout, len(plan.Tasks)) // for a job script: the array size
		return nil
	}
	return runSweep(e, o.out, plan, o.jobs)
}

// writePlan writes DIR/tasks.json, or checks that the one there is the same sweep.
func writePlan(dir string, plan *sweepPlan) error {
	path := filepath.Join(dir, "tasks.json")
	if old, err := readPlan(dir); err == nil {
		if !reflect.DeepEqual(old, plan) {
			return fmt.Errorf("-o %s: holds another sweep (%s); use a new directory", dir, path)
		}
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("-o %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(plan)
	})
}

func readPlan(dir string) (*sweepPlan, error) {
	b, err := os.ReadFile(filepath.Join(dir, "tasks.json"))
	if err != nil {
		return nil, err
	}
	var p sweepPlan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("tasks.json: %v", err)
	}
	if p.Format != sweepFormat || p.Version != sweepVersion {
		return nil, fmt.Errorf("tasks.json: not a boltz sweep of version %d (format %q, version %d)", sweepVersion, p.Format, p.Version)
	}
	for i, t := range p.Tasks {
		if t.Index != i || t.Name == "" || filepath.Base(t.Name) != t.Name || len(t.Args) == 0 {
			return nil, fmt.Errorf("tasks.json: task %d is malformed", i)
		}
	}
	return &p, nil
}

// taskStatus is DIR/logs/task-NNN.json, written when a task ends.
type taskStatus struct {
	Index    int       `json:"index"`
	Exit     int       `json:"exit"`
	Seconds  float64   `json:"seconds"`
	Finished time.Time `json:"finished"`
}

func readStatus(dir string, t *sweepTask) (*taskStatus, error) {
	b, err := os.ReadFile(filepath.Join(dir, "logs", t.Name+".json"))
	if err != nil {
		return nil, err
	}
	var s taskStatus
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s status: %v", t.Name, err)
	}
	return &s, nil
}

// runSweep runs the tasks of plan not yet done, at most jobs at a time, and reports the
// failures.
func runSweep(e *env, dir string, plan *sweepPlan, jobs int) error {
	var todo []int
	for i := range plan.Tasks {
		if s, err := readStatus(dir, &plan.Tasks[i]); err == nil && s.Exit == 0 {
			continue
		}
		todo = append(todo, i)
	}
	if done := len(plan.Tasks) - len(todo); done > 0 {
		fmt.Fprintf(e.stderr, "sweep: %d tasks already done, %d to run\n", done, len(todo))
	}
	next := make(chan int)
	var mu sync.Mutex
	var failed []string
	var wg sync.WaitGroup
	for w := 0; w < min(jobs, len(todo)); w++ {
		wg.Go(func() {
			for i := range next {
				t := &plan.Tasks[i]
				code, err := runTask(e.ctx, dir, t)
				mu.Lock()
				switch {
				case err != nil:
					failed = append(failed, fmt.Sprintf("%s: %v", t.Name, err))
				case code != 0:
					failed = append(failed, fmt.Sprintf("%s (exit %d; see %s)", t.Name, code, filepath.Join(dir, "logs", t.Name+".err")))
				}
				fmt.Fprintf(e.stderr, "sweep: %s exit %d\n", t.Name, code)
				mu.Unlock()
			}
		})
	}
	for _, i := range todo {
		if e.ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := e.ctx.Err(); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d tasks failed: %s", len(failed), len(todo), strings.Join(failed, "; "))
	}
	fmt.Fprintf(e.stderr, "sweep: all %d tasks done; boltz sweep summary %s\n", len(plan.Tasks), dir)
	return nil
}

// sweepRunOne runs task index of the sweep in dir: one scheduler job.
func sweepRunOne(e *env, dir string, index int) error {
	plan, err := readPlan(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if index < 0 || index >= len(plan.Tasks) {
		return flagError("index", "must be a task of %s, 0 to %d, got %d", dir, len(plan.Tasks)-1, index)
	}
	t := &plan.Tasks[index]
	code, err := runTask(e.ctx, dir, t)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("%s exited with %d (see %s)", t.Name, code, filepath.Join(dir, "logs", t.Name+".err"))
	}
	fmt.Fprintf(e.stderr, "sweep: %s done\n", t.Name)
	return nil
}

// taskArgs returns the boltz arguments of t run in dir: for boltz train, -o DIR/NAME, with
// -force when an earlier attempt left the directory behind.
func taskArgs(dir string, t *sweepTask) []string {
	args := append([]string(nil), t.Args...)
	if args[0] == "train" {
		run := filepath.Join(dir, t.Name)
		args = append(args, "-o", run)
		if _, err := os.Stat(run); err == nil {
			args = append(args, "-force")
		}
	}
	return args
}

// execTask runs boltz with args, stdout and stderr going to the writers, and returns its exit
// code. It runs this executable in a process of its own, so that a task that crashes or runs
// out of memory takes no other task with it; tests replace it.
var execTask = func(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && ctx.Err() == nil {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return 0, err
	}
	return 0, nil
}

// runTask runs t in dir with its output in DIR/logs and records its exit code and time.
func runTask(ctx context.Context, dir string, t *sweepTask) (int, error) {
	logs := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return 0, err
	}
	out, err := os.Create(filepath.Join(logs, t.Name+".out"))
	if err != nil {
		return 0, err
	}
	defer out.Close()
	errf, err := os.Create(filepath.Join(logs, t.Name+".err"))
	if err != nil {
		return 0, err
	}
	defer errf.Close()
	start := time.Now()
	code, err := execTask(ctx, taskArgs(dir, t), out, errf)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", t.Name, err)
	}
	st := taskStatus{Index: t.Index, Exit: code, Seconds: time.Since(start).Seconds(), Finished: time.Now().UTC()}
	return code, atomicfile.WriteFile(filepath.Join(logs, t.Name+".json"), 0o644, func(w io.Writer) error {
		return json.NewEncoder(w).Encode(&st)
	})
}
