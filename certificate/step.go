package certificate

import (
	"fmt"
	"math"
	"sync"

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
	sq, isSquared := p.Loss.(problem.Squared)

	// The data in sorted order: inputs, targets, f, weights (nil: all 1)
	// and the proposed dual (nil: the residual dual, formed in place of f).
	xs, ys, fs := make([]float64, n), make([]float64, n), make([]float64, n)
	var ws []float64
	if p.W != nil && !interp {
		ws = make([]float64, n)
	}
	us := fs
	if u != nil {
		us = make([]float64, n)
	}
	// Separate passes: each keeps more of its random reads in flight than
	// one pass reading all four arrays. For large N the inputs are gathered
	// and f evaluated on a second goroutine meanwhile, while this one
	// checks that ord is a permutation (before any of the gathered values
	// is used; gather skips indices out of range) and gathers the rest.
	// That ord sorts the inputs is checked in the first pass below.
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
	if u != nil {
		gather(us, u, ord)
	}
	wg.Wait()
	if errP != nil {
		return nil, errP
	}

	// J from the spline's values and, in the same pass, the dual: checked,
	// 0 on the samples of zero weight, and its first projection sums.
	//
	// 1. Projection onto the complement of the constants over the active
	// samples (ω > 0, or all for Interp): u ← u − (qᵀu)q twice, with
	// q = 1/√na on the active samples; ỹ, the targets projected the same
	// way, is formed on the fly. A sample is active when w > 0 below (w is
	// 1 for Interp).
	q := 0.0
	if na > 0 {
		q = 1 / math.Sqrt(float64(na))
	}
	c := &Certificate{Regularizer: s.TV()}
	natural := u == nil
	// Local accumulators: the compiler keeps them in registers, not the
	// fields of c.
	loss, maxRes, yscale, du1, dy1 := 0.0, 0.0, 0.0, 0.0, 0.0
	for k := range fs {
		if k > 0 && xs[k] < xs[k-1] {
			return nil, fmt.Errorf("certificate: order does not sort the inputs (entry %d)", k)
		}
		r := fs[k] - ys[k]
		maxRes = max(maxRes, math.Abs(r))
		yscale = max(yscale, math.Abs(ys[k]))
		w := 1.0
		if ws != nil {
			w = ws[k]
		}
		v := us[k]
		switch {
		case interp:
			if natural {
				v = -w * p.Loss.Deriv(r)
			}
		case isSquared:
			loss += w * sq.Value(r)
			if natural {
				v = -w * sq.Deriv(r)
			}
		default:
			loss += w * p.Loss.Value(r)
			if natural {
				v = -w * p.Loss.Deriv(r)
			}
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: entry %d is %v", ErrDual, ord[k], v)
		}
		if w > 0 {
			du1 += q * v
			dy1 += q * ys[k]
		} else {
			v = 0
		}
		us[k] = v
	}
	c.LossValue, c.MaxResidual = loss, maxRes
	c.objective(p, yscale)
	du2, dy2 := 0.0, 0.0
	for k := range us {
		if ws == nil || ws[k] > 0 {
			us[k] += -du1 * q
			du2 += q * us[k]
			dy2 += q * (ys[k] + -dy1*q)
		}
	}
	// The second projection and the sums of step 3 in one pass.
	d := newDualSums(p)
	absU := 0.0
	for k := range us {
		if ws == nil || ws[k] > 0 {
			us[k] += -du2 * q
			w := 1.0
			if ws != nil {
				w = ws[k]
			}
			d.add((ys[k]+-dy1*q)+-dy2*q, us[k], w)
		}
		absU += math.Abs(us[k])
	}

	// 2. S = sup|η|: for m = 1, η is the running sum of u from the right
	// (DualSup's order-1 sweep).
	if n > 0 {
		var mom, comp [8]float64
		c.Sup, _, mom[0], comp[0] = stepSweep(xs, us)
		c.Sup, _ = supTail(1, xs, absU, c.Sup, 0, &mom, &comp)
	}

	// 3. Best feasible scaling and the dual objective.
	if err := c.bound(p, d); err != nil {
		return nil, err
	}
	return c, nil
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
