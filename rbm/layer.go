package rbm

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/boltzgo/boltz/matrix"
)

// Layer is one layer of units with its own parameters: the law of its units given their
// total inputs. Every unit type boltz knows is an exponential family in which a unit with
// state s and total input x has unnormalised log-probability s·x − φ(s), with φ the unit's
// base measure (φ = 0 for Bernoulli units). The total input is the layer's field θ (its
// bias, Bias) plus what the other layer sends through the weights, so the layer's own term
// of the energy is
//
//	E_layer(s) = Σ_i φ(s_i) − θ·s
//
// and summing the layer out of exp(−E) leaves its log-normaliser A(x) = Σ_i log Σ_s
// exp(s·x_i − φ(s)) (the cumulant generating function). The free energies, the samplers and
// the estimators are written against this interface only, so a new unit type is one
// implementation of it, registered with RegisterLayer so model files can name it.
//
// A visible layer whose units meet the weights through a statistic other than the state (a
// Gaussian layer's v/σ²) implements Coupling; its units' law is then exp(t(s)·x − φ(s)).
// Optional capabilities beyond this interface: Float32, Temperable, DataInitializer,
// ConditionalStats, Coupling, ParamChecker, Constrainer, Frozen, and ais.Annealable for
// annealed importance sampling.
//
// The gradient of the log-likelihood with respect to a layer parameter ψ is the data mean
// minus the model mean of −∂E_layer/∂ψ, the parameter's sufficient statistic (Stats); for
// the field θ that statistic is the state s itself.
//
// Methods that read the parameters are safe for concurrent use; randomness comes from the
// caller.
type Layer interface {
	// Name is the unit type's name in model files and on the command line ("bernoulli").
	Name() string
	// Len returns the number of units, the length of the layer's state vector.
	Len() int
	// Bias returns the field θ, one value per unit, sharing the layer's storage.
	Bias() []float64
	// Params returns every parameter array, sharing the layer's storage: the field θ first,
	// named "bias", then any others (a Gaussian layer's variances, say). Optimisers,
	// checkpoints and model files carry exactly these.
	Params() []Param
	// Clone returns a deep copy.
	Clone() Layer
	// Energy returns the layer's own term of the energy, Σ_i φ(s_i) − θ·s.
	Energy(s []float64) float64
	// LogNormalizer returns Σ_i A(x_i) for total inputs x (the field included): the term
	// the layer contributes to −F when it is summed out.
	LogNormalizer(x []float64) float64
	// Means sets dst_i = E[s_i | x_i] = A′(x_i); dst and x may be the same slice.
	Means(dst, x []float64)
	// Sample sets dst_i to a draw of s_i given x_i, using r; dst and x may be the same slice.
	Sample(dst, x []float64, r *rand.Rand)
	// Stats sets dst[k] to the mean over the rows of s of the sufficient statistic of
	// parameter k (in Params order), −∂E_layer/∂ψ_k; dst[k] has the parameter's length.
	Stats(dst [][]float64, s *matrix.Dense)
	// Values returns the states one unit can take when they are finitely many (Bernoulli:
	// 0 and 1), so the layer can be enumerated; nil for continuous units and for discrete
	// layers whose states are not every combination of unit values, which implement
	// Enumerable instead (Potts).
	Values() []float64
	// Check returns an error naming the first element of s outside the units' support.
	Check(s []float64) error
}

// Param is one named parameter array of a layer.
type Param struct {
	Name string
	Data []float64
}

// Float32 is the optional single-precision capability of a layer: the kernels of the fast
// training and sampling routes. The inputs x come without the field, which is passed as
// bias in float32 and added in the same pass. A layer without it trains in float64.
type Float32 interface {
	// Means32 sets dst_i = scale·E[s_i | x_i + bias_i].
	Means32(dst []float32, scale float32, x, bias []float32)
	// Sample32 sets dst_i to a draw of s_i given x_i + bias_i from src and, when mean is
	// not nil, mean_i = scale·E[s_i | x_i + bias_i].
	Sample32(dst, mean []float32, scale float32, x, bias []float32, src *rand.PCG)
}

// Temperable is implemented by layers that can be tempered by scaling their inputs:
// discrete units with no base measure (E_layer(s) = −θ·s), for which the units' law under
// p_β(v, h) ∝ exp(−β E(v, h)) is their law at inputs βx. Parallel tempering and AIS's
// tempered chains need it.
type Temperable interface {
	// Temperable reports whether the layer has no base measure.
	Temperable() bool
}

// IsTemperable reports whether l implements Temperable and says true.
func IsTemperable(l Layer) bool {
	t, ok := l.(Temperable)
	return ok && t.Temperable()
}

// ErrUnsupported is wrapped by the errors of computations that exist only for some unit
// types (the pseudo-log-likelihood needs binary visible units, for instance).
var ErrUnsupported = errors.New("not supported for this unit type")

// UnsupportedError reports a computation that the model's unit types do not offer.
type UnsupportedError struct {
	Op    string // what was asked, e.g. "pseudo-log-likelihood"
	Layer string // the unit type
	Want  string // what it needs, e.g. "bernoulli visible units"
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s needs %s, the model has %s units", e.Op, e.Want, e.Layer)
}

// Unwrap makes errors.Is(err, ErrUnsupported) true.
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// ValueError reports a state outside a unit type's support.
type ValueError struct {
	Index int // 0-based position in the state; the message counts columns from 1
	Value float64
	Unit  string
	Want  string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("value %v at column %d is not a %s state (want %s)", e.Value, e.Index+1, e.Unit, e.Want)
}

var registry = map[string]func(spec string, n int) (Layer, error){
	"bernoulli": func(spec string, n int) (Layer, error) {
		if spec != "bernoulli" {
			return nil, fmt.Errorf("unit type %q takes no argument", spec)
		}
		return NewBernoulli(n), nil
	},
}

// RegisterLayer makes a unit type known by name to LayerByName, and so to model files and
// the command line. newLayer returns a layer of n units (state-vector length n) with its
// parameters at their defaults, for a spec that is the name alone or, for unit types that
// take an argument, name:argument (as a Potts layer's number of states might be written);
// a layer's Name must return the spec that recreates it. Loading a model fills the
// parameters from the file. Register in an init function, before any model is loaded. It
// panics if the name is empty, holds a colon or is already taken.
func RegisterLayer(name string, newLayer func(spec string, n int) (Layer, error)) {
	if name == "" || strings.Contains(name, ":") || newLayer == nil {
		panic("boltz/rbm: RegisterLayer: empty name, a name with a colon, or a nil constructor")
	}
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("boltz/rbm: RegisterLayer: unit type %q is already registered", name))
	}
	registry[name] = newLayer
}

// LayerNames returns the registered unit-type names, sorted.
func LayerNames() []string {
	names := make([]string, 0, len(registry))
	for k := range registry {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// LayerByName returns a layer of n units for a unit-type spec: a registered name, or
// name:argument for unit types that take one.
func LayerByName(spec string, n int) (Layer, error) {
	name, _, _ := strings.Cut(spec, ":")
	f, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown unit type %q (known: %s)", spec, strings.Join(LayerNames(), ", "))
	}
	if n <= 0 {
		return nil, fmt.Errorf("unit type %q: %d units; want at least 1", spec, n)
	}
	l, err := f(spec, n)
	if err != nil {
		return nil, err
	}
	if l == nil || l.Len() != n || l.Name() != spec {
		return nil, fmt.Errorf("unit type %q: its constructor did not return a layer of %d %s units", spec, n, spec)
	}
	return l, nil
}

// DataInitializer is implemented by layers that can set their parameters from the data
// they will model, before training (Bernoulli: biases at the log-odds of the column means).
type DataInitializer interface {
	InitFromData(x *matrix.Dense)
}

// Prefix returns a layer of the first k units of l, with copies of their parameters, for
// layers whose parameters hold one value per unit (Bernoulli, and any registered unit type
// whose parameter arrays all have l.Len() elements). It panics otherwise, or unless
// 0 < k ≤ l.Len().
func Prefix(l Layer, k int) Layer {
	n := l.Len()
	if k <= 0 || k > n {
		panic(fmt.Sprintf("boltz/rbm: Prefix(%d) of a layer of %d units", k, n))
	}
	s, err := LayerByName(l.Name(), k)
	if err != nil {
		panic("boltz/rbm: Prefix: " + err.Error())
	}
	src, dst := l.Params(), s.Params()
	for p := range dst {
		if len(src[p].Data) != n {
			panic(fmt.Sprintf("boltz/rbm: Prefix: parameter %s of a %s layer is not one value per unit", src[p].Name, l.Name()))
		}
		copy(dst[p].Data, src[p].Data[:k])
	}
	return s
}

func mustSameLen(op string, a, b int) {
	if a != b {
		panic(fmt.Sprintf("boltz/rbm: %s: lengths %d and %d differ", op, a, b))
	}
}

// finite reports whether every element of x is finite: v − v is 0 for a finite v and NaN
// for NaN or ±Inf, so the sum is 0 exactly when all are finite. One branch-free pass, cheap
// enough to run after every parameter update.
func finite(x []float64) bool {
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(x); i += 2 {
		s0 += x[i] - x[i]
		s1 += x[i+1] - x[i+1]
	}
	for ; i < len(x); i++ {
		s0 += x[i] - x[i]
	}
	return s0+s1 == 0
}
