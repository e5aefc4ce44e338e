package certificate

import (
	"fmt"
	"math"
	"math/bits"
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

// stepData is an order-1 problem's data in sorted order (inputs, targets
// and weights, nil if all are 1), gathered and checked once by gatherStep
// or given to NewEvaluatorSorted, with what the certificates need of it
// that depends on the data alone, formed once by prepare, and a pool of
// vectors over the samples for the evaluations.
type stepData struct {
	xs, ys, ws []float64

	na       int     // active samples: ω > 0 (all if ws is nil)
	cy1, cy2 float64 // ỹ = (y + cy1) + cy2 on the active samples
	yy       float64 // Σỹ² over the active samples
	yscale   float64 // max|y|
	badX     int     // the last sample whose input is NaN or below its predecessor's, or −1

	bufs sync.Pool // *[]float64 of length len(xs)
}

// newStepData returns the data xs, ys and ws, in sorted order, prepared.
func newStepData(xs, ys, ws []float64) *stepData {
	d := &stepData{xs: xs, ys: ys, ws: ws}
	d.prepare()
	return d
}

// gatherStep gathers p's data into the sorted order ord, in two halves
// concurrently from parallelMin samples on, checks that ord is a
// permutation (the values gathered meanwhile, which skips indices out of
// range, are not returned if it is not), and prepares them. That ord
// sorts the inputs is checked where they are used.
func gatherStep(p *problem.Problem, ord []int) (*stepData, error) {
	n := p.N()
	xs, ys := make([]float64, n), make([]float64, n)
	var ws []float64
	if p.W != nil && !problem.IsInterp(p.Loss) {
		ws = make([]float64, n)
	}
	parts := parallel.Parts(n)
	var seen [2][]uint64
	var errP [2]error
	parallel.Run(parts, func(part int) {
		a, b := parallel.Span(n, parts, part)
		o := ord[a:b]
		seen[part], errP[part] = markIndices(o, n, a)
		gather2(xs[a:b], ys[a:b], p.X, p.Y, o)
		if ws != nil {
			gather(ws[a:b], p.W, o)
		}
	})
	for _, err := range errP[:parts] {
		if err != nil {
			return nil, err
		}
	}
	if parts == 2 {
		if err := joinMarks(seen[0], seen[1]); err != nil {
			return nil, err
		}
	}
	return newStepData(xs, ys, ws), nil
}

// markIndices sets the bit of every index of o (the entries from ord's
// entry first on) in a bitmap of n bits and reports an index out of range
// or set twice.
func markIndices(o []int, n, first int) ([]uint64, error) {
	seen := make([]uint64, (n+63)/64)
	for k, i := range o {
		if i < 0 || i >= n || seen[i>>6]&(1<<(i&63)) != 0 {
			return nil, fmt.Errorf("certificate: order is not a permutation (entry %d is %d)", first+k, i)
		}
		seen[i>>6] |= 1 << (i & 63)
	}
	return seen, nil
}

// joinMarks checks that the bitmaps of the two halves of ord (markIndices)
// share no index; with no index out of range or twice within a half, ord
// is then a permutation of 0 … n−1.
func joinMarks(a, b []uint64) error {
	for w := range a {
		if c := a[w] & b[w]; c != 0 {
			i := w*64 + bits.TrailingZeros64(c)
			return fmt.Errorf("certificate: order is not a permutation (index %d appears twice)", i)
		}
	}
	return nil
}

// gather2 gathers two arrays by the same indices in one loop, so that the
// random reads of both are in flight together.
func gather2(dx, dy, x, y []float64, ord []int) {
	dx, dy = dx[:len(ord)], dy[:len(ord)]
	for k, i := range ord {
		if uint(i) < uint(len(x)) {
			dx[k], dy[k] = x[i], y[i]
		}
	}
}

// prepare forms na, yscale and the shifts cy1, cy2 that project the
// targets as step 1 projects the dual, Σỹ², and the sample whose input
// is NaN or out of order that stepCertificate reports (the last, as a
// sweep from the right meets it first), in two halves concurrently from
// parallelMin samples on. For m = 1 the polynomials of degree < m are the
// constants, whose orthonormal basis vector over the active samples is
// q = 1/√na there (0 elsewhere), so the projection u ← u − (qᵀu)q, done
// twice as the general projection does it, removes the mean over the
// active samples twice.
func (d *stepData) prepare() {
	n := len(d.xs)
	parts := parallel.Parts(n)
	var cnt [2]int
	var sy, ymax [2]float64
	badX := [2]int{-1, -1}
	parallel.Run(parts, func(part int) {
		a, b := parallel.Span(n, parts, part)
		cnt[part], sy[part], ymax[part] = activeSum(d.ys[a:b], weights(d.ws, a, b))
		badX[part] = checkInputs(d.xs, a, b)
	})
	d.badX = badX[0]
	if badX[1] >= 0 {
		d.badX = badX[1]
	}
	d.na = cnt[0] + cnt[1]
	d.yscale = max(ymax[0], ymax[1]) // NaN propagates
	if d.na == 0 {
		return
	}
	q := 1 / math.Sqrt(float64(d.na))
	d.cy1 = -(q * (sy[0] + sy[1])) * q
	var sc [2]float64
	parallel.Run(parts, func(part int) {
		a, b := parallel.Span(n, parts, part)
		sc[part] = centredSum(d.ys[a:b], weights(d.ws, a, b), d.cy1)
	})
	d.cy2 = -(q * (sc[0] + sc[1])) * q
	var yy [2]float64
	parallel.Run(parts, func(part int) {
		a, b := parallel.Span(n, parts, part)
		yy[part] = projectedSquares(d.ys[a:b], weights(d.ws, a, b), d.cy1, d.cy2)
	})
	d.yy = yy[0] + yy[1]
}

// projectedSquares returns the sum of ((y + cy1) + cy2)² over the active
// samples (ω > 0; all if ws is nil).
func projectedSquares(ys, ws []float64, cy1, cy2 float64) float64 {
	sum := 0.0
	for k, y := range ys {
		if ws == nil || ws[k] > 0 {
			yt := (y + cy1) + cy2
			sum += yt * yt
		}
	}
	return sum
}

// buffer returns a vector over the samples from d's pool, of undefined
// contents; release returns it.
func (d *stepData) buffer() []float64 {
	if b, ok := d.bufs.Get().(*[]float64); ok {
		return *b
	}
	return make([]float64, len(d.xs))
}

// release returns a vector taken by buffer to d's pool.
func (d *stepData) release(b []float64) { d.bufs.Put(&b) }

// stepCertificate is evaluateStep, and with sorted set EvaluateSorted for
// order 1: u[k] is then the dual of sample ord[k]. It computes what
// evaluateGeneral computes, by the same rules and with the same rounding
// allowances, but entirely over the samples in sorted order and in a few
// passes: for m = 1 the projection of step 1 removes the mean of u over the
// active samples twice (see prepare, which projects the targets once for
// all evaluations), and η is the running sum of the projected u from the
// right.
//
// The passes, each over the samples in sorted order and, from parallelMin
// samples on, in two halves on two goroutines:
//
//  0. gather the data into sorted order (the only random reads), check
//     that ord is a permutation and prepare the data, which includes
//     checking that ord sorts the inputs, unless an Evaluator has done so
//     (gatherStep);
//  1. the dual in sorted order (the residual dual if none is proposed),
//     checked to be finite, J from the spline's values and Σu over the
//     active samples for the first projection (firstPass);
//  2. the sums of the second projection (centredSum);
//  3. S = sup|η| and the sums of step 3 of the projected dual, formed on
//     the way (lastPass).
//
// Sums over the samples run in sorted rather than in the problem's order,
// and in halves, so the results differ from evaluateGeneral's by rounding
// only; the projected dual and S do not depend on the order u was given
// in, so that EvaluateSorted and EvaluateOrdered agree bit for bit.
func stepCertificate(p *problem.Problem, ord []int, data *stepData, s *representer.Spline, u []float64, sorted bool) (*Certificate, error) {
	n := p.N()
	parts := parallel.Parts(n)
	if data == nil {
		var err error
		if data, err = gatherStep(p, ord); err != nil {
			return nil, err
		}
	}
	xs, ws := data.xs, data.ws
	// f: from its levels between the knots where it has them, else
	// evaluated into fs. The dual in sorted order: proposed in that
	// order, or formed into us.
	levels := stepLevels(s)
	var fs []float64
	if levels == nil {
		fs = data.buffer()
		defer data.release(fs)
	}
	us := u
	if u == nil || !sorted {
		us = data.buffer()
		defer data.release(us)
	}

	// 1. The dual, J and the first sum of the projection.
	var first [2]stepFirst
	parallel.Run(parts, func(part int) {
		a, b := parallel.Span(n, parts, part)
		if fs != nil {
			s.EvalTo(fs[a:b], xs[a:b])
		}
		first[part] = data.firstPass(p.Loss, s.Knots, levels, fs, ord, u, us, sorted, a, b)
	})
	f := first[0]
	if parts > 1 {
		f = f.merge(first[1])
	}
	if f.badU >= 0 {
		return nil, fmt.Errorf("%w: entry %d is %v", ErrDual, ord[f.badU], f.badV)
	}
	if k := data.badX; k >= 0 {
		if x := xs[k]; x != x {
			return nil, fmt.Errorf("certificate: input of sample %d is NaN", ord[k])
		}
		return nil, fmt.Errorf("certificate: order does not sort the inputs (entry %d)", k)
	}
	c := &Certificate{Regularizer: s.TV(), LossValue: f.loss, MaxResidual: f.maxRes}
	c.objective(p, data.yscale)

	// 2. Projection onto the complement of the constants over the active
	// samples: u ← u − (qᵀu)q twice, with q = 1/√na on the active
	// samples. The projected dual, (u + cu1) + cu2 on the active samples
	// and 0 elsewhere, is formed where it is used.
	var cu1, cu2 float64
	if data.na > 0 {
		q := 1 / math.Sqrt(float64(data.na))
		cu1 = -(q * f.su) * q
		var sc [2]float64
		parallel.Run(parts, func(part int) {
			a, b := parallel.Span(n, parts, part)
			sc[part] = centredSum(us[a:b], weights(ws, a, b), cu1)
		})
		cu2 = -(q * (sc[0] + sc[1])) * q
	}

	// 3. S = sup|η| and the sums of step 3. The halves' running sums
	// from their right ends are joined here: η on the left half is the
	// right half's total plus the left half's own running sum, whose
	// extremes give the extremes of |η| there.
	var last [2]stepLast
	parallel.Run(parts, func(part int) {
		a, b := parallel.Span(n, parts, part)
		last[part] = data.lastPass(us, cu1, cu2, newDualSums(p), a, b)
	})
	d := last[parts-1].d
	sup, absU, mom, comp := 0.0, 0.0, 0.0, 0.0
	for part := parts - 1; part >= 0; part-- {
		h := &last[part]
		if part < parts-1 {
			d.merge(h.d)
		}
		if h.hi >= h.lo {
			for _, e := range [2]float64{h.hi, h.lo} {
				v, ve := twoSumAdd(mom, comp, e)
				sup = max(sup, math.Abs(v+ve))
			}
		}
		mom, comp = twoSumAdd(mom, comp+h.comp, h.mom)
		absU += h.absU
	}
	d.yy = data.yy
	if n > 0 {
		var moms, comps [8]float64
		moms[0], comps[0] = mom, comp
		c.Sup, _ = supTail(1, xs, absU, sup, 0, &moms, &comps)
	}
	if err := c.bound(p, d); err != nil {
		return nil, err
	}
	return c, nil
}

// stepFirst is what firstPass returns for a range of the samples.
type stepFirst struct {
	loss, maxRes float64 // Σω ℓ(f − y) and max|f − y| (NaN propagates)
	su           float64 // Σu over the active samples
	badU         int     // the first sample whose dual entry is not finite, or −1
	badV         float64 // that entry
}

// merge returns the results of two consecutive ranges of firstPass, h
// following r.
func (r stepFirst) merge(h stepFirst) stepFirst {
	r.loss += h.loss
	if h.maxRes > r.maxRes || h.maxRes != h.maxRes {
		r.maxRes = h.maxRes
	}
	r.su += h.su
	if r.badU < 0 {
		r.badU, r.badV = h.badU, h.badV
	}
	return r
}

// firstPass is the first pass of stepCertificate over the sorted samples
// a … b−1: f from its levels (levels and knots) or from fs, J's loss value
// and largest residual, and the dual (u, in sorted order if sorted is set,
// else in the problem's; the residual dual −ω ℓ'(f − y) if u is nil),
// stored into us unless us is u, checked to be finite and summed over the
// active samples, in one loop (fit) over blocks of stepBlock samples.
func (d *stepData) firstPass(loss problem.Loss, knots, levels, fs []float64, ord []int, u, us []float64, sorted bool, a, b int) stepFirst {
	interp := problem.IsInterp(loss)
	_, squared := loss.(problem.Squared)
	st := stepFirst{badU: -1}
	if !squared && (!interp || u == nil) {
		// The loss, and the residual dual if none is proposed, through
		// the interface in a loop of their own: calls in the main loop
		// would make the compiler keep its sums in memory. The dual is
		// then taken from us.
		f := newStepCursor(knots, levels)
		for k := a; k < b; k++ {
			var fk float64
			if fs != nil {
				fk = fs[k]
			} else {
				fk = f.at(d.xs[k])
			}
			r := fk - d.ys[k]
			w := 1.0
			if d.ws != nil {
				w = d.ws[k]
			}
			if !interp {
				st.loss += w * loss.Value(r)
			}
			if u == nil {
				us[k] = -w * loss.Deriv(r)
			}
		}
	}
	vs := u // the dual in sorted order
	if u == nil || !sorted {
		vs = us
	}
	f := newStepCursor(knots, levels)
	for lo := a; lo < b; lo += stepBlock {
		hi := min(b, lo+stepBlock)
		if u != nil && !sorted {
			gather(us[lo:hi], u, ord[lo:hi]) // ord was checked
		}
		st.fit(&f, fs, d.xs, d.ys, d.ws, vs, squared, u == nil && squared, lo, hi)
	}
	return st
}

// fit adds to s the sums over the samples lo … hi−1, with f from fs or,
// if fs is nil, from the cursor c at the inputs xs: the largest residual,
// for the squared loss (squared set) the loss value, and the sum of the
// dual vs over the active samples (ω > 0; all if ws is nil), after
// checking it (the first entry that is not finite goes to s.badU,
// s.badV). With residual set, it sets vs to the residual dual first.
//
//go:noinline
func (s *stepFirst) fit(c *stepCursor, fs, xs, ys, ws, vs []float64, squared, residual bool, lo, hi int) {
	xs, ys, vs = xs[:hi], ys[:hi], vs[:hi]
	loss, maxRes, su := s.loss, s.maxRes, s.su
	f := *c
	if ws == nil {
		// ω = 1: the loop below without its products by ω, which are
		// exact, and its tests of ω.
		for k := lo; k < hi; k++ {
			var fk float64
			if fs != nil {
				fk = fs[k]
			} else {
				fk = f.at(xs[k])
			}
			r := fk - ys[k]
			if a := math.Abs(r); a > maxRes || a != a {
				maxRes = a
			}
			if squared {
				loss += 0.5 * r * r
			}
			var v float64
			if residual {
				v = -r
				vs[k] = v
			} else {
				v = vs[k]
			}
			if v-v != 0 && s.badU < 0 {
				s.badU, s.badV = k, v
			}
			su += v
		}
		*c = f
		s.loss, s.maxRes, s.su = loss, maxRes, su
		return
	}
	for k := lo; k < hi; k++ {
		var fk float64
		if fs != nil {
			fk = fs[k]
		} else {
			fk = f.at(xs[k])
		}
		r := fk - ys[k]
		// NaN propagates, as through the builtin max, whose branch-free
		// form would put a chain of four instructions on every sample.
		if a := math.Abs(r); a > maxRes || a != a {
			maxRes = a
		}
		w := 1.0
		if ws != nil {
			w = ws[k]
		}
		if squared {
			loss += w * (0.5 * r * r) // problem.Squared.Value
		}
		var v float64
		if residual {
			v = -w * r // problem.Squared.Deriv
			vs[k] = v
		} else {
			v = vs[k]
		}
		if v-v != 0 && s.badU < 0 { // NaN or ±Inf
			s.badU, s.badV = k, v
		}
		if ws == nil || w > 0 {
			su += v
		}
	}
	*c = f
	s.loss, s.maxRes, s.su = loss, maxRes, su
}

// stepLast is what lastPass returns for a range of the samples: the
// running sum of the projected dual from the range's right end, taken at
// the inputs where η is evaluated (the first of a run of equal inputs:
// ρ₁(0) = 1, so η(x) includes every sample at x), by its extremes; and
// the sums of step 3.
type stepLast struct {
	mom, comp float64  // the range's Σu, compensated
	hi, lo    float64  // the largest and the smallest running sum (hi < lo: none)
	absU      float64  // Σ|u|
	maxU      float64  // max|u|
	d         dualSums // the sums of step 3
}

// stepBlock is the number of samples lastPass hands to each of its two
// loops in turn: few enough that the second finds them in the cache.
const stepBlock = 2048

// lastPass is the last pass of stepCertificate over the sorted samples
// a … b−1, from the right, in blocks of stepBlock samples: on each, the
// running sums of the projected dual for S (sweep), then the sums of step
// 3 (sums). The two loops apart need fewer registers than one loop doing
// both, which would keep its sums in memory. Each forms the projected dual
// (us + cu1) + cu2 (0 on the samples of zero weight).
func (d *stepData) lastPass(us []float64, cu1, cu2 float64, sums dualSums, a, b int) stepLast {
	l := stepLast{hi: math.Inf(-1), lo: math.Inf(1), d: sums}
	for hi := b; hi > a; hi -= stepBlock {
		lo := max(a, hi-stepBlock)
		l.sweep(d.xs, us, d.ws, cu1, cu2, lo, hi)
		l.d.addStep(d, us, cu1, cu2, lo, hi)
	}
	box := !sums.interp && !math.IsInf(sums.bound, 1)
	if d.ws == nil {
		// ω = 1: Σu²/ω is Σu², and min ω·bound/|u| is bound/max|u|.
		if !sums.interp {
			l.d.uwu = l.d.uu
		}
		if box && l.maxU > 0 {
			l.d.boxAlpha = sums.bound / l.maxU
		}
	}
	return l
}

// sweep continues the running sums of the projected dual (us + cu1) + cu2
// leftwards over the samples lo … hi−1 (ws: 0 where ω = 0). They add with
// Knuth's branch-free TwoSum, which forms the error term of stepSweep's
// Neumaier rule, and are not renormalised at every input: they agree with
// stepSweep's to rounding.
//
//go:noinline
func (l *stepLast) sweep(xs, us, ws []float64, cu1, cu2 float64, lo, hi int) {
	xs, us = xs[:hi], us[:hi]
	mom, comp, absU, maxU, top, bot := l.mom, l.comp, l.absU, l.maxU, l.hi, l.lo
	for k := hi - 1; k >= lo; k-- {
		v := (us[k] + cu1) + cu2
		if ws != nil && !(ws[k] > 0) {
			v = 0
		}
		mom, comp = twoSumAdd(mom, comp, v)
		a := math.Abs(v)
		absU += a
		if a > maxU {
			maxU = a
		}
		if k > 0 && xs[k-1] == xs[k] {
			continue
		}
		e := mom + comp
		if e > top {
			top = e
		}
		if e < bot {
			bot = e
		}
	}
	l.mom, l.comp, l.absU, l.maxU, l.hi, l.lo = mom, comp, absU, maxU, top, bot
}

// addStep adds to s the sums of step 3 over the samples lo … hi−1 of the
// projected dual (us + cu1) + cu2 and the projected targets of d, as
// addAll forms them, but for Σỹ², which d holds, and, with every weight
// 1, Σu²/ω and min ω·bound/|u|, which lastPass forms from Σu² and max|u|.
//
//go:noinline
func (s *dualSums) addStep(d *stepData, us []float64, cu1, cu2 float64, lo, hi int) {
	ys, ws := d.ys[:hi], d.ws
	us = us[:hi]
	cy1, cy2 := d.cy1, d.cy2
	yu, yuComp, yuAbs, uu := s.yu, s.yuComp, s.yuAbs, s.uu
	if ws == nil {
		for k := lo; k < hi; k++ {
			v := (us[k] + cu1) + cu2
			yv := ((ys[k] + cy1) + cy2) * v
			yu, yuComp = twoSumAdd(yu, yuComp, yv)
			yuAbs += math.Abs(yv)
			uu += v * v
		}
	} else {
		ws = ws[:hi]
		interp, bound := s.interp, s.bound
		box := !interp && !math.IsInf(bound, 1)
		uwu, boxAlpha := s.uwu, s.boxAlpha
		for k := lo; k < hi; k++ {
			w := ws[k]
			if !(w > 0) {
				continue
			}
			v := (us[k] + cu1) + cu2
			yv := ((ys[k] + cy1) + cy2) * v
			yu, yuComp = twoSumAdd(yu, yuComp, yv)
			yuAbs += math.Abs(yv)
			uu += v * v
			if v != 0 && !interp {
				uwu += v * v / w
				if box {
					boxAlpha = math.Min(boxAlpha, w*bound/math.Abs(v))
				}
			}
		}
		s.uwu, s.boxAlpha = uwu, boxAlpha
	}
	s.yu, s.yuComp, s.yuAbs, s.uu = yu, yuComp, yuAbs, uu
}

// merge adds to d the sums h of the samples of another range, but for
// Σỹ², which stepCertificate takes from the prepared data.
func (d *dualSums) merge(h dualSums) {
	d.yu, d.yuComp = twoSumAdd(d.yu, d.yuComp+h.yuComp, h.yu)
	d.yuAbs += h.yuAbs
	d.uu += h.uu
	d.uwu += h.uwu
	d.boxAlpha = math.Min(d.boxAlpha, h.boxAlpha)
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

// stepCursor evaluates a step function from its levels between its
// knots at sorted inputs visited from the left (a knot t counts at x = t,
// ρ₁(0) = 1).
type stepCursor struct {
	levels, knots []float64
	j             int     // knots[:j] are ≤ the current input
	level, next   float64 // levels[j], and knots[j] (+Inf if none)
}

// newStepCursor returns a cursor, to visit inputs from the left, of the
// step function with the given levels between its knots (nil: no
// cursor, f is evaluated).
func newStepCursor(knots, levels []float64) stepCursor {
	c := stepCursor{levels: levels, knots: knots, next: math.Inf(1)}
	if levels != nil {
		c.level = levels[0]
		if len(knots) > 0 {
			c.next = knots[0]
		}
	}
	return c
}

// at returns f(x); x must not decrease from one call to the next.
func (c *stepCursor) at(x float64) float64 {
	if x >= c.next {
		c.seek(x)
	}
	return c.level
}

// seek moves the cursor past the knots ≤ x. It is apart from at, which
// the compiler then inlines: a call on every sample would make it keep
// the caller's sums in memory.
//
//go:noinline
func (c *stepCursor) seek(x float64) {
	for x >= c.next && c.j < len(c.knots) {
		c.j++
		c.level = c.levels[c.j]
		c.next = math.Inf(1)
		if c.j < len(c.knots) {
			c.next = c.knots[c.j]
		}
	}
}

// weights returns ws[a:b], or nil (all weights 1) if ws is nil.
func weights(ws []float64, a, b int) []float64 {
	if ws == nil {
		return nil
	}
	return ws[a:b]
}

// activeSum returns the number of active samples (ω > 0; all if ws is
// nil), the sum of ys over them, and max|y| over all samples (NaN
// propagates).
func activeSum(ys, ws []float64) (n int, sum, ymax float64) {
	for k, y := range ys {
		ymax = max(ymax, math.Abs(y))
		if ws == nil || ws[k] > 0 {
			n++
			sum += y
		}
	}
	return n, sum, ymax
}

// checkInputs returns the last of the samples a … b−1 whose input is NaN
// or below its predecessor's, or −1.
func checkInputs(xs []float64, a, b int) int {
	for k := b - 1; k >= a; k-- {
		if x := xs[k]; x != x || k > 0 && x < xs[k-1] {
			return k
		}
	}
	return -1
}

// centredSum returns the sum of vs + c over the active samples (ω > 0;
// all if ws is nil).
func centredSum(vs, ws []float64, c float64) float64 {
	sum := 0.0
	if ws == nil {
		for _, v := range vs {
			sum += v + c
		}
		return sum
	}
	ws = ws[:len(vs)]
	for k, v := range vs {
		if ws[k] > 0 {
			sum += v + c
		}
	}
	return sum
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

// parallelMin is the number of samples from which stepCertificate shares
// its passes with a second goroutine.
const parallelMin = parallel.Min
