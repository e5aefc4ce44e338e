package certificate

import (
	"fmt"
	"math"
	"sync"

	"github.com/ridgeline-nn/ridgeline/internal/parallel"
	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// evaluateStep is EvaluateOrdered for order 1 (step functions), on
// arguments of matching sizes, with u in the problem's order.
func evaluateStep(p *problem.Problem, ord []int, s *representer.Spline, u []float64) (*Certificate, error) {
	return stepCertificate(p, ord, nil, s, u, false)
}

// stepData is an order-1 problem's data in sorted order, gathered and
// checked once by gatherStep: inputs, targets and weights (nil: all 1).
type stepData struct{ xs, ys, ws []float64 }

// gatherStep gathers p's data into the sorted order ord, in two halves
// concurrently from parallelMin samples on, and checks that ord is a
// permutation (the values gathered meanwhile, which skips indices out of
// range, are not returned if it is not). That ord sorts the inputs is
// checked where they are used.
func gatherStep(p *problem.Problem, ord []int) (*stepData, error) {
	n := p.N()
	d := &stepData{xs: make([]float64, n), ys: make([]float64, n)}
	if p.W != nil && !problem.IsInterp(p.Loss) {
		d.ws = make([]float64, n)
	}
	var errP error
	parallel.Run(parallel.Parts(n), func(part int) {
		a, b := parallel.Span(n, parallel.Parts(n), part)
		if part == 0 {
			errP = checkPermutation(ord)
		}
		o := ord[a:b]
		gather(d.xs[a:b], p.X, o)
		gather(d.ys[a:b], p.Y, o)
		if d.ws != nil {
			gather(d.ws[a:b], p.W, o)
		}
	})
	if errP != nil {
		return nil, errP
	}
	return d, nil
}

// stepCertificate is evaluateStep, and with sorted set EvaluateSorted for
// order 1: u[k] is then the dual of sample ord[k]. It computes what
// evaluateGeneral computes, by the same rules and with the same rounding
// allowances, but entirely over the samples in sorted order and in a few
// passes: for m = 1 the polynomials of degree < m are the constants, so the
// projection of step 1 removes the mean of u over the active samples
// (twice, as the general projection does), and its orthonormal basis
// vector is 1/√(active samples) on the active samples, which needs no
// storage.
//
// The passes, each over the samples in sorted order:
//
//  0. gather the data into sorted order (the only random reads) and
//     check that ord is a permutation, unless an Evaluator has done so
//     (gatherStep);
//     A. the dual in sorted order (the residual dual if none is proposed), J
//     from the spline's values, and the sums of u and y over the active
//     samples;
//     B. the sums of the second projection;
//     C. S = sup|η| (for m = 1 the running sum of the projected u from the
//     right, formed as stepSweep, DualSup's order-1 sweep, forms it), and
//     that ord sorts the inputs; and, concurrently,
//     D. the sums of step 3.
//
// From parallelMin samples on, A and B run in two halves on two
// goroutines, and C beside D. Sums over the samples run in sorted rather
// than in the problem's order, so the results differ from evaluateGeneral's
// by rounding only; the projected dual and S do not depend on the order u
// was given in.
func stepCertificate(p *problem.Problem, ord []int, data *stepData, s *representer.Spline, u []float64, sorted bool) (*Certificate, error) {
	n := p.N()
	interp := problem.IsInterp(p.Loss)
	_, isSquared := p.Loss.(problem.Squared)
	parts := parallel.Parts(n)

	// The data in sorted order: inputs, targets, weights (nil: all 1), as
	// prepared (data) or gathered here, f and the dual (proposed, or the
	// residual dual −ω ℓ'(f − y)).
	if data == nil {
		var err error
		if data, err = gatherStep(p, ord); err != nil {
			return nil, err
		}
	}
	xs, ys, ws := data.xs, data.ys, data.ws
	// f: from its levels between the knots where it has them, else
	// evaluated into fs.
	levels := stepLevels(s)
	var fs []float64
	if levels == nil {
		fs = make([]float64, n)
	}
	us := u
	if u == nil || !sorted {
		us = make([]float64, n)
	}

	// A. The dual in sorted order, f where it has no levels, and the
	// first sums of the projection.
	first := make([]stepSums, parts)
	parallel.Run(parts, func(part int) {
		a, b := parallel.Span(n, parts, part)
		o := ord[a:b]
		if u != nil && !sorted {
			gather(us[a:b], u, o)
		}
		if fs != nil {
			s.EvalTo(fs[a:b], xs[a:b])
		}
		// J's sums over the part (and the residual dual if none is
		// proposed), on local accumulators.
		loss, maxRes, yscale := 0.0, 0.0, 0.0
		f := newStepCursor(s, levels, fs, xs)
		for k := b - 1; k >= a; k-- {
			y := ys[k]
			r := f.at(k) - y
			// NaN propagates, as through the builtin max.
			if a := math.Abs(r); a > maxRes || a != a {
				maxRes = a
			}
			if a := math.Abs(y); a > yscale || a != a {
				yscale = a
			}
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
			switch {
			case u != nil:
			case isSquared:
				us[k] = -w * r
			default:
				us[k] = -w * p.Loss.Deriv(r)
			}
		}
		first[part] = activeSums(ys[a:b], weights(ws, a, b), us[a:b], o)
		first[part].loss, first[part].maxRes, first[part].yscale = loss, maxRes, yscale
	})
	var na int
	var su, sy float64
	c := &Certificate{Regularizer: s.TV()}
	var yscale float64
	for _, f := range first {
		if f.err != nil {
			return nil, f.err
		}
		c.LossValue += f.loss
		if f.maxRes > c.MaxResidual || f.maxRes != f.maxRes {
			c.MaxResidual = f.maxRes
		}
		if f.yscale > yscale || f.yscale != f.yscale {
			yscale = f.yscale
		}
		na, su, sy = na+f.n, su+f.u, sy+f.y
	}

	// B. Projection onto the complement of the constants over the active
	// samples (ω > 0, or all for Interp): u ← u − (qᵀu)q twice, with
	// q = 1/√na on the active samples; ỹ, the targets projected the same
	// way. The dual is 0 on the samples of zero weight.
	var pr stepProjection
	var q float64
	if na > 0 {
		q = 1 / math.Sqrt(float64(na))
		pr.du1, pr.dy1 = q*su, q*sy
		second := make([]stepSums, parts)
		parallel.Run(parts, func(part int) {
			a, b := parallel.Span(n, parts, part)
			second[part] = centredSums(ys[a:b], weights(ws, a, b), us[a:b], pr.du1*q, pr.dy1*q)
		})
		su, sy = 0, 0
		for _, f := range second {
			su, sy = su+f.u, sy+f.y
		}
		pr.du2, pr.dy2 = q*su, q*sy
	}
	// The projected dual is (u + cu1) + cu2, the projected targets
	// (y + cy1) + cy2, formed where they are used.
	cu1, cu2, cy1, cy2 := -pr.du1*q, -pr.du2*q, -pr.dy1*q, -pr.dy2*q

	// D, on a second goroutine for large N: the sums of step 3.
	d := newDualSums(p)
	sums := func() {
		// Local accumulators, which the compiler keeps in registers: the
		// sums of dualSums.addAll, by its operations.
		yu, yuComp, yuAbs, yy, uu, uwu, boxAlpha := 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, d.boxAlpha
		box := !d.interp && !math.IsInf(d.bound, 1)
		for k := n - 1; k >= 0; k-- {
			w := 1.0
			if ws != nil {
				w = ws[k]
			}
			if w > 0 {
				y := ys[k]
				v := (us[k] + cu1) + cu2
				yt := (y + cy1) + cy2
				yu, yuComp = twoSumAcc(yu, yuComp, yt*v)
				yuAbs += math.Abs(yt * v)
				yy += yt * yt
				uu += v * v
				if v != 0 && !d.interp {
					if ws == nil {
						uwu += v * v // ω = 1: no division
					} else {
						uwu += v * v / w
					}
					if box {
						boxAlpha = math.Min(boxAlpha, w*d.bound/math.Abs(v))
					}
				}
			}
		}
		d.yu, d.yuComp, d.yuAbs, d.yy, d.uu, d.uwu, d.boxAlpha = yu, yuComp, yuAbs, yy, uu, uwu, boxAlpha
	}
	var wg sync.WaitGroup
	if parts > 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums()
		}()
	} else {
		sums()
	}

	// C. One pass from the right: the order of the inputs and S.
	absU, sup, mom, comp := 0.0, 0.0, 0.0, 0.0
	var errO error
	for k := n - 1; k >= 0; k-- {
		x := xs[k]
		if x != x {
			errO = fmt.Errorf("certificate: input of sample %d is NaN", ord[k])
			break
		}
		if k > 0 && x < xs[k-1] {
			errO = fmt.Errorf("certificate: order does not sort the inputs (entry %d)", k)
			break
		}
		v := 0.0
		if ws == nil || ws[k] > 0 {
			v = (us[k] + cu1) + cu2
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
	wg.Wait()
	if errO != nil {
		return nil, errO
	}
	c.objective(p, yscale)
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

// stepLevels returns the values of the step function s between its knots,
// levels[j] = f on [t_{j−1}, t_j) (levels[0] left of the first knot), formed
// as s's evaluation forms them (c₀ plus the amplitudes summed from the
// left), or nil if s has no such levels: knots not increasing or not
// finite, or a polynomial part beyond the constant.
func stepLevels(s *representer.Spline) []float64 {
	if len(s.Poly) > 1 || len(s.Knots) != len(s.Amps) {
		return nil
	}
	for k, t := range s.Knots {
		if t-t != 0 || k > 0 && !(t > s.Knots[k-1]) {
			return nil
		}
	}
	c0 := 0.0
	if len(s.Poly) == 1 {
		c0 = s.Poly[0]
	}
	levels := make([]float64, len(s.Knots)+1)
	sum := 0.0
	levels[0] = c0 + sum
	for k, a := range s.Amps {
		sum += a
		levels[k+1] = c0 + sum
	}
	return levels
}

// stepCursor evaluates a step function at sorted inputs visited from the
// right: from its levels (a knot t counts at x = t, ρ₁(0) = 1), or from
// values already evaluated (levels nil).
type stepCursor struct {
	levels, knots, fs, xs []float64
	j                     int // knots[:j] are ≤ the current input
}

// newStepCursor returns a cursor for the inputs xs, to be visited from
// the right.
func newStepCursor(s *representer.Spline, levels, fs, xs []float64) stepCursor {
	return stepCursor{levels: levels, knots: s.Knots, fs: fs, xs: xs, j: len(s.Knots)}
}

// at returns f(xs[k]); k must not increase from one call to the next.
func (c *stepCursor) at(k int) float64 {
	if c.levels == nil {
		return c.fs[k]
	}
	x := c.xs[k]
	for c.j > 0 && c.knots[c.j-1] > x {
		c.j--
	}
	return c.levels[c.j]
}

// stepSums are sums over the active samples of a part: their number, Σu
// and Σy, and the error of a non-finite dual entry; and over all its
// samples, the loss, the largest residual and the largest |y|.
type stepSums struct {
	n                    int
	u, y                 float64
	loss, maxRes, yscale float64
	err                  error
}

// weights returns ws[a:b], or nil (all weights 1) if ws is nil.
func weights(ws []float64, a, b int) []float64 {
	if ws == nil {
		return nil
	}
	return ws[a:b]
}

// activeSums checks the dual us (finite) and returns the number of active
// samples (ω > 0; all if ws is nil) and the sums of us and ys over them;
// ord names the samples in errors.
func activeSums(ys, ws, us []float64, ord []int) stepSums {
	var f stepSums
	for k, v := range us {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			f.err = fmt.Errorf("%w: entry %d is %v", ErrDual, ord[k], v)
			return f
		}
		if ws == nil || ws[k] > 0 {
			f.n++
			f.u += v
			f.y += ys[k]
		}
	}
	return f
}

// centredSums returns the sums over the active samples of us − cu and
// ys − cy.
func centredSums(ys, ws, us []float64, cu, cy float64) stepSums {
	var f stepSums
	for k, v := range us {
		if ws == nil || ws[k] > 0 {
			f.u += v + -cu
			f.y += ys[k] + -cy
		}
	}
	return f
}

// stepProjection holds the sums qᵀu and qᵀy of the two projections onto
// the complement of the constants: u ← (u − du1·q) − du2·q.
type stepProjection struct{ du1, du2, dy1, dy2 float64 }

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

// parallelMin is the number of samples from which stepCertificate shares
// its passes with a second goroutine.
const parallelMin = parallel.Min
