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

// project removes from v its components along the basis (twice).
func (b orthoBasis) project(v []float64) {
	for pass := 0; pass < 2; pass++ {
		for _, q := range b {
			axpy(v, -dot(q, v), q)
		}
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
