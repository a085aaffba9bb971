package train

import (
	"fmt"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// pt is parallel tempering (Desjardins et al. 2010): persistent chains at a ladder of
// inverse temperatures 1 = β_0 > … > β_{R−1}, with replica exchange between neighbours
// after every sweep; the β = 1 replica supplies the negative phase. Hot replicas cross
// energy barriers, and swaps carry their states down to β = 1.
type pt struct {
	k  int
	pt *mcmc.Tempering
	hm *matrix.Dense
}

func newPT(m *rbm.RBM, n, k int, seed uint64, replicas int, betaMin float64, spacing string) (*pt, error) {
	betas, err := mcmc.Ladder(replicas, betaMin, spacing)
	if err != nil {
		return nil, err
	}
	t, err := mcmc.NewTempering(m, betas, n, seed, streamChains)
	if err != nil {
		return nil, err
	}
	return &pt{k: k, pt: t}, nil
}

func (e *pt) Moments(neg *rbm.Grad, m *rbm.RBM, _, _ *matrix.Dense) error {
	e.pt.Step(m, e.k)
	e.hm = sampleMoments(neg, m, e.pt.Samples().V, e.hm)
	return nil
}

func (*pt) Gradient(*rbm.Grad, float64) {}

func (e *pt) Save(a *npz.Archive) error {
	for k := range e.pt.Betas() {
		c := e.pt.Replica(k)
		putDense(a, replicaName(k)+"_V", c.V)
		putDense(a, replicaName(k)+"_H", c.H)
	}
	st, err := e.pt.MarshalState()
	if err != nil {
		return err
	}
	a.Files["pt_state.bin"] = st
	return nil
}

func (e *pt) Load(a *npz.Archive) error {
	for k := range e.pt.Betas() {
		c := e.pt.Replica(k)
		if err := getDense(a, replicaName(k)+"_V", c.V); err != nil {
			return err
		}
		if err := getDense(a, replicaName(k)+"_H", c.H); err != nil {
			return err
		}
	}
	st, ok := a.Files["pt_state.bin"]
	if !ok {
		return fmt.Errorf("missing pt_state.bin")
	}
	return e.pt.UnmarshalState(st)
}

// Stats returns the swap acceptance rate of each neighbouring pair since the run began.
func (e *pt) Stats() []float64 { return e.pt.AcceptanceRates() }

func replicaName(k int) string { return fmt.Sprintf("pt%d", k) }
