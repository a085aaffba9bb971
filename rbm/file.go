package rbm

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/npz"
)

// FormatVersion is the version of the model file layout. Readers reject other versions.
const FormatVersion = 1

// formatName marks a boltz model in meta.json.
const formatName = "boltz-rbm"

// maxUnits bounds nv and nh read from a file: far above any RBM that fits in memory, and
// low enough that a corrupt header cannot make the reader allocate terabytes.
const maxUnits = 1 << 24

// Meta is the meta.json member of a model file: the format version, the unit types and
// whatever the writer knows about how the model was made.
type Meta struct {
	Format      string          `json:"format"`
	Version     int             `json:"version"`
	ToolVersion string          `json:"tool_version"`
	Visible     string          `json:"visible"`
	Hidden      string          `json:"hidden"`
	NV          int             `json:"nv"`
	NH          int             `json:"nh"`
	ImageShape  [2]int          `json:"image_shape,omitempty"` // height, width of a visible vector shown as an image
	Data        string          `json:"data,omitempty"`        // the data SPEC the model was trained on
	Training    json.RawMessage `json:"training,omitempty"`    // the training configuration
	Metrics     json.RawMessage `json:"metrics,omitempty"`     // the last evaluation

	// DataMean is the mean of each visible unit over the training data, stored as the array
	// data_mean (nv) when set: the starting law of sampling chains (mcmc.Chains.DrawVisible)
	// and of AIS's base-rate model. nil when the file has none.
	DataMean []float64 `json:"-"`

	// PixelMean and PixelStd, when set, say that the visible values are rescaled data:
	// v_i = (x_i − PixelMean_i)/PixelStd_i for the raw values x (boltz train -scale
	// standard: column means and deviations; -scale unit: the minimum and the range), so
	// x = PixelMean + PixelStd·v shows a visible vector in pixel space.
	PixelMean []float64 `json:"pixel_mean,omitempty"`
	PixelStd  []float64 `json:"pixel_std,omitempty"`

	// Layout is "" for a boltz model file; "numpy" or "scikit-learn" when FromArchive read
	// a plain archive without meta.json (see FromArchive). It is never written.
	Layout string `json:"-"`
}

// Layouts of plain archives that FromArchive reads as Bernoulli RBMs.
const (
	LayoutNumpy   = "numpy"        // W (nv×nh), b (nv), c (nh)
	LayoutSklearn = "scikit-learn" // components_ (nh×nv), intercept_visible_ (nv), intercept_hidden_ (nh)
)

// Archive returns the model as an npz archive: W (nv×nh), b (nv), c (nh) as float64 arrays
// and meta.json. meta may be nil; its format, version and shape fields are filled in.
// Callers such as checkpoints may add members before writing it.
func (m *RBM) Archive(meta *Meta) (*npz.Archive, error) {
	var mt Meta
	if meta != nil {
		mt = *meta
	}
	mt.Format, mt.Version, mt.ToolVersion = formatName, FormatVersion, ToolVersion
	mt.Visible, mt.Hidden, mt.NV, mt.NH = m.Visible.Name(), m.Hidden.Name(), m.NV(), m.NH()
	js, err := json.MarshalIndent(&mt, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding meta.json: %w", err)
	}
	a := &npz.Archive{
		Arrays: map[string]*npz.Array{"W": {Shape: []int{m.NV(), m.NH()}, Data: m.W.Data, Dtype: "<f8"}},
		Files:  map[string][]byte{"meta.json": append(js, '\n')},
	}
	for _, side := range m.sides() {
		for _, p := range side.layer.Params() {
			a.Arrays[ParamName(side.name, p.Name)] = &npz.Array{Shape: []int{len(p.Data)}, Data: p.Data, Dtype: "<f8"}
		}
	}
	if mt.DataMean != nil {
		if len(mt.DataMean) != m.NV() {
			panic(fmt.Sprintf("boltz/rbm: Archive: Meta.DataMean has %d values, the model %d visible units", len(mt.DataMean), m.NV()))
		}
		a.Arrays["data_mean"] = &npz.Array{Shape: []int{m.NV()}, Data: mt.DataMean, Dtype: "<f8"}
	}
	return a, nil
}

// Save writes the model to path as an .npz file (see Archive), atomically: a failed write
// leaves any existing file untouched.
func (m *RBM) Save(path string, meta *Meta) error {
	a, err := m.Archive(meta)
	if err != nil {
		return err
	}
	return npz.WriteFile(path, a)
}

// FromArchive reads a model from an npz archive, checking the format version, the unit
// types, the arrays' presence, dtypes and shapes, and that every parameter is finite.
//
// An archive without meta.json is read as a Bernoulli RBM when it holds the arrays of one
// of two plain layouts, float64 or float32, and the returned Meta's Layout says which:
//
//	numpy          W (nv×nh), b (nv), c (nh): numpy.savez(path, W=W, b=b, c=c)
//	scikit-learn   components_ (nh×nv), intercept_visible_ (nv), intercept_hidden_ (nh):
//	               the attributes of a fitted sklearn.neural_network.BernoulliRBM, saved by
//	               numpy.savez(path, components_=r.components_, …); W is components_ᵀ
func FromArchive(a *npz.Archive) (*RBM, *Meta, error) {
	raw, ok := a.Files["meta.json"]
	if !ok {
		return fromPlain(a)
	}
	var mt Meta
	if err := json.Unmarshal(raw, &mt); err != nil {
		return nil, nil, fmt.Errorf("meta.json: %w", err)
	}
	if mt.Format != formatName {
		return nil, nil, fmt.Errorf("meta.json: format %q, want %q", mt.Format, formatName)
	}
	if mt.Version != FormatVersion {
		return nil, nil, fmt.Errorf("meta.json: unknown format version %d (this boltz reads version %d)", mt.Version, FormatVersion)
	}
	if mt.NV <= 0 || mt.NH <= 0 || mt.NV > maxUnits || mt.NH > maxUnits {
		return nil, nil, fmt.Errorf("meta.json: implausible size nv=%d nh=%d", mt.NV, mt.NH)
	}
	vis, err := LayerByName(mt.Visible, mt.NV)
	if err != nil {
		return nil, nil, fmt.Errorf("meta.json: visible units: %w", err)
	}
	hid, err := LayerByName(mt.Hidden, mt.NH)
	if err != nil {
		return nil, nil, fmt.Errorf("meta.json: hidden units: %w", err)
	}
	w, err := getFloat64(a, "W", mt.NV, mt.NH)
	if err != nil {
		return nil, nil, err
	}
	m := &RBM{W: &matrix.Dense{Rows: mt.NV, Cols: mt.NH, Data: w.Data}, Visible: vis, Hidden: hid}
	for _, side := range m.sides() {
		for _, p := range side.layer.Params() {
			arr, err := getFloat64(a, ParamName(side.name, p.Name), len(p.Data))
			if err != nil {
				return nil, nil, err
			}
			copy(p.Data, arr.Data)
		}
	}
	if err := m.Validate(); err != nil {
		return nil, nil, err
	}
	if mt.DataMean, err = dataMean(a, mt.NV); err != nil {
		return nil, nil, err
	}
	return m, &mt, nil
}

// dataMean reads the optional array data_mean: nv means, each in [0, 1] (Bernoulli units'
// means; files of other unit types may hold any finite values).
func dataMean(a *npz.Archive, nv int) ([]float64, error) {
	if a.Arrays["data_mean"] == nil {
		return nil, nil
	}
	arr, err := getFloat64(a, "data_mean", nv)
	if err != nil {
		return nil, err
	}
	for i, x := range arr.Data {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("array data_mean: value %v at index %d", x, i)
		}
	}
	return arr.Data, nil
}

// fromPlain reads an archive without meta.json in the numpy or scikit-learn layout.
func fromPlain(a *npz.Archive) (*RBM, *Meta, error) {
	wName, bName, cName, layout := "W", "b", "c", LayoutNumpy
	if a.Arrays["W"] == nil && a.Arrays["components_"] != nil {
		wName, bName, cName, layout = "components_", "intercept_visible_", "intercept_hidden_", LayoutSklearn
	}
	w := a.Arrays[wName]
	if w == nil {
		return nil, nil, fmt.Errorf("missing meta.json, and no array W (numpy layout: W, b, c) or components_ " +
			"(scikit-learn layout): not a model file")
	}
	if len(w.Shape) != 2 || w.Shape[0] <= 0 || w.Shape[1] <= 0 || w.Shape[0] > maxUnits || w.Shape[1] > maxUnits {
		return nil, nil, fmt.Errorf("array %s has shape %v, want two positive dimensions", wName, w.Shape)
	}
	nv, nh := w.Shape[0], w.Shape[1]
	if layout == LayoutSklearn {
		nv, nh = nh, nv
	}
	arrays := make([]*npz.Array, 3)
	for i, n := range []struct {
		name  string
		shape []int
	}{{wName, w.Shape}, {bName, []int{nv}}, {cName, []int{nh}}} {
		arr, err := a.Get(n.name, n.shape...)
		if err != nil {
			return nil, nil, fmt.Errorf("%w (plain %s layout, no meta.json)", err, layout)
		}
		if arr.Dtype != "<f8" && arr.Dtype != "<f4" {
			return nil, nil, fmt.Errorf("array %s has dtype %s, want float64 or float32", n.name, arr.Dtype)
		}
		arrays[i] = arr
	}
	m := &RBM{W: &matrix.Dense{Rows: nv, Cols: nh, Data: arrays[0].Data},
		Visible: &Bernoulli{B: arrays[1].Data}, Hidden: &Bernoulli{B: arrays[2].Data}}
	if layout == LayoutSklearn {
		m.W = matrix.NewDense(nv, nh)
		for j := 0; j < nh; j++ {
			for i := 0; i < nv; i++ {
				m.W.Data[i*nh+j] = arrays[0].Data[j*nv+i]
			}
		}
	}
	if err := m.Validate(); err != nil {
		return nil, nil, err
	}
	mt := &Meta{Format: formatName, Version: FormatVersion, Visible: m.Visible.Name(), Hidden: m.Hidden.Name(),
		NV: nv, NH: nh, Layout: layout}
	return m, mt, nil
}

func getFloat64(a *npz.Archive, name string, shape ...int) (*npz.Array, error) {
	arr, err := a.Get(name, shape...)
	if err != nil {
		return nil, err
	}
	if arr.Dtype != "<f8" {
		return nil, fmt.Errorf("array %s has dtype %s, want float64 (<f8)", name, arr.Dtype)
	}
	return arr, nil
}

// Load reads a model file written by Save. Errors name the file and what is wrong with it.
func Load(path string) (*RBM, *Meta, error) {
	a, err := npz.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	m, mt, err := FromArchive(a)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, mt, nil
}

// ParamName returns the name under which a layer parameter is stored in model and checkpoint
// files: "b" and "c" for the visible and hidden biases (the names of the first format), and
// side_name otherwise ("visible_sigma", "hidden_gamma"); side is "visible" or "hidden".
func ParamName(side, name string) string {
	if name == "bias" {
		if side == "visible" {
			return "b"
		}
		return "c"
	}
	return side + "_" + name
}

// ParamNames returns the file names of all of m's parameters, in the order of Grad.Parts:
// W, b, c, then the layers' further parameters.
func ParamNames(m *RBM) []string {
	names := []string{"W", "b", "c"}
	for _, side := range m.sides() {
		for _, p := range side.layer.Params()[1:] {
			names = append(names, ParamName(side.name, p.Name))
		}
	}
	return names
}

type side struct {
	name  string
	layer Layer
}

func (m *RBM) sides() [2]side { return [2]side{{"visible", m.Visible}, {"hidden", m.Hidden}} }
