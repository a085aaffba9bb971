package mcmc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// The state formats are little-endian:
//
//	chains:    "BZMC" version:u16=1 kind:u8='C' n:u32 { len:u16 pcg[len] } × n
//	tempering: "BZMC" version:u16=1 kind:u8='T' r:u32 n:u32 round:u64
//	           beta[r]:f64 attempts[r−1]:u64 accepts[r−1]:u64 len:u16 swap-pcg[len]
//	           { len:u32 chains-state[len] } × r
//
// pcg is rand.PCG's MarshalBinary. A reader rejects another version, another kind, a count
// or ladder that differs from the receiver's, and truncated or trailing bytes.
const (
	stateMagic   = "BZMC"
	stateVersion = 1
	kindChains   = 'C'
	kindTemper   = 'T'
)

// ErrState is wrapped by every error that UnmarshalState returns for input it cannot use.
var ErrState = errors.New("boltz/mcmc: bad sampler state")

func stateErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrState, fmt.Sprintf(format, args...))
}

func appendHeader(b []byte, kind byte) []byte {
	b = append(b, stateMagic...)
	b = binary.LittleEndian.AppendUint16(b, stateVersion)
	return append(b, kind)
}

func appendPCG(b []byte, src *rand.PCG) ([]byte, error) {
	p, err := src.MarshalBinary()
	if err != nil {
		return nil, err
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(len(p)))
	return append(b, p...), nil
}

// decoder reads a state, remembering the first error; reads after an error return zeros.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) take(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.b) < n {
		d.err = stateErr("truncated at %s", what)
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) u8(what string) byte {
	if p := d.take(1, what); p != nil {
		return p[0]
	}
	return 0
}

func (d *decoder) u16(what string) uint16 {
	if p := d.take(2, what); p != nil {
		return binary.LittleEndian.Uint16(p)
	}
	return 0
}

func (d *decoder) u32(what string) uint32 {
	if p := d.take(4, what); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (d *decoder) u64(what string) uint64 {
	if p := d.take(8, what); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

func (d *decoder) f64(what string) float64 { return math.Float64frombits(d.u64(what)) }

// header checks the magic, version and kind.
func (d *decoder) header(kind byte) {
	if m := d.take(len(stateMagic), "magic"); d.err == nil && string(m) != stateMagic {
		d.err = stateErr("not a sampler state (magic %q)", m)
	}
	if v := d.u16("version"); d.err == nil && v != stateVersion {
		d.err = stateErr("version %d, this reader knows %d", v, stateVersion)
	}
	if k := d.u8("kind"); d.err == nil && k != kind {
		d.err = stateErr("state of kind %q, want %q", k, kind)
	}
}

// pcg reads one length-prefixed PCG state into a fresh source.
func (d *decoder) pcg(what string) *rand.PCG {
	p := d.take(int(d.u16(what)), what)
	if d.err != nil {
		return nil
	}
	src := new(rand.PCG)
	if err := src.UnmarshalBinary(p); err != nil {
		d.err = stateErr("%s: %v", what, err)
		return nil
	}
	return src
}

// end records an error if bytes are left over.
func (d *decoder) end() {
	if d.err == nil && len(d.b) != 0 {
		d.err = stateErr("%d trailing bytes", len(d.b))
	}
}

// MarshalState returns the state of every chain's random stream. Together with V and H,
// which the caller saves as arrays, it lets a checkpoint resume the chains bit for bit.
func (c *Chains) MarshalState() ([]byte, error) {
	b := appendHeader(nil, kindChains)
	b = binary.LittleEndian.AppendUint32(b, uint32(c.Len()))
	for _, src := range c.srcs {
		var err error
		if b, err = appendPCG(b, src); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// UnmarshalState restores the random streams saved by MarshalState. It returns an error
// wrapping ErrState, and leaves c unchanged, if the input is not a chains state of this
// version for the same number of chains, or is truncated or corrupted. It never panics.
func (c *Chains) UnmarshalState(b []byte) error {
	d := decoder{b: b}
	srcs, err := c.decodeState(&d)
	if err != nil {
		return err
	}
	d.end()
	if d.err != nil {
		return d.err
	}
	c.setSources(srcs)
	return nil
}

// decodeState reads a chains state for c without changing c.
func (c *Chains) decodeState(d *decoder) ([]*rand.PCG, error) {
	d.header(kindChains)
	if n := d.u32("chain count"); d.err == nil && int64(n) != int64(c.Len()) {
		return nil, stateErr("state holds %d chains, receiver has %d", n, c.Len())
	}
	srcs := make([]*rand.PCG, 0, c.Len())
	for i := 0; i < c.Len() && d.err == nil; i++ {
		srcs = append(srcs, d.pcg(fmt.Sprintf("stream of chain %d", i)))
	}
	return srcs, d.err
}

func (c *Chains) setSources(srcs []*rand.PCG) {
	for i, src := range srcs {
		*c.srcs[i] = *src // rngs[i] keeps drawing from srcs[i]
	}
}
