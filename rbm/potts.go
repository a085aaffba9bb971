package rbm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
)

// Potts is a layer of categorical (Potts) units: n sites, each in one of Q states, held as
// a one-hot state vector of length n·Q, site-major (entry i·Q + a is 1 when site i is in
// state a), with a field θ of n·Q values. Site i with inputs x_{i,·} has
//
//	p(state a | x) = e^{x_{i,a}} / Σ_b e^{x_{i,b}}   (softmax),
//	A(x) = Σ_i log Σ_a e^{x_{i,a}},   φ = 0,   E_layer(s) = −θ·s,
//
// so the weight matrix has n·Q rows (or columns) and a unit of the other layer sees
// W_{(i,a),j} from site i in state a. Its one parameter is the field; its sufficient
// statistic is the state. The parametrisation has a gauge freedom: adding a constant to
// θ_{i,·} (or to W_{(i,·),j}) leaves the distribution unchanged.
//
// Its spec is "potts:Q"; its Values is nil and it implements Enumerable (Q^n states) and
// Categorical (data as one category per site).
type Potts struct {
	Q     int       // states per site
	Field []float64 // the field θ, n·Q values, site-major
}

// NewPotts returns a layer of sites Potts units with q states each and zero fields. It
// panics unless q ≥ 2 and sites ≥ 1.
func NewPotts(sites, q int) *Potts {
	if q < 2 || sites < 1 {
		panic(fmt.Sprintf("boltz/rbm: NewPotts(%d, %d): want at least one site and two states", sites, q))
	}
	return &Potts{Q: q, Field: make([]float64, sites*q)}
}

// maxPottsStates bounds Q in a spec: far above any alphabet (proteins have 21 letters), low
// enough that a typo does not allocate a huge layer.
const maxPottsStates = 1 << 16

// ParsePottsSpec returns Q for a spec "potts:Q".
func ParsePottsSpec(spec string) (int, error) {
	arg, ok := strings.CutPrefix(spec, "potts:")
	if !ok {
		return 0, fmt.Errorf("unit type %q: want potts:Q, Q the number of states of a site", spec)
	}
	q, err := strconv.Atoi(arg)
	if err != nil || q < 2 || q > maxPottsStates || strconv.Itoa(q) != arg {
		return 0, fmt.Errorf("unit type %q: Q must be an integer from 2 to %d", spec, maxPottsStates)
	}
	return q, nil
}

func init() {
	RegisterLayer("potts", func(spec string, n int) (Layer, error) {
		q, err := ParsePottsSpec(spec)
		if err != nil {
			return nil, err
		}
		if n%q != 0 {
			return nil, fmt.Errorf("unit type %q: a state vector of %d entries is not whole sites of %d", spec, n, q)
		}
		return NewPotts(n/q, q), nil
	})
}

// Name returns "potts:Q".
func (l *Potts) Name() string { return "potts:" + strconv.Itoa(l.Q) }

// Len returns n·Q, the length of the state vector.
func (l *Potts) Len() int { return len(l.Field) }

// Sites returns the number of sites and Q.
func (l *Potts) Sites() (sites, q int) { return len(l.Field) / l.Q, l.Q }

// Bias returns the field.
func (l *Potts) Bias() []float64 { return l.Field }

// Params returns the one parameter, "bias".
func (l *Potts) Params() []Param { return []Param{{Name: "bias", Data: l.Field}} }

// Clone returns a deep copy.
func (l *Potts) Clone() Layer { return &Potts{Q: l.Q, Field: append([]float64(nil), l.Field...)} }

// Energy returns −θ·s.
func (l *Potts) Energy(s []float64) float64 {
	mustSameLen("Potts.Energy", len(s), len(l.Field))
	var e float64
	for i, v := range s {
		if v != 0 {
			e -= v * l.Field[i]
		}
	}
	return e
}

// LogNormalizer returns Σ_i log Σ_a e^{x_{i,a}}, each site's sum taken from its largest term.
func (l *Potts) LogNormalizer(x []float64) float64 {
	mustSameLen("Potts.LogNormalizer", len(x), len(l.Field))
	var s float64
	for i := 0; i < len(x); i += l.Q {
		s += numeric.LogSumExp(x[i : i+l.Q])
	}
	return s
}

func (l *Potts) mustWholeSites(op string, n int) {
	if n%l.Q != 0 {
		panic(fmt.Sprintf("boltz/rbm: %s: %d inputs are not whole sites of %d states", op, n, l.Q))
	}
}

// Means sets each site's block of dst to the softmax of its inputs, p(state a | x).
// dst and x may be the same slice. Like the element-wise layers, it accepts the inputs of
// several rows one after another (a minibatch's data); it panics unless len(x) is a
// multiple of Q.
func (l *Potts) Means(dst, x []float64) {
	mustSameLen("Potts.Means", len(dst), len(x))
	l.mustWholeSites("Potts.Means", len(x))
	for i := 0; i < len(x); i += l.Q {
		softmax(dst[i:i+l.Q], x[i:i+l.Q])
	}
}

func softmax(dst, x []float64) {
	m := x[0]
	for _, v := range x[1:] {
		m = math.Max(m, v)
	}
	var z float64
	for a, v := range x {
		dst[a] = math.Exp(v - m)
		z += dst[a]
	}
	for a := range dst {
		dst[a] /= z
	}
}

// Sample sets each site's block of dst to a one-hot draw from the softmax of its inputs,
// by inverse CDF: one r.Float64() per site, the first state a whose cumulative probability
// exceeds it. dst and x may be the same slice; as Means, it accepts several rows.
func (l *Potts) Sample(dst, x []float64, r *rand.Rand) {
	mustSameLen("Potts.Sample", len(dst), len(x))
	l.Means(dst, x)
	for i := 0; i < len(dst); i += l.Q {
		p := dst[i : i+l.Q]
		u := r.Float64()
		pick := l.Q - 1 // rounding can leave the total a hair below u
		var c float64
		for a, pa := range p {
			c += pa
			if u < c {
				pick = a
				break
			}
		}
		clear(p)
		p[pick] = 1
	}
}

// Stats sets dst[0] to the column means of s: the field's statistic is the state.
func (l *Potts) Stats(dst [][]float64, s *matrix.Dense) {
	mustSameLen("Potts.Stats", len(dst[0]), s.Cols)
	ColMeans(dst[0], s)
}

// Temperable returns true: Potts units have no base measure.
func (*Potts) Temperable() bool { return true }

// InitFromData sets the field to the log-frequencies of each site's states in the one-hot
// rows of x, θ_{i,a} = log((n_{i,a} + ½)/(n + Q/2)), with the pseudo-count of one half per
// state that Bernoulli.InitFromData uses, so that states never seen get finite fields.
func (l *Potts) InitFromData(x *matrix.Dense) {
	mustSameLen("Potts.InitFromData", len(l.Field), x.Cols)
	ColMeans(l.Field, x)
	n := float64(x.Rows)
	for k, f := range l.Field {
		l.Field[k] = math.Log((f*n + 0.5) / (n + float64(l.Q)/2))
	}
}

// Values returns nil: the states are one-hot per site, not every combination of unit values
// (see Enumerable).
func (*Potts) Values() []float64 { return nil }

// SetState sets dst to the one-hot vector of state k: site i in state (k / Q^i) mod Q.
func (l *Potts) SetState(dst []float64, k uint64) {
	mustSameLen("Potts.SetState", len(dst), len(l.Field))
	clear(dst)
	q := uint64(l.Q)
	for i := 0; i < len(dst); i += l.Q {
		dst[i+int(k%q)] = 1
		k /= q
	}
}

// Check returns an error unless every entry is 0 or 1 and every site has exactly one 1.
func (l *Potts) Check(s []float64) error {
	for i := 0; i < len(s); i += l.Q {
		ones := 0
		for a := i; a < i+l.Q && a < len(s); a++ {
			switch s[a] {
			case 1:
				ones++
			case 0:
			default:
				return &ValueError{Index: a, Value: s[a], Unit: l.Name(), Want: "0 or 1, one-hot per site"}
			}
		}
		if ones != 1 {
			return &ValueError{Index: i, Value: s[i], Unit: l.Name(),
				Want: fmt.Sprintf("exactly one 1 among the %d entries of site %d", l.Q, i/l.Q+1)}
		}
	}
	return nil
}

// Categorical is implemented by layers whose state vector encodes one category per site,
// so that data can be given as categories (integers 0…Q−1, one column per site) and
// samples written the same way.
type Categorical interface {
	// Sites returns the number of sites and of categories per site.
	Sites() (sites, q int)
	// Encode sets dst (Len() entries) to the state of categories cats (one per site). It
	// returns a *ValueError naming the first value that is not an integer in [0, q).
	Encode(dst, cats []float64) error
	// Decode sets dst (one per site) to the categories of state s.
	Decode(dst, s []float64)
}

// Encode sets dst to the one-hot encoding of cats, one category 0…Q−1 per site.
func (l *Potts) Encode(dst, cats []float64) error {
	mustSameLen("Potts.Encode", len(dst), len(l.Field))
	mustSameLen("Potts.Encode", len(cats)*l.Q, len(dst))
	clear(dst)
	for i, c := range cats {
		if c != math.Trunc(c) || c < 0 || c >= float64(l.Q) {
			return &ValueError{Index: i, Value: c, Unit: l.Name(), Want: fmt.Sprintf("a category 0…%d", l.Q-1)}
		}
		dst[i*l.Q+int(c)] = 1
	}
	return nil
}

// Decode sets dst_i to the state of site i: the index of the largest entry of its block,
// which for a one-hot state is its one 1.
func (l *Potts) Decode(dst, s []float64) {
	mustSameLen("Potts.Decode", len(s), len(l.Field))
	mustSameLen("Potts.Decode", len(dst)*l.Q, len(s))
	for i := range dst {
		blk := s[i*l.Q : (i+1)*l.Q]
		best := 0
		for a, v := range blk {
			if v > blk[best] {
				best = a
			}
		}
		dst[i] = float64(best)
	}
}

// EncodeRows returns the rows of cats (one category per site) encoded by c as states,
// with an error naming the first bad row (from 1) and column.
func EncodeRows(c Categorical, cats *matrix.Dense) (*matrix.Dense, error) {
	sites, q := c.Sites()
	if cats.Cols != sites {
		return nil, fmt.Errorf("rows have %d values, the layer has %d sites", cats.Cols, sites)
	}
	out := matrix.NewDense(cats.Rows, sites*q)
	for r := 0; r < cats.Rows; r++ {
		if err := c.Encode(out.Row(r), cats.Row(r)); err != nil {
			return nil, fmt.Errorf("row %d: %w", r+1, err)
		}
	}
	return out, nil
}

// DecodeRows returns the categories of the states in the rows of s.
func DecodeRows(c Categorical, s *matrix.Dense) *matrix.Dense {
	sites, _ := c.Sites()
	out := matrix.NewDense(s.Rows, sites)
	for r := 0; r < s.Rows; r++ {
		c.Decode(out.Row(r), s.Row(r))
	}
	return out
}
