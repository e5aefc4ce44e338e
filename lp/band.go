package lp

import "math"

// band is a symmetric positive-definite matrix of half-bandwidth p held by
// its lower band: entry (i, j), i−p ≤ j ≤ i, is at v[i*(p+1)+j−i+p].
// Factor overwrites it with the lower Cholesky factor.
type band struct {
	n, p int
	v    []float64
}

func newBand(n, p int) *band {
	return &band{n: n, p: p, v: make([]float64, n*(p+1))}
}

func (b *band) zero() {
	for i := range b.v {
		b.v[i] = 0
	}
}

// add adds v to entry (i, j) with j ≤ i.
func (b *band) add(i, j int, v float64) {
	b.v[i*(b.p+1)+j-i+b.p] += v
}

// pivotFloor is the relative size below which a Cholesky pivot is taken as
// zero. Interior-point normal equations become singular in the limit; the
// standard remedy (Wright, Primal-Dual Interior-Point Methods, ch. 11) is to
// replace such a pivot by a huge number, which zeroes that component of the
// solution instead of amplifying rounding error.
const pivotFloor = 1e-30

// hugePivot replaces a vanishing pivot.
const hugePivot = 1e128

// factor computes the Cholesky factor in place and returns the number of
// pivots that had to be replaced.
func (b *band) factor() int {
	n, p, w := b.n, b.p, b.p+1
	v := b.v
	maxDiag := 0.0
	for i := 0; i < n; i++ {
		maxDiag = math.Max(maxDiag, math.Abs(v[i*w+p]))
	}
	floor := pivotFloor * math.Max(maxDiag, 1e-300)
	replaced := 0
	for i := 0; i < n; i++ {
		j0 := i - p
		if j0 < 0 {
			j0 = 0
		}
		ri := v[i*w : (i+1)*w]
		for j := j0; j <= i; j++ {
			rj := v[j*w : (j+1)*w]
			s := ri[j-i+p]
			k0 := j0
			if j-p > k0 {
				k0 = j - p
			}
			for k := k0; k < j; k++ {
				s -= ri[k-i+p] * rj[k-j+p]
			}
			if j < i {
				ri[j-i+p] = s / rj[p]
				continue
			}
			if !(s > floor) {
				s = hugePivot
				replaced++
			}
			ri[p] = math.Sqrt(s)
		}
	}
	return replaced
}

// solve overwrites x with the solution of (L Lᵀ) x = x.
func (b *band) solve(x []float64) {
	n, p, w := b.n, b.p, b.p+1
	v := b.v
	for i := 0; i < n; i++ {
		s := x[i]
		k0 := i - p
		if k0 < 0 {
			k0 = 0
		}
		for k := k0; k < i; k++ {
			s -= v[i*w+k-i+p] * x[k]
		}
		x[i] = s / v[i*w+p]
	}
	for i := n - 1; i >= 0; i-- {
		s := x[i]
		k1 := i + p
		if k1 > n-1 {
			k1 = n - 1
		}
		for k := i + 1; k <= k1; k++ {
			s -= v[k*w+i-k+p] * x[k]
		}
		x[i] = s / v[i*w+p]
	}
}

// bandwidth returns the half-bandwidth of A Aᵀ for a compressed-column A.
func bandwidth(a *Sparse) int {
	p := 0
	for j := 0; j < a.cols; j++ {
		lo, hi := a.ColPtr[j], a.ColPtr[j+1]
		if hi-lo > 1 {
			if d := a.RowIdx[hi-1] - a.RowIdx[lo]; d > p {
				p = d
			}
		}
	}
	return p
}
