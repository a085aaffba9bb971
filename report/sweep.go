package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
)

// SweepTable is what a sweep's summary page shows: one row per task, and per task the figure
// the chart plots (NaN when the task has none).
type SweepTable struct {
	Title   string
	Columns []string
	Rows    [][]string
	// Metric names the plotted figure; Values and Errors (± one standard error, 0 when
	// none) hold it per row, Labels the x-axis label of each row.
	Metric         string
	Values, Errors []float64
	Labels         []string
	Notes          []string
}

// Chart geometry in CSS pixels (the SVG scales down to the page width).
const (
	chartW, chartH          = 760, 360
	chartLeft, chartRight   = 130, 20 // room on the left and below for the slanted task labels
	chartTop, chartBottom   = 20, 120
	chartTickCount          = 5
	chartMarkerRadius       = 4
	chartLabelLimit         = 40 // rows beyond which the x labels are left out
	chartLabelRotateDegrees = -40
	chartLabelFontPx        = 11
	chartAxisFontPx         = 12
	chartMinSpanRelative    = 1e-9 // a flat series gets a span of ±1 around its value
)

type chartPoint struct {
	X, Y, Lo, Hi float64
	HasErr       bool
	Label, Title string
}

type chartTick struct {
	Y     float64
	Label string
}

// WriteSweepHTML writes the sweep summary page: the table of tasks and an inline SVG chart
// of t.Values against the task, with ±1 standard error bars. Like report.html it is one file,
// with no external resources. It returns w's error.
func WriteSweepHTML(w io.Writer, t *SweepTable) error {
	points, ticks := chartLayout(t)
	return sweepTemplate.Execute(w, struct {
		*SweepTable
		Points       []chartPoint
		Ticks        []chartTick
		W, H         int
		Left, Bottom float64
		Right, Top   float64
		ShowLabels   bool
		LabelRotate  int
		LabelFont    int
		AxisFont     int
		Radius       float64
	}{t, points, ticks, chartW, chartH, chartLeft, chartH - chartBottom, chartW - chartRight, chartTop,
		len(t.Values) <= chartLabelLimit, chartLabelRotateDegrees, chartLabelFontPx, chartAxisFontPx,
		chartMarkerRadius})
}

// chartLayout places the finite values on the chart.
func chartLayout(t *SweepTable) ([]chartPoint, []chartTick) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range t.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		e := t.Errors[i]
		lo, hi = math.Min(lo, v-e), math.Max(hi, v+e)
	}
	if lo > hi {
		return nil, nil
	}
	if hi-lo <= chartMinSpanRelative*math.Max(1, math.Abs(hi)) {
		lo, hi = lo-1, hi+1
	}
	pad := (hi - lo) * 0.05
	lo, hi = lo-pad, hi+pad
	y := func(v float64) float64 {
		return chartTop + (hi-v)/(hi-lo)*float64(chartH-chartTop-chartBottom)
	}
	n := len(t.Values)
	x := func(i int) float64 {
		return chartLeft + (float64(i)+0.5)/float64(n)*float64(chartW-chartLeft-chartRight)
	}
	var pts []chartPoint
	for i, v := range t.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		e := t.Errors[i]
		title := fmt.Sprintf("%s: %.6g", t.Labels[i], v)
		if e > 0 {
			title += fmt.Sprintf(" ± %.3g", e)
		}
		pts = append(pts, chartPoint{X: x(i), Y: y(v), Lo: y(v - e), Hi: y(v + e), HasErr: e > 0,
			Label: t.Labels[i], Title: title})
	}
	var ticks []chartTick
	for k := 0; k < chartTickCount; k++ {
		v := lo + (hi-lo)*float64(k)/float64(chartTickCount-1)
		ticks = append(ticks, chartTick{Y: y(v), Label: fmt.Sprintf("%.4g", v)})
	}
	return pts, ticks
}

var sweepTemplate = template.Must(template.New("sweep").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { color-scheme: light; --fg: #1b1b1b; --muted: #5b5b5b; --rule: #d8d8d8; --bg: #fff; --note: #fff6d6; --mark: #1f5fa8; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 1rem; max-width: 72rem; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.4rem; margin: 0 0 .75rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { font-weight: 600; white-space: nowrap; }
td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: nowrap; }
figure { margin: 0; }
svg { display: block; width: 100%; max-width: {{.W}}px; height: auto; }
svg text { font-family: system-ui, sans-serif; fill: var(--muted); }
figcaption { color: var(--muted); font-size: .875rem; margin-top: .35rem; }
.notes { background: var(--note); padding: .5rem 1rem; border-radius: .3rem; }
</style>
<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); }, true);
  window.addEventListener("load", function () {
    var b = document.body;
    b.setAttribute("data-errors", errors.join("; "));
    b.setAttribute("data-overflow", String(document.documentElement.scrollWidth - document.documentElement.clientWidth));
    b.setAttribute("data-points", String(document.querySelectorAll("svg circle").length));
    b.setAttribute("data-rows", String(document.querySelectorAll("tbody tr").length));
    b.setAttribute("data-loaded", "true");
  });
})();
</script>
</head>
<body>
<h1>{{.Title}}</h1>
{{- if .Notes}}
<ul class="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ul>
{{- end}}
<h2>{{.Metric}} by task</h2>
{{- if .Points}}
<figure>
<svg viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Metric}} by task">
<line x1="{{.Left}}" y1="{{.Top}}" x2="{{.Left}}" y2="{{.Bottom}}" stroke="#888"/>
<line x1="{{.Left}}" y1="{{.Bottom}}" x2="{{.Right}}" y2="{{.Bottom}}" stroke="#888"/>
{{- range .Ticks}}
<line x1="{{$.Left}}" y1="{{.Y}}" x2="{{$.Right}}" y2="{{.Y}}" stroke="#eee"/>
<text x="{{$.Left}}" y="{{.Y}}" dx="-6" dy="4" text-anchor="end" font-size="{{$.AxisFont}}">{{.Label}}</text>
{{- end}}
{{- range .Points}}
{{- if .HasErr}}
<line x1="{{.X}}" y1="{{.Lo}}" x2="{{.X}}" y2="{{.Hi}}" stroke="var(--mark)"/>
{{- end}}
<circle cx="{{.X}}" cy="{{.Y}}" r="{{$.Radius}}" fill="var(--mark)"><title>{{.Title}}</title></circle>
{{- if $.ShowLabels}}
<text x="{{.X}}" y="{{$.Bottom}}" dy="14" text-anchor="end" font-size="{{$.LabelFont}}" transform="rotate({{$.LabelRotate}} {{.X}} {{$.Bottom}})">{{.Label}}</text>
{{- end}}
{{- end}}
</svg>
<figcaption>{{.Metric}} of each task (± one standard error where known); hover a point for its value.</figcaption>
</figure>
{{- else}}
<p>No task has a value of {{.Metric}} yet.</p>
{{- end}}
<h2>Tasks</h2>
<div class="scroll"><table>
<thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody>
</table></div>
</body>
</html>
`))
