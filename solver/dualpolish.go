package solver

import (
	"math"

	"github.com/ridgeline-nn/ridgeline/problem"
)

// freeTol says how far inside its box |u_i| ≤ b_i a dual entry must be to
// count as free (its sample interpolated) in polishDual: interior-point
// iterates sit about μ/|r_i| inside the box at samples with nonzero residual.
const freeTol = 1e-6

// tieWeight is the weight, against unit weights of the interpolated samples,
// of the pull towards the interior point's values in polishPrimal: small
// enough to leave a well-posed vertex untouched to rounding.
const tieWeight = 1e-12

// polishDual corrects an interior-point dual vector (per sorted sample, in
// standard units) so that the optimality conditions of the knot set hold to
// rounding: with hats B_j on the ends and the knots, the equations
//
//	Σ_i u_i B_j(x̃_i) = λ̃ (Lᵀσ)_j   for every hat j
//
// say exactly that η(t_k) = λ̃σ_k at every knot and Pᵀu = 0. Only the free
// entries (strictly inside their box, i.e. at interpolated samples) move,
// by the least-norm correction δu = B_Fᵀ(B_F B_Fᵀ)⁻¹ r, a tridiagonal solve.
// The interior-point dual satisfies these equations only up to the residual
// of its own constraints magnified by the data spacing; after the polish the
// certificate's bound is limited by rounding, not by the backend's tolerance.
// It reports false (leaving u alone) when some hat has no free sample.
func polishDual(xs []float64, g *problem.Groups, sc scaling, lam float64, knots []int, amps []float64, u, box []float64) bool {
	G := len(xs)
	if G < 2 {
		return false
	}
	tau := make([]int, 0, len(knots)+2)
	tau = append(tau, 0)
	tau = append(tau, knots...)
	tau = append(tau, G-1)
	nb := len(tau)
	target := make([]float64, nb)
	for k := 1; k+1 < nb; k++ {
		s := lam * math.Copysign(1, amps[k-1])
		dl, dr := xs[tau[k]]-xs[tau[k-1]], xs[tau[k+1]]-xs[tau[k]]
		target[k-1] += s / dl
		target[k] -= s * (1/dl + 1/dr)
		target[k+1] += s / dr
	}
	diag := make([]float64, nb)
	off := make([]float64, nb)
	iv := 0
	type hat struct {
		iv     int
		b0, b1 float64
	}
	hats := make([]hat, len(u))
	for j := 0; j < G; j++ {
		for iv+2 < nb && tau[iv+1] <= j {
			iv++
		}
		b1 := (xs[j] - xs[tau[iv]]) / (xs[tau[iv+1]] - xs[tau[iv]])
		b0 := 1 - b1
		for i := g.Start[j]; i < g.Start[j+1]; i++ {
			hats[i] = hat{iv, b0, b1}
			target[iv] -= u[i] * b0
			target[iv+1] -= u[i] * b1
			if box[i] > 0 && math.Abs(u[i]) < box[i]*(1-freeTol) {
				diag[iv] += b0 * b0
				diag[iv+1] += b1 * b1
				off[iv] += b0 * b1
			}
		}
	}
	for _, d := range diag {
		if d == 0 {
			return false
		}
	}
	if !solveTridiag(diag, off, target) {
		return false
	}
	for i := range u {
		h := hats[i]
		if box[i] > 0 && math.Abs(u[i]) < box[i]*(1-freeTol) {
			u[i] += h.b0*target[h.iv] + h.b1*target[h.iv+1]
		}
	}
	return true
}

// polishPrimal re-solves the primal on the knot set for the l1 loss: at a
// vertex the optimal function interpolates the samples whose dual entry is
// strictly inside its box, so the hat coefficients solve the least-squares
// problem Σ_{i free} (Σ_j c_j B_j(x̃_i) − ỹ_i)² — a tridiagonal system that is
// consistent at the optimum. Amplitudes come out of the coefficients, with
// no differencing at the data spacing. fit holds the interior point's fitted
// values at the inputs, used only to break ties on a degenerate vertex. It
// reports false when an amplitude changes sign (the amplitudes are still
// returned, for polishPrimalPruned).
func polishPrimal(xs, fit []float64, g *problem.Groups, sc scaling, knots []int, amps []float64, u, box []float64) (pa []float64, c0, c1 float64, ok bool) {
	G := len(xs)
	if G < 2 {
		return nil, 0, 0, false
	}
	tau := make([]int, 0, len(knots)+2)
	tau = append(tau, 0)
	tau = append(tau, knots...)
	tau = append(tau, G-1)
	nb := len(tau)
	diag := make([]float64, nb)
	off := make([]float64, nb)
	rhs := make([]float64, nb)
	iv := 0
	for j := 0; j < G; j++ {
		for iv+2 < nb && tau[iv+1] <= j {
			iv++
		}
		b1 := (xs[j] - xs[tau[iv]]) / (xs[tau[iv+1]] - xs[tau[iv]])
		b0 := 1 - b1
		for i := g.Start[j]; i < g.Start[j+1]; i++ {
			if box[i] > 0 && math.Abs(u[i]) < box[i]*(1-freeTol) {
				y := sc.y(g.Y[i])
				diag[iv] += b0 * b0
				diag[iv+1] += b1 * b1
				off[iv] += b0 * b1
				rhs[iv] += b0 * y
				rhs[iv+1] += b1 * y
			}
		}
	}
	// A degenerate vertex can leave a hat without interpolated samples;
	// a light pull towards the interior point's values keeps the system
	// definite and picks the nearby point of the optimal face.
	for k := range diag {
		diag[k] += tieWeight
		rhs[k] += tieWeight * fit[tau[k]]
	}
	if !solveTridiag(diag, off, rhs) {
		return nil, 0, 0, false
	}
	pa = make([]float64, len(knots))
	ok = true
	for k := 1; k+1 < nb; k++ {
		dl, dr := xs[tau[k]]-xs[tau[k-1]], xs[tau[k+1]]-xs[tau[k]]
		pa[k-1] = (rhs[k+1]-rhs[k])/dr - (rhs[k]-rhs[k-1])/dl
		if pa[k-1]*amps[k-1] < 0 {
			ok = false
		}
	}
	slope := (rhs[1] - rhs[0]) / (xs[tau[1]] - xs[tau[0]])
	return pa, rhs[0] - slope*xs[tau[0]], slope, ok
}

// polishPrimalPruned runs polishPrimal and, while some polished amplitude
// has the wrong sign, drops those knots and runs it again. An interior
// point that ends on a degenerate vertex can report a spurious knot next to
// a true one, with a tiny amplitude of either sign; the vertex then has
// fewer interpolated samples than hats and the least-squares solve cannot
// keep every sign. It returns the knots kept and their amplitudes.
func polishPrimalPruned(xs, fit []float64, g *problem.Groups, sc scaling, knots []int, amps []float64, u, box []float64) (kept []int, pa []float64, c0, c1 float64, ok bool) {
	kept, signs := knots, amps
	for try := 0; try < maxPrune; try++ {
		pa, c0, c1, ok = polishPrimal(xs, fit, g, sc, kept, signs, u, box)
		if ok || pa == nil {
			return kept, pa, c0, c1, ok
		}
		var nk []int
		var ns []float64
		for k := range kept {
			if pa[k]*signs[k] >= 0 {
				nk = append(nk, kept[k])
				ns = append(ns, signs[k])
			}
		}
		kept, signs = nk, ns
	}
	return nil, nil, 0, 0, false
}

// maxPrune bounds the rounds of polishPrimalPruned.
const maxPrune = 4
