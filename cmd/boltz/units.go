package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/oracle"
	"github.com/boltzgo/boltz/internal/rng"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/train"
)

// pottsAuto is the -visible-units value that reads Q from the data: one more than the
// largest category.
const pottsAuto = "potts"

// checkUnitsFlag checks a -visible-units or -hidden-units value: a registered unit type,
// "potts:Q", or (visible only) "potts" for Q read from the data.
func checkUnitsFlag(flagName, spec string, visible bool) error {
	if visible && spec == pottsAuto {
		return nil
	}
	if strings.HasPrefix(spec, "potts") {
		if _, err := rbm.ParsePottsSpec(spec); err != nil {
			return flagError(flagName, "%v", err)
		}
		return nil
	}
	l, err := rbm.LayerByName(spec, 1)
	if err != nil {
		return flagError(flagName, "%v", err)
	}
	if _, couples := l.(rbm.Coupling); couples && !visible {
		return flagError(flagName, "%s units are visible-only; the hidden layer takes %s", spec, strings.Join(unitNames(true), ", "))
	}
	return nil
}

// unitsPrototype returns a layer of the unit type spec ("" is Bernoulli) with as few units
// as the type allows, for checking and encoding data before the model's size is known.
func unitsPrototype(spec string) (rbm.Layer, error) {
	if spec == "" {
		return rbm.NewBernoulli(1), nil
	}
	if strings.HasPrefix(spec, "potts") {
		q, err := rbm.ParsePottsSpec(spec)
		if err != nil {
			return nil, err
		}
		return rbm.NewPotts(1, q), nil
	}
	return rbm.LayerByName(spec, 1)
}

// categoriesOf returns Q = 1 + the largest value of x, after checking that every value is
// a non-negative integer and Q ≥ 2. Rows and columns count from 1.
func categoriesOf(x *matrix.Dense) (int, error) {
	hi := 0.0
	for i, v := range x.Data {
		if v < 0 || v != math.Trunc(v) || v >= 1<<16 {
			return 0, fmt.Errorf("row %d: value %v at column %d is not a category (an integer 0…Q−1)", i/x.Cols+1, v, i%x.Cols+1)
		}
		hi = max(hi, v)
	}
	if hi < 1 {
		return 0, fmt.Errorf("every value is 0: Potts units need at least two categories")
	}
	return int(hi) + 1, nil
}

// resolvePottsUnits replaces -visible-units potts by potts:Q with Q read from the data SPEC
// (loaded once more by the caller's loader, so the note goes to progress).
func resolvePottsUnits(units *string, spec string, d *dataFlags, progress io.Writer) error {
	if *units != pottsAuto {
		return nil
	}
	ds, err := data.Load(spec, data.LoadOptions{Valid: d.valid, Fetch: true})
	if err != nil {
		return fmt.Errorf("-data %s: %w", spec, err)
	}
	q, err := categoriesOf(ds.X)
	if err != nil {
		return fmt.Errorf("-data %s: %w (-visible-units potts reads Q from the data)", spec, err)
	}
	*units = fmt.Sprintf("potts:%d", q)
	fmt.Fprintf(progress, "boltz train: -visible-units potts: %s has categories 0…%d, so the units are %s\n", spec, q-1, *units)
	return nil
}

// encodeForLayer returns x as states of layer: for categorical units (Potts) each row of
// categories, one per site, becomes its one-hot state, and the layer is sized to the data
// when nv is 0; other layers take x as it is. With nv > 0 the encoded rows must have nv
// entries.
func encodeForLayer(x *matrix.Dense, layer rbm.Layer, nv int) (*matrix.Dense, rbm.Layer, error) {
	c, ok := layer.(rbm.Categorical)
	if !ok {
		return x, layer, nil
	}
	_, q := c.Sites()
	if nv > 0 && x.Cols*q != nv {
		return nil, nil, fmt.Errorf("rows have %d values, the model has %d %s sites (%d visible units)", x.Cols, nv/q, layer.Name(), nv)
	}
	sized, err := rbm.LayerByName(layer.Name(), x.Cols*q)
	if err != nil {
		return nil, nil, err
	}
	enc, err := rbm.EncodeRows(sized.(rbm.Categorical), x)
	if err != nil {
		return nil, nil, err
	}
	return enc, sized, nil
}

// outputStates returns the visible states as a user reads them: categories for Potts units
// (one column per site), the states themselves otherwise.
func outputStates(layer rbm.Layer, states *matrix.Dense) *matrix.Dense {
	if c, ok := layer.(rbm.Categorical); ok {
		return rbm.DecodeRows(c, states)
	}
	return states
}

// enumerationBits returns log₂ of the number of states of m's smaller layer (in states, so
// a Potts layer of n sites counts n·log₂Q): what -method auto compares with
// maxAutoExactUnits.
func enumerationBits(m *rbm.RBM) float64 {
	return math.Log2(min(rbm.NumStates(m.Visible), rbm.NumStates(m.Hidden)))
}

// unitsFloat32 reports whether both unit types offer the float32 kernels (rbm.Float32), so
// that -precision auto may choose float32.
func unitsFloat32(visible, hidden string) bool {
	for _, spec := range []string{visible, hidden} {
		l, err := unitsPrototype(spec)
		if err != nil {
			return false
		}
		if _, ok := l.(rbm.Float32); !ok {
			return false
		}
	}
	return true
}

// bernoulliHint says what to do with data that Bernoulli units refuse: train spin units on
// ±1 values, Potts units on categories, and binarise anything else.
func bernoulliHint(x *matrix.Dense) string {
	spins := true
	for _, v := range x.Data {
		spins = spins && (v == -1 || v == 1)
	}
	if spins {
		return "the values are ±1 spins: train with -visible-units spin"
	}
	if q, err := categoriesOf(x); err == nil && q > 2 {
		return fmt.Sprintf("the values are categories 0…%d: train with -visible-units potts", q-1)
	}
	return "use -binarize threshold or stochastic for grey values"
}

// pictureValues returns visible means as grey levels in [0, 1]: spins' means E[s] ∈ [−1, 1]
// become the probability (1 + E[s])/2 of +1; other units' means are drawn as they are.
func pictureValues(layer rbm.Layer, means *matrix.Dense) *matrix.Dense {
	if _, ok := layer.(*rbm.Spin); !ok {
		return means
	}
	out := means.Clone()
	for i, v := range out.Data {
		out.Data[i] = (1 + v) / 2
	}
	return out
}

// aisSupports returns the error (wrapping rbm.ErrUnsupported) with which AIS refuses models
// of these unit types (ais.Supports); nil when AIS takes them.
func aisSupports(visible, hidden string) error {
	var layers [2]rbm.Layer
	for k, spec := range []string{visible, hidden} {
		l, err := unitsPrototype(spec)
		if err != nil {
			return err
		}
		layers[k] = l
	}
	return ais.Supports(layers[0], layers[1])
}

// randomStates returns gradcheckRows uniformly random states of layer (drawn at zero
// inputs), the default data of boltz gradcheck for models whose visible units are not
// Bernoulli.
func randomStates(layer rbm.Layer, seed uint64) *data.Dataset {
	r := rng.New(seed, gradcheckRNGData)
	x := matrix.NewDense(gradcheckRows, layer.Len())
	for i := range x.Rows {
		layer.Sample(x.Row(i), x.Row(i), r)
	}
	return &data.Dataset{Name: fmt.Sprintf("%d random %s states", gradcheckRows, layer.Name()), X: x}
}

// randomLayerModel returns boltz gradcheck's random model on the unit types vis and hid:
// randomGradcheckModel's weights and biases, and every further layer parameter (σ, γ, …)
// uniform in [0.5, 1.5], drawn after them from the same stream. Bernoulli–Bernoulli models
// are randomGradcheckModel's exactly.
func randomLayerModel(vis, hid string, nv, nh int, std float64, seed uint64) (*rbm.RBM, error) {
	if vis == "bernoulli" && hid == "bernoulli" {
		return randomGradcheckModel(nv, nh, std, seed), nil
	}
	lv, err := rbm.LayerByName(vis, nv)
	if err != nil {
		return nil, flagError("visible-units", "%v", err)
	}
	lh, err := rbm.LayerByName(hid, nh)
	if err != nil {
		return nil, flagError("hidden-units", "%v", err)
	}
	m := oracle.RandomLayerModel(lv, lh, std, std, 0.5, 1.5, rng.New(seed, gradcheckRNGModel))
	if err := m.Validate(); err != nil {
		return nil, flagError("hidden-units", "%v", err)
	}
	return m, nil
}

// warnUnits warns about unit-type and method combinations that are known to go wrong:
// Gaussian visible units trained by SGD (on standardised MNIST, 784×100, five epochs at rate
// 0.001, the reconstruction error ends near 8e5 with CD and 2e7 with PCD; docs/units.md), and
// Gaussian visible units with ReLU or dReLU hidden units (nothing keeps the model
// normalisable).
func warnUnits(w io.Writer, cfg train.Config) {
	if strings.HasPrefix(cfg.VisibleUnits, "gaussian") && cfg.Optimizer == train.SGD {
		fmt.Fprintf(w, "boltz train: warning: Gaussian units trained by sgd diverged in our MNIST runs "+
			"(reconstruction errors of 1e5 to 1e7; docs/units.md); -optimizer adam is the Gaussian default\n")
	}
	if strings.HasPrefix(cfg.VisibleUnits, "gaussian") && (cfg.HiddenUnits == "relu" || cfg.HiddenUnits == "drelu") {
		fmt.Fprintf(w, "boltz train: warning: a Gaussian–%s model is normalisable only while its weights stay small "+
			"against σ and γ (docs/units.md); boltz eval reports it when it is not\n", cfg.HiddenUnits)
	}
}

// unitNames returns the unit types a layer can have, for the help text: every registered
// type for the visible layer; for the hidden layer those that do not couple through a
// transformed state (Gaussian units are visible-only), with Potts written potts:Q.
func unitNames(hidden bool) []string {
	var names []string
	for _, n := range rbm.LayerNames() {
		if !hidden {
			names = append(names, n)
			continue
		}
		if n == "potts" {
			names = append(names, "potts:Q")
			continue
		}
		if l, err := rbm.LayerByName(n, 1); err == nil {
			if _, couples := l.(rbm.Coupling); couples {
				continue
			}
		}
		names = append(names, n)
	}
	return names
}

// plural returns "1 epoch" or "n epochs".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// gaussianDefaults adapts the defaults that do not suit Gaussian visible units, where the
// flags left them, and says so in one line. Measured on standardised MNIST (784×100, two
// epochs; docs/units.md): the binary defaults (PCD, SGD at 0.01, centered) end with a
// reconstruction error of 1.9e9 and an AIS log-likelihood of −2,087, SGD at 0.001 with
// 1,591 and −1,293, where Adam at 0.001 without centering reaches 345 and −465 (with
// centering −596). So: -optimizer adam, -lr 0.001, -centered=false. PCD stays: with Adam
// it learns σ well (784×100, 20 epochs: test log-likelihood −352.8 against CD's −475.9,
// both trustworthy).
func gaussianDefaults(w io.Writer, cfg *train.Config, set map[string]bool) {
	if !strings.HasPrefix(cfg.VisibleUnits, "gaussian") {
		return
	}
	var changed []string
	if !set["optimizer"] {
		cfg.Optimizer = train.Adam
		changed = append(changed, "-optimizer adam")
	}
	if !set["lr"] {
		cfg.LR = 0.001
		changed = append(changed, "-lr 0.001")
	}
	if !set["centered"] {
		cfg.Centered = false
		changed = append(changed, "-centered=false")
	}
	if len(changed) > 0 {
		fmt.Fprintf(w, "boltz train: Gaussian units: %s (the defaults for binary units train them badly; docs/units.md; set the flags to override)\n",
			strings.Join(changed, " "))
	}
}
