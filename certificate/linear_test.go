package certificate

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// unfusedCertificate is the certificate of s for p with the dual u (in the
// problem's order; nil: the residual dual) by DESIGN §4's steps one after
// the other, each in a plain loop of its own over the sorted samples, with
// the package's unfused parts: f point by point (Spline.Eval), the dual
// projected by orthoBasis.project, S by DualSup and the sums of step 3 by
// dualSums.addAll. It is what evaluate computed before its passes were
// fused, and the reference for them.
func unfusedCertificate(p *problem.Problem, s *representer.Spline, u []float64) (*Certificate, error) {
	ord := problem.SortedOrder(p.X)
	n := p.N()
	interp := problem.IsInterp(p.Loss)
	xs, ys, ws, us := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	active := make([]bool, n)
	c := &Certificate{Regularizer: s.TV()}
	yscale := 0.0
	for k, i := range ord {
		xs[k], ys[k], ws[k] = p.X[i], p.Y[i], p.Weight(i)
		active[k] = interp || ws[k] > 0
		yscale = math.Max(yscale, math.Abs(ys[k]))
		r := s.Eval(xs[k]) - ys[k]
		if a := math.Abs(r); a > c.MaxResidual || a != a {
			c.MaxResidual = a
		}
		if !interp {
			c.LossValue += ws[k] * p.Loss.Value(r)
		}
		v := -ws[k] * p.Loss.Deriv(r)
		if u != nil {
			v = u[i]
		}
		if v-v != 0 {
			return nil, fmt.Errorf("%w: entry %d is %v", ErrDual, i, v)
		}
		if active[k] {
			us[k] = v
		}
	}
	c.objective(p, yscale)
	b := polyBasis(xs, active, p.Order)
	b.project(us)
	yt := append([]float64(nil), ys...)
	b.project(yt)
	c.Sup, _ = DualSup(p.Order, xs, us)
	d := newDualSums(p)
	d.addAll(yt, us, ws, active)
	if err := c.bound(p, d); err != nil {
		return nil, err
	}
	return c, nil
}

// TestFusedMatchesUnfused checks the fused passes of an order-2 evaluation
// (dualPass, linearPass, and the halves they run in from parallelMin
// samples on) against unfusedCertificate: random problems with repeated
// inputs, weights with zeros and every loss, the residual dual and
// proposed duals (random, mostly affine, tiny and huge) in either order,
// below and above parallelMin samples. The two differ in the order of
// their sums, so they agree to rounding: 1e-9 relative to the size of
// what is compared (J for the bound, Σ|u|·spread for S).
func TestFusedMatchesUnfused(t *testing.T) {
	const tol = 1e-9
	rnd := newRand(t)
	losses := []problem.Loss{problem.Squared{}, problem.L1{}, problem.Huber{Delta: 0.3}, problem.Interp{}}
	sizes := []int{1, 2, 3, 7, 40, 150, 400}
	if !testing.Short() {
		sizes = append(sizes, parallelMin+17)
	}
	for _, n := range sizes {
		for _, loss := range losses {
			trials := 6
			if n > 1000 {
				trials = 1
			}
			for trial := 0; trial < trials; trial++ {
				p := shuffled(rnd, randomProblem(rnd, n, 2, loss))
				ord := problem.SortedOrder(p.X)
				ev, err := NewEvaluator(p, ord)
				require.NoError(t, err)
				var fs []*representer.Spline
				if problem.IsInterp(loss) && n > 150 {
					// Interpolants are found by a dense solve; any spline
					// exercises the dual side (J = +Inf).
					fs = []*representer.Spline{randomSpline(rnd, 2, 5, p.X[ord[0]], p.X[ord[n-1]], 1)}
				} else {
					fs = candidateFunctions(rnd, p, 2)
				}
				if len(fs) == 0 {
					continue
				}
				spread := p.X[ord[n-1]] - p.X[ord[0]]
				for ui, u := range candidateDuals(rnd, p) {
					s := fs[ui%len(fs)]
					name := fmt.Sprintf("n=%d %s trial %d dual %d", n, loss.Name(), trial, ui)
					want, werr := unfusedCertificate(p, s, u)
					var us []float64
					if u != nil {
						us = make([]float64, n)
						for k, i := range ord {
							us[k] = u[i]
						}
					}
					got, gerr := ev.Evaluate(p.Lambda, s, u)
					gotSorted, serr := ev.EvaluateSorted(p.Lambda, s, us)
					require.Equal(t, werr == nil, gerr == nil, "%s: errors %v and %v", name, werr, gerr)
					require.Equal(t, werr == nil, serr == nil, "%s: errors %v and %v (sorted)", name, werr, serr)
					if werr != nil {
						continue
					}
					require.Equal(t, certBits(got), certBits(gotSorted), "%s: the dual's order changes the certificate", name)
					absU := 0.0
					for _, v := range u {
						absU += math.Abs(v)
					}
					if u == nil {
						for i := range p.Y {
							absU += p.Weight(i) * math.Abs(s.Eval(p.X[i])-p.Y[i])
						}
					}
					yscale := 0.0
					for _, y := range p.Y {
						yscale = math.Max(yscale, math.Abs(y))
					}
					within := func(what string, w, g, scale float64) {
						t.Helper()
						if w == g || math.IsInf(w, 0) && w == g {
							return
						}
						assert.LessOrEqual(t, math.Abs(g-w), tol*math.Max(math.Abs(w), scale), "%s: %s is %v, want %v", name, what, g, w)
					}
					j := math.Abs(want.Objective)
					if math.IsInf(j, 0) {
						j = 0 // Interp at a spline that does not interpolate
					}
					within("J", want.Objective, got.Objective, 0)
					within("loss", want.LossValue, got.LossValue, 0)
					assert.Equal(t, want.Regularizer, got.Regularizer, name)
					within("max residual", want.MaxResidual, got.MaxResidual, yscale)
					within("S", want.Sup, got.Sup, absU*math.Max(spread, 1e-300))
					within("L", want.LowerBound, got.LowerBound, j)
					within("J − L", want.GapAbs, got.GapAbs, j)
					if math.Abs(want.LowerBound) > 1e-6*j {
						within("α", want.Alpha, got.Alpha, 0)
					}
				}
			}
		}
	}
}

// TestLinearProjectedSweep checks the sweep of the fused order-2
// evaluation against linearSweep, DualSup's, on random duals of mixed
// scales (10^−8 … 10^8) on inputs with runs of duplicates, where the
// compensation of the moments matters: the supremum and the moments agree
// to a few roundings of the values themselves (both are compensated), and
// Σ|u| to rounding.
func TestLinearProjectedSweep(t *testing.T) {
	rnd := newRand(t)
	for trial := 0; trial < 400; trial++ {
		n := 1 + rnd.IntN(200)
		x := randomX(rnd, n, -1, 1, trial%2 == 0)
		u := make([]float64, n)
		absU := 0.0
		for i := range u {
			u[i] = math.Pow(10, -8+16*rnd.Float64()) * rnd.NormFloat64()
			if rnd.IntN(5) == 0 {
				u[i] = 0
			}
			absU += math.Abs(u[i])
		}
		zero := make([]float64, n)
		sup, gotAbsU, m0, e0, m1, e1 := linearProjectedSweep(x, u, zero, zero, 0, 0)
		wsup, _, wm0, wc0, wm1, wc1 := linearSweep(x, u)
		const tol = 1e-14
		assert.LessOrEqual(t, math.Abs(sup-wsup), tol*wsup, "trial %d: sup %v, want %v", trial, sup, wsup)
		assert.LessOrEqual(t, math.Abs((m0+e0)-(wm0+wc0)), tol*math.Abs(wm0+wc0), "trial %d: M0", trial)
		assert.LessOrEqual(t, math.Abs((m1+e1)-(wm1+wc1)), tol*math.Abs(wm1+wc1), "trial %d: M1", trial)
		assert.LessOrEqual(t, math.Abs(gotAbsU-absU), 1e-12*absU, "trial %d: Σ|u|", trial)
	}
}
