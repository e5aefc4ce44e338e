package solver

import (
	"math"

	"github.com/ridgeline-nn/ridgeline/lp"
	"github.com/ridgeline-nn/ridgeline/problem"
)

// dualProgram is the dual of the order-2, 1-D program of DESIGN §3 in
// standard units, as an lp.Model for the interior-point backend:
//
//	minimise   Σ_i (q_i u_i²/2 − ỹ_i u_i)
//	subject to Σ_{i∈g} u_i − (Dᵀν)_g = 0      for every distinct input g,
//	           −λ̃ ≤ ν_k ≤ λ̃,   −b_i ≤ u_i ≤ b_i,
//
// where D is the second divided difference on the distinct inputs,
// (Dz)_k = (z_{k+1} − z_k)/h_k − (z_k − z_{k−1})/h_{k−1}, and the loss gives
// q_i = curvature/ω̃_i and b_i = ω̃_i·bound (squared: merged groups, q = 1/W̃,
// no bound). Each ν column touches three consecutive rows, so the normal
// equations are pentadiagonal. At the optimum the row multipliers are −f̃ at
// the inputs, and the bound multipliers of ν give the knot amplitudes
// a_k = zU_k − zL_k directly, without differencing fitted values.
type dualProgram struct {
	model  *lp.Model
	nu0    int   // column of ν_1 (interior input 1)
	uSamp  []int // for each u column, its sorted sample (or group for merged squared)
	merged bool  // squared loss: one u per group
	lambda float64
}

func buildDual(p *problem.Problem, g *problem.Groups, sc scaling) *dualProgram {
	G := g.G()
	lam := sc.lambda(p)
	bound := sc.dualBound(p)
	curv := p.Loss.DualCurvature()
	merged := curv > 0 && math.IsInf(bound, 1)
	t := lp.NewTriplets(G)
	var c, q, lo, hi []float64
	dp := &dualProgram{merged: merged, lambda: lam}
	xs := make([]float64, G)
	for k := range xs {
		xs[k] = sc.x(g.X[k])
	}
	dp.nu0 = 0
	for k := 1; k+1 < G; k++ {
		hl, hr := xs[k]-xs[k-1], xs[k+1]-xs[k]
		t.Col()
		t.Add(k-1, -1/hl)
		t.Add(k, 1/hl+1/hr)
		t.Add(k+1, -1/hr)
		c, q = append(c, 0), append(q, 0)
		lo, hi = append(lo, -lam), append(hi, lam)
	}
	if merged {
		for k := 0; k < G; k++ {
			w := sc.w(g.SumW[k])
			if w == 0 {
				continue
			}
			t.Col()
			t.Add(k, 1)
			dp.uSamp = append(dp.uSamp, k)
			c, q = append(c, -sc.y(g.MeanY[k])), append(q, curv/w)
			lo, hi = append(lo, math.Inf(-1)), append(hi, math.Inf(1))
		}
	} else {
		for k := 0; k < G; k++ {
			for i := g.Start[k]; i < g.Start[k+1]; i++ {
				w := sc.w(g.W[i])
				if w == 0 {
					continue
				}
				t.Col()
				t.Add(k, 1)
				dp.uSamp = append(dp.uSamp, i)
				c, q = append(c, -sc.y(g.Y[i])), append(q, curv/w)
				lo, hi = append(lo, -w*bound), append(hi, w*bound)
			}
		}
	}
	dp.model = &lp.Model{C: c, Q: q, A: t.Matrix(), B: make([]float64, G), L: lo, U: hi}
	return dp
}

// solveBanded solves p in O(N) work per round: the squared and Huber losses
// by the active-set method on knots (exact at its fixed point), and the l1
// loss — or any problem on which the active set does not settle — by the
// interior-point backend on the dual program, whose knot set then seeds an
// active-set polish where the loss allows it (DESIGN §4: a certifying solver
// polishes its primal).
func solveBanded(p *problem.Problem, g *problem.Groups, opt Options) (*candidate, error) {
	sc := newScaling(p, g)
	var as *activeSet
	if p.Loss.DualCurvature() > 0 {
		as = newActiveSetFor(p, g, sc)
		if as.run() {
			return as.candidate(g, sc, Optimal, 0), nil
		}
	}
	dp := buildDual(p, g, sc)
	tol := math.Min(opt.tol()*1e-2, 1e-10)
	res, err := lp.InteriorPoint{}.Solve(dp.model, lp.Settings{Tol: tol, MaxIterations: opt.MaxIterations})
	if err != nil {
		return nil, err
	}
	G := g.G()
	xs := make([]float64, G)
	for k := range xs {
		xs[k] = sc.x(g.X[k])
	}
	// Knots: interior inputs whose amplitude exceeds the slack of their bound.
	var knots []int
	var amps []float64
	for k := 1; k+1 < G; k++ {
		j := dp.nu0 + k - 1
		a := res.ZU[j] - res.ZL[j]
		slack := dp.lambda - math.Abs(res.X[j])
		if math.Abs(a) > slack && a != 0 {
			knots = append(knots, k)
			amps = append(amps, a)
		}
	}
	status := Optimal
	switch res.Status {
	case lp.Optimal, lp.AlmostOptimal:
	case lp.IterationLimit:
		status = IterationLimit
	default:
		status = NumericalError
	}
	fit := make([]float64, G)
	for k := range fit {
		fit[k] = -res.Y[k]
	}
	if as != nil {
		as.warm(knots, amps)
		if as.run() {
			return as.candidate(g, sc, status, res.Iterations), nil
		}
	}
	cand := &candidate{status: status, iterations: res.Iterations}
	c0, c1 := fitLine(xs, fit, g, sc, knots, amps)
	cand.spline = sc.unscale2(pick(g.X, knots), amps, c0, c1)
	if !dp.merged {
		nnu := max(G-2, 0)
		us := make([]float64, len(g.Order)) // per sorted sample
		box := make([]float64, len(g.Order))
		for col, i := range dp.uSamp {
			us[i] = res.X[nnu+col]
			box[i] = dp.model.U[nnu+col]
		}
		polishDual(xs, g, sc, dp.lambda, knots, amps, us, box)
		u := make([]float64, len(g.Order))
		for i, o := range g.Order {
			u[o] = us[i]
		}
		cand.dual = u
	}
	return cand, nil
}

// pick returns x at the given indices.
func pick(x []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = x[i]
	}
	return out
}

// fitLine returns the affine part c0 + c1·x̃ of f̃ given its knots, as the
// weighted least-squares fit of the fitted values minus the knot terms.
func fitLine(xs, fit []float64, g *problem.Groups, sc scaling, knots []int, amps []float64) (c0, c1 float64) {
	// r_g = fit_g − Σ_k a_k (x̃_g − x̃_k)_+ by a sweep.
	sw, sx, sy, sxx, sxy := 0.0, 0.0, 0.0, 0.0, 0.0
	val, slope, last := 0.0, 0.0, 0.0
	kk := 0
	for j := range xs {
		val += slope * (xs[j] - last)
		last = xs[j]
		for kk < len(knots) && knots[kk] == j {
			slope += amps[kk]
			kk++
		}
		w := sc.w(g.SumW[j])
		if w == 0 {
			w = 1e-300
		}
		r := fit[j] - val
		sw += w
		sx += w * xs[j]
		sy += w * r
		sxx += w * xs[j] * xs[j]
		sxy += w * xs[j] * r
	}
	det := sw*sxx - sx*sx
	if det <= 0 {
		return sy / sw, 0
	}
	c1 = (sw*sxy - sx*sy) / det
	c0 = (sy - c1*sx) / sw
	return c0, c1
}
