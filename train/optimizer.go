package train

import (
	"math"

	"github.com/boltzgo/boltz/rbm"
)

// optimizer turns an ascent direction g into a parameter step. Its state is part of a
// checkpoint.
type optimizer interface {
	// step sets s to the step for direction g at learning rate lr and momentum mom.
	step(s, g *rbm.Grad, lr, mom float64)
	// state returns the optimiser's arrays, keyed by name, for checkpoints.
	state() map[string]*rbm.Grad
	// counters returns the scalar state (Adam's step count).
	counter() *int
}

// sgd is gradient ascent with classical momentum: u ← mom·u + lr·g, step = u. With mom = 0
// it is the textbook update θ ← θ + lr·g.
type sgd struct{ vel *rbm.Grad }

func newSGD(m *rbm.RBM) *sgd { return &sgd{vel: rbm.GradLike(m)} }

func (o *sgd) step(s, g *rbm.Grad, lr, mom float64) {
	for k, v := range o.vel.Parts() {
		gx, sx := g.Parts()[k].X, s.Parts()[k].X
		for i := range v.X {
			v.X[i] = mom*v.X[i] + lr*gx[i]
			sx[i] = v.X[i]
		}
	}
}

func (o *sgd) state() map[string]*rbm.Grad { return map[string]*rbm.Grad{"velocity": o.vel} }
func (o *sgd) counter() *int               { return nil }

// adam is Adam (Kingma & Ba 2015) on the ascent direction: first and second moment
// estimates with bias correction, step = lr·m̂/(√v̂ + ε).
type adam struct {
	m, v              *rbm.Grad
	t                 int
	beta1, beta2, eps float64
}

func newAdam(m *rbm.RBM, c *Config) *adam {
	return &adam{m: rbm.GradLike(m), v: rbm.GradLike(m), beta1: c.AdamBeta1, beta2: c.AdamBeta2, eps: c.AdamEps}
}

func (o *adam) step(s, g *rbm.Grad, lr, _ float64) {
	c1, c2 := o.advance()
	for k, m := range o.m.Parts() {
		o.stepSlice(s.Parts()[k].X, m.X, o.v.Parts()[k].X, g.Parts()[k].X, lr, c1, c2)
	}
}

// advance counts a step and returns the bias corrections c₁ = 1−β₁ᵗ and c₂ = 1−β₂ᵗ.
func (o *adam) advance() (c1, c2 float64) {
	o.t++
	return 1 - math.Pow(o.beta1, float64(o.t)), 1 - math.Pow(o.beta2, float64(o.t))
}

// stepSlice sets s to the steps of the parameters with moments m, v and ascent direction g,
// updating the moments. adamRow takes the same operations for W on the fused route.
func (o *adam) stepSlice(s, m, v, g []float64, lr, c1, c2 float64) {
	m, v, s = m[:len(g)], v[:len(g)], s[:len(g)]
	for i, gi := range g {
		m[i] = o.beta1*m[i] + (1-o.beta1)*gi
		v[i] = o.beta2*v[i] + (1-o.beta2)*gi*gi
		s[i] = lr * (m[i] / c1) / (math.Sqrt(v[i]/c2) + o.eps)
	}
}

func (o *adam) state() map[string]*rbm.Grad {
	return map[string]*rbm.Grad{"adam_m": o.m, "adam_v": o.v}
}
func (o *adam) counter() *int { return &o.t }

func newOptimizer(c *Config, m *rbm.RBM) optimizer {
	if c.Optimizer == Adam {
		return newAdam(m, c)
	}
	return newSGD(m)
}
