package train

import "github.com/boltzgo/boltz/rbm"

// sgdApply is one step of SGD with momentum and L2 weight decay on W, applied to m in a
// single pass over the parameters:
//
//	u ← mom·u + lr·(g − l2·W),   θ ← θ + u      (for b and c without the l2 term)
//
// It performs the same floating-point operations, in the same order, as regularise, sgd.step
// and Grad.ApplyTo one after the other, so either route gives the same bits. It reports
// whether every parameter is finite afterwards, with the branch-free test of rbm.Validate
// (v − v is 0 for a finite v and NaN otherwise) folded into the same pass.
func sgdApply(m *rbm.RBM, vel, g *rbm.Grad, l2, lr, mom float64) bool {
	w, gw, uw := m.W.Data, g.W.Data, vel.W.Data
	gw, uw = gw[:len(w)], uw[:len(w)]
	var nan float64
	if l2 > 0 {
		for i, x := range w {
			u := mom*uw[i] + lr*(gw[i]-l2*x)
			uw[i] = u
			x += u
			w[i] = x
			nan += x - x
		}
	} else {
		nan += sgdApplySlice(w, gw, uw, lr, mom)
	}
	nan += sgdApplySlice(m.B, g.B, vel.B, lr, mom)
	nan += sgdApplySlice(m.C, g.C, vel.C, lr, mom)
	return nan == 0
}

// sgdApplySlice sets u ← mom·u + lr·g and θ ← θ + u and returns Σ (θ − θ), which is 0
// exactly when every new θ is finite.
func sgdApplySlice(theta, g, u []float64, lr, mom float64) float64 {
	g, u = g[:len(theta)], u[:len(theta)]
	var nan float64
	for i, x := range theta {
		v := mom*u[i] + lr*g[i]
		u[i] = v
		x += v
		theta[i] = x
		nan += x - x
	}
	return nan
}
