package solver

import (
	"math"

	"github.com/ridgeline-nn/ridgeline/certificate"
	"github.com/ridgeline-nn/ridgeline/lp"
	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// solveBanded solves p in O(N) work per round: the squared loss by the
// active-set method on knots (exact at its fixed point), and the l1 and
// Huber losses — or a squared problem on which the active set does not
// settle — by the interior-point backend on the dual program. Its knot set
// then seeds the active set (squared), or its dual vector is polished so
// that the knot conditions hold to rounding (DESIGN §4: a certifying solver
// polishes its primal or supplies its dual). The active set also handles
// Huber regions, but its region updates are not globalised and can diverge,
// so it is not used for Huber.
func solveBanded(p *problem.Problem, g *problem.Groups, opt Options) (*candidate, error) {
	sc := newScaling(p, g)
	var as *activeSet
	if _, ok := p.Loss.(problem.Squared); ok {
		as = newActiveSetFor(p, g, sc)
		if as.runMultilevel() {
			return as.candidate(g, sc, Optimal, 0), nil
		}
	}
	if h, ok := p.Loss.(problem.Huber); ok {
		if c := huberFromSquared(p, g, sc, h.Delta, opt); c != nil {
			return c, nil
		}
	}
	var ds *dualSolution
	if _, ok := p.Loss.(problem.L1); ok && g.G() > l1DirectMax {
		lv := newL1Level(p, g, sc)
		if f := lv.solve(opt, true); f != nil {
			ds = f.dualSolution(lv)
		}
	}
	if ds == nil {
		var err error
		if ds, err = solveSlopeDual(p, g, sc, opt); err != nil {
			return nil, err
		}
	}
	return dualCandidate(p, g, sc, ds, as), nil
}

// huberFromSquared tries the Huber problem through the squared loss at the
// same λ, which the active set solves exactly and fast. If every residual
// of the squared optimum is within δ, it is the Huber optimum (the losses
// agree there, and so do the optimality conditions). Otherwise the Huber
// active set starts from its knots, with each sample in the region of its
// residual. Its region updates are not globalised, so its fixed point is
// taken only if the certificate confirms it here, to the solve's
// tolerance. It returns nil when neither holds, leaving the problem to the
// interior point.
func huberFromSquared(p *problem.Problem, g *problem.Groups, sc scaling, delta float64, opt Options) *candidate {
	q := *p
	q.Loss = problem.Squared{}
	sq := newActiveSetFor(&q, g, sc)
	if !sq.runMultilevel() {
		return nil
	}
	knots, amps, _, _ := sq.result()
	spline := sq.candidate(g, sc, Optimal, 0).spline
	rounds := sq.rounds
	hs := huberStep(p, g, sc, delta, spline, knots, amps)
	if hs == nil {
		// Too far for one step: a homotopy in δ, from beyond the largest
		// residual of the squared optimum (where the two losses agree)
		// down to δ, halving it, each active set started from the last.
		fit := make([]float64, g.G())
		spline.EvalTo(fit, g.X)
		top := 0.0
		for k := range fit {
			for i := g.Start[k]; i < g.Start[k+1]; i++ {
				if g.W[i] != 0 {
					top = math.Max(top, math.Abs(fit[k]-g.Y[i]))
				}
			}
		}
		var steps []float64
		for d := delta; d < top; d *= 2 {
			steps = append(steps, d)
		}
		for k := len(steps) - 1; k >= 0; k-- {
			if hs = huberStep(p, g, sc, steps[k], spline, knots, amps); hs == nil {
				return nil
			}
			rounds += hs.rounds
			knots, amps, _, _ = hs.result()
			spline = hs.candidate(g, sc, Optimal, 0).spline
		}
		if hs == nil {
			return nil
		}
	}
	c := hs.candidate(g, sc, Optimal, rounds)
	cert, err := certificate.EvaluateOrdered(p, g.Order, c.spline, nil)
	if err != nil || !cert.Certified(opt.tol(), certificate.DataScale(p)) {
		return nil
	}
	c.cert = cert // finish need not compute it again
	return c
}

// huberStep runs the Huber active set for p with δ = delta, started from
// the function s (its knots and amplitudes, as group indices) with every
// sample in the region of its residual; nil if it does not settle.
func huberStep(p *problem.Problem, g *problem.Groups, sc scaling, delta float64, s *representer.Spline, knots []int, amps []float64) *activeSet {
	q := *p
	q.Loss = problem.Huber{Delta: delta}
	hs := newActiveSetFor(&q, g, sc)
	hs.warm(knots, amps)
	fit := make([]float64, g.G())
	s.EvalTo(fit, g.X)
	d := sc.dualBound(&q)
	for k := range fit {
		fk := sc.y(fit[k])
		for i := g.Start[k]; i < g.Start[k+1]; i++ {
			switch r := fk - sc.y(g.Y[i]); {
			case r > d:
				hs.region[i] = 1
			case r < -d:
				hs.region[i] = -1
			}
		}
	}
	// With every sample in the quadratic region the warm start is already
	// the fixed point: the first round confirms it.
	if !hs.runLimited(huberWarmRounds) {
		return nil
	}
	return hs
}

// huberWarmRounds bounds the Huber active set started from the squared
// optimum: the regions of many samples change on the way, which takes more
// rounds than a start from the interior point's solution (warmRounds), and
// a start that cycles costs at most this many O(N) rounds before the
// interior point takes over.
const huberWarmRounds = 200

// dualCandidate turns a dual backend's solution into the candidate: for
// the squared loss the active set as (if not nil) restarts from its knots;
// for l1 the primal is re-solved on them and the dual polished; for Huber a
// warm active set proposes another function.
func dualCandidate(p *problem.Problem, g *problem.Groups, sc scaling, ds *dualSolution, as *activeSet) *candidate {
	G := g.G()
	xs := make([]float64, G)
	for k := range xs {
		xs[k] = sc.x(g.X[k])
	}
	knots, amps, fit := ds.knots, ds.amps, ds.fit
	status := Optimal
	switch ds.status {
	case lp.Optimal, lp.AlmostOptimal:
	case lp.IterationLimit:
		status = IterationLimit
	default:
		status = NumericalError
	}
	lam := sc.lambda(p)
	if as != nil {
		as.warm(knots, amps)
		if as.run() {
			return as.candidate(g, sc, status, ds.iterations)
		}
	}
	cand := &candidate{status: status, iterations: ds.iterations}
	c0, c1 := fitLine(xs, fit, g, sc, knots, amps)
	cand.spline = sc.unscale2(pick(g.X, knots), amps, c0, c1)
	if us, box := ds.u, ds.box; us != nil {
		unsort := func(v []float64) []float64 {
			u := make([]float64, len(g.Order))
			for i, o := range g.Order {
				u[o] = v[i]
			}
			return u
		}
		cand.dual = unsort(us)
		switch p.Loss.(type) {
		case problem.L1:
			if kept, pa, c0, c1, ok := polishPrimalPruned(xs, fit, g, sc, knots, amps, us, box); ok {
				cand.altSpline = sc.unscale2(pick(g.X, kept), pa, c0, c1)
				knots, amps = kept, pa
			}
		case problem.Huber:
			// The active set, warm-started with the interior point's knots
			// and regions, is exact at its fixed point; its residuals are
			// then the exact dual.
			hs := newActiveSetFor(p, g, sc)
			hs.warm(knots, amps)
			for i, b := range box {
				if b > 0 && math.Abs(us[i]) >= b*(1-freeTol) {
					hs.region[i] = -int8(math.Copysign(1, us[i]))
				}
			}
			if hs.runLimited(warmRounds) {
				c := hs.candidate(g, sc, status, 0)
				cand.altSpline, cand.altNatural = c.spline, true
			}
		}
		if polishDual(xs, g, sc, lam, knots, amps, us, box) {
			cand.altDual = unsort(us)
		}
	}
	return cand
}

// dualSolution is what the dual backends return in standard units: the
// fitted values at the inputs, the knots (indices of inputs) with their
// amplitudes, and the dual entry and box bound of every sorted sample (nil
// for the merged squared program, whose dual is the residual).
type dualSolution struct {
	fit        []float64
	knots      []int
	amps       []float64
	u, box     []float64
	status     lp.Status
	iterations int
}

// solveSlopeDual solves the whole slope dual by the interior point.
func solveSlopeDual(p *problem.Problem, g *problem.Groups, sc scaling, opt Options) (*dualSolution, error) {
	dp := buildSlopeDual(p, g, sc)
	res, err := lp.InteriorPoint{}.Solve(dp.model, lp.Settings{Tol: ipmTol, MaxIterations: opt.MaxIterations})
	if err != nil {
		return nil, err
	}
	G := g.G()
	ds := &dualSolution{status: res.Status, iterations: res.Iterations, fit: make([]float64, G)}
	// Knots: interior inputs whose amplitude exceeds the slack of their bound.
	for k := 1; k+1 < G; k++ {
		j := dp.qCol[k]
		a := res.ZL[j] - res.ZU[j]
		slack := dp.lambda - math.Abs(res.X[j])
		if math.Abs(a) > slack && a != 0 {
			ds.knots = append(ds.knots, k)
			ds.amps = append(ds.amps, a)
		}
	}
	for k := range ds.fit {
		ds.fit[k] = -res.Y[2*k]
	}
	if !dp.merged {
		ds.u = make([]float64, len(g.Order)) // per sorted sample
		ds.box = make([]float64, len(g.Order))
		for col, i := range dp.uSamp {
			ds.u[i] = res.X[dp.uCol0+col]
			ds.box[i] = dp.model.U[dp.uCol0+col]
		}
	}
	return ds, nil
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

// ipmTol is the interior point's own relative tolerance. It only has to
// identify the knots and the interpolated samples: the polish steps then
// make the primal and the dual exact to rounding on that structure, and the
// certificate judges the result.
var ipmTol = 1e-12
