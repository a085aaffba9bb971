package rbm

import (
	"fmt"
	"math"
)

// Enumerable is implemented by discrete layers whose states are not every combination of
// per-unit values, so that Values cannot describe them: a Potts layer's state vector is
// one-hot per site, Q entries per site, and only Q^sites of its 2^(Q·sites) binary vectors
// are states. Such a layer's Values returns nil; enumeration (package exact) goes through
// Sites and SetState instead. Layers whose Values are not nil need not implement it.
type Enumerable interface {
	// Sites returns the number of sites and the number of states of each site: the layer
	// has q^sites states, and its state vector has Len()/sites entries per site.
	Sites() (sites, q int)
	// SetState sets dst (of length Len()) to state number k ∈ [0, q^sites): site i takes
	// state (k / q^i) mod q.
	SetState(dst []float64, k uint64)
}

// Sites returns how l is enumerated: its number of sites, the number of states of each and
// the length of each site's block of the state vector. A layer with Values is one site per
// unit with len(Values) states; an Enumerable layer says so itself; a continuous layer has
// q = 0.
func Sites(l Layer) (sites, q, width int) {
	if e, ok := l.(Enumerable); ok {
		sites, q = e.Sites()
		return sites, q, l.Len() / sites
	}
	return l.Len(), len(l.Values()), 1
}

// NumStates returns the number of states of l, q^sites (+Inf when it overflows or the
// layer is continuous).
func NumStates(l Layer) float64 {
	sites, q, _ := Sites(l)
	if q == 0 {
		return math.Inf(1)
	}
	return math.Pow(float64(q), float64(sites))
}

// SetState sets dst to state number k of l, in the numbering of Enumerable.SetState; for a
// layer with Values unit j takes Values()[(k / K^j) mod K], K = len(Values()). It panics if
// l is continuous or dst does not have l.Len() entries.
func SetState(l Layer, dst []float64, k uint64) {
	mustSameLen("SetState", len(dst), l.Len())
	if e, ok := l.(Enumerable); ok {
		e.SetState(dst, k)
		return
	}
	values := l.Values()
	n := uint64(len(values))
	switch n {
	case 0:
		panic(fmt.Sprintf("boltz/rbm: SetState: %s units are continuous", l.Name()))
	case 2:
		for j := range dst {
			dst[j] = values[k>>uint(j)&1]
		}
		return
	}
	for j := range dst {
		dst[j] = values[k%n]
		k /= n
	}
}

// IsDiscrete reports whether l has finitely many states (Values or Enumerable).
func IsDiscrete(l Layer) bool {
	_, q, _ := Sites(l)
	return q > 0
}
