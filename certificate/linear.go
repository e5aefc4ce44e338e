package certificate

import (
	"math"

	"github.com/ridgeline-nn/ridgeline/internal/parallel"
)

// linearPass completes the certificate for order 2 (a basis q₀, q₁ of the
// affine functions on the active samples) from the dual vector us after
// dualPass, with a0, a1 the coefficients of the projection's first sweep:
// it returns S = sup|η| of the projected dual, as DualSup does, and adds
// the sums of step 3 to d, as addAll does. Instead of the passes of
// project, DualSup and addAll:
//
//  1. the projection's second sweep (subtracting the first coefficients,
//     summing the second), as project2, in two halves concurrently from
//     parallelMin samples on;
//  2. the projection's last subtraction, formed where the projected dual
//     is used: by the sweep of η from the right with Σ|u| for supTail
//     (linearSup), and beside it, on a second goroutine from parallelMin
//     samples on, by the sums of step 3 (linearSums).
func (e *Evaluator) linearPass(us []float64, a0, a1 float64, d *dualSums) float64 {
	n := len(us)
	q0, q1 := e.basis[0][:n], e.basis[1][:n]

	// 1. The second sweep of the projection (classical Gram–Schmidt twice).
	parts := parallel.Parts(n)
	var cs [2][2]float64
	parallel.Run(parts, func(part int) {
		a, b := parallel.Span(n, parts, part)
		cs[part][0], cs[part][1] = projectSecond2(us[a:b], q0[a:b], q1[a:b], a0, a1)
	})
	c0, c1 := cs[0][0]+cs[1][0], cs[0][1]+cs[1][1]

	// 2. S and the sums of step 3, from u − c₀q₀ − c₁q₁.
	var sup float64
	parallel.Run(parts, func(part int) {
		if part == 0 {
			sup = linearSup(e.xs[:n], us, q0, q1, c0, c1)
		}
		if part == parts-1 {
			e.linearSums(us, q0, q1, c0, c1, d)
		}
	})
	return sup
}

// projectSecond2 is the second sweep of project2 over a range of the
// vector v and the basis q0, q1: it subtracts the first sweep's
// coefficients a0, a1 and returns the range's part of the second's.
func projectSecond2(v, q0, q1 []float64, a0, a1 float64) (c0, c1 float64) {
	q0, q1 = q0[:len(v)], q1[:len(v)]
	for i, vi := range v {
		vi -= a0 * q0[i]
		vi -= a1 * q1[i]
		v[i] = vi
		c0 += q0[i] * vi
		c1 += q1[i] * vi
	}
	return c0, c1
}

// linearSup is DualSup for m = 2 of the projected dual
// u_k = (us_k − c0·q0_k) − c1·q1_k, formed as project2 forms it, at the
// sorted inputs xs: the sweep of linearProjectedSweep, completed by
// supTail.
func linearSup(xs, us, q0, q1 []float64, c0, c1 float64) float64 {
	if len(us) == 0 {
		return 0
	}
	var mom, comp [8]float64
	sup, absU := 0.0, 0.0
	sup, absU, mom[0], comp[0], mom[1], comp[1] = linearProjectedSweep(xs, us, q0, q1, c0, c1)
	sup, _ = supTail(2, xs, absU, sup, 0, &mom, &comp)
	return sup
}

// linearProjectedSweep is linearSweep of the projected dual
// u_k = (us_k − c0·q0_k) − c1·q1_k (us non-empty), which it forms on the
// way, and returns Σ|u| besides: the supremum of |η| over [x_0, ∞) and the
// moments M₀ = Σu and M₁ = Σu·(x − x_0) as compensated pairs.
//
// It sweeps from the right as linearSweep does, but adds with Knuth's
// branch-free TwoSum (the same error terms as Neumaier's rule) and
// without renormalising the pairs at every input: M₁ is shifted by
// (M₀ + its compensation)·h, whose rounding is that of the product
// linearSweep forms. It agrees with linearSweep to rounding. Unlike for
// m = 1, it need not skip the inputs inside a run of equal ones: the
// samples at x_j add nothing to M₁ = η(x_j), and the shift across a
// zero spacing adds an exact 0.
func linearProjectedSweep(xs, us, q0, q1 []float64, c0, c1 float64) (sup, absU, m0, e0, m1, e1 float64) {
	n := len(us)
	xs, q0, q1 = xs[:n], q0[:n], q1[:n]
	// The rightmost input: M₁ = 0 there, and no shift.
	x := xs[n-1]
	v := us[n-1]
	v -= c0 * q0[n-1]
	v -= c1 * q1[n-1]
	m0, absU = v, math.Abs(v)
	for j := n - 2; j >= 0; j-- {
		next := x
		x = xs[j]
		if a := math.Abs(m1 + e1); a > sup { // η(x_{j+1})
			sup = a
		}
		v := us[j]
		v -= c0 * q0[j]
		v -= c1 * q1[j]
		// Shift the moments from x_{j+1} to x_j, M₁ += M₀·h, and add u_j.
		m1, e1 = twoSumAdd(m1, e1, (m0+e0)*(next-x))
		m0, e0 = twoSumAdd(m0, e0, v)
		absU += math.Abs(v)
	}
	if a := math.Abs(m1 + e1); a > sup { // η(x_0)
		sup = a
	}
	return sup, absU, m0, e0, m1, e1
}

// linearSums adds to d the sums of step 3 over the projected dual
// u_k = (us_k − c0·q0_k) − c1·q1_k, as addAll does. ỹ is 0 and u exactly 0
// where there is no loss (the basis vanishes there), so those samples add
// nothing and need no test.
func (e *Evaluator) linearSums(us, q0, q1 []float64, c0, c1 float64, d *dualSums) {
	n := len(us)
	yt, ws := e.yt[:n], e.ws[:n]
	q0, q1 = q0[:n], q1[:n]
	interp, bound := d.interp, d.bound
	box := !interp && !math.IsInf(bound, 1)
	yu, yuComp, yuAbs, uu := 0.0, 0.0, 0.0, 0.0
	if e.unit {
		// ω = 1: Σu²/ω is Σu², and min ω·bound/|u| is bound/max|u|.
		maxU := 0.0
		for k, v := range us {
			v -= c0 * q0[k]
			v -= c1 * q1[k]
			yv := yt[k] * v
			yu, yuComp = twoSumAdd(yu, yuComp, yv)
			yuAbs += math.Abs(yv)
			uu += v * v
			if box {
				maxU = max(maxU, math.Abs(v))
			}
		}
		if !interp {
			d.uwu = uu
		}
		if box && maxU > 0 {
			d.boxAlpha = bound / maxU
		}
	} else {
		uwu, boxAlpha := 0.0, d.boxAlpha
		for k, v := range us {
			v -= c0 * q0[k]
			v -= c1 * q1[k]
			yv := yt[k] * v
			yu, yuComp = twoSumAdd(yu, yuComp, yv)
			yuAbs += math.Abs(yv)
			uu += v * v
			if v != 0 {
				w := ws[k]
				uwu += v * v / w
				if box {
					boxAlpha = math.Min(boxAlpha, w*bound/math.Abs(v))
				}
			}
		}
		d.uwu, d.boxAlpha = uwu, boxAlpha
	}
	d.yu, d.yuComp, d.yuAbs, d.yy, d.uu = yu, yuComp, yuAbs, e.yy, uu
}
