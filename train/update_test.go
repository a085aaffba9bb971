package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// generalSGD is sgd seen through another type, which sends update down its general route
// (regularise, sgd.step, ApplyTo, Validate) instead of sgdApply.
type generalSGD struct{ *sgd }

// fusedAndGeneral returns two trainers built alike from c and x, the second sending its
// updates down the general route.
func fusedAndGeneral(t *testing.T, c Config, x *matrix.Dense) (fused, general *Trainer) {
	t.Helper()
	fused, err := New(c, x)
	if err != nil {
		t.Fatal(err)
	}
	general, err = New(c, x)
	if err != nil {
		t.Fatal(err)
	}
	general.opt = generalSGD{general.opt.(*sgd)}
	return fused, general
}

// updateBoth takes one update of each trainer on batch and returns their parameters in
// pairs, fused then general: W, b, c.
func updateBoth(t *testing.T, fused, general *Trainer, batch *matrix.Dense) [3][2][]float64 {
	t.Helper()
	if err := fused.update(batch, false); err != nil {
		t.Fatal(err)
	}
	if err := general.update(batch, false); err != nil {
		t.Fatal(err)
	}
	return [3][2][]float64{{fused.Model.W.Data, general.Model.W.Data}, {fused.Model.B(), general.Model.B()}, {fused.Model.C(), general.Model.C()}}
}

// The fused SGD step gives the same bits as the general route it replaces.
func TestFusedSGDMatchesGeneralRoute(t *testing.T) {
	for _, method := range []string{"cd", "pcd"} {
		c := Defaults()
		c.Method, c.Hidden, c.Batch, c.L2, c.Momentum, c.MomentumInitial = Method(method), 7, 10, 1e-3, 0.9, 0.5
		c.ExactMonitor = 0
		x := randomBinary(20, 9, rand.New(rand.NewPCG(1, 1)))
		fused, general := fusedAndGeneral(t, c, x)
		if !fused.fusable() {
			t.Fatal("the default configuration does not take the fused route")
		}
		batch := x.Slice(0, c.Batch)
		for step := range 20 {
			for _, p := range updateBoth(t, fused, general, batch) {
				for i := range p[0] {
					if math.Float64bits(p[0][i]) != math.Float64bits(p[1][i]) {
						t.Fatalf("%s, update %d: parameter %d is %v fused, %v general", method, step, i, p[0][i], p[1][i])
					}
				}
			}
		}
	}
}

// The fused centered step (center, regularise, momentum, uncenter and apply in one pass)
// follows the general route to rounding. The per-block sums of the hidden-bias correction
// round differently from the general route's one running sum, so the bits may differ;
// after 20 updates they agree to 1e-12 relative to the largest parameter (the rounding
// error is about 1e-16 per step).
func TestFusedCenteredMatchesGeneralRoute(t *testing.T) {
	for _, method := range []string{"cd", "pcd", "fpcd"} {
		c := Defaults()
		c.Method, c.Hidden, c.Batch, c.L2, c.Momentum, c.MomentumInitial = Method(method), 7, 10, 1e-3, 0.9, 0.5
		c.Centered, c.CenterRate, c.LR, c.ExactMonitor = true, 0.1, 0.1, 0
		x := randomBinary(40, 37, rand.New(rand.NewPCG(1, 1))) // 37 rows of W: blocks of 2 and 3 rows
		fused, general := fusedAndGeneral(t, c, x)
		batch := x.Slice(0, c.Batch)
		for step := range 20 {
			for k, p := range updateBoth(t, fused, general, batch) {
				var scale float64
				for _, v := range p[1] {
					scale = math.Max(scale, math.Abs(v))
				}
				for i := range p[0] {
					if d := math.Abs(p[0][i] - p[1][i]); d > 1e-12*scale {
						t.Fatalf("%s, update %d: %s[%d] is %v fused, %v general", method, step, "Wbc"[k:k+1], i, p[0][i], p[1][i])
					}
				}
			}
		}
	}
}

// generalAdam is adam seen through another type, which sends update down its general route
// (center, regularise, adam.step, uncenterStep, ApplyTo, Validate) instead of adamStep.
type generalAdam struct{ *adam }

// The fused Adam step gives the same bits as the general route it replaces, for every
// parameter (W, the biases and a Gaussian layer's σ) and Adam's moments: in float64 and
// float32, with and without centering and L2, for Bernoulli and Gaussian visible units. The
// 37 visible and 23 hidden units split W into uneven row and column blocks.
func TestFusedAdamMatchesGeneralRoute(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	binary, grey := randomBinary(40, 37, r), matrix.NewDense(40, 37)
	for i := range grey.Data {
		grey.Data[i] = r.NormFloat64()
	}
	for _, units := range []string{"bernoulli", "gaussian", "gaussian:fixed"} {
		for _, prec := range []Precision{Float64, Float32} {
			if units != "bernoulli" && prec == Float32 {
				continue
			}
			for _, centered := range []bool{false, true} {
				for _, method := range []string{"cd", "pcd"} {
					c := Defaults()
					c.Method, c.Hidden, c.Batch, c.L2, c.Optimizer, c.LR = Method(method), 23, 10, 1e-3, Adam, 0.01
					c.VisibleUnits, c.Precision, c.Centered, c.CenterRate, c.ExactMonitor = units, prec, centered, 0.1, 0
					x := binary
					if units != "bernoulli" {
						x = grey
					}
					fused, err := New(c, x)
					if err != nil {
						t.Fatal(err)
					}
					general, err := New(c, x)
					if err != nil {
						t.Fatal(err)
					}
					general.opt = generalAdam{general.opt.(*adam)}
					name := fmt.Sprintf("%s %s centered=%v %s", units, prec, centered, method)
					for step := range 20 {
						batch := x.Slice(step%4*c.Batch, (step%4+1)*c.Batch)
						updateBoth(t, fused, general, batch)
						fo, go_ := fused.opt.(*adam), general.opt.(generalAdam).adam
						pairs := [][2][]float64{}
						for _, ms := range [][2]*rbm.Grad{{fo.m, go_.m}, {fo.v, go_.v}} {
							for k, p := range ms[0].Parts() {
								pairs = append(pairs, [2][]float64{p.X, ms[1].Parts()[k].X})
							}
						}
						pairs = append(pairs, [2][]float64{fused.Model.W.Data, general.Model.W.Data})
						for side, l := range []rbm.Layer{fused.Model.Visible, fused.Model.Hidden} {
							gl := general.Model.Visible
							if side == 1 {
								gl = general.Model.Hidden
							}
							for k, p := range l.Params() {
								pairs = append(pairs, [2][]float64{p.Data, gl.Params()[k].Data})
							}
						}
						if fused.f32 != nil {
							w32 := [2][]float64{make([]float64, len(fused.f32.w32.Data)), make([]float64, len(fused.f32.w32.Data))}
							for i := range w32[0] {
								w32[0][i], w32[1][i] = float64(fused.f32.w32.Data[i]), float64(general.f32.w32.Data[i])
							}
							pairs = append(pairs, w32)
						}
						for k, p := range pairs {
							for i := range p[0] {
								if math.Float64bits(p[0][i]) != math.Float64bits(p[1][i]) {
									t.Fatalf("%s, update %d: array %d [%d] is %v fused, %v general", name, step, k, i, p[0][i], p[1][i])
								}
							}
						}
					}
				}
			}
		}
	}
}

// Fast PCD moves its fast weights by the raw gradient estimate ⟨v E[h|v]ᵀ⟩_batch −
// ⟨v E[h|v]ᵀ⟩_chains (Tieleman & Hinton 2009), not by the centered and regularised direction
// the regular weights follow. From zero fast weights one update leaves θ_f = lr·g; the test
// recomputes g from the model before the update and the chains after it, and sets a large
// L2 and centering so that any other direction is far off.
func TestFastWeightsFollowRawGradient(t *testing.T) {
	for _, general := range []bool{false, true} {
		c := Defaults()
		c.Method, c.Hidden, c.Batch, c.Chains, c.ExactMonitor = "fpcd", 5, 10, 6, 0
		c.L2, c.Centered, c.InitStd = 0.5, true, 0.5
		x := randomBinary(10, 8, rand.New(rand.NewPCG(2, 1)))
		tr, err := New(c, x)
		if err != nil {
			t.Fatal(err)
		}
		if general {
			tr.opt = generalSGD{tr.opt.(*sgd)}
		}
		before := tr.Model.Clone()
		if err := tr.update(x, false); err != nil {
			t.Fatal(err)
		}
		fp := tr.neg.(*fastPCD)
		want := rbm.GradLike(before)
		addMoments(want, before, x, 1)
		addMoments(want, before, fp.chains.V, -1)
		for k, p := range [][2][]float64{{fp.fast.W.Data, want.W.Data}, {fp.fast.B(), want.B()}, {fp.fast.C(), want.C()}} {
			for i, g := range p[1] {
				if d := math.Abs(p[0][i] - tr.lr*g); d > 1e-12 {
					t.Fatalf("general route %v: fast %s[%d] = %v, want lr·g = %v", general, "Wbc"[k:k+1], i, p[0][i], tr.lr*g)
				}
			}
		}
	}
}

// addMoments adds sign times the Rao–Blackwellised moments of the rows of vs under m to g,
// computed element by element as an oracle for the trainer's matrix products.
func addMoments(g *rbm.Grad, m *rbm.RBM, vs *matrix.Dense, sign float64) {
	n := float64(vs.Rows)
	for r := range vs.Rows {
		v := vs.Row(r)
		h := m.HiddenMeans(nil, v)
		for i, vi := range v {
			g.B()[i] += sign * vi / n
			for j, hj := range h {
				g.W.Data[i*m.NH()+j] += sign * vi * hj / n
			}
		}
		for j, hj := range h {
			g.C()[j] += sign * hj / n
		}
	}
}

// A step that makes a parameter infinite is reported by the fused route as by the general one.
func TestFusedSGDDetectsDivergence(t *testing.T) {
	c := Defaults()
	c.Method, c.Hidden, c.Batch, c.ExactMonitor = "cd", 3, 10, 0
	x := randomBinary(10, 4, rand.New(rand.NewPCG(1, 1)))
	tr, err := New(c, x)
	if err != nil {
		t.Fatal(err)
	}
	tr.opt.(*sgd).vel.C()[1] = math.Inf(1)
	if err := tr.update(x, false); err == nil {
		t.Fatal("no error for an infinite hidden bias")
	}
}

// randomBinary returns a rows×cols matrix of independent fair bits.
func randomBinary(rows, cols int, r *rand.Rand) *matrix.Dense {
	x := matrix.NewDense(rows, cols)
	for i := range x.Data {
		x.Data[i] = float64(r.Uint64() & 1)
	}
	return x
}
