package solver

import (
	"fmt"
	"math"

	"github.com/ridgeline-nn/ridgeline/lp"
	"github.com/ridgeline-nn/ridgeline/problem"
)

// maxSimplexSamples bounds the reference backend: gonum's simplex is dense
// and grows like n^3.3 (DESIGN §3).
const maxSimplexSamples = 400

// solveSimplex solves an l1 or interpolation problem with gonum's simplex
// on the knot-amplitude LP in standard units, a formulation independent of
// the banded one (for interpolation without the residual columns and with
// λ̃ = 1; duplicated inputs give duplicated rows, which the backend's
// presolve removes):
//
//	minimise   λ̃ Σ_k (a⁺_k + a⁻_k) + Σ_i ω̃_i (r⁺_i + r⁻_i)
//	subject to c⁺ − c⁻ + (d⁺ − d⁻) x̃_i + Σ_k (a⁺_k − a⁻_k)(x̃_i − x̃_k)_+ − r⁺_i + r⁻_i = ỹ_i,
//
// all variables ≥ 0, knots x̃_k at the interior distinct inputs (exact for
// order 2). The row multipliers are the dual vector u of DESIGN §4.
func solveSimplex(p *problem.Problem, g *problem.Groups, opt Options) (*candidate, error) {
	_, isL1 := p.Loss.(problem.L1)
	interp := problem.IsInterp(p.Loss)
	if !isL1 && !interp {
		return nil, fmt.Errorf("%w: the simplex backend solves linear programs only (loss l1 or interp), not %s", ErrUnsupported, p.Loss.Name())
	}
	if p.N() > maxSimplexSamples {
		return nil, fmt.Errorf("%w: the simplex backend is a dense reference for at most %d samples, got %d", ErrUnsupported, maxSimplexSamples, p.N())
	}
	sc := newScaling(p, g)
	G := g.G()
	n := p.N()
	xs := make([]float64, G)
	for k := range xs {
		xs[k] = sc.x(g.X[k])
	}
	lam := sc.lambda(p)
	if interp {
		lam = 1 // the objective is Σ|a_k| (in units of ys/xs)
	}
	nk := max(G-2, 0)
	t := lp.NewTriplets(n)
	var cost []float64
	rowOf := func(i int) int { return i } // rows in sorted sample order
	col := func(c float64, entries func()) {
		t.Col()
		entries()
		cost = append(cost, c)
	}
	for _, sgn := range []float64{1, -1} {
		col(0, func() {
			for i := 0; i < n; i++ {
				t.Add(rowOf(i), sgn)
			}
		})
	}
	for _, sgn := range []float64{1, -1} {
		col(0, func() {
			for k := 0; k < G; k++ {
				for i := g.Start[k]; i < g.Start[k+1]; i++ {
					t.Add(rowOf(i), sgn*xs[k])
				}
			}
		})
	}
	for kk := 1; kk <= nk; kk++ {
		for _, sgn := range []float64{1, -1} {
			col(lam, func() {
				for k := kk + 1; k < G; k++ {
					for i := g.Start[k]; i < g.Start[k+1]; i++ {
						t.Add(rowOf(i), sgn*(xs[k]-xs[kk]))
					}
				}
			})
		}
	}
	b := make([]float64, n)
	for i := 0; i < n; i++ {
		b[i] = sc.y(g.Y[i])
		if interp {
			continue // f(x_i) = y_i exactly: no residual columns
		}
		w := sc.w(g.W[i])
		for _, sgn := range []float64{-1, 1} {
			col(w, func() { t.Add(rowOf(i), sgn) })
		}
	}
	model := &lp.Model{C: cost, A: t.Matrix(), B: b}
	res, err := lp.Simplex{}.Solve(model, lp.Settings{Tol: opt.Tol, MaxIterations: opt.MaxIterations})
	if err != nil {
		return nil, err
	}
	if res.Status != lp.Optimal && res.Status != lp.AlmostOptimal {
		return nil, fmt.Errorf("solver: simplex backend ended with status %s", res.Status)
	}
	x := res.X
	c0, c1 := x[0]-x[1], x[2]-x[3]
	var knots []int
	var amps []float64
	for kk := 1; kk <= nk; kk++ {
		a := x[4+2*(kk-1)] - x[5+2*(kk-1)]
		if a != 0 && math.Abs(a) > 1e-13 {
			knots = append(knots, kk)
			amps = append(amps, a)
		}
	}
	cand := &candidate{spline: sc.unscale2(pick(g.X, knots), amps, c0, c1), status: Optimal}
	if res.Y == nil && interp {
		// gonum's simplex has no duals and the dual LP can fail; the
		// interpolant's own dual construction certifies any interpolant.
		cand.dual = interpolate(g).dual
	}
	if res.Y != nil {
		u := make([]float64, n)
		for i := 0; i < n; i++ {
			u[g.Order[i]] = res.Y[i]
		}
		cand.dual = u
	}
	return cand, nil
}
