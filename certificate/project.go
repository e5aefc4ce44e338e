package certificate

import (
	"math"
)

// projectOut removes from u (over the entries marked active; the others are
// left at 0) its component along the polynomials of degree < m evaluated
// at x, by modified Gram–Schmidt applied twice for orthogonality to
// working precision. The basis is built on x centred and scaled to [−1, 1].
func projectOut(u, x []float64, active []bool, m int) {
	n := len(u)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := 0; i < n; i++ {
		if active[i] {
			lo, hi = math.Min(lo, x[i]), math.Max(hi, x[i])
		}
	}
	if lo > hi {
		return
	}
	mid, half := 0.5*(lo+hi), 0.5*(hi-lo)
	if half == 0 {
		half = 1
	}
	basis := make([][]float64, 0, m)
	for k := 0; k < m; k++ {
		v := make([]float64, n)
		for i := 0; i < n; i++ {
			if active[i] {
				v[i] = math.Pow((x[i]-mid)/half, float64(k))
			}
		}
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
	for pass := 0; pass < 2; pass++ {
		for _, q := range basis {
			axpy(u, -dot(q, u), q)
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
