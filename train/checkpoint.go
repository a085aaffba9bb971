package train

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// checkpointVersion is the version of the checkpoint layout; readers reject others.
const checkpointVersion = 1

// progress is the checkpoint.json member: where the run stands, and its configuration.
type progress struct {
	Version   int     `json:"version"`
	Config    Config  `json:"config"`
	Epoch     int     `json:"epoch"`
	Batch     int     `json:"batch"`
	Step      int     `json:"step"`
	ElapsedNS int64   `json:"elapsed_ns"`
	LR        float64 `json:"lr"`
	AdamT     int     `json:"adam_t,omitempty"`
}

// Archive returns the trainer's complete state as an npz archive: the model (W, b, c,
// meta.json, readable as a model file), the optimiser's arrays, the centering offsets and
// sparsity means, the estimator's chains and random-stream states, and checkpoint.json with
// the configuration and position. Resuming from it continues the run bit for bit.
func (t *Trainer) Archive(meta *rbm.Meta) (*npz.Archive, error) {
	a, err := t.Model.Archive(meta)
	if err != nil {
		return nil, err
	}
	for name, g := range t.opt.state() {
		putGrad(a, "opt_"+name, g)
	}
	put(a, "center_visible", t.visOffset)
	put(a, "center_hidden", t.hidOffset)
	put(a, "sparsity_mean", t.hidMean)
	if t.f32 != nil {
		t.f32.saveChains()
	}
	if c, ok := t.neg.(Checkpointer); ok {
		if err := c.SaveState(a); err != nil {
			return nil, err
		}
	}
	p := progress{Version: checkpointVersion, Config: t.Config, Epoch: t.Epoch, Batch: t.Batch, Step: t.Step,
		ElapsedNS: int64(t.Elapsed), LR: t.lr}
	if c := t.opt.counter(); c != nil {
		p.AdamT = *c
	}
	js, err := json.MarshalIndent(&p, "", "  ")
	if err != nil {
		return nil, err
	}
	a.Files["checkpoint.json"] = append(js, '\n')
	return a, nil
}

// SaveCheckpoint writes the trainer's state to path atomically (see Archive).
func (t *Trainer) SaveCheckpoint(path string, meta *rbm.Meta) error {
	a, err := t.Archive(meta)
	if err != nil {
		return err
	}
	return npz.WriteFile(path, a)
}

// LoadCheckpoint reads a checkpoint written by SaveCheckpoint and returns a trainer that
// continues the run exactly where it stopped.
func LoadCheckpoint(path string) (*Trainer, *rbm.Meta, error) {
	return LoadCheckpointWith(path, nil)
}

// LoadCheckpointWith is LoadCheckpoint for a run whose negative phase was the caller's own
// (Config.Negative): neg is a fresh value of it, whose LoadState, if it is a Checkpointer,
// restores its state. With neg nil it is LoadCheckpoint.
func LoadCheckpointWith(path string, neg NegativePhase) (*Trainer, *rbm.Meta, error) {
	a, err := npz.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	t, meta, err := FromArchiveWith(a, neg)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, meta, nil
}

// FromArchive restores a trainer from a checkpoint archive.
func FromArchive(a *npz.Archive) (*Trainer, *rbm.Meta, error) { return FromArchiveWith(a, nil) }

// FromArchiveWith restores a trainer from a checkpoint archive with the negative phase neg
// (see LoadCheckpointWith).
func FromArchiveWith(a *npz.Archive, neg NegativePhase) (*Trainer, *rbm.Meta, error) {
	raw, ok := a.Files["checkpoint.json"]
	if !ok {
		return nil, nil, fmt.Errorf("missing checkpoint.json: a model file, not a checkpoint")
	}
	var p progress
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, nil, fmt.Errorf("checkpoint.json: %w", err)
	}
	if p.Version != checkpointVersion {
		return nil, nil, fmt.Errorf("checkpoint.json: unknown version %d (this boltz reads version %d)", p.Version, checkpointVersion)
	}
	m, meta, err := rbm.FromArchive(a)
	if err != nil {
		return nil, nil, err
	}
	if p.Config.Precision == "" {
		p.Config.Precision = Float64 // checkpoints from before the setting existed
	}
	if p.Config.Method == MethodCustom && neg == nil {
		return nil, nil, fmt.Errorf("checkpoint.json: the run used its own negative phase; resume it with LoadCheckpointWith")
	}
	p.Config.Negative = neg
	if p.Config.Hidden != m.NH() {
		return nil, nil, fmt.Errorf("checkpoint.json: %d hidden units, the model has %d", p.Config.Hidden, m.NH())
	}
	if err := checkProgress(&p, a, m.NV()); err != nil {
		return nil, nil, fmt.Errorf("checkpoint.json: %w", err)
	}
	vis := make([]float64, m.NV())
	if err := get(a, "center_visible", vis); err != nil {
		return nil, nil, err
	}
	t, err := newTrainer(p.Config, m, vis)
	if err != nil {
		return nil, nil, err
	}
	if err := get(a, "center_hidden", t.hidOffset); err != nil {
		return nil, nil, err
	}
	if err := get(a, "sparsity_mean", t.hidMean); err != nil {
		return nil, nil, err
	}
	for name, g := range t.opt.state() {
		if err := getGrad(a, "opt_"+name, g); err != nil {
			return nil, nil, err
		}
	}
	if c := t.opt.counter(); c != nil {
		*c = p.AdamT
	}
	if c, ok := t.neg.(Checkpointer); ok {
		if err := c.LoadState(a); err != nil {
			return nil, nil, err
		}
	}
	if t.f32 != nil {
		t.f32.loadChains()
	}
	t.Epoch, t.Batch, t.Step, t.lr = p.Epoch, p.Batch, p.Step, p.LR
	t.Elapsed = time.Duration(p.ElapsedNS)
	return t, meta, nil
}

func put(a *npz.Archive, name string, x []float64) {
	a.Arrays[name] = &npz.Array{Shape: []int{len(x)}, Data: x, Dtype: "<f8"}
}

func get(a *npz.Archive, name string, dst []float64) error {
	arr, err := a.Get(name, len(dst))
	if err != nil {
		return err
	}
	copy(dst, arr.Data)
	return nil
}

func putDense(a *npz.Archive, name string, x *matrix.Dense) {
	a.Arrays[name] = &npz.Array{Shape: []int{x.Rows, x.Cols}, Data: x.Data, Dtype: "<f8"}
}

func getDense(a *npz.Archive, name string, dst *matrix.Dense) error {
	arr, err := a.Get(name, dst.Rows, dst.Cols)
	if err != nil {
		return err
	}
	copy(dst.Data, arr.Data)
	return nil
}

// putGrad stores g under prefix: W, b, c, and the layers' further parameters (a Gaussian
// layer's σ) under the names of Grad.Parts ("visible_1", …).
func putGrad(a *npz.Archive, prefix string, g *rbm.Grad) {
	putDense(a, prefix+"_W", g.W)
	for _, p := range g.Parts()[1:] {
		put(a, prefix+"_"+p.Name, p.X)
	}
}

// getGrad reads what putGrad stored. The further parameters' arrays may be missing, from
// checkpoints written before they were stored: those parts then stay zero.
func getGrad(a *npz.Archive, prefix string, g *rbm.Grad) error {
	if err := getDense(a, prefix+"_W", g.W); err != nil {
		return err
	}
	for k, p := range g.Parts()[1:] {
		name := prefix + "_" + p.Name
		if _, present := a.Arrays[name]; k >= 2 && !present {
			continue
		}
		if err := get(a, name, p.X); err != nil {
			return err
		}
	}
	return nil
}

// saveChains stores chain states as arrays (|u1 when binary would lose nothing, but float64
// keeps one code path for every unit type) and their random streams as a raw member.
func saveChains(a *npz.Archive, prefix string, c *mcmc.Chains) error {
	putDense(a, prefix+"_V", c.V)
	putDense(a, prefix+"_H", c.H)
	st, err := c.MarshalState()
	if err != nil {
		return err
	}
	a.Files[prefix+"_rng.bin"] = st
	return nil
}

func loadChains(a *npz.Archive, prefix string, c *mcmc.Chains) error {
	if err := getDense(a, prefix+"_V", c.V); err != nil {
		return err
	}
	if err := getDense(a, prefix+"_H", c.H); err != nil {
		return err
	}
	st, ok := a.Files[prefix+"_rng.bin"]
	if !ok {
		return fmt.Errorf("missing %s_rng.bin", prefix)
	}
	return c.UnmarshalState(st)
}

// checkProgress validates a checkpoint's configuration and position before anything is
// allocated for them: the settings must pass Validate (the row count is not known here), the
// position must not be negative, and the chains the configuration asks for must be the chains
// stored in the archive, so that a corrupt count cannot make the reader allocate for chains
// the file does not hold.
func checkProgress(p *progress, a *npz.Archive, nv int) error {
	c := &p.Config
	if err := c.Validate(math.MaxInt, nv); err != nil {
		return err
	}
	if p.Epoch < 0 || p.Batch < 0 || p.Step < 0 || p.ElapsedNS < 0 || p.AdamT < 0 {
		return fmt.Errorf("negative position: epoch %d, minibatch %d, step %d, elapsed %d ns, adam_t %d", p.Epoch, p.Batch, p.Step, p.ElapsedNS, p.AdamT)
	}
	rows := c.Chains
	if rows == 0 || c.Method == "cd" {
		rows = c.Batch
	}
	var names []string
	switch c.Method {
	case "cd", "pcd", "fpcd":
		names = []string{string(c.Method) + "_V"}
	case "pt":
		for k := range c.Replicas {
			names = append(names, replicaName(k)+"_V")
			if k > len(a.Arrays) {
				break // more replicas than arrays: the first missing name fails below
			}
		}
	}
	for _, name := range names {
		arr, ok := a.Arrays[name]
		if !ok {
			return fmt.Errorf("missing array %s for method %s", name, c.Method)
		}
		if len(arr.Shape) != 2 || arr.Shape[0] != rows || arr.Shape[1] != nv {
			return fmt.Errorf("array %s has shape %v, the configuration needs %d×%d", name, arr.Shape, rows, nv)
		}
	}
	return nil
}
