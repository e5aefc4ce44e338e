package certificate

import (
	"fmt"
	"math"
	"sync"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// evaluateStep is EvaluateOrdered for order 1 (step functions), on
// arguments of matching sizes, with u in the problem's order.
func evaluateStep(p *problem.Problem, ord []int, s *representer.Spline, u []float64) (*Certificate, error) {
	return stepCertificate(p, ord, s, u, false)
}

// stepCertificate is evaluateStep, and with sorted set EvaluateSorted for
// order 1: u[k] is then the dual of sample ord[k]. It computes what
// evaluateGeneral computes, by the same rules and with the same rounding
// allowances, but entirely over the samples in sorted order and in a few
// passes: for m = 1 the polynomials of degree < m are the constants, so the
// projection of step 1 removes the mean of u over the active samples
// (twice, as the general projection does), and its orthonormal basis
// vector is 1/√(active samples) on the active samples, which needs no
// storage. The problem's data are gathered into sorted order once; every
// later pass is sequential, and none writes: the projected dual is formed
// where it is used (the residual dual, when no dual is proposed, is formed
// once beforehand).
//
// Sums over the samples run in sorted rather than in the problem's order,
// so the results differ from evaluateGeneral's by rounding only; the
// projected dual and S do not depend on the order u was given in.
func stepCertificate(p *problem.Problem, ord []int, s *representer.Spline, u []float64, sorted bool) (*Certificate, error) {
	n := p.N()
	interp := problem.IsInterp(p.Loss)
	_, isSquared := p.Loss.(problem.Squared)

	// The data in sorted order: inputs, targets, f, weights (nil: all 1)
	// and the proposed dual (nil: the residual dual, formed below).
	xs, ys, fs := make([]float64, n), make([]float64, n), make([]float64, n)
	var ws []float64
	if p.W != nil && !interp {
		ws = make([]float64, n)
	}
	us := u
	if u != nil && !sorted {
		us = make([]float64, n)
	}
	// Separate passes: each keeps more of its random reads in flight than
	// one pass reading all four arrays. For large N the inputs are gathered
	// and f evaluated on a second goroutine meanwhile, while this one
	// checks that ord is a permutation (before any of the gathered values
	// is used; gather skips indices out of range), gathers the rest and,
	// for a proposed dual, which does not need f, forms the projection
	// sums. That ord sorts the inputs is checked in the last pass below.
	inputs := func() {
		gather(xs, p.X, ord)
		s.EvalTo(fs, xs)
	}
	var wg sync.WaitGroup
	if n >= parallelMin {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inputs()
		}()
	} else {
		inputs()
	}
	errP := checkPermutation(ord)
	gather(ys, p.Y, ord)
	na := n // active samples: ω > 0, or all for Interp
	if ws != nil {
		gather(ws, p.W, ord)
		na = 0
		for _, w := range ws {
			if w > 0 {
				na++
			}
		}
	}
	if u != nil && !sorted {
		gather(us, u, ord)
	}
	// 1. Projection onto the complement of the constants over the active
	// samples (ω > 0, or all for Interp): u ← u − (qᵀu)q twice, with
	// q = 1/√na on the active samples; ỹ, the targets projected the same
	// way. The dual is checked, and is 0 on the samples of zero weight.
	q := 0.0
	if na > 0 {
		q = 1 / math.Sqrt(float64(na))
	}
	var pr stepProjection
	var errU error
	if us != nil && errP == nil {
		pr, errU = project(q, ys, ws, us, ord)
	}
	wg.Wait()
	switch {
	case errP != nil:
		return nil, errP
	case errU != nil:
		return nil, errU
	case us == nil:
		// The residual dual −ω ℓ'(f − y).
		us = make([]float64, n)
		for k, f := range fs {
			w := 1.0
			if ws != nil {
				w = ws[k]
			}
			if r := f - ys[k]; isSquared {
				us[k] = -w * r
			} else {
				us[k] = -w * p.Loss.Deriv(r)
			}
		}
		if pr, errU = project(q, ys, ws, us, ord); errU != nil {
			return nil, errU
		}
	}

	// One pass from the right: the order of the inputs, J from the
	// spline's values, the projected dual u and the sums of step 3, and
	// 2. S = sup|η|: for m = 1, η is the running sum of u from the right,
	// formed as stepSweep (DualSup's order-1 sweep) forms it.
	c := &Certificate{Regularizer: s.TV()}
	d := newDualSums(p)
	// Local accumulators, which the compiler keeps in registers: the loss
	// sums and those of dualSums.add, by its operations.
	loss, maxRes, yscale, absU := 0.0, 0.0, 0.0, 0.0
	yu, yuComp, yuAbs, yy, uu, uwu, boxAlpha := 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, d.boxAlpha
	box := !d.interp && !math.IsInf(d.bound, 1)
	sup, mom, comp := 0.0, 0.0, 0.0
	for k := n - 1; k >= 0; k-- {
		x := xs[k]
		if k > 0 && x < xs[k-1] {
			return nil, fmt.Errorf("certificate: order does not sort the inputs (entry %d)", k)
		}
		y := ys[k]
		r := fs[k] - y
		maxRes = max(maxRes, math.Abs(r))
		yscale = max(yscale, math.Abs(y))
		w := 1.0
		if ws != nil {
			w = ws[k]
		}
		switch {
		case interp:
		case isSquared:
			loss += w * (0.5 * r * r)
		default:
			loss += w * p.Loss.Value(r)
		}
		v := 0.0
		if w > 0 {
			v = (us[k] + -pr.du1*q) + -pr.du2*q
			yt := (y + -pr.dy1*q) + -pr.dy2*q
			yu, yuComp = twoSumAcc(yu, yuComp, yt*v)
			yuAbs += math.Abs(yt * v)
			yy += yt * yt
			uu += v * v
			if v != 0 && !d.interp {
				uwu += v * v / w
				if box {
					boxAlpha = math.Min(boxAlpha, w*d.bound/math.Abs(v))
				}
			}
		}
		absU += math.Abs(v)
		if k < n-1 {
			// stepSweep's twoSumAcc(twoSumAcc(0, 0, mom), comp): the inner
			// sum is exact, (mom, 0), up to the sign of a zero.
			mom, comp = twoSumAcc(mom, 0, comp)
		}
		mom, comp = twoSumAcc(mom, comp, v)
		if k > 0 && xs[k-1] == x {
			continue
		}
		if a := math.Abs(mom + comp); a > sup {
			sup = a
		}
	}
	c.LossValue, c.MaxResidual = loss, maxRes
	c.objective(p, yscale)
	d.yu, d.yuComp, d.yuAbs, d.yy, d.uu, d.uwu, d.boxAlpha = yu, yuComp, yuAbs, yy, uu, uwu, boxAlpha
	if n > 0 {
		var moms, comps [8]float64
		moms[0], comps[0] = mom, comp
		c.Sup, _ = supTail(1, xs, absU, sup, 0, &moms, &comps)
	}

	// 3. Best feasible scaling and the dual objective.
	if err := c.bound(p, d); err != nil {
		return nil, err
	}
	return c, nil
}

// stepProjection holds the sums qᵀu and qᵀy of the two projections onto
// the complement of the constants: u ← (u − du1·q) − du2·q.
type stepProjection struct{ du1, du2, dy1, dy2 float64 }

// project checks the proposed dual us (finite) and returns the sums of the
// two projections over the samples of positive weight (all when ws is
// nil), in two passes; ord names the samples in errors.
func project(q float64, ys, ws, us []float64, ord []int) (stepProjection, error) {
	var pr stepProjection
	du1, dy1 := 0.0, 0.0
	for k, v := range us {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return pr, fmt.Errorf("%w: entry %d is %v", ErrDual, ord[k], v)
		}
		if ws == nil || ws[k] > 0 {
			du1 += q * v
			dy1 += q * ys[k]
		}
	}
	du2, dy2 := 0.0, 0.0
	for k, v := range us {
		if ws == nil || ws[k] > 0 {
			du2 += q * (v + -du1*q)
			dy2 += q * (ys[k] + -dy1*q)
		}
	}
	return stepProjection{du1, du2, dy1, dy2}, nil
}

// gather sets dst[k] = src[ord[k]], skipping indices out of range (which
// checkPermutation reports).
func gather(dst, src []float64, ord []int) {
	for k, i := range ord {
		if uint(i) < uint(len(src)) {
			dst[k] = src[i]
		}
	}
}

// checkPermutation reports whether ord is a permutation of 0 … len(ord)−1:
// every index in range and none twice.
func checkPermutation(ord []int) error {
	seen := make([]uint64, (len(ord)+63)/64)
	for k, i := range ord {
		if i < 0 || i >= len(ord) || seen[i>>6]&(1<<(i&63)) != 0 {
			return fmt.Errorf("certificate: order is not a permutation (entry %d is %d)", k, i)
		}
		seen[i>>6] |= 1 << (i & 63)
	}
	return nil
}

// parallelMin is the number of samples from which the gathering of the
// inputs and the evaluation of f run on a second goroutine.
const parallelMin = 1 << 16
