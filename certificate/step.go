package certificate

import (
	"fmt"
	"math"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// evaluateStep is EvaluateOrdered for order 1 (step functions), on
// arguments of matching sizes. It computes what evaluateGeneral computes,
// by the same rules and with the same rounding allowances, but entirely
// over the samples in sorted order and in a few passes: for m = 1 the
// polynomials of degree < m are the constants, so the projection of step 1
// removes the mean of u over the active samples (twice, as the general
// projection does), and its orthonormal basis vector is 1/√(active samples)
// on the active samples, which needs no storage. The problem's data are
// gathered into sorted order once; every later pass is sequential.
//
// Sums over the samples run in sorted rather than in the problem's order,
// so the results differ from evaluateGeneral's by rounding only.
func evaluateStep(p *problem.Problem, ord []int, s *representer.Spline, u []float64) (*Certificate, error) {
	n := p.N()
	interp := problem.IsInterp(p.Loss)
	weighted := p.W != nil && !interp

	// The data in sorted order: inputs, targets, weights (nil: all 1) and
	// the proposed dual (nil: the residual dual, formed below).
	xs, ys := make([]float64, n), make([]float64, n)
	var ws, us []float64
	if weighted {
		ws = make([]float64, n)
	}
	if u != nil {
		us = make([]float64, n)
	}
	// Separate passes: each keeps more of its random reads in flight than
	// one pass reading all four arrays.
	if err := gatherSorted(xs, p.X, ord); err != nil {
		return nil, err
	}
	gather(ys, p.Y, ord)
	if ws != nil {
		gather(ws, p.W, ord)
	}
	if us != nil {
		gather(us, u, ord)
	}
	weight := func(k int) float64 {
		if ws == nil {
			return 1
		}
		return ws[k]
	}

	// J from the spline, evaluated by a sweep over the sorted inputs; the
	// residual dual, when no dual is given, overwrites f in place.
	fs := make([]float64, n)
	s.EvalTo(fs, xs)
	if us == nil {
		us = fs
	}
	c := &Certificate{Regularizer: s.TV()}
	yscale := 0.0
	natural := u == nil
	sq, isSquared := p.Loss.(problem.Squared)
	for k := range fs {
		r := fs[k] - ys[k]
		c.MaxResidual = max(c.MaxResidual, math.Abs(r))
		yscale = max(yscale, math.Abs(ys[k]))
		w := weight(k)
		switch {
		case interp:
		case isSquared:
			c.LossValue += w * sq.Value(r)
		default:
			c.LossValue += w * p.Loss.Value(r)
		}
		if natural {
			if isSquared {
				us[k] = -w * sq.Deriv(r)
			} else {
				us[k] = -w * p.Loss.Deriv(r)
			}
		}
	}
	c.objective(p, yscale)

	// 1. Projection onto the complement of the constants over the active
	// samples (ω > 0, or all for Interp): u ← u − (qᵀu)q twice with
	// q = 1/√na on the active samples; the samples of zero weight get 0.
	// ỹ, the targets projected the same way, is formed on the fly.
	na := 0
	active := func(k int) bool { return interp || weight(k) > 0 }
	for k, v := range us {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: entry %d is %v", ErrDual, ord[k], v)
		}
		if !active(k) {
			us[k] = 0
			continue
		}
		na++
	}
	var q, du1, dy1, du2, dy2 float64
	if na > 0 {
		q = 1 / math.Sqrt(float64(na))
		for k, v := range us {
			if active(k) {
				du1 += q * v
				dy1 += q * ys[k]
			}
		}
		for k := range us {
			if active(k) {
				us[k] += -du1 * q
				du2 += q * us[k]
				dy2 += q * (ys[k] + -dy1*q)
			}
		}
	}
	// The second projection and the sums of step 3 in one pass.
	d := newDualSums(p)
	for k := range us {
		if !active(k) {
			continue
		}
		us[k] += -du2 * q
		yt := (ys[k] + -dy1*q) + -dy2*q
		d.add(yt, us[k], weight(k))
	}

	// 2. S = sup|η|: for m = 1, η is the running sum of u from the right.
	c.Sup, _ = DualSup(1, xs, us)

	// 3. Best feasible scaling and the dual objective.
	if err := c.bound(p, d); err != nil {
		return nil, err
	}
	return c, nil
}

// gather sets dst[k] = src[ord[k]].
func gather(dst, src []float64, ord []int) {
	for k, i := range ord {
		dst[k] = src[i]
	}
}
