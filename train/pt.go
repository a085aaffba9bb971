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
	k, n, replicas int
	betaMin        float64
	ladder         string
	pt             *mcmc.Tempering
	hm             *matrix.Dense
}

// PT returns parallel tempering: chains persistent chains (0: one per minibatch row) at
// each of replicas inverse temperatures from 1 down to betaMin, spaced "geometric" or
// "linear", with k sweeps and replica exchanges per update. The ladder is checked when
// training starts. It panics on k < 1 or chains < 0.
func PT(k, chains, replicas int, betaMin float64, ladder string) NegativePhase {
	mustSweeps("PT", k)
	mustChains("PT", chains)
	return &pt{k: k, n: chains, replicas: replicas, betaMin: betaMin, ladder: ladder}
}

func (e *pt) Init(m *rbm.RBM, batch int, seed uint64) error {
	betas, err := mcmc.Ladder(e.replicas, e.betaMin, e.ladder)
	if err != nil {
		return err
	}
	e.pt, err = mcmc.NewTempering(m, betas, chainCount(e.n, batch), seed, streamChains)
	return err
}

func (e *pt) Moments(neg *rbm.Grad, m *rbm.RBM, _ *Batch) error {
	e.pt.Step(m, e.k)
	e.hm = m.Statistics(neg, e.pt.Samples().V, e.hm)
	return nil
}

func (e *pt) SaveState(a *npz.Archive) error {
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

func (e *pt) LoadState(a *npz.Archive) error {
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
