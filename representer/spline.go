package representer

import (
	"fmt"
	"math"
	"slices"
)

// Spline is a univariate spline of order m (DESIGN §2):
//
//	f(x) = Σ_k Amps[k]·ρ_m(x − Knots[k]) + Σ_i Poly[i]·x^i,
//
// with ρ_m(t) = max(t,0)^{m−1}/(m−1)! (ρ_1 the unit step, ρ_1(0) = 1).
// Knots are strictly increasing; ‖D^m f‖_M = Σ_k |Amps[k]|.
type Spline struct {
	Order int       // m ≥ 1
	Knots []float64 // strictly increasing knot locations
	Amps  []float64 // amplitude a_k of the knot Knots[k]
	Poly  []float64 // polynomial coefficients c_0 … c_{m−1} (zeros if absent)
}

// checkShape panics if s cannot be evaluated at all.
func (s *Spline) checkShape() {
	if s == nil {
		panic(nilSplinePanic)
	}
	if s.Order < 1 {
		panic(badOrder)
	}
	if len(s.Knots) != len(s.Amps) {
		panic(badKnotLength)
	}
}

// Eval returns f(x). It sums the knots directly, so it does not need the
// knots to be sorted. Eval panics if Order < 1 or if Knots and Amps differ
// in length; call Validate for the other requirements.
func (s *Spline) Eval(x float64) float64 {
	s.checkShape()
	m := s.Order
	f := horner(s.Poly, x)
	for k, t := range s.Knots {
		f += s.Amps[k] * Rho(m, x-t)
	}
	return f
}

// Predict returns f(x). It is Eval under the name of gonum's
// interp.Predictor interface.
func (s *Spline) Predict(x float64) float64 { return s.Eval(x) }

// EvalTo stores f(xs[i]) in dst[i] for every i. It panics if dst and xs
// differ in length, and under the conditions of Eval.
//
// With sorted knots EvalTo sweeps the knots once in increasing order,
// keeping the Taylor coefficients of the current polynomial piece about the
// last knot passed, and evaluates each piece in powers of x − t_k. It costs
// O((N + K)·m²) for non-decreasing xs; other xs are visited in sorted order
// through a permutation at an extra O(N log N). Unlike the prefix sums
// x·Σa_k − Σa_k·t_k, the sweep involves only differences between nearby
// abscissae, so it does not cancel catastrophically when |x| is large.
// NaN inputs give NaN.
func (s *Spline) EvalTo(dst, xs []float64) {
	if len(dst) != len(xs) {
		panic(badLength)
	}
	s.checkShape()
	for k := 1; k < len(s.Knots); k++ {
		if !(s.Knots[k] >= s.Knots[k-1]) {
			// The sweep needs sorted knots; an invalid spline is still
			// evaluated correctly, point by point.
			for i, x := range xs {
				dst[i] = s.Eval(x)
			}
			return
		}
	}

	var perm []int
	last := math.Inf(-1)
	for _, x := range xs {
		if math.IsNaN(x) {
			continue
		}
		if x < last {
			perm = sortedNonNaN(xs)
			break
		}
		last = x
	}
	s.sweep(dst, xs, perm)
}

// sortedNonNaN returns the indices of the non-NaN elements of xs ordered by
// increasing value.
func sortedNonNaN(xs []float64) []int {
	// Sorting (value, index) pairs keeps the comparisons in cache.
	type pair struct {
		x float64
		i int
	}
	pairs := make([]pair, 0, len(xs))
	for i, x := range xs {
		if !math.IsNaN(x) {
			pairs = append(pairs, pair{x, i})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		// No NaNs are left, so plain comparisons are a total order.
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		}
		return 0
	})
	perm := make([]int, len(pairs))
	for j, p := range pairs {
		perm[j] = p.i
	}
	return perm
}

// sweep evaluates s at xs in the order given by perm (the identity if perm
// is nil), which must visit the non-NaN xs in non-decreasing order. NaN
// entries of xs that perm does not visit are set to NaN.
func (s *Spline) sweep(dst, xs []float64, perm []int) {
	m := s.Order
	// c holds the Taylor coefficients of f about knots[k−1] on the piece
	// [knots[k−1], knots[k]), where k knots have been passed.
	c := make([]float64, max(m, len(s.Poly)))
	jump := invFactorial(m - 1)
	k := 0

	n := len(xs)
	if perm != nil {
		for i := range dst {
			dst[i] = math.NaN()
		}
		n = len(perm)
	}
	for j := 0; j < n; j++ {
		i := j
		if perm != nil {
			i = perm[j]
		}
		x := xs[i]
		if math.IsNaN(x) {
			dst[i] = math.NaN()
			continue
		}
		// Pass every knot t ≤ x (ρ_1 includes its knot; ρ_m for m ≥ 2
		// vanishes there, so including it is harmless).
		for ; k < len(s.Knots) && s.Knots[k] <= x; k++ {
			if k == 0 {
				copy(c, s.Poly)
				taylorShift(c, s.Knots[0])
			} else {
				taylorShift(c, s.Knots[k]-s.Knots[k-1])
			}
			// a·ρ_m(x − t) adds a/(m−1)! to the coefficient of (x − t)^{m−1}.
			c[m-1] += s.Amps[k] * jump
		}
		if k == 0 {
			dst[i] = horner(s.Poly, x)
		} else {
			dst[i] = horner(c, x-s.Knots[k-1])
		}
	}
}

// horner returns Σ_i c[i]·x^i.
func horner(c []float64, x float64) float64 {
	var f float64
	for i := len(c) - 1; i >= 0; i-- {
		f = f*x + c[i]
	}
	return f
}

// taylorShift replaces the coefficients c of p(x) = Σ c[i]·x^i by those of
// p(x + h), by repeated synthetic division.
func taylorShift(c []float64, h float64) {
	n := len(c)
	for i := 0; i < n-1; i++ {
		for j := n - 2; j >= i; j-- {
			c[j] += h * c[j+1]
		}
	}
}

// TV returns Σ_k |a_k|, which is ‖D^m f‖_M, the total variation of
// D^{m−1}f, when the knots are distinct.
func (s *Spline) TV() float64 {
	var tv float64
	for _, a := range s.Amps {
		tv += math.Abs(a)
	}
	return tv
}

// Validate returns a *ValidationError if s is not a valid spline: the order
// must be at least 1, Poly must hold exactly Order coefficients, Knots and
// Amps must have the same length, the knots must be strictly increasing,
// and every number must be finite.
func (s *Spline) Validate() error {
	if s.Order < 1 {
		return &ValidationError{Field: "Order", Problem: fmt.Sprintf("is %d, want at least 1", s.Order)}
	}
	if len(s.Poly) != s.Order {
		return &ValidationError{Field: "Poly", Problem: fmt.Sprintf("has length %d, want %d (the order)", len(s.Poly), s.Order)}
	}
	for i, c := range s.Poly {
		if !isFinite(c) {
			return &ValidationError{Field: fmt.Sprintf("Poly[%d]", i), Problem: fmt.Sprintf("is %v", c)}
		}
	}
	if len(s.Knots) != len(s.Amps) {
		return &ValidationError{Field: "Amps", Problem: fmt.Sprintf("has length %d, want %d (the number of knots)", len(s.Amps), len(s.Knots))}
	}
	for k, t := range s.Knots {
		if !isFinite(t) {
			return &ValidationError{Item: "knot", Index: k, Field: "location", Problem: fmt.Sprintf("is %v", t)}
		}
		if k > 0 && !(t > s.Knots[k-1]) {
			return &ValidationError{Item: "knot", Index: k, Field: "location", Problem: fmt.Sprintf("%v does not exceed the previous knot %v", t, s.Knots[k-1])}
		}
		if a := s.Amps[k]; !isFinite(a) {
			return &ValidationError{Item: "knot", Index: k, Field: "amplitude", Problem: fmt.Sprintf("is %v", a)}
		}
	}
	return nil
}

// Clone returns a deep copy of s.
func (s *Spline) Clone() *Spline {
	return &Spline{
		Order: s.Order,
		Knots: slices.Clone(s.Knots),
		Amps:  slices.Clone(s.Amps),
		Poly:  slices.Clone(s.Poly),
	}
}

// isFinite reports whether x is neither NaN nor infinite.
func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
