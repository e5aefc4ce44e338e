package solver

import (
	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// interpolate solves the order-2 interpolation problem in closed form: the
// piecewise-linear interpolant of the distinct data is feasible, and no
// function through the data has a smaller ‖f”‖_M, because on each pair of
// neighbouring intervals the slope must change by at least the change of
// the data's slopes. The certificate's dual is built from the function as
// DESIGN §4 describes: η(x_k) = sign(a_k) at the knots, η = 0 at the ends
// and wherever a_k = 0, η piecewise linear in between, and u the slope
// changes of η.
func interpolate(g *problem.Groups) *candidate {
	n := g.G()
	x, y := g.X, g.MeanY
	s := &representer.Spline{Order: 2, Poly: []float64{y[0], 0}}
	if n >= 2 {
		slope := (y[1] - y[0]) / (x[1] - x[0])
		s.Poly = []float64{y[0] - slope*x[0], slope}
	}
	eta := make([]float64, n)
	for k := 1; k+1 < n; k++ {
		left := (y[k] - y[k-1]) / (x[k] - x[k-1])
		right := (y[k+1] - y[k]) / (x[k+1] - x[k])
		a := right - left
		if a == 0 {
			continue
		}
		s.Knots = append(s.Knots, x[k])
		s.Amps = append(s.Amps, a)
		if a > 0 {
			eta[k] = 1
		} else {
			eta[k] = -1
		}
	}
	// u_g = slope change of η at x_g, η(t) = Σ u_g (x_g − t)_+; shared by
	// the samples of a group in equal parts.
	ug := make([]float64, n)
	for k := 0; k < n; k++ {
		var left, right float64
		if k > 0 {
			left = (eta[k] - eta[k-1]) / (x[k] - x[k-1])
		}
		if k+1 < n {
			right = (eta[k+1] - eta[k]) / (x[k+1] - x[k])
		}
		ug[k] = right - left
	}
	return &candidate{spline: s, dual: spreadGroups(g, ug), status: Optimal}
}

// spreadGroups maps a per-group dual vector to one per sample in the
// problem's order, dividing each group's value among its samples in
// proportion to their weights (equally when the group has no weight).
func spreadGroups(g *problem.Groups, ug []float64) []float64 {
	u := make([]float64, len(g.Order))
	for k := range ug {
		lo, hi := g.Start[k], g.Start[k+1]
		for i := lo; i < hi; i++ {
			share := 1 / float64(hi-lo)
			if g.SumW[k] > 0 {
				share = g.W[i] / g.SumW[k]
			}
			u[g.Order[i]] = ug[k] * share
		}
	}
	return u
}
