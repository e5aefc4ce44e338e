package solver

import (
	"math"

	"github.com/ridgeline-nn/ridgeline/problem"
)

const (
	// maxPolishRounds bounds the active-set rounds of the polish; an
	// interior-point knot set is right or off by a few knots.
	maxPolishRounds = 60
	// etaSlack is the relative violation of |η| ≤ λ̃ tolerated before a knot
	// is added: far below any requested gap, far above rounding in η.
	etaSlack = 1e-11
)

// polishSquared solves the squared-loss problem exactly on a knot set by
// an active-set method in standard units. For a fixed set of knots with
// fixed signs σ the problem is a least-squares fit in the hat-function basis
// on the knots and the two end inputs, plus the linear term λ̃Σσ_k a_k(c):
//
//	(BᵀWB) c = BᵀWȳ − λ̃ Lᵀσ,   a = L c,
//
// a tridiagonal system (each input lies in one knot interval) solved in
// O(G). Knots whose amplitude comes out against their sign are dropped; the
// dual function η(x̃_j) = Σ_g u_g (x̃_g − x̃_j)_+ with u = W(ȳ − f) is
// computed exactly at every input, and the input violating |η| ≤ λ̃ most is
// added with σ = sign η. Stationarity then holds to rounding, so the
// certificate built from the residuals is exact (DESIGN §4: a certifying
// solver polishes its primal). It reports false if the rounds run out or
// the system is singular; the caller then falls back to the unpolished fit.
func polishSquared(xs []float64, g *problem.Groups, sc scaling, lam float64, knots0 []int, amps0 []float64) (knots []int, amps []float64, c0, c1 float64, rounds int, ok bool) {
	G := len(xs)
	if G == 1 {
		return nil, nil, sc.y(g.MeanY[0]), 0, 0, true
	}
	w := make([]float64, G)
	yt := make([]float64, G)
	for j := range w {
		w[j] = sc.w(g.SumW[j])
		yt[j] = sc.y(g.MeanY[j])
	}
	isKnot := make([]int8, G) // 0, +1, −1
	for k, j := range knots0 {
		if amps0[k] > 0 {
			isKnot[j] = 1
		} else {
			isKnot[j] = -1
		}
	}
	var tau []int
	var diag, off, rhs, c, fit, eta []float64
	fit = make([]float64, G)
	eta = make([]float64, G)
	for rounds = 1; rounds <= maxPolishRounds; rounds++ {
		// 1. Hat basis on the ends and the current knots.
		tau = tau[:0]
		tau = append(tau, 0)
		for j := 1; j+1 < G; j++ {
			if isKnot[j] != 0 {
				tau = append(tau, j)
			}
		}
		tau = append(tau, G-1)
		nb := len(tau)
		diag, off, rhs, c = resize(diag, nb), resize(off, nb), resize(rhs, nb), resize(c, nb)
		// 2. Normal equations BᵀWB c = BᵀWȳ.
		iv := 0
		for j := 0; j < G; j++ {
			for iv+1 < nb-1 && tau[iv+1] <= j {
				iv++
			}
			if w[j] == 0 {
				continue
			}
			d := xs[tau[iv+1]] - xs[tau[iv]]
			b1 := (xs[j] - xs[tau[iv]]) / d
			b0 := 1 - b1
			diag[iv] += w[j] * b0 * b0
			diag[iv+1] += w[j] * b1 * b1
			off[iv] += w[j] * b0 * b1
			rhs[iv] += w[j] * b0 * yt[j]
			rhs[iv+1] += w[j] * b1 * yt[j]
		}
		// 3. − λ̃ Lᵀσ, a_k = (c_{k+1} − c_k)/Δ_k − (c_k − c_{k−1})/Δ_{k−1}.
		for k := 1; k+1 < nb; k++ {
			s := lam * float64(isKnot[tau[k]])
			dl := xs[tau[k]] - xs[tau[k-1]]
			dr := xs[tau[k+1]] - xs[tau[k]]
			rhs[k-1] -= s / dl
			rhs[k] += s * (1/dl + 1/dr)
			rhs[k+1] -= s / dr
		}
		copy(c, rhs)
		if !solveTridiag(diag, off, c) {
			return nil, nil, 0, 0, rounds, false
		}
		// 4. Drop knots whose amplitude contradicts their sign.
		dropped := false
		for k := 1; k+1 < nb; k++ {
			dl := xs[tau[k]] - xs[tau[k-1]]
			dr := xs[tau[k+1]] - xs[tau[k]]
			a := (c[k+1]-c[k])/dr - (c[k]-c[k-1])/dl
			if a*float64(isKnot[tau[k]]) < 0 {
				isKnot[tau[k]] = 0
				dropped = true
			}
		}
		if dropped {
			continue
		}
		// 5. Fitted values, dual function, and the worst violation.
		iv = 0
		for j := 0; j < G; j++ {
			for iv+1 < nb-1 && tau[iv+1] <= j {
				iv++
			}
			d := xs[tau[iv+1]] - xs[tau[iv]]
			b1 := (xs[j] - xs[tau[iv]]) / d
			fit[j] = (1-b1)*c[iv] + b1*c[iv+1]
		}
		sum, e := 0.0, 0.0
		for j := G - 1; j >= 0; j-- {
			if j < G-1 {
				e += (xs[j+1] - xs[j]) * sum
			}
			eta[j] = e
			sum += w[j] * (yt[j] - fit[j])
		}
		worst, at := lam*(1+etaSlack), -1
		for j := 1; j+1 < G; j++ {
			if isKnot[j] == 0 && math.Abs(eta[j]) > worst {
				worst, at = math.Abs(eta[j]), j
			}
		}
		if at < 0 {
			for k := 1; k+1 < nb; k++ {
				dl := xs[tau[k]] - xs[tau[k-1]]
				dr := xs[tau[k+1]] - xs[tau[k]]
				a := (c[k+1]-c[k])/dr - (c[k]-c[k-1])/dl
				if a != 0 {
					knots = append(knots, tau[k])
					amps = append(amps, a)
				}
			}
			slope := (c[1] - c[0]) / (xs[tau[1]] - xs[tau[0]])
			return knots, amps, c[0] - slope*xs[0], slope, rounds, true
		}
		if eta[at] > 0 {
			isKnot[at] = 1
		} else {
			isKnot[at] = -1
		}
	}
	return nil, nil, 0, 0, maxPolishRounds, false
}

func resize(v []float64, n int) []float64 {
	if cap(v) < n {
		return make([]float64, n)
	}
	v = v[:n]
	for i := range v {
		v[i] = 0
	}
	return v
}

// solveTridiag solves the symmetric tridiagonal system with diagonal d and
// off-diagonal e (e[i] couples i and i+1) in place in b by LDLᵀ, destroying
// d and e. It reports false for a non-positive pivot.
func solveTridiag(d, e, b []float64) bool {
	n := len(d)
	for i := 1; i < n; i++ {
		if !(d[i-1] > 0) {
			return false
		}
		l := e[i-1] / d[i-1]
		d[i] -= l * e[i-1]
		b[i] -= l * b[i-1]
		e[i-1] = l
	}
	if !(d[n-1] > 0) {
		return false
	}
	b[n-1] /= d[n-1]
	for i := n - 2; i >= 0; i-- {
		b[i] = b[i]/d[i] - e[i]*b[i+1]
	}
	return true
}
