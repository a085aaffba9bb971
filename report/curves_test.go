package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/boltzgo/boltz/train"
)

func ptr(x float64) *float64 { return &x }

// someMetrics returns n records with reconstruction error, pseudo-log-likelihood, an exact
// log-likelihood on even epochs and an AIS estimate with its standard error on every third.
func someMetrics(n int) []train.Metrics {
	ms := make([]train.Metrics, n)
	for i := range ms {
		e := i + 1
		ms[i] = train.Metrics{Epoch: e, Step: 10 * e, ReconError: 5 / float64(e), PseudoLogLikelihood: -10 + math.Log(float64(e))}
		if e%2 == 0 {
			ms[i].LogLikelihood = ptr(-12 + 0.5*float64(e))
		}
		if e%3 == 0 {
			ms[i].AISLogLikelihood = ptr(-12.2 + 0.5*float64(e))
			ms[i].AISLogLikelihoodStderr = ptr(0.3)
		}
	}
	return ms
}

func titles(t *testing.T, ms []train.Metrics) []string {
	t.Helper()
	plots, err := curvePlots(ms)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range plots {
		out = append(out, p.Title.Text)
	}
	return out
}

// checkSVG parses doc as XML through to its end and returns its text content.
func checkSVG(t *testing.T, doc []byte) string {
	t.Helper()
	if len(doc) == 0 {
		t.Fatal("empty SVG")
	}
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var text strings.Builder
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
		case xml.CharData:
			text.Write(tok)
			text.WriteByte('\n')
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	return text.String()
}

func TestCurvesPanels(t *testing.T) {
	got := titles(t, someMetrics(6))
	want := []string{"reconstruction error", "pseudo-log-likelihood", "log-likelihood"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("panels %q, want %q", got, want)
	}
	// Every optional field present in one record only.
	ms := someMetrics(2)
	ms[1].FreeEnergyTrain, ms[1].FreeEnergyGap, ms[1].LogZ = ptr(-3), ptr(0.5), ptr(7)
	ms[1].GradCosine, ms[1].GradRelError = ptr(0.9), ptr(0.2)
	got = titles(t, ms)
	want = []string{"reconstruction error", "pseudo-log-likelihood", "free energy", "free-energy gap (valid − train)",
		"log-likelihood", "log Z", "gradient: cosine to exact", "gradient: relative error"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("panels %q, want %q", got, want)
	}
}

func TestCurvesSVGAndPNG(t *testing.T) {
	ms := someMetrics(80) // more than maxMarkedPoints
	svg, err := Curves(ms, SVG)
	if err != nil {
		t.Fatal(err)
	}
	text := checkSVG(t, svg)
	for _, s := range []string{"reconstruction error", "log_likelihood", "ais_log_likelihood ± se", "epoch"} {
		if !strings.Contains(text, s) {
			t.Errorf("SVG text lacks %q", s)
		}
	}
	pngData, err := Curves(ms, PNG)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	// Three panels: two rows of two 4×2.6-inch panels at 96 dots per inch.
	size := img.Bounds().Size()
	if size.X != 2*4*pngDPI || math.Abs(float64(size.Y)-2*2.6*pngDPI) > 1 {
		t.Errorf("PNG is %v, want 768×499", size)
	}
	if uniform(img) {
		t.Error("PNG is blank")
	}
}

func TestCurvesNothingToPlot(t *testing.T) {
	for name, ms := range map[string][]train.Metrics{
		"no records":       nil,
		"all zero":         {{Epoch: 1}, {Epoch: 2}},
		"only bookkeeping": {{Epoch: 1, Step: 5, LearningRate: 0.1, ElapsedSeconds: 3}},
	} {
		if _, err := Curves(ms, SVG); !errors.Is(err, ErrNoCurves) {
			t.Errorf("%s: error %v, want ErrNoCurves", name, err)
		}
	}
	if _, err := Curves(someMetrics(2), "pdf"); err == nil || !strings.Contains(err.Error(), "pdf") {
		t.Errorf("format pdf: error %v, want one naming the format", err)
	}
}

func TestStudyPlot(t *testing.T) {
	curves := map[string][]train.Metrics{"pcd": someMetrics(20), "cd": someMetrics(20), "exact": someMetrics(30)}
	optimum := -math.Log(30)
	svg, err := StudyPlot(curves, optimum)
	if err != nil {
		t.Fatal(err)
	}
	text := checkSVG(t, svg)
	for _, s := range []string{"cd", "pcd", "exact", "optimum -3.4012", "epoch", "mean log-likelihood (nats)"} {
		if !strings.Contains(text, s) {
			t.Errorf("SVG text lacks %q", s)
		}
	}
	curves["broken"] = []train.Metrics{{Epoch: 1, ReconError: 1}}
	if _, err := StudyPlot(curves, optimum); err == nil || !strings.Contains(err.Error(), `"broken"`) {
		t.Errorf("method without log-likelihood: error %v, want one naming it", err)
	}
}

func TestPlaceLegend(t *testing.T) {
	for _, tc := range []struct {
		name      string
		xy        plotter.XYs
		top, left bool
	}{
		{"rising", plotter.XYs{{X: 0, Y: 0}, {X: 10, Y: 10}}, true, true},
		{"falling", plotter.XYs{{X: 0, Y: 10}, {X: 10, Y: 0}}, true, false},
		{"rising then flat", plotter.XYs{{X: 0, Y: 0}, {X: 2, Y: 10}, {X: 10, Y: 10}}, false, false},
		{"falling then flat", plotter.XYs{{X: 0, Y: 10}, {X: 2, Y: 0}, {X: 10, Y: 0}}, true, false},
	} {
		p := plot.New()
		line, err := plotter.NewLine(tc.xy)
		if err != nil {
			t.Fatal(err)
		}
		p.Add(line)
		placeLegend(p, []plotter.XYs{tc.xy})
		if p.Legend.Top != tc.top || p.Legend.Left != tc.left {
			t.Errorf("%s: legend top %v left %v, want top %v left %v", tc.name, p.Legend.Top, p.Legend.Left, tc.top, tc.left)
		}
	}
}

// A metric that is NaN or ±Inf at some epochs (null in metrics.jsonl) is drawn as a curve
// with a gap there (segments splits it into its runs of finite points), and a series with
// no finite point gets no panel.
func TestCurvesGapsAtNonFinite(t *testing.T) {
	ms := someMetrics(12)
	ms[3].LogLikelihood = ptr(math.Inf(-1)) // epoch 4
	ms[5].LogLikelihood = ptr(math.NaN())   // epoch 6
	ms[6].ReconError = math.NaN()
	ms[8].AISLogLikelihoodStderr = ptr(math.Inf(1))
	svg, err := Curves(ms, SVG)
	if err != nil {
		t.Fatalf("Curves with non-finite values: %v", err)
	}
	checkSVG(t, svg)
	all := someMetrics(4)
	for i := range all {
		all[i].ReconError = math.NaN()
	}
	if got := titles(t, all); slices.Contains(got, "reconstruction error") {
		t.Errorf("a series with no finite point got a panel: %q", got)
	}
}

func TestSegments(t *testing.T) {
	nan := math.NaN()
	xy := plotter.XYs{{X: 1, Y: nan}, {X: 2, Y: 1}, {X: 3, Y: 2}, {X: 4, Y: nan}, {X: 5, Y: nan}, {X: 6, Y: 3}}
	runs, ses := segments(xy, []float64{0, 1, 2, 3, 4, 5})
	if len(runs) != 2 || len(runs[0]) != 2 || runs[0][0].X != 2 || len(runs[1]) != 1 || runs[1][0].X != 6 ||
		ses[0][1] != 2 || ses[1][0] != 5 {
		t.Errorf("segments = %v, %v", runs, ses)
	}
}
