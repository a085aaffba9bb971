package report

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/boltzgo/boltz/train"
)

// ErrNoCurves is returned by Curves when no metric has a value in any record.
var ErrNoCurves = errors.New("no metric to plot")

// Format is an output format of the plots.
type Format string

// The formats Curves and StudyPlot write.
const (
	SVG Format = "svg"
	PNG Format = "png"
)

// pngDPI is the resolution of PNG plots: 96 dots per inch, the CSS reference pixel, so that a
// PNG and an SVG of the same plot have the same size on screen.
const pngDPI = 96

// Sizes of one learning-curve panel and of the study plot.
const (
	panelWidth, panelHeight = 4 * vg.Inch, 2.6 * vg.Inch
	studyWidth, studyHeight = 6 * vg.Inch, 4 * vg.Inch
	panelCols               = 2 // panels per row: two 4-inch panels fit a desktop column
)

// maxMarkedPoints is the most evaluations a curve marks with a dot each; beyond it the dots
// merge into a thick line and hide its shape.
const maxMarkedPoints = 50

// series is one line of a panel: a metric against the epoch, with an optional ±stderr band.
type series struct {
	name   string
	value  func(*train.Metrics) *float64
	stderr func(*train.Metrics) *float64 // nil for metrics without a standard error
	// always is set for the fields train.Metrics always writes (no omitempty); they count as
	// absent when they are zero in every record.
	always bool
}

// panel is one small plot of Curves.
type panel struct {
	title  string
	series []series
}

// curvePanels lists the panels of Curves in the order drawn.
var curvePanels = []panel{
	{"reconstruction error", []series{{name: "recon_error", value: func(m *train.Metrics) *float64 { return &m.ReconError }, always: true}}},
	{"pseudo-log-likelihood", []series{{name: "pseudo_log_likelihood", value: func(m *train.Metrics) *float64 { return &m.PseudoLogLikelihood }, always: true}}},
	{"free energy", []series{
		{name: "free_energy_train", value: func(m *train.Metrics) *float64 { return m.FreeEnergyTrain }},
		{name: "free_energy_valid", value: func(m *train.Metrics) *float64 { return m.FreeEnergyValid }},
	}},
	{"free-energy gap (valid − train)", []series{{name: "free_energy_gap", value: func(m *train.Metrics) *float64 { return m.FreeEnergyGap }}}},
	{"log-likelihood", []series{
		{name: "log_likelihood", value: func(m *train.Metrics) *float64 { return m.LogLikelihood }},
		{name: "valid_log_likelihood", value: func(m *train.Metrics) *float64 { return m.ValidLogLikelihood }},
		{name: "ais_log_likelihood ± se", value: func(m *train.Metrics) *float64 { return m.AISLogLikelihood },
			stderr: func(m *train.Metrics) *float64 { return m.AISLogLikelihoodStderr }},
		{name: "ais_valid_log_likelihood ± se", value: func(m *train.Metrics) *float64 { return m.AISValidLogLikelihood },
			stderr: func(m *train.Metrics) *float64 { return m.AISValidLogLikelihoodStderr }},
	}},
	{"log Z", []series{
		{name: "log_z", value: func(m *train.Metrics) *float64 { return m.LogZ }},
		{name: "ais_log_z ± se", value: func(m *train.Metrics) *float64 { return m.AISLogZ },
			stderr: func(m *train.Metrics) *float64 { return m.AISLogZStderr }},
	}},
	{"gradient: cosine to exact", []series{{name: "grad_cosine", value: func(m *train.Metrics) *float64 { return m.GradCosine }}}},
	{"gradient: relative error", []series{{name: "grad_rel_error", value: func(m *train.Metrics) *float64 { return m.GradRelError }}}},
}

// points returns the (epoch, value) points of s over ms and the matching standard errors
// (nil when s has none); records without a value are left out, and a value that is not
// finite (null in metrics.jsonl) is kept as NaN, for segments to break the curve there. It
// returns no points when s is absent from every record.
func (s series) points(ms []train.Metrics) (xy plotter.XYs, se []float64) {
	nonzero := false
	for i := range ms {
		v := s.value(&ms[i])
		if v == nil {
			continue
		}
		y := *v
		if !finite(y) {
			y = math.NaN()
		}
		nonzero = nonzero || y != 0
		xy = append(xy, plotter.XY{X: float64(ms[i].Epoch), Y: y})
		if s.stderr != nil {
			e := 0.0
			if p := s.stderr(&ms[i]); p != nil {
				e = *p
			}
			if !finite(e) {
				e = 0 // the band narrows to the line where the error is undefined
			}
			se = append(se, e)
		}
	}
	if s.always && !nonzero {
		return nil, nil
	}
	return xy, se
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// segments splits xy (and se, when not nil) into the runs of consecutive finite points, so
// that a metric that was undefined or infinite at some epochs is drawn as a curve with gaps.
func segments(xy plotter.XYs, se []float64) (runs []plotter.XYs, ses [][]float64) {
	start := 0
	for i := 0; i <= len(xy); i++ {
		if i < len(xy) && finite(xy[i].Y) {
			continue
		}
		if i > start {
			runs = append(runs, xy[start:i])
			if se != nil {
				ses = append(ses, se[start:i])
			} else {
				ses = append(ses, nil)
			}
		}
		start = i + 1
	}
	return runs, ses
}

// Curves plots each metric present in ms against the epoch, one small panel per quantity,
// two panels per row: reconstruction error, pseudo-log-likelihood, free energy of training
// and held-out data, their gap, the log-likelihood (exact on training and held-out data, and
// AIS estimates with a shaded ±1 standard-error band), log Z (exact and AIS), and the cosine
// and relative error of the training gradient against the exact one. A metric absent from
// every record is skipped, and a panel with no metric left is dropped. It returns the plot in
// the given format, or ErrNoCurves when nothing is left to draw.
func Curves(ms []train.Metrics, format Format) ([]byte, error) {
	plots, err := curvePlots(ms)
	if err != nil {
		return nil, err
	}
	if len(plots) == 0 {
		return nil, ErrNoCurves
	}
	cols := min(panelCols, len(plots))
	rows := (len(plots) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for c := range grid[r] {
			if k := r*cols + c; k < len(plots) {
				grid[r][c] = plots[k]
			}
		}
	}
	return render(format, vg.Length(cols)*panelWidth, vg.Length(rows)*panelHeight, func(dc draw.Canvas) {
		tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
			PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
		canvases := plot.Align(grid, tiles, dc)
		for r := range grid {
			for c, p := range grid[r] {
				if p != nil {
					p.Draw(canvases[r][c])
				}
			}
		}
	})
}

// curvePlots returns the panels of Curves that have something to show.
func curvePlots(ms []train.Metrics) ([]*plot.Plot, error) {
	var plots []*plot.Plot
	for _, pn := range curvePanels {
		p, err := pn.plot(ms)
		if err != nil {
			return nil, err
		}
		if p != nil {
			plots = append(plots, p)
		}
	}
	return plots, nil
}

// plot returns the panel's plot of ms, or nil when none of its series has a point.
func (pn panel) plot(ms []train.Metrics) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = pn.title
	p.X.Label.Text = "epoch"
	p.Y.Tick.Marker = distinctTicks{}
	p.Add(plotter.NewGrid())
	var drawn []plotter.XYs
	shown := 0 // series with at least one finite point
	for i, s := range pn.series {
		xy, se := s.points(ms)
		runs, ses := segments(xy, se)
		if len(runs) == 0 {
			continue
		}
		shown++
		col := plotutil.Color(i)
		marked := len(xy) <= maxMarkedPoints
		for k, run := range runs {
			if ses[k] != nil {
				band, err := errorBand(run, ses[k], col)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", s.name, err)
				}
				p.Add(band)
			}
			line, err := plotter.NewLine(run)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
			line.Color = col
			p.Add(line)
			thumbs := []plot.Thumbnailer{line}
			if marked {
				pts, err := plotter.NewScatter(run)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", s.name, err)
				}
				pts.Color, pts.Radius = col, vg.Points(1.5)
				p.Add(pts)
				thumbs = append(thumbs, pts)
			}
			if k == 0 {
				p.Legend.Add(s.name, thumbs...)
			}
			drawn = append(drawn, run)
		}
	}
	switch shown {
	case 0:
		return nil, nil
	case 1:
		p.Legend = plot.NewLegend() // one line needs no legend: the title names it
	default:
		placeLegend(p, drawn)
	}
	return p, nil
}

// errorBand returns the filled region between y − se and y + se along xy, in a light tint of
// col.
func errorBand(xy plotter.XYs, se []float64, col color.Color) (*plotter.Polygon, error) {
	ring := make(plotter.XYs, 0, 2*len(xy))
	for i, pt := range xy {
		ring = append(ring, plotter.XY{X: pt.X, Y: pt.Y + se[i]})
	}
	for i := len(xy) - 1; i >= 0; i-- {
		ring = append(ring, plotter.XY{X: xy[i].X, Y: xy[i].Y - se[i]})
	}
	band, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil, err
	}
	r, g, b, _ := col.RGBA()
	const alpha = 0x40 // a quarter opacity keeps the line over the band readable
	band.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
	band.LineStyle.Width = 0
	return band, nil
}

// StudyPlot draws the bars-and-stripes study: the exact mean log-likelihood of the training
// data against the epoch, one line per method (the keys of curves, in sorted order, named in
// the legend), and the optimum, the log-likelihood of a model that puts equal mass on each
// pattern (−ln 30 for the 30 patterns of 4×4 bars-and-stripes), as a horizontal dashed line.
// It returns an SVG document. It is an error if a method has no record with an exact
// log-likelihood.
func StudyPlot(curves map[string][]train.Metrics, optimum float64) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "bars-and-stripes: exact log-likelihood"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "mean log-likelihood (nats)"
	p.Y.Tick.Marker = distinctTicks{}
	p.Add(plotter.NewGrid())

	names := make([]string, 0, len(curves))
	for name := range curves {
		names = append(names, name)
	}
	sort.Strings(names)
	exact := series{value: func(m *train.Metrics) *float64 { return m.LogLikelihood }}
	xmin, xmax := 0.0, 1.0
	var drawn []plotter.XYs
	for i, name := range names {
		xy, _ := exact.points(curves[name])
		runs, _ := segments(xy, nil)
		if len(runs) == 0 {
			return nil, fmt.Errorf("study plot: method %q has no exact log-likelihood", name)
		}
		for k, run := range runs {
			for _, pt := range run {
				xmin, xmax = min(xmin, pt.X), max(xmax, pt.X)
			}
			line, err := plotter.NewLine(run)
			if err != nil {
				return nil, fmt.Errorf("study plot: method %q: %w", name, err)
			}
			line.Color = plotutil.Color(i)
			line.Width = vg.Points(1.5)
			p.Add(line)
			if k == 0 {
				p.Legend.Add(name, line)
			}
			drawn = append(drawn, run)
		}
	}
	opt, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: optimum}, {X: xmax, Y: optimum}})
	if err != nil {
		return nil, fmt.Errorf("study plot: optimum %v: %w", optimum, err)
	}
	opt.Color = color.Black
	opt.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
	p.Add(opt)
	p.Legend.Add(fmt.Sprintf("optimum %.4f", optimum), opt)
	placeLegend(p, append(drawn, opt.XYs))
	return render(SVG, studyWidth, studyHeight, p.Draw)
}

// legendReach is the fraction of the data range, along each axis, that the legend is taken to
// cover in its corner.
const legendReach = 0.4

// placeLegend puts p's legend in the corner of the data area that the curves in sets pass
// through least, so that it hides as little of them as it can: each corner region is
// legendReach of the range along each axis, and each curve is sampled at 16 points per
// segment so that a long straight segment counts too. Ties keep the first of top right, top
// left, bottom right, bottom left. Call it after adding the plotters, which set the axis
// ranges.
func placeLegend(p *plot.Plot, sets []plotter.XYs) {
	const perSegment = 16
	type corner struct{ top, left bool }
	corners := []corner{{true, false}, {true, true}, {false, false}, {false, true}}
	counts := make([]int, len(corners))
	dx, dy := p.X.Max-p.X.Min, p.Y.Max-p.Y.Min
	count := func(x, y float64) {
		fx, fy := 0.5, 0.5
		if dx > 0 {
			fx = (x - p.X.Min) / dx
		}
		if dy > 0 {
			fy = (y - p.Y.Min) / dy
		}
		for i, c := range corners {
			inX := (c.left && fx <= legendReach) || (!c.left && fx >= 1-legendReach)
			inY := (c.top && fy >= 1-legendReach) || (!c.top && fy <= legendReach)
			if inX && inY {
				counts[i]++
			}
		}
	}
	for _, xy := range sets {
		for i, pt := range xy {
			count(pt.X, pt.Y)
			if i+1 < len(xy) {
				next := xy[i+1]
				for k := 1; k < perSegment; k++ {
					f := float64(k) / perSegment
					count(pt.X+f*(next.X-pt.X), pt.Y+f*(next.Y-pt.Y))
				}
			}
		}
	}
	best := 0
	for i := range counts {
		if counts[i] < counts[best] {
			best = i
		}
	}
	p.Legend.Top, p.Legend.Left = corners[best].top, corners[best].left
}

// render draws with draw onto a w×h canvas of the given format and returns the encoded file.
func render(format Format, w, h vg.Length, drawOn func(draw.Canvas)) ([]byte, error) {
	var wt io.WriterTo
	switch format {
	case SVG:
		c := vgsvg.New(w, h)
		drawOn(draw.New(c))
		wt = c
	case PNG:
		c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(pngDPI), vgimg.UseBackgroundColor(color.White))
		drawOn(draw.New(c))
		wt = vgimg.PngCanvas{Canvas: c}
	default:
		return nil, fmt.Errorf("unknown plot format %q: want %q or %q", format, SVG, PNG)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
