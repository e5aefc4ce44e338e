package certificate

import (
	"flag"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// The references below are written out from DESIGN §2 and §4 without
// calling the package under test: ρ_m and η by their definitions, the
// projection by gonum's SVD, the objective by direct summation.

var seed = flag.Uint64("seed", 1, "seed of the random tests (0 draws one from the clock)")

// newRand returns the seeded generator of a random test and logs its seed.
func newRand(t testing.TB) *rand.Rand {
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d", s)
	return rand.New(rand.NewPCG(s, 0xce47))
}

// assertClose checks got against want with the abs-or-rel tolerance eps.
func assertClose(t *testing.T, want, got, eps float64, msgAndArgs ...any) bool {
	t.Helper()
	if scalar.EqualWithinAbsOrRel(want, got, eps, eps) {
		return true
	}
	return assert.Fail(t, "values differ", "want %v, got %v (diff %v, tolerance %v) %v", want, got, got-want, eps, msgAndArgs)
}

// fact returns n!.
func fact(n int) float64 {
	f := 1.0
	for i := 2; i <= n; i++ {
		f *= float64(i)
	}
	return f
}

// rho is ρ_m of DESIGN §2: max(s,0)^{m−1}/(m−1)!, and the step with
// ρ_1(0) = 1.
func rho(m int, s float64) float64 {
	if m == 1 {
		if s >= 0 {
			return 1
		}
		return 0
	}
	if s <= 0 {
		return 0
	}
	return math.Pow(s, float64(m-1)) / fact(m-1)
}

// eta returns η(t) = Σ_n u_n ρ_m(x_n − t).
func eta(m int, x, u []float64, t float64) float64 {
	var e float64
	for n := range x {
		e += u[n] * rho(m, x[n]-t)
	}
	return e
}

// bruteSup returns the largest |η| over the data points and a grid of
// steps+1 points covering [x_min − pad, x_max + pad], and the amount tol by
// which the continuum supremum may exceed it.
//
// The bound: for m ≤ 2 η is piecewise constant or linear with breaks at the
// data points, which are evaluated, so the grid maximum is exact up to
// rounding. For m ≥ 3 η is C¹ and its second derivative is bounded by
// M₂ = Σ|u_n|·spread^{m−3}/(m−3)! on the data's range (0 outside, as η
// vanishes beyond it for orthogonal u); an interior maximum t* has
// η'(t*) = 0 and lies within h/2 of a grid point, so the grid misses at most
// M₂·(h/2)²/2. Rounding adds a few ulps of Σ|u_n|·spread^{m−1}/(m−1)!.
func bruteSup(m int, x, u []float64, steps int) (sup, tol float64) {
	lo, hi := slices.Min(x), slices.Max(x)
	spread := hi - lo
	pad := 0.1*spread + 1e-3
	h := (spread + 2*pad) / float64(steps)
	for i := 0; i <= steps; i++ {
		sup = math.Max(sup, math.Abs(eta(m, x, u, lo-pad+float64(i)*h)))
	}
	for _, t := range x {
		sup = math.Max(sup, math.Abs(eta(m, x, u, t)))
	}
	absU := 0.0
	for _, v := range u {
		absU += math.Abs(v)
	}
	tol = 1e-12 * absU * math.Max(1, math.Pow(spread, float64(m-1))/fact(m-1))
	if m >= 3 {
		m2 := absU * math.Pow(spread, float64(m-3)) / fact(m-3)
		tol += m2 * (h / 2) * (h / 2) / 2
	}
	return sup, tol
}

// orthogonalize returns u minus its least-squares projection onto the
// polynomials of degree < m evaluated at the x marked active (the other
// entries are set to 0). The range of the scaled Vandermonde matrix comes
// from gonum's SVD, with the rank decided by the singular values, and the
// projection is applied twice.
func orthogonalize(m int, x, u []float64, active []bool) []float64 {
	var rows []int
	for i := range x {
		if active == nil || active[i] {
			rows = append(rows, i)
		}
	}
	out := make([]float64, len(u))
	if len(rows) == 0 {
		return out
	}
	if m == 0 {
		for _, i := range rows {
			out[i] = u[i]
		}
		return out
	}
	if distinctAt(x, rows) <= m {
		// The polynomials interpolate any values: only u = 0 is
		// orthogonal to them (a projection would leave rounding noise).
		return out
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, i := range rows {
		lo, hi = math.Min(lo, x[i]), math.Max(hi, x[i])
	}
	mid, half := (lo+hi)/2, (hi-lo)/2
	if half == 0 {
		half = 1
	}
	v := mat.NewDense(len(rows), m, nil)
	for r, i := range rows {
		for k := 0; k < m; k++ {
			v.Set(r, k, math.Pow((x[i]-mid)/half, float64(k)))
		}
	}
	var svd mat.SVD
	if !svd.Factorize(v, mat.SVDThin) {
		panic("test: SVD failed")
	}
	sv := svd.Values(nil)
	var q mat.Dense
	svd.UTo(&q)
	rank := 0
	for _, s := range sv {
		if s > 1e-10*sv[0] {
			rank++
		}
	}
	w := make([]float64, len(rows))
	for r, i := range rows {
		w[r] = u[i]
	}
	for pass := 0; pass < 2; pass++ {
		for k := 0; k < rank; k++ {
			col := mat.Col(nil, k, &q)
			d := 0.0
			for r := range w {
				d += col[r] * w[r]
			}
			for r := range w {
				w[r] -= d * col[r]
			}
		}
	}
	for r, i := range rows {
		out[i] = w[r]
	}
	return out
}

// splineAt evaluates s by direct summation with rho.
func splineAt(s *representer.Spline, x float64) float64 {
	f := 0.0
	for i, c := range s.Poly {
		f += c * math.Pow(x, float64(i))
	}
	for k, t := range s.Knots {
		f += s.Amps[k] * rho(s.Order, x-t)
	}
	return f
}

// objective returns J(f) of DESIGN §2 by direct summation: Σω ℓ(f − y) +
// λΣ|a_k|, or for interpolation Σ|a_k| when f passes through the data
// within feasTol·max(max|y|, 1) and +Inf otherwise.
func objective(p *problem.Problem, s *representer.Spline, feasTol float64) float64 {
	tv := 0.0
	for _, a := range s.Amps {
		tv += math.Abs(a)
	}
	if problem.IsInterp(p.Loss) {
		ys := 1.0
		for _, y := range p.Y {
			ys = math.Max(ys, math.Abs(y))
		}
		for i, x := range p.X {
			if math.Abs(splineAt(s, x)-p.Y[i]) > feasTol*ys {
				return math.Inf(1)
			}
		}
		return tv
	}
	loss := 0.0
	for i, x := range p.X {
		r := splineAt(s, x) - p.Y[i]
		w := 1.0
		if p.W != nil {
			w = p.W[i]
		}
		switch l := p.Loss.(type) {
		case problem.Squared:
			loss += w * r * r / 2
		case problem.L1:
			loss += w * math.Abs(r)
		case problem.Huber:
			if math.Abs(r) <= l.Delta {
				loss += w * r * r / 2
			} else {
				loss += w * l.Delta * (math.Abs(r) - l.Delta/2)
			}
		default:
			panic("test: unknown loss")
		}
	}
	return loss + p.Lambda*tv
}

// newSpline returns the spline with the given knots (sorted here together
// with their amplitudes) and polynomial.
func newSpline(m int, knots, amps, poly []float64) *representer.Spline {
	idx := make([]int, len(knots))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case knots[a] < knots[b]:
			return -1
		case knots[a] > knots[b]:
			return 1
		}
		return 0
	})
	s := &representer.Spline{Order: m, Poly: slices.Clone(poly)}
	for _, i := range idx {
		if n := len(s.Knots); n > 0 && s.Knots[n-1] == knots[i] {
			s.Amps[n-1] += amps[i]
			continue
		}
		s.Knots = append(s.Knots, knots[i])
		s.Amps = append(s.Amps, amps[i])
	}
	return s
}

// randomX returns n sorted inputs in [lo, hi); with dup, about a quarter
// of them repeat an earlier input exactly.
func randomX(rnd *rand.Rand, n int, lo, hi float64, dup bool) []float64 {
	x := make([]float64, n)
	for i := range x {
		if dup && i > 0 && rnd.IntN(4) == 0 {
			x[i] = x[rnd.IntN(i)]
			continue
		}
		x[i] = lo + (hi-lo)*rnd.Float64()
	}
	slices.Sort(x)
	return x
}

// randomSpline returns a spline of order m with up to k knots spread over
// [lo − 1, hi + 1] (so some lie outside the data), normal amplitudes of
// scale amp and a normal polynomial.
func randomSpline(rnd *rand.Rand, m, k int, lo, hi, amp float64) *representer.Spline {
	knots := make([]float64, k)
	amps := make([]float64, k)
	for i := range knots {
		knots[i] = lo - 1 + (hi-lo+2)*rnd.Float64()
		amps[i] = amp * rnd.NormFloat64()
	}
	poly := make([]float64, m)
	for i := range poly {
		poly[i] = rnd.NormFloat64()
	}
	return newSpline(m, knots, amps, poly)
}

// interpolant returns a spline of order m through (x, y) with the knots
// given (plus a random element of the interpolants' null space scaled by
// wiggle), solved by gonum's SVD least squares; ok is false when the knots
// do not allow interpolation to 1e-12.
func interpolant(rnd *rand.Rand, m int, x, y, knots []float64, wiggle float64) (s *representer.Spline, ok bool) {
	n, k := len(x), len(knots)
	a := mat.NewDense(n, k+m, nil)
	for i := range x {
		for j, t := range knots {
			a.Set(i, j, rho(m, x[i]-t))
		}
		for j := 0; j < m; j++ {
			a.Set(i, k+j, math.Pow(x[i], float64(j)))
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDFull) {
		return nil, false
	}
	sv := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	rank := 0
	for _, s := range sv {
		if s > 1e-10*sv[0] {
			rank++
		}
	}
	// z = V Σ⁺ Uᵀ y + V_null·g.
	z := make([]float64, k+m)
	for r := 0; r < rank; r++ {
		c := 0.0
		for i := 0; i < n; i++ {
			c += u.At(i, r) * y[i]
		}
		c /= sv[r]
		for j := range z {
			z[j] += c * v.At(j, r)
		}
	}
	for r := rank; r < k+m; r++ {
		g := wiggle * rnd.NormFloat64()
		for j := range z {
			z[j] += g * v.At(j, r)
		}
	}
	s = newSpline(m, knots, z[:k], z[k:])
	ys := 1.0
	for _, v := range y {
		ys = math.Max(ys, math.Abs(v))
	}
	for i := range x {
		if math.Abs(splineAt(s, x[i])-y[i]) > 1e-12*ys {
			return nil, false
		}
	}
	return s, true
}

// distinctAt returns the number of distinct values among x[rows].
func distinctAt(x []float64, rows []int) int {
	seen := map[float64]bool{}
	for _, i := range rows {
		seen[x[i]] = true
	}
	return len(seen)
}
