package certificate

import (
	"math"
)

// projectOut removes from u (over the entries marked active; the others are
// left at 0) its component along the polynomials of degree < m evaluated
// at x, by modified Gram–Schmidt applied twice for orthogonality to
// working precision. The basis is built on x centred and scaled to [−1, 1].
func projectOut(u, x []float64, active []bool, m int) {
	polyBasis(x, active, m).project(u)
}

// orthoBasis is an orthonormal basis of the polynomials of degree < m at
// the active inputs.
type orthoBasis [][]float64

// polyBasis builds the basis once, so that several vectors can be projected
// with it (the dual vector and the targets of a certificate).
func polyBasis(x []float64, active []bool, m int) orthoBasis {
	n := len(x)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := 0; i < n; i++ {
		if active[i] {
			lo, hi = math.Min(lo, x[i]), math.Max(hi, x[i])
		}
	}
	if lo > hi {
		return nil
	}
	mid, half := 0.5*(lo+hi), 0.5*(hi-lo)
	if half == 0 {
		half = 1
	}
	basis := make(orthoBasis, 0, m)
	// Powers are built by multiplying the previous raw power by t, which
	// is cheaper than math.Pow and exact enough before orthogonalisation.
	raw := make([]float64, n)
	for i := range raw {
		if active[i] {
			raw[i] = 1
		}
	}
	for k := 0; k < m; k++ {
		if k > 0 {
			for i := range raw {
				raw[i] *= (x[i] - mid) / half
			}
		}
		v := append([]float64(nil), raw...)
		for pass := 0; pass < 2; pass++ {
			for _, q := range basis {
				axpy(v, -dot(q, v), q)
			}
		}
		nv := math.Sqrt(dot(v, v))
		if nv <= 1e-13*math.Sqrt(float64(n)) {
			continue // fewer distinct inputs than m: the direction is spanned already
		}
		for i := range v {
			v[i] /= nv
		}
		basis = append(basis, v)
	}
	return basis
}

// project removes from v its components along the basis, twice (classical
// Gram–Schmidt applied twice, which leaves v orthogonal to the basis to
// working precision like the modified scheme): the coefficients of a pass
// are all taken against the same v, and the second pass's are summed while
// the first is subtracted, so that the whole costs three sweeps over v.
func (b orthoBasis) project(v []float64) {
	m := len(b)
	if m == 0 {
		return
	}
	if m > 8 {
		for pass := 0; pass < 2; pass++ {
			for _, q := range b {
				axpy(v, -dot(q, v), q)
			}
		}
		return
	}
	if m == 2 {
		b.project2(v)
		return
	}
	var c1, c2 [8]float64
	for i, vi := range v {
		for k := 0; k < m; k++ {
			c1[k] += b[k][i] * vi
		}
	}
	for i, vi := range v {
		for k := 0; k < m; k++ {
			vi -= c1[k] * b[k][i]
		}
		v[i] = vi
		for k := 0; k < m; k++ {
			c2[k] += b[k][i] * vi
		}
	}
	for i, vi := range v {
		for k := 0; k < m; k++ {
			vi -= c2[k] * b[k][i]
		}
		v[i] = vi
	}
}

// project2 is project for a basis of two vectors, the order-2 case.
func (b orthoBasis) project2(v []float64) {
	q0, q1 := b[0][:len(v)], b[1][:len(v)]
	a0, a1 := 0.0, 0.0
	for i, vi := range v {
		a0 += q0[i] * vi
		a1 += q1[i] * vi
	}
	c0, c1 := 0.0, 0.0
	for i, vi := range v {
		vi -= a0 * q0[i]
		vi -= a1 * q1[i]
		v[i] = vi
		c0 += q0[i] * vi
		c1 += q1[i] * vi
	}
	for i, vi := range v {
		vi -= c0 * q0[i]
		vi -= c1 * q1[i]
		v[i] = vi
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func axpy(dst []float64, a float64, x []float64) {
	for i := range dst {
		dst[i] += a * x[i]
	}
}
