// Command potts trains RBMs with Potts visible units on a Potts chain whose distribution is
// known exactly (data.NewPottsChain) and measures how close they come to it:
//
//	KL(chain ‖ RBM) = E_chain[log p_chain(v) − log p_RBM(v)] = E_chain[log p_chain(v) + F(v)] + log Z,
//
// estimated on held-out exact draws of the chain (the mean of the per-row difference, with
// its standard error), with log Z exact by enumerating the hidden layer when it has at most
// -exact-max units, and otherwise by importance sampling with the chain itself as the
// proposal, Z = E_chain[exp(−F(v))/p_chain(v)], from fresh exact draws. That estimator is
// checked against the exact log Z wherever both exist; its log is biased low by about
// var(w)/(2·S·mean(w)²), which the printed standard error bounds. It also compares the
// single-site and pairwise frequencies of RBM samples (Gibbs chains from random states)
// with the chain's exact marginals and with the held-out rows.
//
// Usage: go run ./experiments/potts [-q 4] [-n 20] [-nh 10,20,50,100,200] [-epochs 40] ...
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/train"
)

func main() {
	q := flag.Int("q", 4, "states per site")
	n := flag.Int("n", 20, "sites")
	seed := flag.Uint64("seed", 1, "seed of the chain's parameters and rows (potts-chain:Q:N:ROWS:SEED)")
	nTrain := flag.Int("train", 50000, "training rows (the first rows of the chain's stream)")
	nTest := flag.Int("test", 20000, "held-out rows (the next rows)")
	nIS := flag.Int("is", 50000, "proposal draws for the importance-sampling log Z (the rows after those)")
	nhList := flag.String("nh", "10,20,50,100,200", "hidden units, comma-separated")
	epochs := flag.Int("epochs", 40, "epochs")
	lr := flag.Float64("lr", 0.01, "learning rate")
	method := flag.String("method", "pcd", "negative phase: pcd, cd, pt")
	opt := flag.String("opt", "sgd", "optimiser: sgd or adam")
	l2 := flag.Float64("l2", 1e-4, "L2 weight decay")
	k := flag.Int("k", 1, "Gibbs sweeps per update")
	batch := flag.Int("batch", 100, "minibatch rows")
	exactMax := flag.Int("exact-max", 20, "enumerate the hidden layer for log Z when nh is at most this")
	samples := flag.Int("samples", 5000, "RBM samples for the frequency fits (independent chains)")
	sweeps := flag.Int("sweeps", 2000, "Gibbs sweeps per chain")
	flag.Parse()

	chain := data.NewPottsChain(*q, *n, *seed)
	all := data.PottsChainData(*q, *n, *nTrain+*nTest+*nIS, *seed).X
	trainCats, testCats, isCats := all.Slice(0, *nTrain), all.Slice(*nTrain, *nTrain+*nTest), all.Slice(*nTrain+*nTest, all.Rows)
	layer := rbm.NewPotts(*n, *q)
	trainX, testX, isX := encode(layer, trainCats), encode(layer, testCats), encode(layer, isCats)
	H := chain.Entropy()
	fmt.Printf("# potts-chain:%d:%d seed %d: exact entropy H = %.4f nats/sequence; %d train, %d test, %d IS rows\n",
		*q, *n, *seed, H, *nTrain, *nTest, *nIS)
	fmt.Printf("# %s-%d, %s, %d epochs, batch %d, lr %g, L2 %g (train.Defaults otherwise: centered, linear decay)\n", *method, *k, *opt, *epochs, *batch, *lr, *l2)
	fmt.Println("| nh | log Z (exact) | log Z (IS) | IS ESS | test LL | −H | KL(chain‖RBM) | site RMS (RBM samples) | site RMS (RBM exact) | site RMS (test) | pair RMS (RBM) | pair RMS (test) | train s |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	logPChainTest := logProbs(chain, testCats)
	logPChainIS := logProbs(chain, isCats)
	for _, f := range strings.Split(*nhList, ",") {
		nh, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			fail(err)
		}
		cfg := train.Defaults()
		cfg.VisibleUnits, cfg.Hidden, cfg.Method, cfg.K = layer.Name(), nh, train.Method(*method), *k
		cfg.Epochs, cfg.Batch, cfg.LR, cfg.Seed = *epochs, *batch, *lr, *seed
		cfg.NoMonitors, cfg.AISEvery, cfg.ExactMonitor = true, 0, 0
		cfg.Optimizer, cfg.L2 = train.Optimizer(*opt), *l2
		start := time.Now()
		tr, err := train.New(cfg, trainX)
		if err != nil {
			fail(err)
		}
		if err := tr.Run(context.Background(), trainX, train.Options{}); err != nil {
			fail(err)
		}
		secs := time.Since(start).Seconds()
		m := tr.Model

		exactZ, siteExact := math.NaN(), math.NaN()
		if nh <= *exactMax {
			if exactZ, err = exact.LogZ(m, &exact.Options{Enumerate: exact.Hidden}); err != nil {
				fail(err)
			}
			mo, err := exact.ModelMoments(m, &exact.Options{Enumerate: exact.Hidden})
			if err != nil {
				fail(err)
			}
			siteExact = meanRMS(mo.B(), chain, *q) // the RBM's exact marginals
		}
		isZ, isSE, ess := importanceLogZ(m, isX, logPChainIS)
		logZ := exactZ
		if math.IsNaN(logZ) {
			logZ = isZ
		}
		negF := m.FreeEnergyBatch(nil, testX, nil)
		var ll, d meanVar
		for r, f := range negF {
			ll.add(-f - logZ)
			d.add(logPChainTest[r] + f) // log p_chain − log p_RBM − log Z
		}
		klSE := d.se()
		if math.IsNaN(exactZ) {
			klSE = math.Hypot(klSE, isSE)
		}
		kl := d.mean() + logZ

		rs := sampleRBM(m, *samples, *sweeps, *seed)
		siteRBM, siteTest := siteRMS(rs, chain, *q), siteRMS(testX, chain, *q)
		pairRBM, pairTest := pairRMS(rs, testX, *n, *q), pairRMS(encode(layer, isCats.Slice(0, min(*samples, isCats.Rows))), testX, *n, *q)
		fmt.Printf("| %d | %s | %.4f ± %.4f | %.0f | %.4f ± %.4f | %.4f | %.4f ± %.4f | %.4f | %s | %.4f | %.4f | %.4f | %.0f |\n",
			nh, fmtNaN(exactZ), isZ, isSE, ess, ll.mean(), ll.se(), -H, kl, klSE, siteRBM, fmtNaN(siteExact), siteTest, pairRBM, pairTest, secs)
	}
	fmt.Printf("# site RMS: root mean square of p̂_i(a) − p_i(a) over sites and states against the chain's exact marginals, for %d RBM samples (%d Gibbs sweeps from uniform states), for the RBM's exact marginals (hidden layer enumerated) and for the %d test rows\n", *samples, *sweeps, *nTest)
	fmt.Printf("# pair RMS: root mean square difference of the connected correlations p̂_ij(a,b) − p̂_i(a)p̂_j(b) over all pairs i<j and states, against the test rows; the (test) column compares %d fresh chain draws with the test rows (the sampling-noise floor)\n", *samples)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "potts:", err)
	os.Exit(1)
}

func fmtNaN(x float64) string {
	if math.IsNaN(x) {
		return "—"
	}
	return fmt.Sprintf("%.4f", x)
}

func encode(l *rbm.Potts, cats *matrix.Dense) *matrix.Dense {
	x, err := rbm.EncodeRows(l, cats)
	if err != nil {
		fail(err)
	}
	return x
}

func logProbs(c *data.PottsChain, cats *matrix.Dense) []float64 {
	out := make([]float64, cats.Rows)
	for r := range out {
		out[r] = c.LogProb(cats.Row(r))
	}
	return out
}

// importanceLogZ returns log of the mean of w = exp(−F(v))/p_chain(v) over the rows of x
// (exact chain draws with log-probabilities logP), its standard error by the delta method,
// sd(w)/(√S·mean(w)), and the effective sample size (Σw)²/Σw².
func importanceLogZ(m *rbm.RBM, x *matrix.Dense, logP []float64) (logZ, se, ess float64) {
	f := m.FreeEnergyBatch(nil, x, nil)
	lw := make([]float64, len(f))
	hi := math.Inf(-1)
	for r := range f {
		lw[r] = -f[r] - logP[r]
		hi = math.Max(hi, lw[r])
	}
	var s, s2 float64
	for _, v := range lw {
		w := math.Exp(v - hi)
		s += w
		s2 += w * w
	}
	S := float64(len(lw))
	mean := s / S
	sd := math.Sqrt(math.Max(s2/S-mean*mean, 0))
	return hi + math.Log(mean), sd / (math.Sqrt(S) * mean), s * s / s2
}

// sampleRBM returns the visible states of n independent Gibbs chains after sweeps sweeps
// from uniformly random states.
func sampleRBM(m *rbm.RBM, n, sweeps int, seed uint64) *matrix.Dense {
	c := mcmc.NewChains(m, n, seed^0x5a17)
	c.Sweep(m, 1, sweeps)
	return c.V
}

// siteRMS returns the RMS over sites and states of the frequency in the one-hot rows of x
// minus the chain's exact marginal.
func siteRMS(x *matrix.Dense, c *data.PottsChain, q int) float64 {
	mean := make([]float64, x.Cols)
	rbm.ColMeans(mean, x)
	return meanRMS(mean, c, q)
}

// meanRMS returns the RMS over sites and states of mean (one value per one-hot entry) minus
// the chain's exact marginal.
func meanRMS(mean []float64, c *data.PottsChain, q int) float64 {
	marg := c.Marginals()
	var s float64
	for i, p := range marg {
		for a := range q {
			d := mean[i*q+a] - p[a]
			s += d * d
		}
	}
	return math.Sqrt(s / float64(len(mean)))
}

// connected returns the connected correlations p̂_ij(a,b) − p̂_i(a)p̂_j(b) of the one-hot rows
// of x for all pairs of sites i < j, in a fixed order.
func connected(x *matrix.Dense, n, q int) []float64 {
	nv := n * q
	co := make([]float64, nv*nv)
	for r := range x.Rows {
		row := x.Row(r)
		var on []int
		for k, v := range row {
			if v == 1 {
				on = append(on, k)
			}
		}
		for _, a := range on {
			for _, b := range on {
				co[a*nv+b]++
			}
		}
	}
	mean := make([]float64, nv)
	rbm.ColMeans(mean, x)
	var out []float64
	inv := 1 / float64(x.Rows)
	for i := range n {
		for j := i + 1; j < n; j++ {
			for a := range q {
				for b := range q {
					u, v := i*q+a, j*q+b
					out = append(out, co[u*nv+v]*inv-mean[u]*mean[v])
				}
			}
		}
	}
	return out
}

func pairRMS(x, ref *matrix.Dense, n, q int) float64 {
	a, b := connected(x, n, q), connected(ref, n, q)
	var s float64
	for k := range a {
		d := a[k] - b[k]
		s += d * d
	}
	return math.Sqrt(s / float64(len(a)))
}

// meanVar accumulates a mean and variance (Welford).
type meanVar struct {
	n, m, s float64
}

func (a *meanVar) add(x float64) {
	a.n++
	d := x - a.m
	a.m += d / a.n
	a.s += d * (x - a.m)
}

func (a *meanVar) mean() float64 { return a.m }
func (a *meanVar) se() float64   { return math.Sqrt(a.s / (a.n - 1) / a.n) }
