package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"time"

	"github.com/boltzgo/boltz/ais"
	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/internal/atomicfile"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// shardFlags are -shard I/N and -o FILE, shared by the commands whose work boltz merge
// reassembles (eval -method ais, exact).
type shardFlags struct {
	spec         string
	index, count int
	out          string
}

func (s *shardFlags) register(fs *flag.FlagSet, what string) {
	fs.StringVar(&s.spec, "shard", "", "do only shard `I/N` of the "+what+" (0 ≤ I < N) and write a partial result to -o for boltz merge")
	fs.StringVar(&s.out, "o", "", "partial result `FILE` (.json) written by -shard")
}

// set reports whether -shard was given.
func (s *shardFlags) set() bool { return s.spec != "" }

func (s *shardFlags) check() error {
	if !s.set() {
		if s.out != "" {
			return flagError("o", "is the partial result of -shard, which is not given")
		}
		return nil
	}
	i, n, ok := strings.Cut(s.spec, "/")
	var err1, err2 error
	s.index, err1 = strconv.Atoi(i)
	s.count, err2 = strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || s.count < 1 || s.index < 0 || s.index >= s.count {
		return flagError("shard", "must be I/N with 0 ≤ I < N, got %q", s.spec)
	}
	if s.out == "" {
		return flagError("o", "a partial result FILE is required with -shard")
	}
	return nil
}

// bounds returns shard I's part [I·n/N, (I+1)·n/N) of n items.
func (s *shardFlags) bounds(n int) (lo, hi int) {
	return s.index * n / s.count, (s.index + 1) * n / s.count
}

// partialFormat and partialVersion identify a partial result file.
const (
	partialFormat  = "boltz-partial"
	partialVersion = 1
)

// partial is one shard's result, as written by -shard and read by boltz merge. Everything but
// Shard and the payload (AIS, Rows, Exact) must be the same in every shard of one run; merge
// refuses files that differ in any of it.
type partial struct {
	Format      string `json:"format"`
	Version     int    `json:"version"`
	Tool        string `json:"tool_version"`
	Command     string `json:"command"` // "eval" (AIS) or "exact"
	Shard       int    `json:"shard"`
	Shards      int    `json:"shards"`
	Model       string `json:"model"` // the -model path as given, printed by merge
	ModelSHA256 string `json:"model_sha256"`
	NV          int    `json:"nv"`
	NH          int    `json:"nh"`
	// Data is the data the command was given: the SPEC as written and how it was binarised,
	// and for eval the rows' name, count and SHA-256.
	Data  *partialData   `json:"data"`
	Eval  *evalSettings  `json:"eval,omitempty"`
	Exact *exactSettings `json:"exact,omitempty"`

	// The payload: this shard's share of the work.
	AIS      *aisPartial     `json:"ais,omitempty"`
	Rows     *rowMeasures    `json:"row_measures,omitempty"` // eval: shard 0 only
	LogZPart *exact.LogZPart `json:"log_z_ranges,omitempty"`

	path string // the file it was read from
}

type partialData struct {
	Spec         string  `json:"spec"`
	Binarize     string  `json:"binarize"`
	Threshold    float64 `json:"threshold"`
	BinarizeSeed uint64  `json:"binarize_seed"`
	Name         string  `json:"name,omitempty"`
	Rows         int     `json:"rows,omitempty"`
	SHA256       string  `json:"sha256,omitempty"`
}

type evalSettings struct {
	Precision     string `json:"precision"`
	ReverseStart  string `json:"reverse_start"`
	ReverseSweeps int    `json:"reverse_sweeps"`
	// ReverseLangevin is ais.ReverseStartLangevin's rounds for the model (0 for older partials).
	ReverseLangevin int `json:"reverse_langevin_rounds,omitempty"`
	// ReverseTemperingReplicas and ReverseTemperingSweeps are ais.ReverseStartTempering's
	// (0 for older partials).
	ReverseTemperingReplicas int     `json:"reverse_tempering_replicas,omitempty"`
	ReverseTemperingSweeps   int     `json:"reverse_tempering_sweeps,omitempty"`
	Method                   string  `json:"method"`
	Runs                     int     `json:"runs"`
	Betas                    int     `json:"betas"`
	Schedule                 string  `json:"schedule"`
	Seed                     uint64  `json:"seed"`
	Gap                      float64 `json:"gap"`
}

type exactSettings struct {
	MaxStates float64 `json:"max_states"`
	Ranges    int     `json:"ranges"`
}

// rowMeasures are the measures of the data rows that do not depend on log Z, which shard 0
// of boltz eval computes: the mean of −F(v) and its sampling standard error (null for one
// row), the pseudo-log-likelihood and the reconstruction error.
type rowMeasures struct {
	MeanNegF   float64  `json:"mean_neg_free_energy"`
	DataStderr *float64 `json:"mean_neg_free_energy_stderr"`
	PLL        *float64 `json:"pseudo_log_likelihood"`                // null for unit types without one
	PLLNote    string   `json:"pseudo_log_likelihood_note,omitempty"` // why it is null
	Recon      float64  `json:"recon_error"`
}

// aisPartial is ais.Span with JSON names.
type aisPartial struct {
	Lo       int       `json:"lo"`
	Hi       int       `json:"hi"`
	Runs     int       `json:"runs"`
	Steps    int       `json:"steps"`
	LogZBase float64   `json:"log_z_base"`
	Forward  []float64 `json:"forward_log_weights"`
	Reverse  []float64 `json:"reverse_log_weights"`
}

func (a *aisPartial) span() *ais.Span {
	return &ais.Span{Lo: a.Lo, Hi: a.Hi, Runs: a.Runs, Steps: a.Steps, LogZBase: a.LogZBase,
		Forward: a.Forward, Reverse: a.Reverse}
}

// newPartial starts the partial of shard s of command cmd on the model file at path.
func newPartial(cmd string, s *shardFlags, model string, nv, nh int, d *dataFlags, spec string, seed uint64) (*partial, error) {
	sum, err := fileSHA256(model)
	if err != nil {
		return nil, fmt.Errorf("-model: %w", err)
	}
	p := &partial{Format: partialFormat, Version: partialVersion, Tool: version, Command: cmd,
		Shard: s.index, Shards: s.count, Model: model, ModelSHA256: sum, NV: nv, NH: nh}
	if spec != "" {
		p.Data = &partialData{Spec: spec, Binarize: d.binarize, Threshold: d.threshold, BinarizeSeed: seed}
	}
	return p, nil
}

func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// matrixSHA256 hashes the shape and the float64 bits of x.
func matrixSHA256(x *matrix.Dense) string {
	h := sha256.New()
	var b [8]byte
	for _, v := range []uint64{uint64(x.Rows), uint64(x.Cols)} {
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	for _, v := range x.Data {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// write saves the partial atomically. Go's JSON encoding of a float64 is the shortest string
// that parses back to the same bits, so the merge sees exactly the numbers computed.
func (p *partial) write(path string) error {
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(p)
	})
}

// readPartial reads and validates a partial result file.
func readPartial(path string) (*partial, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p partial
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: not a boltz partial result: %v", path, err)
	}
	switch {
	case p.Format != partialFormat:
		return nil, fmt.Errorf("%s: not a boltz partial result (format %q)", path, p.Format)
	case p.Version != partialVersion:
		return nil, fmt.Errorf("%s: partial result version %d, this boltz reads version %d", path, p.Version, partialVersion)
	case p.Shards < 1 || p.Shard < 0 || p.Shard >= p.Shards:
		return nil, fmt.Errorf("%s: shard %d of %d is out of range", path, p.Shard, p.Shards)
	case p.Command == "eval" && (p.Eval == nil || p.AIS == nil || p.Data == nil):
		return nil, fmt.Errorf("%s: eval partial without its settings, data or AIS runs", path)
	case p.Command == "eval" && p.Shard == 0 && p.Rows == nil:
		return nil, fmt.Errorf("%s: shard 0 of eval carries no row measures", path)
	case p.Command == "exact" && (p.Exact == nil || p.LogZPart == nil):
		return nil, fmt.Errorf("%s: exact partial without its settings or ranges", path)
	case p.Command != "eval" && p.Command != "exact":
		return nil, fmt.Errorf("%s: partial result of unknown command %q", path, p.Command)
	}
	p.path = path
	return &p, nil
}

// header returns the JSON fields of p that every shard of one run shares, by name.
func (p *partial) header() map[string]json.RawMessage {
	q := *p
	q.Shard, q.AIS, q.Rows, q.LogZPart = 0, nil, nil, nil
	b, err := json.Marshal(&q)
	if err != nil {
		panic("boltz: partial header: " + err.Error())
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		panic("boltz: partial header: " + err.Error())
	}
	return m
}

// checkShards checks that parts are the N shards of one run, each once: same header, shard
// indices 0..N−1 all present. Errors name the files and the fields or indices at fault.
func checkShards(parts []*partial) ([]*partial, error) {
	first := parts[0]
	h0 := first.header()
	for _, p := range parts[1:] {
		h := p.header()
		if differ := differences("", h0, h); len(differ) > 0 {
			return nil, fmt.Errorf("%s and %s are not shards of one run: they differ in %s", first.path, p.path, strings.Join(differ, ", "))
		}
	}
	byIndex := make([]*partial, first.Shards)
	for _, p := range parts {
		if q := byIndex[p.Shard]; q != nil {
			return nil, fmt.Errorf("shard %d of %d is given twice: %s and %s", p.Shard, first.Shards, q.path, p.path)
		}
		byIndex[p.Shard] = p
	}
	var missing []string
	for i, p := range byIndex {
		if p == nil {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing shard(s) %s of %d (numbered 0 to %d)", strings.Join(missing, ", "), first.Shards, first.Shards-1)
	}
	return byIndex, nil
}

// runEvalShard runs shard c.shard of the AIS runs of boltz eval and writes its partial:
// the runs' log weights and, from shard 0, the row measures of the data.
func runEvalShard(e *env, c *evalConfig, m *rbm.RBM, ds *data.Dataset) error {
	method := c.resolveMethod(m)
	if method != "ais" {
		return flagError("shard", "splits the AIS runs of -method ais (this model gets -method %s); use boltz exact -shard to split an enumeration", method)
	}
	if c.shard.count > c.runs {
		return flagError("shard", "%d shards of %d runs would leave some empty; use at most -runs shards", c.shard.count, c.runs)
	}
	p, err := newPartial("eval", &c.shard, c.model, m.NV(), m.NH(), &c.data, c.spec, c.binarizeSeed)
	if err != nil {
		return err
	}
	p.Data.Name, p.Data.Rows, p.Data.SHA256 = ds.Name, ds.X.Rows, matrixSHA256(ds.X)
	p.Eval = &evalSettings{Method: method, Runs: c.runs, Betas: c.betas, Schedule: c.shape, Seed: c.seed, Gap: c.gap,
		ReverseStart: c.reverseStart, ReverseSweeps: c.reverseSweeps, ReverseLangevin: ais.ReverseStartLangevin(m, c.reverseSweeps)}
	p.Eval.ReverseTemperingReplicas, p.Eval.ReverseTemperingSweeps = ais.ReverseStartTempering(m, c.reverseSweeps)
	prec, err := mcmcPrecision(c.precision, m)
	if err != nil {
		return err
	}
	p.Eval.Precision = prec.String()
	lo, hi := c.shard.bounds(c.runs)
	fmt.Fprintf(e.stderr, "eval: shard %d/%d: AIS runs [%d, %d) of %d\n", c.shard.index, c.shard.count, lo, hi, c.runs)
	start, err := c.aisStart(e, m, ds, "eval")
	if err != nil {
		return err
	}
	prog := &aisProgress{w: e.stderr, who: "eval", start: time.Now()}
	sp, err := ais.SandwichSpan(e.ctx, m, start, &ais.Options{
		Runs: c.runs, Betas: c.schedule(), Seed: c.seed, GapThreshold: c.gap, Progress: prog.report,
		Precision: prec,
	}, lo, hi)
	if err != nil {
		return err
	}
	p.AIS = &aisPartial{Lo: sp.Lo, Hi: sp.Hi, Runs: sp.Runs, Steps: sp.Steps, LogZBase: sp.LogZBase,
		Forward: sp.Forward, Reverse: sp.Reverse}
	if c.shard.index == 0 {
		rm := rowMeasures{Recon: m.ReconError(ds.X)}
		if pll := pseudoLogLikelihood(e.stderr, m, ds.X); !math.IsNaN(pll) {
			rm.PLL = &pll
		} else if err := m.CheckPseudoLikelihood(); err != nil {
			rm.PLLNote = err.Error()
		}
		rm.MeanNegF, rm.DataStderr = meanNegF(m, ds.X)
		p.Rows = &rm
	}
	if err := p.write(c.shard.out); err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	fmt.Fprintf(e.stderr, "eval: shard %d/%d written to %s; boltz merge the %d partials\n", c.shard.index, c.shard.count, c.shard.out, c.shard.count)
	return nil
}

// schedule returns the -betas temperatures in the -schedule shape.
func (c *evalConfig) schedule() []float64 {
	if c.shape == "linear" {
		return ais.Linear(c.betas)
	}
	return ais.Schedule(c.betas)
}

// runExactShard enumerates shard s of the fixed ranges of boltz exact's log Z and writes its
// partial. The data measures and the model entropy need the whole log Z: boltz merge computes
// them, from the data the shards saw (their SHA-256 is recorded and checked).
func runExactShard(e *env, s *shardFlags, model string, m *rbm.RBM, d *dataFlags, spec string, ds *data.Dataset, opts *exact.Options) error {
	ranges, err := exact.LogZRanges(m, opts)
	if err != nil {
		return enumerationError(err)
	}
	p, err := newPartial("exact", s, model, m.NV(), m.NH(), d, spec, 1)
	if err != nil {
		return err
	}
	if ds != nil {
		p.Data.Name, p.Data.Rows, p.Data.SHA256 = ds.Name, ds.X.Rows, matrixSHA256(ds.X)
	}
	p.Exact = &exactSettings{MaxStates: opts.MaxStates, Ranges: ranges}
	lo, hi := s.bounds(ranges)
	fmt.Fprintf(e.stderr, "exact: shard %d/%d: ranges [%d, %d) of %d (2^%d states in all)\n", s.index, s.count, lo, hi, ranges, min(m.NV(), m.NH()))
	if p.LogZPart, err = exact.LogZPartial(m, opts, lo, hi); err != nil {
		return enumerationError(err)
	}
	if err := p.write(s.out); err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	fmt.Fprintf(e.stderr, "exact: shard %d/%d written to %s; boltz merge the %d partials\n", s.index, s.count, s.out, s.count)
	return nil
}

// differences returns the names of the fields in which a and b differ, descending one level
// into objects ("eval.betas").
func differences(prefix string, a, b map[string]json.RawMessage) []string {
	var out []string
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	for k := range keys {
		if bytes.Equal(a[k], b[k]) {
			continue
		}
		var sa, sb map[string]json.RawMessage
		if prefix == "" && json.Unmarshal(a[k], &sa) == nil && json.Unmarshal(b[k], &sb) == nil && sa != nil && sb != nil {
			out = append(out, differences(k+".", sa, sb)...)
			continue
		}
		out = append(out, prefix+k)
	}
	sort.Strings(out)
	return out
}
