package report

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func testSweepTable() *SweepTable {
	return &SweepTable{
		Title:   "boltz sweep runs/x <&>",
		Columns: []string{"task", "lr", "status", "value"},
		Rows:    [][]string{{"0", "0.01", "done", "-10.5"}, {"1", "0.05", "failed", "-"}, {"2", "0.1", "done", "-9.25"}},
		Metric:  "test_log_likelihood",
		Values:  []float64{-10.5, math.NaN(), -9.25},
		Errors:  []float64{0.2, 0, 0},
		Labels:  []string{"lr=0.01", "lr=0.05", "lr=0.1"},
		Notes:   []string{"grid: lr=0.01,0.05,0.1"},
	}
}

// The page has one row per task, one point per finite value, an error bar where there is a
// standard error, and escapes what it is given.
func TestWriteSweepHTML(t *testing.T) {
	var b bytes.Buffer
	if err := WriteSweepHTML(&b, testSweepTable()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []struct {
		what  string
		count int
	}{{"<circle", 2}, {"<tbody><tr>", 1}, {"</tr>", 4}, {"&lt;&amp;&gt;", 2}, {"<title>lr=0.01: -10.5 ± 0.2</title>", 1}} {
		if got := strings.Count(page, want.what); got != want.count {
			t.Errorf("%q occurs %d times, want %d", want.what, got, want.count)
		}
	}
	pts, _ := chartLayout(testSweepTable())
	if len(pts) != 2 || !(pts[0].Y > pts[1].Y) || !(pts[0].Lo > pts[0].Y && pts[0].Hi < pts[0].Y) {
		t.Errorf("points %+v: the higher value should be drawn higher, the error bar around its point", pts)
	}
	empty := &SweepTable{Title: "none", Metric: "log_likelihood", Values: []float64{math.NaN()}, Errors: []float64{0}, Labels: []string{"a"}}
	b.Reset()
	if err := WriteSweepHTML(&b, empty); err != nil || !strings.Contains(b.String(), "No task has a value") {
		t.Errorf("a sweep without values: %v\n%s", err, b.String())
	}
}
