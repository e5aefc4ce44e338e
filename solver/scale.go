package solver

import (
	"math"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// scaling maps a 1-D problem to standard units (DESIGN §3, STYLE: standardise
// before building any program): x̃ = (x − x0)/xs ∈ [0, 1],
// ỹ = (y − y0)/ys, ω̃ = ω/ws with mean positive weight 1. For order 2 the
// canonical objective becomes J = ws·ys^k·J̃ with
//
//	squared, Huber (δ̃ = δ/ys): k = 2,  λ̃ = λ/(ws·ys·xs);
//	l1:                        k = 1,  λ̃ = λ/(ws·xs).
type scaling struct {
	x0, xs, y0, ys, ws float64
}

func newScaling(p *problem.Problem, g *problem.Groups) scaling {
	s := scaling{x0: g.X[0], xs: g.X[len(g.X)-1] - g.X[0]}
	if s.xs == 0 {
		s.xs = 1
	}
	sw, swy, npos := 0.0, 0.0, 0
	for i := range g.Y {
		if g.W[i] > 0 {
			sw += g.W[i]
			swy += g.W[i] * g.Y[i]
			npos++
		}
	}
	s.y0 = swy / sw
	s.ws = sw / float64(npos)
	dev := 0.0
	for i := range g.Y {
		dev = math.Max(dev, math.Abs(g.Y[i]-s.y0))
	}
	s.ys = dev
	if s.ys == 0 {
		s.ys = 1
	}
	return s
}

func (s scaling) x(v float64) float64 { return (v - s.x0) / s.xs }
func (s scaling) y(v float64) float64 { return (v - s.y0) / s.ys }
func (s scaling) w(v float64) float64 { return v / s.ws }

// lambda returns λ̃ for the loss.
func (s scaling) lambda(p *problem.Problem) float64 {
	if p.Loss.DualCurvature() > 0 {
		return p.Lambda / (s.ws * s.ys * s.xs)
	}
	return p.Lambda / (s.ws * s.xs)
}

// dualBound returns the scaled half-width of the loss conjugate's domain.
func (s scaling) dualBound(p *problem.Problem) float64 {
	b := p.Loss.DualBound()
	if p.Loss.DualCurvature() > 0 && !math.IsInf(b, 1) {
		return b / s.ys // Huber: δ̃ = δ/ys
	}
	return b
}

// unscale2 maps an order-2 spline from standard units back:
// f(x) = y0 + ys·f̃((x − x0)/xs). Knots are given in the problem's units
// (they are data points, kept exact); amplitudes and the polynomial
// c0 + c1·x̃ in standard units.
func (s scaling) unscale2(knots, amps []float64, c0, c1 float64) *representer.Spline {
	out := &representer.Spline{Order: 2, Knots: append([]float64(nil), knots...), Amps: make([]float64, len(amps))}
	for k := range amps {
		out.Amps[k] = s.ys * amps[k] / s.xs
	}
	slope := s.ys * c1 / s.xs
	out.Poly = []float64{s.y0 + s.ys*c0 - slope*s.x0, slope}
	return out
}
