package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/boltzgo/boltz/internal/atomicfile"
	"github.com/boltzgo/boltz/report"
)

// summaryMetrics are the figures the summary reads from a run's last metrics record, best
// first: the final held-out evaluation of boltz train, then the per-epoch monitors. The
// first one present is the task's figure; its standard error is the key with _stderr.
var summaryMetrics = []string{"test_log_likelihood", "log_likelihood", "ais_log_likelihood", "pseudo_log_likelihood"}

// sweepRow is one task of the summary, as -json prints it.
type sweepRow struct {
	Index  int               `json:"index"`
	Name   string            `json:"name"`
	Params map[string]string `json:"params"`
	// Status is "done", "failed", "running or not run" (no exit recorded).
	Status  string   `json:"status"`
	Exit    *int     `json:"exit"`
	Seconds *float64 `json:"seconds"`
	// Metric names the figure (a key of summaryMetrics), Value and Stderr give it; Reverse,
	// Method, Trustworthy and Reason are the final evaluation's when present.
	Metric      string   `json:"metric,omitempty"`
	Value       *float64 `json:"value"`
	Stderr      *float64 `json:"stderr"`
	Reverse     *float64 `json:"reverse"`
	Method      string   `json:"method,omitempty"`
	Trustworthy *bool    `json:"trustworthy"`
	Reason      string   `json:"untrustworthy_reason,omitempty"`
	// Final is the last record of the run's metrics.jsonl, whole.
	Final map[string]any `json:"final,omitempty"`
}

type sweepSummaryJSON struct {
	Dir   string     `json:"dir"`
	Grid  string     `json:"grid"`
	Keys  []string   `json:"keys"`
	Tasks []sweepRow `json:"tasks"`
}

// sweepSummary tabulates the sweep in dir on stdout and writes dir/summary.html.
func sweepSummary(e *env, dir string, asJSON bool) error {
	plan, err := readPlan(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	sum := &sweepSummaryJSON{Dir: dir, Grid: plan.Grid, Keys: plan.Keys}
	for i := range plan.Tasks {
		row, err := summarizeTask(dir, &plan.Tasks[i])
		if err != nil {
			return err
		}
		sum.Tasks = append(sum.Tasks, *row)
	}
	table := sum.table()
	htmlPath := filepath.Join(dir, "summary.html")
	if err := atomicfile.WriteFile(htmlPath, 0o644, func(w io.Writer) error { return report.WriteSweepHTML(w, table) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "sweep: wrote %s\n", htmlPath)
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(table.Columns, "\t"))
	for _, r := range table.Rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// summarizeTask reads a task's status and the last record of its metrics.jsonl (for boltz
// train; other commands have no run directory).
func summarizeTask(dir string, t *sweepTask) (*sweepRow, error) {
	row := &sweepRow{Index: t.Index, Name: t.Name, Params: t.Params, Status: "not run"}
	st, err := readStatus(dir, t)
	switch {
	case err == nil:
		row.Exit, row.Seconds = &st.Exit, &st.Seconds
		row.Status = "done"
		if st.Exit != 0 {
			row.Status = "failed"
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	last, err := lastMetricsObject(filepath.Join(dir, t.Name, "metrics.jsonl"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return row, nil
		}
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	if row.Status == "not run" {
		row.Status = "running"
	}
	row.Final = last
	num := func(k string) *float64 {
		if v, ok := last[k].(float64); ok {
			return &v
		}
		return nil
	}
	for _, k := range summaryMetrics {
		if v := num(k); v != nil {
			row.Metric, row.Value, row.Stderr = k, v, num(k+"_stderr")
			break
		}
	}
	row.Reverse = num("test_log_likelihood_reverse")
	row.Method, _ = last["test_log_likelihood_method"].(string)
	if b, ok := last["trustworthy"].(bool); ok {
		row.Trustworthy = &b
	}
	row.Reason, _ = last["untrustworthy_reason"].(string)
	if row.Seconds == nil {
		row.Seconds = num("elapsed_seconds")
	}
	return row, nil
}

// lastMetricsObject returns the last JSON object of a metrics.jsonl file.
func lastMetricsObject(path string) (map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var last []byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			last = append(last[:0], line...)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if last == nil {
		return nil, fmt.Errorf("%s: no records", path)
	}
	var m map[string]any
	if err := json.Unmarshal(last, &m); err != nil {
		return nil, fmt.Errorf("%s: last record: %v", path, err)
	}
	return m, nil
}

// table lays the summary out for the terminal and the HTML page.
func (s *sweepSummaryJSON) table() *report.SweepTable {
	t := &report.SweepTable{Title: "boltz sweep " + s.Dir, Metric: s.metric()}
	t.Columns = append(append([]string{"task"}, s.Keys...), "status", "seconds", "metric", "value", "± stderr", "reverse", "method", "verdict")
	t.Notes = []string{"grid: " + s.Grid}
	for _, r := range s.Tasks {
		row := []string{strconv.Itoa(r.Index)}
		var label []string
		for _, k := range s.Keys {
			row = append(row, r.Params[k])
			label = append(label, k+"="+r.Params[k])
		}
		row = append(row, r.Status, fmtPtr(r.Seconds, "%.1f"), dash(r.Metric), fmtPtr(r.Value, "%.6g"),
			fmtPtr(r.Stderr, "%.3g"), fmtPtr(r.Reverse, "%.6g"), dash(r.Method), verdictText(&r))
		t.Rows = append(t.Rows, row)
		t.Labels = append(t.Labels, strings.Join(label, " "))
		v, e := math.NaN(), 0.0
		if r.Value != nil && r.Metric == t.Metric {
			v = *r.Value
			if r.Stderr != nil {
				e = *r.Stderr
			}
		}
		t.Values, t.Errors = append(t.Values, v), append(t.Errors, e)
	}
	return t
}

// metric is the figure most tasks report, which the chart plots (the best-ranked on a tie).
func (s *sweepSummaryJSON) metric() string {
	count := map[string]int{}
	for _, r := range s.Tasks {
		count[r.Metric]++
	}
	best := summaryMetrics[0]
	for _, k := range summaryMetrics {
		if count[k] > count[best] {
			best = k
		}
	}
	return best
}

func verdictText(r *sweepRow) string {
	switch {
	case r.Trustworthy == nil:
		return "-"
	case *r.Trustworthy:
		return "trustworthy"
	case r.Reason != "":
		return "UNTRUSTWORTHY (" + r.Reason + ")"
	}
	return "UNTRUSTWORTHY"
}

func fmtPtr(v *float64, format string) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf(format, *v)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
