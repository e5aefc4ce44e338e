package certificate

import (
	"math"
)

// DualSup returns S = sup_t |η(t)| over the whole real line, where
//
//	η(t) = Σ_n u_n ρ_m(x_n − t),   ρ_m(s) = max(s,0)^{m−1}/(m−1)!  (ρ_1 the step),
//
// for inputs x sorted in non-decreasing order, together with the location
// of the supremum. The supremum is exact on the continuum: on each interval
// between consecutive inputs η is a polynomial of degree m−1, so its extremes
// are at the inputs or at the real roots of η' inside the interval (none for
// m ≤ 2, one for m = 3, up to two for m = 4). Beyond the last input η
// vanishes; before the first input η is a polynomial that vanishes
// identically when u is orthogonal to the polynomials of degree < m at the
// inputs (the caller projects u first; any remainder is reported through the
// value at the first input and the polynomial's behaviour at −∞, which is
// +Inf unless the remainder is 0).
//
// The polynomial on each interval is carried as Taylor moments about the
// interval's right end, M_p = Σ_{n: x_n ≥ x_j} u_n (x_n − x_j)^p / p!, and
// shifted from one input to the previous one by the binomial rule, which
// involves only non-negative spacings and no cancellation-prone powers of
// absolute positions. Cost O(N·m²), memory O(m).
func DualSup(order int, x, u []float64) (sup, at float64) {
	if order < 1 || order > 4 {
		panic("certificate: unsupported order")
	}
	if len(x) != len(u) {
		panic("certificate: size mismatch")
	}
	n := len(x)
	if n == 0 {
		return 0, 0
	}
	var mom, comp [8]float64 // moments about the first input, and their compensation
	switch order {
	case 1:
		sup, at, mom[0], comp[0] = stepSweep(x, u)
	case 2:
		sup, at, mom[0], comp[0], mom[1], comp[1] = linearSweep(x, u)
	default:
		sup, at, mom, comp = sweep(order, x, u)
	}
	absU := 0.0
	for _, v := range u {
		absU += math.Abs(v)
	}
	return supTail(order, x, absU, sup, at, &mom, &comp)
}

// sweep is the backward sweep of DualSup for any order: the supremum of |η|
// over [x_0, ∞), where it is attained, and the moments about x_0.
func sweep(order int, x, u []float64) (sup, at float64, mom, comp [8]float64) {
	n := len(x)
	// mom holds the moments about the current input, comp their
	// compensation.
	var next, nextComp [8]float64
	var crit [2]float64 // interior critical points of one interval
	var fact [9]float64
	fact[0] = 1
	for i := 1; i < len(fact); i++ {
		fact[i] = fact[i-1] * float64(i)
	}
	m := order
	// η at the current point t = x_j (including x_j's own term, ρ_m(0),
	// which is 1 for m = 1 and 0 otherwise) is Σ_p M_p·0^{m−1−p}/(m−1−p)! = M_{m−1}.
	for j := n - 1; j >= 0; j-- {
		if j < n-1 {
			h := x[j+1] - x[j]
			// Interior extremes on (x_j, x_{j+1}): with d = x_{j+1} − t ∈ (0, h),
			// η(t) = Σ_p M_p d^{m−1−p}/(m−1−p)!, moments about x_{j+1}
			// (before adding u_j, whose term vanishes for t > x_j).
			if m >= 3 && h > 0 {
				for _, d := range interiorCritical(m, mom[:m], h, &crit) {
					v := taylorEval(m, mom[:m], d, &fact)
					if a := math.Abs(v); a > sup {
						sup, at = a, x[j+1]-d
					}
				}
			}
			// For m = 1, η is constant on (x_j, x_{j+1}] and equals the value
			// at x_{j+1}, already counted.
			// Shift the moments from x_{j+1} to x_j: (x_n − x_j) = (x_n − x_{j+1}) + h.
			// Compensated (Neumaier) sums: the moments are long running sums
			// whose terms cancel, and η's rounding is what limits the bound
			// for nearly interpolating fits.
			for p := 0; p < m; p++ {
				s, e := 0.0, 0.0
				hp := 1.0
				for q := p; q >= 0; q-- {
					s, e = twoSumAcc(s, e, mom[q]*hp/fact[p-q])
					s, e = twoSumAcc(s, e, comp[q]*hp/fact[p-q])
					hp *= h
				}
				next[p], nextComp[p] = s, e
			}
			copy(mom[:m], next[:m])
			copy(comp[:m], nextComp[:m])
		}
		mom[0], comp[0] = twoSumAcc(mom[0], comp[0], u[j])
		// η(x_j) includes every sample at x_j (ρ_1(0) = 1): the backward
		// sweep has added them all only once it reaches the first sample of
		// a run of equal inputs; partial sums inside the run are not values
		// of η.
		if j > 0 && x[j-1] == x[j] {
			continue
		}
		v := mom[m-1] + comp[m-1]
		if a := math.Abs(v); a > sup {
			sup, at = a, x[j]
		}
	}
	return sup, at, mom, comp
}

// stepSweep is sweep for m = 1, where η is the running sum of u from the
// right and the only moment is that sum. It performs the same
// floating-point operations as sweep does for m = 1 (the moment shift
// reduces to renormalising the compensated pair), so it returns the same
// values, without sweep's loops over the moments.
func stepSweep(x, u []float64) (sup, at, mom, comp float64) {
	n := len(x)
	for j := n - 1; j >= 0; j-- {
		if j < n-1 {
			s, e := twoSumAcc(0, 0, mom)
			mom, comp = twoSumAcc(s, e, comp)
		}
		mom, comp = twoSumAcc(mom, comp, u[j])
		if j > 0 && x[j-1] == x[j] {
			continue
		}
		if a := math.Abs(mom + comp); a > sup {
			sup, at = a, x[j]
		}
	}
	return sup, at, mom, comp
}

// linearSweep is sweep for m = 2, where η is piecewise linear with kinks at
// the inputs, so its supremum over [x_0, ∞) is attained at an input, and
// the moments are Σu and Σu·(x_n − t). It performs the floating-point
// operations sweep performs for m = 2 (the factorials there are 1), less
// the additions of a moment to a zero sum, which are exact (up to the sign
// of a zero): it returns the same supremum and the same moments, without
// sweep's loops and divisions.
func linearSweep(x, u []float64) (sup, at, m0, c0, m1, c1 float64) {
	n := len(x)
	for j := n - 1; j >= 0; j-- {
		if j < n-1 {
			h := x[j+1] - x[j]
			s, e := twoSumAcc(m0, 0, c0)
			t, f := twoSumAcc(m1, 0, c1)
			t, f = twoSumAcc(t, f, m0*h)
			t, f = twoSumAcc(t, f, c0*h)
			m0, c0, m1, c1 = s, e, t, f
		}
		m0, c0 = twoSumAcc(m0, c0, u[j])
		if j > 0 && x[j-1] == x[j] {
			continue
		}
		if a := math.Abs(m1 + c1); a > sup {
			sup, at = a, x[j]
		}
	}
	return sup, at, m0, c0, m1, c1
}

// supTail completes DualSup from a sweep's supremum over [x_0, ∞), the
// moments about x_0 and absU = Σ|u_n| (summed in any order).
func supTail(m int, x []float64, absU, sup, at float64, mom, comp *[8]float64) (float64, float64) {
	n := len(x)
	// Left of x_0, η is the polynomial Σ_p M_p d^{m−1−p}/(m−1−p)!, d = x_0 − t.
	// It vanishes when the moments M_0 … M_{m−2} do; a remainder makes η
	// unbounded (m ≥ 2) or the constant M_0 (m = 1, already counted).
	spread := x[n-1] - x[0]
	scale := absU
	for p := 0; p < m; p++ {
		if math.Abs(mom[p]+comp[p]) > leftTailTol*scale {
			return math.Inf(1), math.Inf(-1)
		}
		scale *= spread / float64(p+1)
	}
	// η at the level of rounding noise proves nothing; never report a
	// supremum below the noise, so that scaling u by λ/S cannot amplify
	// rounding into a bound.
	if floor := noiseFloor * scale / math.Max(spread/float64(m), 1e-300); sup < floor {
		sup = floor
	}
	return sup, at
}

// leftTailTol is the size, relative to Σ|u|·spread^p/p!, below which a
// moment M_p (p < m) about the first input left over after the projection
// is taken as rounding rather than a u that is not orthogonal to the
// polynomials. Exactly orthogonal u has all m moments 0 (so that η vanishes
// left of the data); the projection leaves O(eps) of them.
const leftTailTol = 1e-9

// noiseFloor is the relative size, against Σ|u|·spread^{m−1}/(m−1)!, of
// the rounding noise in η.
const noiseFloor = 1e-13

// twoSumAcc adds v to the compensated sum (s, e) by Neumaier's rule.
func twoSumAcc(s, e, v float64) (float64, float64) {
	t := s + v
	if math.Abs(s) >= math.Abs(v) {
		e += (s - t) + v
	} else {
		e += (v - t) + s
	}
	return t, e
}

// twoSumAdd adds v to the compensated sum (s, e) with Knuth's TwoSum,
// which forms the exact error of s + v without comparing magnitudes: the
// same error term as twoSumAcc's, without its unpredictable branch.
func twoSumAdd(s, e, v float64) (float64, float64) {
	t := s + v
	b := t - s
	return t, e + ((s - (t - b)) + (v - b))
}

// taylorEval returns Σ_p M_p d^{m−1−p}/(m−1−p)!.
func taylorEval(m int, mom []float64, d float64, fact *[9]float64) float64 {
	v := 0.0
	for p := 0; p < m; p++ {
		v += mom[p] * math.Pow(d, float64(m-1-p)) / fact[m-1-p]
	}
	return v
}

// interiorCritical returns the roots d ∈ (0, h) of dη/dd for m = 3, 4, in
// the caller's buffer (no allocation per interval).
func interiorCritical(m int, mom []float64, h float64, out *[2]float64) []float64 {
	k := 0
	switch m {
	case 3:
		// η = M0 d²/2 + M1 d + M2 → η' = M0 d + M1.
		if mom[0] != 0 {
			if d := -mom[1] / mom[0]; d > 0 && d < h {
				out[k] = d
				k++
			}
		}
	case 4:
		// η = M0 d³/6 + M1 d²/2 + M2 d + M3 → η' = M0 d²/2 + M1 d + M2.
		r, n := quadRoots(mom[0]/2, mom[1], mom[2])
		for _, d := range r[:n] {
			if d > 0 && d < h {
				out[k] = d
				k++
			}
		}
	default:
		panic("certificate: interior extremes implemented for orders ≤ 4")
	}
	return out[:k]
}

// quadRoots returns the real roots of a d² + b d + c (stable formula).
func quadRoots(a, b, c float64) (r [2]float64, n int) {
	if a == 0 {
		if b == 0 {
			return r, 0
		}
		r[0] = -c / b
		return r, 1
	}
	disc := b*b - 4*a*c
	if disc < 0 {
		return r, 0
	}
	q := -0.5 * (b + math.Copysign(math.Sqrt(disc), b))
	if q == 0 {
		return r, 1 // r[0] = 0
	}
	r[0], r[1] = q/a, c/q
	return r, 2
}
