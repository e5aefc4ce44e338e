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
		f += knotTerm(m, s.Amps[k], x-t)
	}
	return f
}

// knotTerm returns a·ρ_m(d). The product is accumulated from a, as
// ((a·d)·d/2)·d/3 …, rather than as a·ρ_m(d): a far knot of a unit with a
// tiny input weight w has |d| ≈ 1/|w| and |a| ≈ |v|·|w|^{m−1}, so ρ_m(d)
// alone can overflow (d = 1e300, m ≥ 3) where the term itself is moderate,
// and a zero amplitude must give 0, not 0·Inf = NaN.
func knotTerm(m int, a, d float64) float64 {
	switch {
	case math.IsNaN(d):
		return math.NaN()
	case m == 1:
		if d >= 0 {
			return a
		}
		return 0
	case d <= 0:
		return 0
	}
	r := a * d
	for j := 2; j < m; j++ {
		r *= d / float64(j)
	}
	return r
}

// Predict returns f(x). It is Eval under the name of gonum's
// interp.Predictor interface.
func (s *Spline) Predict(x float64) float64 { return s.Eval(x) }

// EvalTo stores f(xs[i]) in dst[i] for every i. It panics if dst and xs
// differ in length, and under the conditions of Eval.
//
// With sorted knots EvalTo sweeps the knots once in increasing order,
// keeping the Taylor coefficients of the knots' part of f about an anchor
// inside the evaluation range, and adds the polynomial Poly as Eval does.
// It costs O(N·m + K·m²) for non-decreasing xs; other xs are visited in
// sorted order through a permutation at an extra O(N log N). Unlike the
// prefix sums x·Σa_k − Σa_k·t_k, the sweep involves only differences
// between nearby abscissae, so it does not cancel catastrophically when |x|
// is large, and knots far outside the range of xs (a unit with a tiny input
// weight has its knot near ±1/|w|) cost no accuracy: those right of every x
// are never reached, and those left of the first x are folded term by term
// into the polynomial about that x, never shifted across the gap.
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

	if s.Order == 2 && len(s.Poly) == 2 && s.sweepLinear(dst, xs) {
		return
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
	// c holds the Taylor coefficients, in powers of x − anchor, of the sum
	// of the knot terms passed so far. The anchor is the first x, then the
	// last knot passed; it never lies left of the first x, so every shift
	// below spans at most the range of xs.
	c := make([]float64, m)
	jump := invFactorial(m - 1)
	k := 0
	anchor := math.NaN()

	n := len(xs)
	if perm != nil {
		for i := range dst {
			dst[i] = math.NaN()
		}
		n = len(perm)
	}
	// Order 2 with a linear polynomial part, the common case, evaluates
	// without horner's loops.
	linear := m == 2 && len(s.Poly) == 2
	var p0, p1 float64
	if linear {
		p0, p1 = s.Poly[0], s.Poly[1]
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
		if math.IsNaN(anchor) {
			// 1. The knots t ≤ x_first contribute a polynomial on the whole
			//    range. Expand each term about x_first directly:
			//    a(x − t)^{m−1}/(m−1)! = Σ_p a·d^{m−1−p}/(m−1−p)! · (x − x_first)^p/p!
			//    with d = x_first − t ≥ 0. Shifting from a knot at −1e44
			//    instead would build coefficients of size |a|·1e44^p that
			//    cancel to the O(1) value.
			anchor = x
			for ; k < len(s.Knots) && s.Knots[k] <= x; k++ {
				foldKnot(c, s.Amps[k], x-s.Knots[k])
			}
		}
		// 2. Pass every later knot t ≤ x (ρ_1 includes its knot; ρ_m for
		//    m ≥ 2 vanishes there, so including it is harmless).
		for ; k < len(s.Knots) && s.Knots[k] <= x; k++ {
			taylorShift(c, s.Knots[k]-anchor)
			anchor = s.Knots[k]
			// a·ρ_m(x − t) adds a/(m−1)! to the coefficient of (x − t)^{m−1}.
			c[m-1] += s.Amps[k] * jump
		}
		if linear {
			// horner's operations for two coefficients, unrolled.
			d := x - anchor
			dst[i] = ((0*x+p1)*x + p0) + ((0*d+c[1])*d + c[0])
			continue
		}
		dst[i] = horner(s.Poly, x) + horner(c, x-anchor)
	}
}

// sweepLinear is sweep for order 2 with a linear polynomial part, the
// common case, at the inputs in their own order, without a permutation:
// the Taylor coefficients and the anchor are locals, which the compiler
// keeps in registers, and the check that xs is sorted (NaNs aside) is made
// on the way. It performs sweep's floating-point operations (foldKnot,
// taylorShift and the jump 1/1! = 1 for m = 2, and horner's for two
// coefficients), so it stores the same values. It returns false, with dst
// partly written, at the first input below an earlier non-NaN one; the
// caller then sorts.
func (s *Spline) sweepLinear(dst, xs []float64) bool {
	knots, amps := s.Knots, s.Amps[:len(s.Knots)]
	p0, p1 := s.Poly[0], s.Poly[1]
	var c0, c1, anchor float64
	started := false
	last := math.Inf(-1)
	k := 0
	for i, x := range xs {
		if x != x {
			dst[i] = math.NaN()
			continue
		}
		if x < last {
			return false
		}
		last = x
		if !started {
			// foldKnot(c, a, x − t) for m = 2: c[1] += a·1, c[0] += (a·(d/1))·1.
			started, anchor = true, x
			for ; k < len(knots) && knots[k] <= x; k++ {
				a := amps[k]
				c1 += a
				c0 += a * (x - knots[k])
			}
		}
		for ; k < len(knots) && knots[k] <= x; k++ {
			// taylorShift(c, t − anchor), then the jump a·1/1!.
			t := knots[k]
			c0 += (t - anchor) * c1
			anchor = t
			c1 += amps[k]
		}
		d := x - anchor
		dst[i] = ((0*x+p1)*x + p0) + ((0*d+c1)*d + c0)
	}
	return true
}

// foldKnot adds the Taylor coefficients about x₀ of a·ρ_m(x − t), for a
// knot t = x₀ − d with d ≥ 0, to c (len(c) = m): the coefficient of
// (x − x₀)^p is a·d^{m−1−p}/((m−1−p)!·p!). The powers of d are accumulated
// from a, as in knotTerm, so that a tiny amplitude times a huge power of d
// neither overflows nor turns a zero amplitude into NaN.
func foldKnot(c []float64, a, d float64) {
	m := len(c)
	r := a // a·d^{m−1−p}/(m−1−p)!
	for p := m - 1; p >= 0; p-- {
		if p < m-1 {
			r *= d / float64(m-1-p)
		}
		c[p] += r * invFactorial(p)
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
