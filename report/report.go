// Package report draws what a training run produced: the filters (incoming weights of the
// hidden units) and model samples as tiled PNG pictures, data next to its reconstructions,
// learning curves of every metric in metrics.jsonl, and one self-contained HTML page that
// shows all of it with the run's configuration.
//
// Tile is the one tiling function behind every picture; other commands (boltz sample) use it
// too. Plots are drawn with gonum.org/v1/plot.
//
// The package never prints: progress and warnings go to Options.Progress, and the warnings
// are also listed on the page.
package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/atomicfile"
	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/train"
)

// Defaults of Options: all in one place.
const (
	// DefaultSamples chains fill an 8×8 grid.
	DefaultSamples = 64
	// DefaultSweeps Gibbs sweeps from a uniformly random start: enough for a trained
	// bars-and-stripes or MNIST model of a few hundred hidden units to reach its modes in most
	// chains (Hinton 2010, §15, shows samples after 1000 sweeps), and a few seconds for
	// 64 chains of a 784×500 model.
	DefaultSweeps = 1000
	// DefaultReconstructions data rows fill an 8×8 grid of (data, reconstruction) pairs.
	DefaultReconstructions = 32
)

// File names in a run directory.
const (
	ModelFile   = "model.npz"
	RunFile     = "run.json"
	MetricsFile = "metrics.jsonl"

	FiltersFile         = "filters.png"
	SamplesFile         = "samples.png"
	ReconstructionsFile = "reconstructions.png"
	CurvesSVGFile       = "curves.svg"
	CurvesPNGFile       = "curves.png"
	HTMLFile            = "report.html"
)

// binarySeparator is the separator grey level of pictures of values in [0, 1]: mid-grey is
// distinguishable from both black (0) and white (1).
const binarySeparator = 128

// Options controls Write. The zero value uses the defaults above, seed 0, the run's own
// image shape and no progress output.
type Options struct {
	Samples         int    // sample chains; 0 means DefaultSamples
	Sweeps          int    // Gibbs sweeps before the sample picture; 0 means DefaultSweeps, negative none
	Reconstructions int    // data rows shown with their reconstructions; 0 means DefaultReconstructions
	Seed            uint64 // seed of the sample chains
	// ImageShape is the height×width to draw visible vectors in; zero means the run's
	// image_shape (run.json, else the model file), else ShapeFor(nv).
	ImageShape [2]int
	// Data, when not nil, is the run's data as it was trained on (binarised), used for the
	// reconstructions instead of loading run.json's data SPEC again: a caller that holds it
	// saves a second copy of the data set in memory.
	Data *data.Dataset
	// Progress receives one line per step and each warning; nil discards them.
	Progress io.Writer
	// Context, when not nil, stops the sampling early when cancelled; Write then returns
	// its error and leaves report.html as it was.
	Context context.Context
}

// withDefaults returns o with its zero fields replaced by the defaults.
func (o Options) withDefaults() Options {
	if o.Samples == 0 {
		o.Samples = DefaultSamples
	}
	if o.Sweeps == 0 {
		o.Sweeps = DefaultSweeps
	} else if o.Sweeps < 0 {
		o.Sweeps = 0
	}
	if o.Reconstructions == 0 {
		o.Reconstructions = DefaultReconstructions
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	return o
}

// ErrNoModel is returned, wrapped, by Write when the directory holds no model.npz.
var ErrNoModel = errors.New("no " + ModelFile)

// runInfo is the part of run.json that the report reads; the page shows all of it.
type runInfo struct {
	Data       string  `json:"data"`
	Valid      int     `json:"valid"`
	ImageShape *[2]int `json:"image_shape"`
}

// builder accumulates the page and the warnings while Write works through a run directory.
type builder struct {
	dir  string
	opts Options
	page page
}

// note records a warning on the page and on the progress writer.
func (b *builder) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	b.page.Notes = append(b.page.Notes, msg)
	fmt.Fprintf(b.opts.Progress, "report: warning: %s\n", msg)
}

// progress writes one progress line.
func (b *builder) progress(format string, args ...any) {
	fmt.Fprintf(b.opts.Progress, "report: "+format+"\n", args...)
}

// Write draws the report of the run directory dir into it:
//
//	filters.png          Filters, in the run's image shape
//	samples.png          Samples of opts.Samples chains after opts.Sweeps sweeps (seed opts.Seed), UnitRange tiles
//	reconstructions.png  SpreadRows of the run's data next to their Reconstructions, pairs side by side
//	curves.svg, .png     Curves of metrics.jsonl
//	report.html          all of the above inlined, with run.json, the model's shape and the final metrics
//
// Only model.npz is required. A missing or unreadable run.json, metrics.jsonl or data set
// (MNIST not cached, say) leaves the pictures that need it out and is noted on the page and
// on opts.Progress; so is a truncated last line of metrics.jsonl (see ReadMetrics). Every file
// is written atomically. Cost: dominated by the sampling, O(Sweeps·Samples·nv·nh).
//
// It returns an error if dir is not a directory, if model.npz is missing (wrapping ErrNoModel)
// or invalid, if opts.ImageShape does not hold nv values, if a file cannot be written, or
// if opts.Context is cancelled while sampling (wrapping its error).
func Write(dir string, opts Options) error {
	b := &builder{dir: dir, opts: opts.withDefaults()}
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: not a directory", dir)
	}
	modelPath := filepath.Join(dir, ModelFile)
	if _, err := os.Stat(modelPath); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", dir, ErrNoModel)
	}
	m, meta, err := rbm.Load(modelPath)
	if err != nil {
		return err
	}
	b.page.Title = "boltz run " + filepath.Base(filepath.Clean(dir))

	info := b.readRun()
	shape, err := b.imageShape(m, meta, info)
	if err != nil {
		return err
	}
	b.describeModel(m, meta, shape)

	if err := b.filters(m, shape); err != nil {
		return err
	}
	if err := b.samples(m, meta, shape); err != nil {
		return err
	}
	if err := b.reconstructions(m, meta, info, shape); err != nil {
		return err
	}
	if err := b.curves(); err != nil {
		return err
	}
	b.progress("writing %s", filepath.Join(dir, HTMLFile))
	return atomicfile.WriteFile(filepath.Join(dir, HTMLFile), 0o644, func(w io.Writer) error {
		return pageTemplate.Execute(w, &b.page)
	})
}

// readRun reads run.json into the page's configuration table and returns the fields the
// report uses; a missing or malformed file is noted and gives a zero runInfo.
func (b *builder) readRun() runInfo {
	var info runInfo
	raw, err := os.ReadFile(filepath.Join(b.dir, RunFile))
	if err != nil {
		b.note("no run configuration: %v", err)
		return info
	}
	fields, err := flattenJSON(raw)
	if err == nil {
		err = json.Unmarshal(raw, &info)
	}
	if err != nil {
		b.note("%s is not valid JSON, configuration not shown: %v", RunFile, err)
		return runInfo{}
	}
	b.page.Run = fields
	return info
}

// imageShape chooses the shape of the tiles: the override, else run.json's, else the model
// file's, else ShapeFor(nv). A recorded shape that does not fit nv is noted and ignored; an
// override that does not fit is an error.
func (b *builder) imageShape(m *rbm.RBM, meta *rbm.Meta, info runInfo) ([2]int, error) {
	nv := m.NV()
	if s := b.opts.ImageShape; s != [2]int{} {
		if s[0] < 1 || s[1] < 1 || s[0]*s[1] != nv {
			return s, fmt.Errorf("image shape %d×%d does not hold the model's %d visible units", s[0], s[1], nv)
		}
		return s, nil
	}
	candidates := []struct {
		from  string
		shape [2]int
	}{{RunFile, [2]int{}}, {ModelFile, meta.ImageShape}}
	if info.ImageShape != nil {
		candidates[0].shape = *info.ImageShape
	}
	for _, c := range candidates {
		s := c.shape
		if s == [2]int{} {
			continue
		}
		if s[0] >= 1 && s[1] >= 1 && s[0]*s[1] == nv {
			return s, nil
		}
		b.note("image shape %d×%d in %s does not hold %d visible units; ignored", s[0], s[1], c.from, nv)
	}
	return ShapeFor(nv), nil
}

// describeModel fills the page's model table.
func (b *builder) describeModel(m *rbm.RBM, meta *rbm.Meta, shape [2]int) {
	shapeNote := ""
	if shape[0]*shape[1] != m.NV() {
		shapeNote = fmt.Sprintf(" (no image shape; laid out by ShapeFor, %d padding pixels)", shape[0]*shape[1]-m.NV())
	}
	rms := 0.0
	for _, w := range m.W.Data {
		rms += w * w
	}
	rms = math.Sqrt(rms / float64(len(m.W.Data)))
	b.page.Model = []field{
		{"visible units", fmt.Sprintf("%d (%s)", m.NV(), meta.Visible)},
		{"hidden units", fmt.Sprintf("%d (%s)", m.NH(), meta.Hidden)},
		{"tile shape", fmt.Sprintf("%d×%d%s", shape[0], shape[1], shapeNote)},
		{"weight rms", fmt.Sprintf("%.4g", rms)},
		{"file format", fmt.Sprintf("version %d, written by boltz %s", meta.Version, meta.ToolVersion)},
	}
}

// filters writes filters.png.
func (b *builder) filters(m *rbm.RBM, shape [2]int) error {
	b.progress("drawing filters")
	img := Filters(m, shape)
	shown := min(m.NH(), MaxFilters)
	caption := fmt.Sprintf("Incoming weights W[:,j] of %d of %d hidden units, ordered by descending norm ‖W[:,j]‖ "+
		"left to right, top to bottom; each tile scaled to its own largest |weight|, 0 is mid-grey, positive is light.", shown, m.NH())
	return b.picture(FiltersFile, "Filters", caption, img)
}

// samples writes samples.png.
func (b *builder) samples(m *rbm.RBM, meta *rbm.Meta, shape [2]int) error {
	o, dataMean := b.opts, meta.DataMean
	b.progress("sampling %d chains × %d Gibbs sweeps", o.Samples, o.Sweeps)
	means, err := samples(o.Context, m, dataMean, o.Samples, o.Sweeps, o.Seed)
	if err != nil {
		return fmt.Errorf("sampling: %w", err)
	}
	means = toPixels(meta, means) // a model of standardised data: back to pixel space
	img := Tile(means, shape, TileOptions{Normalize: UnitRange, Separator: binarySeparator})
	start := "uniformly random visible states"
	if dataMean != nil {
		start = "random visible states drawn independently from the training data's pixel means (the model's data_mean)"
	}
	caption := fmt.Sprintf("E[v|h] after %d block Gibbs sweeps of %d independent chains started from %s (seed %d); "+
		"black is 0, white is 1.", o.Sweeps, o.Samples, start, o.Seed)
	return b.picture(SamplesFile, "Samples", caption, img)
}

// reconstructions writes reconstructions.png, or notes why it cannot.
func (b *builder) reconstructions(m *rbm.RBM, meta *rbm.Meta, info runInfo, shape [2]int) error {
	spec := info.Data
	if spec == "" {
		spec = meta.Data
	}
	if spec == "" {
		b.note("no data set recorded in %s or %s; reconstructions skipped", RunFile, ModelFile)
		return nil
	}
	b.page.Data = append(b.page.Data, field{"data set", spec})
	ds := b.opts.Data
	if ds == nil {
		b.progress("loading %s", spec)
		var err error
		if ds, err = data.Load(spec, data.LoadOptions{Valid: info.Valid}); err != nil {
			b.note("reconstructions skipped: %v", err)
			return nil
		}
	}
	b.page.Data = append(b.page.Data, field{"rows", fmt.Sprint(ds.X.Rows)}, field{"values per row", fmt.Sprint(ds.X.Cols)})
	if ds.Shape != [2]int{} {
		b.page.Data = append(b.page.Data, field{"image shape", fmt.Sprintf("%d×%d", ds.Shape[0], ds.Shape[1])})
	}
	if ds.X.Cols != m.NV() || ds.X.Rows == 0 {
		b.note("reconstructions skipped: %s has %d rows of %d values, the model has %d visible units", spec, ds.X.Rows, ds.X.Cols, m.NV())
		return nil
	}
	rows := SpreadRows(ds.X, b.opts.Reconstructions)
	pairs := toPixels(meta, Reconstructions(m, fromPixels(meta, rows)))
	img := Tile(pairs, shape, TileOptions{Normalize: UnitRange, Group: 2, Cols: pairCols(rows.Rows), Separator: binarySeparator})
	caption := fmt.Sprintf("%d rows of %s spread evenly through it, each followed on its right by its one-step "+
		"reconstruction E[v|E[h|v]]; black is 0, white is 1.", rows.Rows, spec)
	return b.picture(ReconstructionsFile, "Data and reconstructions", caption, img)
}

// curves writes curves.svg and curves.png from metrics.jsonl, or notes why it cannot.
func (b *builder) curves() error {
	f, err := os.Open(filepath.Join(b.dir, MetricsFile))
	if err != nil {
		b.note("no learning curves: %v", err)
		return nil
	}
	ms, partial, err := ReadMetrics(f)
	f.Close()
	if partial > 0 {
		b.note("%s: line %d is incomplete (a run stopped mid-write?) and was skipped", MetricsFile, partial)
	}
	if err != nil {
		b.note("%s: %v; curves drawn from the %d records before it", MetricsFile, err, len(ms))
	}
	if len(ms) == 0 {
		b.note("no learning curves: %s has no records", MetricsFile)
		return nil
	}
	b.page.Final = finalMetrics(ms[len(ms)-1])
	b.page.Test, b.page.TestTrusted = TestSummary(ms[len(ms)-1])
	b.progress("plotting %d records", len(ms))
	svg, err := Curves(ms, SVG)
	if errors.Is(err, ErrNoCurves) {
		b.note("no learning curves: %v", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("curves: %w", err)
	}
	pngData, err := Curves(ms, PNG)
	if err != nil {
		return fmt.Errorf("curves: %w", err)
	}
	if err := writeBytes(filepath.Join(b.dir, CurvesSVGFile), svg); err != nil {
		return err
	}
	if err := writeBytes(filepath.Join(b.dir, CurvesPNGFile), pngData); err != nil {
		return err
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(pngData))
	if err != nil {
		return fmt.Errorf("curves: %w", err)
	}
	caption := fmt.Sprintf("Every metric of %s against the epoch (%d records).", MetricsFile, len(ms))
	if hasAIS(ms) {
		caption += " Shaded bands are ±1 standard error of the AIS estimates. The AIS curves come from a quick" +
			" monitor (few runs and temperatures): it follows the trend and shows a run that diverges, but" +
			" over-estimates the log-likelihood, by several nats on large models; the final evaluation above is" +
			" the careful figure."
	}
	b.page.Figures = append(b.page.Figures, figure{
		ID: "curves", Title: "Learning curves", Caption: caption, Wide: true,
		Src:   dataURI("image/svg+xml", svg),
		Width: cfg.Width, Height: cfg.Height,
	})
	return nil
}

// hasAIS reports whether any record holds an AIS estimate with a standard error.
func hasAIS(ms []train.Metrics) bool {
	for _, m := range ms {
		if m.AISLogLikelihoodStderr != nil || m.AISValidLogLikelihoodStderr != nil || m.AISLogZStderr != nil {
			return true
		}
	}
	return false
}

// TestSummary returns the final evaluation of a metrics record as a sentence, with the
// verdict in words, and whether it can be trusted; "" when the record has none.
func TestSummary(m train.Metrics) (string, bool) {
	if m.TestLogLikelihood == nil {
		return "", false
	}
	s := fmt.Sprintf("Test log-likelihood %.2f nats per example on %s", *m.TestLogLikelihood, m.TestData)
	if m.TestLogLikelihoodDataStderr != nil {
		s += fmt.Sprintf(" (± %.2f from the sampling of its rows)", *m.TestLogLikelihoodDataStderr)
	}
	if m.TestLogLikelihoodMethod == "exact" {
		return s + ": exact, log Z by enumeration.", true
	}
	s += fmt.Sprintf(", by annealed importance sampling: ± %.2f from log Z", *m.TestLogLikelihoodStderr)
	if m.TestAISRuns != nil && m.TestAISBetas != nil {
		s += fmt.Sprintf(" (%d runs × %d temperatures", *m.TestAISRuns, *m.TestAISBetas)
		if m.TestAISESS != nil {
			s += fmt.Sprintf(", effective sample size %.0f", *m.TestAISESS)
		}
		s += ")"
	}
	if m.TestLogLikelihoodReverse != nil {
		s += fmt.Sprintf("; reverse AIS gives %.2f", *m.TestLogLikelihoodReverse)
	}
	trusted := m.Trustworthy != nil && *m.Trustworthy
	if trusted {
		return s + ". Trustworthy: the forward and reverse estimates agree within 1 nat and their noise, and rest on enough runs.", true
	}
	reason := "the check failed"
	if m.UntrustworthyReason != nil {
		reason = map[string]string{
			"gap_too_wide": "reverse and forward AIS disagree by more than 1 nat; the true value most likely lies between them",
			"inverted":     "reverse AIS lies below forward AIS beyond their noise, so at least one bound does not hold",
			"low_ess":      "the estimates rest on a few runs (low effective sample size), so their error bars cannot be taken at face value",
		}[*m.UntrustworthyReason]
	}
	return s + ". NOT trustworthy: " + reason + "; measure again with boltz eval and more -betas and -runs.", false
}

// finalMetrics returns the fields of the last metrics record, in schema order, with
// non-integer numbers rounded to 6 significant digits.
func finalMetrics(last train.Metrics) []field {
	raw, err := json.Marshal(last)
	if err != nil {
		return nil // a Metrics of plain numbers always marshals
	}
	fields, err := flattenJSON(raw)
	if err != nil {
		return nil
	}
	return roundNumbers(fields)
}

// picture writes img as a PNG file named name in the run directory and adds it to the page.
func (b *builder) picture(name, title, caption string, img *image.Gray) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := writeBytes(filepath.Join(b.dir, name), buf.Bytes()); err != nil {
		return err
	}
	id := name[:len(name)-len(filepath.Ext(name))]
	sz := img.Bounds().Size()
	b.page.Figures = append(b.page.Figures, imageFigure(id, title, caption, "image/png", buf.Bytes(), sz.X, sz.Y, true))
	return nil
}

// writeBytes writes p to path atomically.
func writeBytes(path string, p []byte) error {
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(p)
		return err
	})
}
