package certificate

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// directStep returns the order-1 certificate of s for p with the dual u
// (in the problem's order; nil: the residual dual), computed straight from
// DESIGN §4 in the problem's order, one step after the other, without the
// fused passes, halves and blocks of stepCertificate: f by s.Eval at every
// input; the projection as the mean over the active samples removed twice;
// η at every distinct input as the exact sum (math/big) of the projected
// dual over the samples at or right of it; the sums of step 3 by plain
// summation. Only the last steps, which stepCertificate shares with the
// general evaluation and the fast paths leave alone, are the package's:
// the objective and the scaling of the bound (Certificate.objective and
// Certificate.bound), and the constants of the tail test and the noise
// floor. It returns the error the fast path must return too, and Σ|u| of
// the projected dual.
//
// idx lists the samples in the order of their inputs (its own sort, not
// problem.SortedOrder).
func directStep(p *problem.Problem, idx []int, s *representer.Spline, u []float64) (c *Certificate, absU float64, err error) {
	n := p.N()
	interp := problem.IsInterp(p.Loss)
	w := func(i int) float64 {
		if p.W == nil || interp {
			return 1
		}
		return p.W[i]
	}
	active := func(i int) bool { return interp || w(i) > 0 }

	// J, and the dual.
	c = &Certificate{Regularizer: s.TV()}
	yscale := 0.0
	v := make([]float64, n)
	for i := range n {
		r := s.Eval(p.X[i]) - p.Y[i]
		if a := math.Abs(r); a > c.MaxResidual || math.IsNaN(a) {
			c.MaxResidual = a
		}
		yscale = math.Max(yscale, math.Abs(p.Y[i]))
		if !interp {
			c.LossValue += w(i) * p.Loss.Value(r)
		}
		v[i] = -w(i) * p.Loss.Deriv(r)
		if u != nil {
			v[i] = u[i]
		}
		if math.IsNaN(v[i]) || math.IsInf(v[i], 0) {
			return nil, 0, fmt.Errorf("%w: entry %d is %v", ErrDual, i, v[i])
		}
	}
	c.objective(p, yscale)

	// 1. The mean over the active samples removed, twice, from the dual
	// and the targets; 0 where there is no loss.
	yt := slices.Clone(p.Y)
	for _, z := range [][]float64{v, yt} {
		for range 2 {
			sum, na := 0.0, 0
			for i := range n {
				if active(i) {
					sum += z[i]
					na++
				}
			}
			for i := range n {
				if active(i) {
					z[i] -= sum / float64(na)
				} else {
					z[i] = 0
				}
			}
		}
	}

	// 2. S: η at every distinct input, exactly, from the right.
	eta := new(big.Float).SetPrec(256)
	sup := 0.0
	for k := n - 1; k >= 0; k-- {
		eta.Add(eta, big.NewFloat(v[idx[k]]))
		absU += math.Abs(v[idx[k]])
		if k > 0 && p.X[idx[k-1]] == p.X[idx[k]] {
			continue
		}
		e, _ := eta.Float64()
		sup = math.Max(sup, math.Abs(e))
	}
	if n > 0 {
		// supTail's rules for m = 1: a sum of the dual beyond rounding
		// leaves η unbounded left of the data; below the noise floor, η
		// proves nothing.
		spread := p.X[idx[n-1]] - p.X[idx[0]]
		total, _ := eta.Float64()
		c.Sup = math.Max(sup, noiseFloor*absU*spread/math.Max(spread, 1e-300))
		if math.Abs(total) > leftTailTol*absU {
			c.Sup = math.Inf(1)
		}
	}

	// 3. The sums of step 3 and the bound.
	d := newDualSums(p)
	for i := range n {
		if !active(i) {
			continue
		}
		d.yu += yt[i] * v[i]
		d.yuAbs += math.Abs(yt[i] * v[i])
		d.yy += yt[i] * yt[i]
		d.uu += v[i] * v[i]
		if v[i] != 0 && !interp {
			d.uwu += v[i] * v[i] / w(i)
			if !math.IsInf(d.bound, 1) {
				d.boxAlpha = math.Min(d.boxAlpha, w(i)*d.bound/math.Abs(v[i]))
			}
		}
	}
	if err := c.bound(p, d); err != nil {
		return nil, 0, err
	}
	return c, absU, nil
}

// cmpFloat orders floats (NaN first).
func cmpFloat(a, b float64) int {
	switch {
	case a < b || a != a && b == b:
		return -1
	case a > b || b != b && a == a:
		return 1
	}
	return 0
}

// TestEvaluateStepMatchesDirect checks the order-1 certificate, through
// every entry point (EvaluateOrdered, EvaluateSorted and an Evaluator,
// with the dual in either order), against directStep on random problems of
// every loss: weights with zeros, runs of equal inputs (long ones too, which
// the two halves and the blocks of the fused passes split), duals of every
// kind and sizes on both sides of parallelMin. Tolerances: J and the loss
// to 1e-12 relative; S to 1e-9 relative or 1e-12 Σ|u| absolute (the
// projections' rounding); L to 1e-9 of max(|J|, DataScale) plus 1e-9 of
// itself, as TestEvaluateStepMatchesGeneral.
func TestEvaluateStepMatchesDirect(t *testing.T) {
	rnd := newRand(t)
	type size struct{ n, runs int } // runs: 0, or the number of distinct inputs
	sizes := []size{{1, 0}, {2, 0}, {7, 0}, {40, 0}, {300, 20}, {2 * stepBlock, 0}, {3*stepBlock + 5, 100}}
	large := []size{{parallelMin - 3, parallelMin / 40}, {parallelMin + 5, parallelMin / 40}, {parallelMin + 5, 0}}
	if !testing.Short() {
		sizes = append(sizes, large...)
	} else {
		sizes = append(sizes, large[1])
	}
	losses := []problem.Loss{problem.Squared{}, problem.L1{}, problem.Huber{Delta: 0.5}, problem.Interp{}}
	var compared, bounds, split int
	for _, sz := range sizes {
		for li, loss := range losses {
			if problem.IsInterp(loss) && sz.n > 300 {
				continue // an interpolant costs an SVD
			}
			p := randomProblem(rnd, sz.n, 1, loss)
			if sz.runs > 0 {
				// Long runs of equal inputs.
				lo, hi := slices.Min(p.X), slices.Max(p.X)
				for i := range p.X {
					p.X[i] = lo + (hi-lo)*float64(rnd.IntN(sz.runs))/float64(sz.runs)
				}
				slices.Sort(p.X)
				if problem.IsInterp(loss) {
					for i := 1; i < sz.n; i++ {
						if p.X[i] == p.X[i-1] {
							p.Y[i] = p.Y[i-1]
						}
					}
				}
			}
			if sz.n >= parallelMin && !problem.IsInterp(loss) {
				// Weights with zeros for every other loss, none for the
				// others.
				p.W = nil
				if li%2 == 1 {
					p.W = make([]float64, sz.n)
					for i := range p.W {
						p.W[i] = float64(rnd.IntN(3)) * rnd.Float64()
					}
					p.W[0] = 1
				}
			}
			p = shuffled(rnd, p)
			require.NoError(t, p.Validate())
			ord := problem.SortedOrder(p.X)
			idx := make([]int, sz.n)
			for i := range idx {
				idx[i] = i
			}
			slices.SortStableFunc(idx, func(i, j int) int { return cmpFloat(p.X[i], p.X[j]) })
			ev, err := NewEvaluator(p, ord)
			require.NoError(t, err)
			scale := DataScale(p)
			count := 2
			if sz.n >= parallelMin {
				count = 1
			}
			fns := candidateFunctions(rnd, p, count)
			if len(fns) > 0 && !problem.IsInterp(loss) {
				// A knot on an input (ρ₁(0) = 1).
				f := fns[0]
				fns = append(fns, &representer.Spline{Order: 1, Knots: []float64{p.X[0]}, Amps: []float64{1}, Poly: slices.Clone(f.Poly)})
			}
			duals := candidateDuals(rnd, p)
			bad := slices.Clone(duals[0])
			bad[rnd.IntN(sz.n)] = math.Inf(-1)
			duals = append(duals, bad)
			if sz.n >= parallelMin {
				// Random, with a large offset, residual, not finite.
				duals = [][]float64{duals[0], duals[3], nil, bad}
			}
			for fi, f := range fns {
				for di, u := range duals {
					name := fmt.Sprintf("%s n=%d runs=%d f%d u%d", loss.Name(), sz.n, sz.runs, fi, di)
					want, absU, werr := directStep(p, idx, f, u)
					var us []float64
					if u != nil {
						us = make([]float64, sz.n)
						for k, i := range ord {
							us[k] = u[i]
						}
					}
					for ei, eval := range []func() (*Certificate, error){
						func() (*Certificate, error) { return EvaluateOrdered(p, ord, f, u) },
						func() (*Certificate, error) { return EvaluateSorted(p, ord, f, us) },
						func() (*Certificate, error) { return ev.Evaluate(p.Lambda, f, u) },
						func() (*Certificate, error) { return ev.EvaluateSorted(p.Lambda, f, us) },
					} {
						name := fmt.Sprintf("%s entry %d", name, ei)
						got, err := eval()
						if werr != nil {
							require.Error(t, err, name)
							assert.Equal(t, errors.Is(werr, ErrDual), errors.Is(err, ErrDual), "%s: %v, direct %v", name, err, werr)
							continue
						}
						require.NoError(t, err, name)
						compared++
						assertClose(t, want.MaxResidual, got.MaxResidual, 1e-12, name+" max residual")
						assertClose(t, want.LossValue, got.LossValue, 1e-12, name+" loss")
						if math.IsInf(want.Objective, 1) || math.IsInf(got.Objective, 1) {
							assert.Equal(t, want.Objective, got.Objective, name+" J")
						} else {
							assertClose(t, want.Objective, got.Objective, 1e-12, name+" J")
						}
						if math.IsInf(want.Sup, 1) || math.IsInf(got.Sup, 1) {
							// At the threshold of the tail test, rounding
							// may decide either way (a dual that is a
							// constant up to rounding).
							if math.IsInf(want.Sup, 1) != math.IsInf(got.Sup, 1) {
								split++
								t.Logf("%s: S = %v, direct %v", name, got.Sup, want.Sup)
							}
							continue
						}
						if compareSupAndBound(t, name, "direct", want, got, scale, absU) {
							bounds++
						}
					}
				}
			}
		}
	}
	t.Logf("%d certificates compared, %d with a nonzero bound, %d with S = +Inf in one only", compared, bounds, split)
	assert.Greater(t, bounds, compared/4, "too few nonzero bounds to test them")
	assert.LessOrEqual(t, 100*split, compared, "S = +Inf in one only too often")
}
