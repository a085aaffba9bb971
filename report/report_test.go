package report

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/train"
)

// uniform reports whether every pixel of img has the same colour.
func uniform(img image.Image) bool {
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.At(x, y) != first {
				return false
			}
		}
	}
	return true
}

// runFiles describes a synthetic run directory for makeRun.
type runFiles struct {
	nv, nh  int
	meta    *rbm.Meta
	runJSON string // empty: no run.json
	metrics string // empty: no metrics.jsonl
}

// basRun is a run on bars-and-stripes 3×3 with a configuration that needs escaping, five
// metrics records and a truncated sixth.
func basRun(t *testing.T) runFiles {
	var lines strings.Builder
	for _, m := range someMetrics(5) {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		lines.Write(b)
		lines.WriteByte('\n')
	}
	lines.WriteString(`{"epoch":6,"step":60,"recon_`)
	return runFiles{
		nv: 9, nh: 6,
		meta: &rbm.Meta{ImageShape: [2]int{3, 3}, Data: "bas:3"},
		runJSON: `{"version": "test", "data": "bas:3", "seed": 1, "nv": 9, "nh": 6, "image_shape": [3, 3],
			"config": {"method": "cd", "lr": 0.1, "note": "<script>alert(1)</script>", "ladder": [1, 0.5]}}`,
		metrics: lines.String(),
	}
}

// makeRun writes a run directory from f, with a random model, and returns its path.
func makeRun(t *testing.T, f runFiles) string {
	t.Helper()
	dir := t.TempDir()
	m := randomModel(f.nv, f.nh, 1, 4)
	if err := m.Save(filepath.Join(dir, ModelFile), f.meta); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{RunFile: f.runJSON, MetricsFile: f.metrics} {
		if content == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// readPNG decodes the PNG file dir/name and checks its size and that it is not blank.
func readPNG(t *testing.T, dir, name string, w, h int) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got := img.Bounds().Size(); got.X != w || (h > 0 && got.Y != h) {
		t.Errorf("%s is %v, want %d×%d", name, got, w, h)
	}
	if uniform(img) {
		t.Errorf("%s is blank", name)
	}
}

// readHTML returns report.html of dir after checking that it is self-contained: every src
// and href is a data: URI that decodes to a non-empty PNG or SVG, and nothing points at the
// network.
func readHTML(t *testing.T, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(raw)
	for _, s := range []string{"<!DOCTYPE html>", `<meta name="viewport" content="width=device-width, initial-scale=1">`} {
		if !strings.Contains(page, s) {
			t.Errorf("report.html lacks %s", s)
		}
	}
	for _, s := range []string{"http://", "https://", "ZgotmplZ", "url("} {
		if strings.Contains(page, s) {
			t.Errorf("report.html contains %q", s)
		}
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	for _, ref := range refs {
		uri := html.UnescapeString(ref[1])
		mime, b64, ok := strings.Cut(strings.TrimPrefix(uri, "data:"), ";base64,")
		if !ok || !strings.HasPrefix(uri, "data:") {
			t.Errorf("reference %.60q is not a base64 data: URI", uri)
			continue
		}
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Errorf("data URI of %s: %v", mime, err)
			continue
		}
		switch mime {
		case "image/png":
			if _, err := png.Decode(bytes.NewReader(data)); err != nil {
				t.Errorf("inlined PNG: %v", err)
			}
		case "image/svg+xml":
			checkSVG(t, data)
		default:
			t.Errorf("data URI of type %q", mime)
		}
	}
	return page
}

func TestWriteFigures(t *testing.T) {
	dir := makeRun(t, basRun(t))
	var progress bytes.Buffer
	if err := Write(dir, Options{Samples: 4, Sweeps: 5, Reconstructions: 4, Progress: &progress}); err != nil {
		t.Fatal(err)
	}
	// 3×3 tiles at AutoScale 8 are 24 pixels: 6 filters in 3×2, 4 samples in 2×2, 4 pairs in
	// 4 columns (1-pixel lines within a pair, GroupSeparator between pairs) × 2 rows.
	readPNG(t, dir, FiltersFile, 3*24+2, 2*24+1)
	readPNG(t, dir, SamplesFile, 2*24+1, 2*24+1)
	readPNG(t, dir, ReconstructionsFile, 4*24+1+GroupSeparator+1, 2*24+1)
	readPNG(t, dir, CurvesPNGFile, 2*4*pngDPI, 0)
	svg, err := os.ReadFile(filepath.Join(dir, CurvesSVGFile))
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, svg)

	page := readHTML(t, dir)
	if n := strings.Count(page, "<img "); n != 4 {
		t.Errorf("report.html has %d images, want 4", n)
	}
	for _, s := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",     // run.json values are escaped
		"config.method", "config.ladder", "[1,0.5]", // nested settings flattened
		"metrics.jsonl: line 6 is incomplete", // the truncated record is noted
		"<th>epoch</th><td>5</td>",            // final metrics
		"bas:3",
	} {
		if !strings.Contains(page, s) {
			t.Errorf("report.html lacks %q", s)
		}
	}
	if strings.Contains(page, "<script>alert") {
		t.Error("report.html contains an unescaped script from run.json")
	}
	if !strings.Contains(progress.String(), "line 6 is incomplete") {
		t.Errorf("progress %q does not warn of the truncated line", progress.String())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// The same seed draws the same samples; another seed other samples.
func TestWriteDeterministic(t *testing.T) {
	dir := makeRun(t, basRun(t))
	read := func(seed uint64) []byte {
		if err := Write(dir, Options{Samples: 9, Sweeps: 3, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, SamplesFile))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b, c := read(5), read(5), read(6)
	if !bytes.Equal(a, b) {
		t.Error("samples.png differs between runs with the same seed")
	}
	if bytes.Equal(a, c) {
		t.Error("samples.png is the same for seeds 5 and 6")
	}
}

// A directory with nothing but a model still gets filters, samples and a page that says what
// is missing.
func TestWriteModelOnly(t *testing.T) {
	dir := makeRun(t, runFiles{nv: 10, nh: 3})
	if err := Write(dir, Options{Samples: 2, Sweeps: 1}); err != nil {
		t.Fatal(err)
	}
	// No image shape: ShapeFor(10) = 3×4, AutoScale 6, so tiles are 18×24 pixels.
	readPNG(t, dir, FiltersFile, 2*24+1, 2*18+1)
	readPNG(t, dir, SamplesFile, 2*24+1, 18)
	for _, name := range []string{ReconstructionsFile, CurvesSVGFile, CurvesPNGFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %v, want it absent", name, err)
		}
	}
	page := readHTML(t, dir)
	for _, s := range []string{"no run configuration", "no data set recorded", "no learning curves", "3×4 (no image shape"} {
		if !strings.Contains(page, s) {
			t.Errorf("report.html lacks %q", s)
		}
	}
}

// Data that cannot be loaded or does not fit the model skips the reconstructions with a
// note; a corrupt metrics line draws the curves from the records before it.
func TestWriteDegradesGracefully(t *testing.T) {
	for name, tc := range map[string]struct{ data, want string }{
		"missing file": {filepath.Join(t.TempDir(), "absent.csv"), "reconstructions skipped"},
		"unknown spec": {"nonsense:1", "reconstructions skipped: unknown data set"},
		"wrong width":  {"bas:4", "the model has 9 visible units"},
	} {
		t.Run(name, func(t *testing.T) {
			f := basRun(t)
			f.runJSON = `{"data": ` + jsonString(tc.data) + `}`
			f.metrics = `{"epoch":1,"recon_error":2}` + "\n{broken\n" + `{"epoch":3,"recon_error":1}` + "\n"
			dir := makeRun(t, f)
			if err := Write(dir, Options{Samples: 1, Sweeps: 1}); err != nil {
				t.Fatal(err)
			}
			page := readHTML(t, dir)
			for _, s := range []string{tc.want, "metrics line 2", "from the 1 records before it"} {
				if !strings.Contains(page, s) {
					t.Errorf("report.html lacks %q", s)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, ReconstructionsFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("reconstructions.png written: %v", err)
			}
			readPNG(t, dir, CurvesPNGFile, 4*pngDPI, 0)
		})
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestWriteErrors(t *testing.T) {
	empty := t.TempDir()
	if err := Write(filepath.Join(empty, "absent"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing directory: error %v", err)
	}
	if err := Write(empty, Options{}); !errors.Is(err, ErrNoModel) {
		t.Errorf("no model: error %v, want ErrNoModel", err)
	}
	dir := makeRun(t, basRun(t))
	if err := Write(dir, Options{ImageShape: [2]int{2, 5}}); err == nil || !strings.Contains(err.Error(), "2×5") {
		t.Errorf("image shape 2×5 for 9 units: error %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ModelFile), []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, Options{}); err == nil {
		t.Error("corrupt model.npz: no error")
	}
	// A recorded shape that does not fit is ignored with a note, not an error.
	f := basRun(t)
	f.runJSON = `{"data": "bas:3", "image_shape": [2, 2]}`
	dir = makeRun(t, f)
	if err := Write(dir, Options{Samples: 1, Sweeps: 1}); err != nil {
		t.Fatal(err)
	}
	if page := readHTML(t, dir); !strings.Contains(page, "image shape 2×2 in run.json does not hold 9 visible units") {
		t.Error("report.html does not note the ill-fitting image shape")
	}
}

// A cancelled context stops the sampling; report.html is not written.
func TestWriteCancelled(t *testing.T) {
	dir := makeRun(t, basRun(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Write(dir, Options{Context: ctx}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(dir, HTMLFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("report.html after cancelling: %v", err)
	}
}

func TestFlattenJSON(t *testing.T) {
	fs, err := flattenJSON([]byte(`{"b": 1, "a": {"y": "s", "x": [1, {"k": 2}], "z": {}}, "n": null, "t": true}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Key+"="+f.Value)
	}
	want := `b=1 a.y=s a.x=[1,{"k":2}] n=null t=true`
	if strings.Join(got, " ") != want {
		t.Errorf("flattenJSON = %q, want %q", strings.Join(got, " "), want)
	}
	for _, bad := range []string{`{"a":`, `{} {}`, ``} {
		if _, err := flattenJSON([]byte(bad)); err == nil {
			t.Errorf("flattenJSON(%q): no error", bad)
		}
	}
}

// withTestRecord appends to metrics (which may end in a torn line, dropped here) a last
// record holding a final evaluation, as boltz train writes it.
func withTestRecord(t *testing.T, metrics string) string {
	t.Helper()
	keep := metrics[:strings.LastIndexByte(metrics, '\n')+1]
	ll, se, dse, rev, trust, runs, betas, ess := -7.25, 0.04, 0.3, -7.2, true, 100, 14500, 55.0
	m := train.Metrics{Epoch: 6, Step: 60, ReconError: 1, PseudoLogLikelihood: -8, TestData: "bas:3",
		TestLogLikelihood: &ll, TestLogLikelihoodStderr: &se, TestLogLikelihoodDataStderr: &dse,
		TestLogLikelihoodReverse: &rev, TestLogLikelihoodMethod: "ais", Trustworthy: &trust,
		TestAISRuns: &runs, TestAISBetas: &betas, TestAISESS: &ess}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return keep + string(b) + "\n"
}

// The final metrics start with the test log-likelihood in words, its verdict included.
func TestReportShowsTestLogLikelihood(t *testing.T) {
	run := basRun(t)
	run.metrics = withTestRecord(t, run.metrics)
	dir := makeRun(t, run)
	if err := Write(dir, Options{Samples: 4, Sweeps: 2, Reconstructions: 2}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(raw)
	i := strings.Index(page, `<p id="test-log-likelihood" class="trusted">Test log-likelihood -7.25 nats per example on bas:3`)
	j := strings.Index(page, "<h2>Final metrics</h2>")
	k := strings.Index(page[j:], "<table>")
	if i < 0 || j < 0 || i < j || i > j+k {
		t.Fatalf("the test log-likelihood is not the first thing of the final metrics:\n%s", page[max(j, 0):min(len(page), max(j, 0)+1500)])
	}
	for _, want := range []string{"reverse AIS gives -7.20", "Trustworthy", "100 runs × 14500 temperatures"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	low := "low_ess"
	f := false
	m := train.Metrics{TestLogLikelihood: ptr(-90.0), TestLogLikelihoodStderr: ptr(0.5), TestLogLikelihoodMethod: "ais",
		TestData: "mnist:test", Trustworthy: &f, UntrustworthyReason: &low}
	if s, ok := TestSummary(m); ok || !strings.Contains(s, "NOT trustworthy") || !strings.Contains(s, "effective sample size") {
		t.Errorf("low-ESS summary %q (trusted %v)", s, ok)
	}
	if s, ok := TestSummary(train.Metrics{TestLogLikelihood: ptr(-6.0), TestLogLikelihoodMethod: "exact", TestData: "bas:3"}); !ok || !strings.Contains(s, "exact") {
		t.Errorf("exact summary %q (trusted %v)", s, ok)
	}
}
