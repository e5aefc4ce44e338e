package solver

import (
	"math"

	"github.com/ridgeline-nn/ridgeline/lp"
	"github.com/ridgeline-nn/ridgeline/problem"
)

// slopeDual is the dual of the slope form of the order-2 program, the
// well-scaled dual used by the interior-point backend. The primal, in
// standard units, is
//
//	minimise Σ_i ω̃_i ℓ(z_{g(i)} − ỹ_i) + λ̃ Σ_k |s_k − s_{k−1}|
//	subject to z_{k+1} − z_k = h_k s_k,
//
// and its dual, with u the per-sample dual of the loss, p_k = Σ_{g≤k} u_g
// the slopes of the dual function and q_k = −η(x̃_k) its values, is
//
//	minimise   Σ_i (c_i u_i²/2 − ỹ_i u_i)
//	subject to Σ_{i∈g} u_i + p_{g−1} − p_g = 0      (one row per input g)
//	           q_k − q_{k+1} − h_k p_k = 0           (one row per interval k)
//	           |q_k| ≤ λ̃,  |u_i| ≤ b_i,  p free,
//
// where q and p vanish beyond the ends. Every coefficient is 1 or a spacing
// h_k: unlike the second-difference dual, nothing is divided by the
// spacing, so tiny gaps between inputs do not wreck the normal equations.
// Rows are interleaved (input g, interval g, input g+1, …) so that every
// column spans at most three consecutive rows: the normal matrix is
// pentadiagonal. The multiplier of input row g is −f̃(x̃_g); the bound
// multipliers of q_k give the knot amplitudes, a_k = zL_k − zU_k.
type slopeDual struct {
	model  *lp.Model
	qCol   []int // column of q_k for interior input k (index k), −1 at the ends
	uCol0  int   // first u column
	uSamp  []int // sorted sample (or group, merged squared) of each u column
	merged bool
	lambda float64
}

func buildSlopeDual(p *problem.Problem, g *problem.Groups, sc scaling) *slopeDual {
	G := g.G()
	lam := sc.lambda(p)
	bound := sc.dualBound(p)
	curv := p.Loss.DualCurvature()
	merged := curv > 0 && math.IsInf(bound, 1)
	inputRow := func(k int) int { return 2 * k }
	intervalRow := func(k int) int { return 2*k + 1 }
	rows := 2*G - 1
	t := lp.NewTriplets(rows)
	var c, q, lo, hi []float64
	sd := &slopeDual{merged: merged, lambda: lam, qCol: make([]int, G)}
	add := func(cost, quad, l, u float64) {
		c, q = append(c, cost), append(q, quad)
		lo, hi = append(lo, l), append(hi, u)
	}
	col := 0
	for k := 0; k < G; k++ {
		sd.qCol[k] = -1
		if k+1 < G {
			// p_k: + in input row k's "− p_g" sense is −1, in input row k+1 is +1.
			h := sc.x(g.X[k+1]) - sc.x(g.X[k])
			t.Col()
			t.Add(inputRow(k), -1)
			t.Add(intervalRow(k), -h)
			t.Add(inputRow(k+1), 1)
			add(0, 0, math.Inf(-1), math.Inf(1))
			col++
		}
		if k > 0 && k+1 < G {
			// q_k: +1 in interval row k, −1 in interval row k−1.
			t.Col()
			t.Add(intervalRow(k-1), -1)
			t.Add(intervalRow(k), 1)
			add(0, 0, -lam, lam)
			sd.qCol[k] = col
			col++
		}
	}
	sd.uCol0 = col
	if merged {
		for k := 0; k < G; k++ {
			w := sc.w(g.SumW[k])
			if w == 0 {
				continue
			}
			t.Col()
			t.Add(inputRow(k), 1)
			sd.uSamp = append(sd.uSamp, k)
			add(-sc.y(g.MeanY[k]), curv/w, math.Inf(-1), math.Inf(1))
		}
	} else {
		for k := 0; k < G; k++ {
			for i := g.Start[k]; i < g.Start[k+1]; i++ {
				w := sc.w(g.W[i])
				if w == 0 {
					continue
				}
				t.Col()
				t.Add(inputRow(k), 1)
				sd.uSamp = append(sd.uSamp, i)
				add(-sc.y(g.Y[i]), curv/w, -w*bound, w*bound)
			}
		}
	}
	sd.model = &lp.Model{C: c, Q: q, A: t.Matrix(), B: make([]float64, rows), L: lo, U: hi}
	return sd
}
