package solver

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/ridgeline-nn/ridgeline/certificate"
	"github.com/ridgeline-nn/ridgeline/lp"
	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// DefaultPathRatio is λ_min/λ_max of LogSpaced when no ratio is given: four
// decades, from the polynomial fit down to fits with many knots.
const DefaultPathRatio = 1e-4

// LambdaMax returns λ_max, the smallest λ for which the polynomial of degree
// < m that best fits the data (the skip connection alone, a network without
// neurons) is optimal. By the optimality conditions of DESIGN §4 the
// polynomial p is optimal at λ exactly when some dual vector of the
// polynomial fit, u ∈ −ω∂ℓ(p(x) − y) with Pᵀu = 0, has sup_t |η(t)| ≤ λ, so
//
//	λ_max = min { sup_t |η_u(t)| : u an optimal dual of the polynomial fit }.
//
// For the squared and Huber losses the dual is unique: u = ω·ψ(y − p(x)) with
// ψ the identity (squared) or the clip to ±δ (Huber) and p the weighted
// least-squares or Huber regression polynomial, computed by Newton's method
// on the piecewise quadratic objective until its regions stop changing
// (exact, not iteratively reweighted). For l1 the dual of the least
// absolute deviations fit is in general not unique: it is fixed,
// u_n = ω_n sign(y_n − p(x_n)), only off the samples that p interpolates.
// LambdaMax finds an optimal p exactly (a vertex, by Wesolowsky's descent,
// Commun. Statist. B 10, 1981), then minimises sup|η| over the free entries
// by a small linear program with cutting planes at the inputs where |η|
// peaks (η is piecewise linear with breaks at the inputs, so its supremum
// is at an input). In every case the supremum itself is computed by
// certificate.DualSup after projecting u onto {Pᵀu = 0}.
//
// λ_max is 0 when the samples with positive weight have at most m distinct
// inputs (a polynomial interpolates them). Errors are returned for invalid
// problems, for the interpolation constraint (which has no λ) and for what
// Solve does not support; p.Lambda is ignored.
func LambdaMax(p *problem.Problem) (float64, error) {
	if err := checkLambdaProblem(p); err != nil {
		return 0, err
	}
	g, err := p.Group1D()
	if err != nil {
		return 0, err
	}
	m := p.Order
	n := p.N()
	x := make([]float64, n) // input of each sorted sample
	for k := range g.X {
		for i := g.Start[k]; i < g.Start[k+1]; i++ {
			x[i] = g.X[k]
		}
	}
	distinct := 0
	for k := range g.X {
		if g.SumW[k] > 0 {
			distinct++
		}
	}
	if distinct <= m {
		return 0, nil
	}
	sc := newScaling(p, g)
	var u []float64
	if p.Loss.DualCurvature() > 0 {
		u = smoothPolyDual(p.Loss, m, x, g, sc)
	} else {
		u, err = ladDual(m, x, g, sc)
		if err != nil {
			return 0, err
		}
	}
	projectPoly(u, x, g.W, m)
	sup, _ := certificate.DualSup(m, x, u)
	return sup, nil
}

// checkLambdaProblem returns an error unless p is a valid problem with a λ
// that Solve supports; p.Lambda itself is not checked.
func checkLambdaProblem(p *problem.Problem) error {
	if p.Loss != nil && problem.IsInterp(p.Loss) {
		return fmt.Errorf("%w: the interpolation constraint has no λ (no path, no cross-validation)", ErrUnsupported)
	}
	q := *p
	q.Lambda = 1
	if err := q.Validate(); err != nil {
		return err
	}
	if p.Dim != 1 {
		return fmt.Errorf("%w: input dimension %d (only 1-D is implemented)", ErrUnsupported, p.Dim)
	}
	if p.Order != 2 && p.Order != 1 {
		return fmt.Errorf("%w: order %d (orders 1 and 2 are implemented)", ErrUnsupported, p.Order)
	}
	if !p.Skip {
		return fmt.Errorf("%w: networks without skip connection", ErrUnsupported)
	}
	return nil
}

// polyBasis evaluates the polynomials of degree < m at the standardised
// input t ∈ [0, 1], centred: 1, t − ½.
func polyBasis(m int, t float64, phi *[2]float64) {
	phi[0] = 1
	if m == 2 {
		phi[1] = t - 0.5
	}
}

// Newton's method for the smooth polynomial fit.
const (
	// maxNewton bounds the Newton steps; the region sets of a Huber fit
	// settle in a handful.
	maxNewton = 200
	// newtonRidge regularises a singular Hessian (fewer than m samples in
	// the quadratic region), relative to its scale.
	newtonRidge = 1e-12
)

// smoothPolyDual returns, per sorted sample in the problem's units,
// u = −ω ℓ'(p(x) − y) for the polynomial p of degree < m minimising
// Σ ω ℓ(p(x) − y), for a loss whose conjugate is c·s²/2 on |s| ≤ b (c > 0):
// ℓ is quadratic with curvature 1/c where |ℓ'| < b and linear beyond. The
// objective is piecewise quadratic, so Newton's method with a backtracking
// line search ends exactly: when a full step leaves the set of samples in
// the quadratic region unchanged, p minimises the quadratic of that region
// inside it.
func smoothPolyDual(loss problem.Loss, m int, x []float64, g *problem.Groups, sc scaling) []float64 {
	n := len(x)
	t := make([]float64, n)
	for i := range t {
		t[i] = sc.x(x[i])
	}
	bound := loss.DualBound()
	curv := loss.DualCurvature()
	var c [2]float64 // p(x) = c·φ(t), in the problem's units of y
	sw, swy := 0.0, 0.0
	for i := range t {
		sw += g.W[i]
		swy += g.W[i] * g.Y[i]
	}
	c[0] = swy / sw
	resid := func(i int, c [2]float64) float64 {
		var phi [2]float64
		polyBasis(m, t[i], &phi)
		return c[0]*phi[0] + c[1]*phi[1] - g.Y[i]
	}
	obj := func(c [2]float64) float64 {
		s, e := 0.0, 0.0
		for i := range t {
			if g.W[i] > 0 {
				s, e = neumaier(s, e, g.W[i]*loss.Value(resid(i, c)))
			}
		}
		return s + e
	}
	// region of each sample: 0 quadratic, ±1 linear with the sign of ℓ'.
	region := make([]int8, n)
	var prevRegion []int8
	f := obj(c)
	for it := 0; it < maxNewton; it++ {
		// 1. Gradient and Hessian on the current regions.
		var grad [2]float64
		var h [2][2]float64
		for i := range t {
			w := g.W[i]
			if w == 0 {
				continue
			}
			r := resid(i, c)
			d := loss.Deriv(r)
			region[i] = 0
			if math.Abs(d) >= bound {
				region[i] = int8(math.Copysign(1, d))
			}
			var phi [2]float64
			polyBasis(m, t[i], &phi)
			for a := 0; a < m; a++ {
				grad[a] += w * d * phi[a]
				if region[i] == 0 {
					for b := 0; b < m; b++ {
						h[a][b] += w / curv * phi[a] * phi[b]
					}
				}
			}
		}
		if prevRegion != nil && slices.Equal(prevRegion, region) {
			break // the last full step stayed in its regions: exact
		}
		// 2. Newton direction, with a ridge if the Hessian is singular.
		scale := sw / curv
		ridged := false
		var det float64
		for {
			if m == 1 {
				det = h[0][0] / scale
			} else {
				det = (h[0][0]*h[1][1] - h[0][1]*h[1][0]) / (scale * scale)
			}
			if det > newtonRidge || ridged {
				break
			}
			for a := 0; a < m; a++ {
				h[a][a] += newtonRidge * scale
			}
			ridged = true
		}
		var d [2]float64
		if m == 1 {
			d[0] = -grad[0] / h[0][0]
		} else {
			det := h[0][0]*h[1][1] - h[0][1]*h[1][0]
			d[0] = -(h[1][1]*grad[0] - h[0][1]*grad[1]) / det
			d[1] = -(h[0][0]*grad[1] - h[1][0]*grad[0]) / det
		}
		// 3. Backtracking (Armijo) line search on the convex objective.
		slope := grad[0]*d[0] + grad[1]*d[1]
		if !(slope < 0) {
			break // stationary to rounding
		}
		step := 1.0
		var next [2]float64
		var fn float64
		for k := 0; k < 60; k++ {
			next = [2]float64{c[0] + step*d[0], c[1] + step*d[1]}
			fn = obj(next)
			if fn <= f+1e-4*step*slope {
				break
			}
			step /= 2
		}
		if fn > f {
			break // no descent left at working precision
		}
		c, f = next, fn
		prevRegion = nil
		if step == 1 && !ridged {
			prevRegion = append([]int8(nil), region...)
		}
	}
	u := make([]float64, n)
	for i := range u {
		if g.W[i] > 0 {
			u[i] = -g.W[i] * loss.Deriv(resid(i, c))
		}
	}
	return u
}

// neumaier adds v to the compensated sum (s, e).
func neumaier(s, e, v float64) (float64, float64) {
	t := s + v
	if math.Abs(s) >= math.Abs(v) {
		e += (s - t) + v
	} else {
		e += (v - t) + s
	}
	return t, e
}

// Least absolute deviations.
const (
	// maxLADPivots bounds the descent's pivots; it takes a few dozen.
	maxLADPivots = 10000
	// ladImprove is the relative decrease of the l1 objective that counts
	// as an improvement: above the rounding of its compensated sum.
	ladImprove = 1e-14
	// ladOnLine is the standardised residual below which a sample lies on
	// the fit (ỹ ∈ [−1, 1], x̃ ∈ [0, 1]).
	ladOnLine = 1e-11
	// maxFreeDual bounds the samples on the fit handled by the linear
	// program over the free dual entries (gonum's simplex is dense).
	maxFreeDual = 300
	// maxCuts bounds the cutting-plane rounds of that program.
	maxCuts = 200
)

// ladDual returns, per sorted sample in the problem's units, the optimal
// dual vector of the least absolute deviations fit by a polynomial of
// degree < m that has the smallest sup|η| (see LambdaMax).
func ladDual(m int, x []float64, g *problem.Groups, sc scaling) ([]float64, error) {
	n := len(x)
	t := make([]float64, n)
	y := make([]float64, n)
	w := make([]float64, n)
	var act []int // samples with positive weight
	for i := range t {
		t[i], y[i], w[i] = sc.x(x[i]), sc.y(g.Y[i]), sc.w(g.W[i])
		if w[i] > 0 {
			act = append(act, i)
		}
	}
	c0, c1, err := ladFit(m, t, y, w, act)
	if err != nil {
		return nil, err
	}
	// Fixed entries off the fit, free ones on it.
	u := make([]float64, n)
	var free []int
	for _, i := range act {
		r := y[i] - (c0 + c1*t[i])
		if math.Abs(r) <= ladOnLine {
			free = append(free, i)
			continue
		}
		u[i] = math.Copysign(w[i], r)
	}
	if err := minSupFree(m, t, w, u, free, g); err != nil {
		return nil, err
	}
	for i := range u {
		u[i] *= sc.ws
	}
	return u, nil
}

// ladFit returns an optimal least absolute deviations polynomial c0 + c1·t
// (c1 = 0 for m = 1) of the samples act, which have at least m + 1 distinct
// inputs. For m = 1 it is a weighted median. For m = 2 it is found by
// Wesolowsky's descent on lines through data points: the best line through
// a sample j has as slope a weighted median of the slopes to the others
// (weights ω|t − t_j|), which passes through a second sample k; the descent
// pivots to the best line through k until no line through a sample on the
// current line is better. That is optimality: near a line the objective is
// linear on the cones between the lines {r_i = 0} of the samples on it, so
// it is minimal if it is minimal along each of them.
func ladFit(m int, t, y, w []float64, act []int) (c0, c1 float64, err error) {
	items := make([]medianItem, 0, len(act))
	if m == 1 {
		for _, i := range act {
			items = append(items, medianItem{y[i], w[i], i})
		}
		return weightedMedian(items).v, 0, nil
	}
	obj := func(a, b float64) float64 {
		s, e := 0.0, 0.0
		for _, i := range act {
			s, e = neumaier(s, e, w[i]*math.Abs(y[i]-a-b*t[i]))
		}
		return s + e
	}
	// pencil returns the best line through sample j and a sample k on it.
	pencil := func(j int) (a, b float64, k int) {
		items = items[:0]
		for _, i := range act {
			if d := t[i] - t[j]; d != 0 {
				items = append(items, medianItem{(y[i] - y[j]) / d, w[i] * math.Abs(d), i})
			}
		}
		med := weightedMedian(items)
		return y[j] - med.v*t[j], med.v, med.i
	}
	j := act[len(act)/2]
	a, b, k := pencil(j)
	f := obj(a, b)
	for it := 0; it < maxLADPivots; it++ {
		moved := false
		try := func(c int) {
			a2, b2, k2 := pencil(c)
			if f2 := obj(a2, b2); f2 < f*(1-ladImprove) {
				a, b, f, j, k = a2, b2, f2, c, k2
				moved = true
			}
		}
		try(k)
		if !moved {
			// Degenerate: more samples on the line than the two pivots.
			for _, i := range act {
				if i != j && i != k && math.Abs(y[i]-a-b*t[i]) <= ladOnLine {
					if try(i); moved {
						break
					}
				}
			}
		}
		if !moved {
			return a, b, nil
		}
	}
	return 0, 0, fmt.Errorf("solver: least absolute deviations fit did not settle in %d pivots", maxLADPivots)
}

// medianItem is a value with a weight and the sample it comes from.
type medianItem struct {
	v, w float64
	i    int
}

// weightedMedian returns the item of smallest value v with
// Σ_{value ≤ v} weight ≥ half the total weight; items is reordered.
func weightedMedian(items []medianItem) medianItem {
	slices.SortFunc(items, func(a, b medianItem) int { return cmp.Compare(a.v, b.v) })
	total := 0.0
	for _, it := range items {
		total += it.w
	}
	cum := 0.0
	for _, it := range items {
		cum += it.w
		if cum >= total/2 {
			return it
		}
	}
	return items[len(items)-1]
}

// minSupFree sets the free entries of u (standardised units; fixed entries
// already set) to minimise max_j |η(t_j)| subject to |u_i| ≤ w_i and
// Pᵀu = 0, by a cutting-plane linear program: solve with the cuts found so
// far, evaluate η at every input, add the input of largest |η| above the
// program's bound, repeat. With at most m free entries the constraint
// Pᵀu = 0 determines them.
func minSupFree(m int, t, w, u []float64, free []int, g *problem.Groups) error {
	G := g.G()
	tg := make([]float64, G)
	for k := range tg {
		tg[k] = t[g.Start[k]]
	}
	// Right-hand side of Σ_free u_i φ(t_i) = −Σ_fixed u_i φ(t_i).
	var rhs [2]float64
	for i := range u {
		var phi [2]float64
		polyBasis(m, t[i], &phi)
		for a := 0; a < m; a++ {
			rhs[a] -= u[i] * phi[a]
		}
	}
	if len(free) == 0 {
		return nil
	}
	if len(free) > maxFreeDual {
		return fmt.Errorf("%w: %d samples lie on the least absolute deviations fit (at most %d are handled); give the λ values explicitly",
			ErrUnsupported, len(free), maxFreeDual)
	}
	if len(free) <= m {
		if ok := solveFree(m, t, u, free, rhs); ok {
			return nil
		}
	}
	rho := func(d float64) float64 { // ρ_m(d) on the standardised inputs
		if m == 1 {
			if d >= 0 {
				return 1
			}
			return 0
		}
		return math.Max(d, 0)
	}
	// etaFixed[k] is η at input k of the fixed entries.
	fixed := append([]float64(nil), u...)
	for _, i := range free {
		fixed[i] = 0
	}
	etaFixed := groupEta(m, tg, g, fixed)
	cuts := []int{0}
	for k, e := range etaFixed {
		if math.Abs(e) > math.Abs(etaFixed[cuts[0]]) {
			cuts[0] = k
		}
	}
	nf := len(free)
	eta := make([]float64, G)
	for round := 0; round < maxCuts; round++ {
		// Variables: u_free (nf, boxed), s ≥ 0, then t⁺_j, t⁻_j ≥ 0 per cut.
		rows := m + 2*len(cuts)
		tr := lp.NewTriplets(rows)
		var cost, lo, hi []float64
		add := func(c, l, h float64) { cost, lo, hi = append(cost, c), append(lo, l), append(hi, h) }
		for _, i := range free {
			tr.Col()
			var phi [2]float64
			polyBasis(m, t[i], &phi)
			for a := 0; a < m; a++ {
				tr.Add(a, phi[a])
			}
			for c, k := range cuts {
				v := rho(t[i] - tg[k])
				tr.Add(m+2*c, v)
				tr.Add(m+2*c+1, v)
			}
			add(0, -w[i], w[i])
		}
		tr.Col() // s
		for c := range cuts {
			tr.Add(m+2*c, -1)
			tr.Add(m+2*c+1, 1)
		}
		add(1, 0, math.Inf(1))
		b := make([]float64, rows)
		copy(b, rhs[:m])
		for c, k := range cuts {
			tr.Col()
			tr.Add(m+2*c, 1) // η_k − s + t⁺ = 0 - ...
			add(0, 0, math.Inf(1))
			tr.Col()
			tr.Add(m+2*c+1, -1)
			add(0, 0, math.Inf(1))
			b[m+2*c], b[m+2*c+1] = -etaFixed[k], -etaFixed[k]
		}
		res, err := lp.Simplex{}.Solve(&lp.Model{C: cost, A: tr.Matrix(), B: b, L: lo, U: hi}, lp.Settings{})
		if err != nil {
			return err
		}
		if res.Status != lp.Optimal && res.Status != lp.AlmostOptimal {
			return fmt.Errorf("solver: the program for the least absolute deviations dual ended %s", res.Status)
		}
		for c, i := range free {
			u[i] = res.X[c]
		}
		s := res.X[nf]
		// η of the full vector and its worst input.
		for k := range eta {
			eta[k] = etaFixed[k]
		}
		for _, i := range free {
			for k := range eta {
				eta[k] += u[i] * rho(t[i]-tg[k])
			}
		}
		worst, at := 0.0, -1
		for k, e := range eta {
			if a := math.Abs(e); a > worst {
				worst, at = a, k
			}
		}
		if at < 0 || worst <= s+1e-12*(1+s) || slices.Contains(cuts, at) {
			return nil
		}
		cuts = append(cuts, at)
	}
	return nil // the last iterate is feasible; its sup bounds λ_max from above
}

// solveFree sets the (at most m) free entries of u so that
// Σ_free u_i φ(t_i) = rhs; it reports false if they do not determine them.
func solveFree(m int, t, u []float64, free []int, rhs [2]float64) bool {
	if m == 1 {
		if len(free) != 1 {
			return false
		}
		u[free[0]] = rhs[0]
		return true
	}
	if len(free) != 2 {
		return false
	}
	t0, t1 := t[free[0]]-0.5, t[free[1]]-0.5
	det := t1 - t0
	if det == 0 {
		return false
	}
	// [1 1; t0 t1]·(u0, u1) = rhs.
	u[free[0]] = (t1*rhs[0] - rhs[1]) / det
	u[free[1]] = (rhs[1] - t0*rhs[0]) / det
	return true
}

// groupEta returns η(t_k) = Σ_i u_i ρ_m(t_i − t_k) at each distinct input
// t_k of g (standardised), for u per sorted sample: a backward sweep.
func groupEta(m int, tg []float64, g *problem.Groups, u []float64) []float64 {
	G := len(tg)
	eta := make([]float64, G)
	sum, e := 0.0, 0.0
	for k := G - 1; k >= 0; k-- {
		if k < G-1 {
			e += (tg[k+1] - tg[k]) * sum
		}
		for i := g.Start[k]; i < g.Start[k+1]; i++ {
			sum += u[i]
		}
		if m == 1 {
			eta[k] = sum
		} else {
			eta[k] = e
		}
	}
	return eta
}

// projectPoly removes from u its least-squares component along the
// polynomials of degree < m at the inputs x, over the samples of positive
// weight (the others are set to 0), as certificate.Evaluate does: modified
// Gram–Schmidt, twice, on a centred and scaled basis.
func projectPoly(u, x, w []float64, m int) {
	n := len(u)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := 0; i < n; i++ {
		if w[i] > 0 {
			lo, hi = math.Min(lo, x[i]), math.Max(hi, x[i])
		} else {
			u[i] = 0
		}
	}
	if lo > hi {
		return
	}
	mid, half := 0.5*(lo+hi), 0.5*(hi-lo)
	if half == 0 {
		half = 1
	}
	dot := func(a, b []float64) float64 {
		s := 0.0
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	var basis [][]float64
	for k := 0; k < m; k++ {
		v := make([]float64, n)
		for i := range v {
			if w[i] > 0 {
				v[i] = math.Pow((x[i]-mid)/half, float64(k))
			}
		}
		for pass := 0; pass < 2; pass++ {
			for _, q := range basis {
				d := dot(q, v)
				for i := range v {
					v[i] -= d * q[i]
				}
			}
		}
		nv := math.Sqrt(dot(v, v))
		if nv <= 1e-13*math.Sqrt(float64(n)) {
			continue
		}
		for i := range v {
			v[i] /= nv
		}
		basis = append(basis, v)
	}
	for pass := 0; pass < 2; pass++ {
		for _, q := range basis {
			d := dot(q, u)
			for i := range u {
				u[i] -= d * q[i]
			}
		}
	}
}

// LogSpaced returns k values from max down to max·ratio, equally spaced in
// log λ (the first is max, the last max·ratio); ratio 0 means
// DefaultPathRatio. It panics if k < 1 or ratio is negative or not finite.
func LogSpaced(max float64, k int, ratio float64) []float64 {
	if k < 1 {
		panic("solver: LogSpaced needs k ≥ 1")
	}
	if ratio == 0 {
		ratio = DefaultPathRatio
	}
	if !(ratio > 0) || math.IsInf(ratio, 0) {
		panic("solver: LogSpaced ratio must be finite and > 0")
	}
	out := make([]float64, k)
	out[0] = max
	for i := 1; i < k; i++ {
		out[i] = max * math.Pow(ratio, float64(i)/float64(k-1))
	}
	if k > 1 {
		out[k-1] = max * ratio
	}
	return out
}

// Path solves p at every λ of lambdas, in the given order (pass them
// decreasing: each solution warm-starts the next), and returns one
// certified Solution per λ, exactly as Solve would (p.Lambda is ignored).
//
// For the squared loss of order 2 on the banded backend, each λ starts
// from the previous λ's solution: its knots and signs seed the active set
// (runDescent, a monotone variant of run), whose least-squares systems are
// updated rather than rebuilt, so each further λ costs a few sweeps over
// the data plus its certificate; the problem is validated, sorted and
// standardised once, and each certificate is computed on another goroutine
// while the next λ is solved. Should a warm start not settle, that λ is
// solved cold. Other losses, orders and backends are solved from scratch
// at every λ (Solve): their interior-point backend gains little from a
// warm start. A Solution's Seconds is the time of its own solve and
// certificate; Iterations counts the warm start's sweeps over the data (or
// the backend's iterations).
func Path(p *problem.Problem, lambdas []float64, opt Options) ([]*Solution, error) {
	if err := checkLambdaProblem(p); err != nil {
		return nil, err
	}
	for i, l := range lambdas {
		if !(l > 0) || math.IsInf(l, 0) {
			return nil, fmt.Errorf("%w: path value %d is %v", problem.ErrBadLambda, i+1, l)
		}
	}
	sols := make([]*Solution, len(lambdas))
	_, squared := p.Loss.(problem.Squared)
	backend := opt.Backend
	if backend == "" {
		backend = Banded
	}
	if !squared || p.Order != 2 || backend != Banded {
		for i, l := range lambdas {
			q := *p
			q.Lambda = l
			sol, err := Solve(&q, opt)
			if err != nil {
				return nil, err
			}
			sols[i] = sol
		}
		return sols, nil
	}
	g, err := p.Group1D()
	if err != nil {
		return nil, err
	}
	// Each λ is certified on another goroutine while the next is solved:
	// the certificate costs more than a warm solve (at N = 10^5 about 15 ms
	// against 7), so up to GOMAXPROCS certificates run at once.
	var (
		wg      sync.WaitGroup
		certErr = make([]error, len(lambdas))
		slots   = make(chan struct{}, runtime.GOMAXPROCS(0))
	)
	ws := &warmSolver{g: g, sc: newScaling(p, g), opt: opt}
	scale := certificate.DataScale(p)
	for i, l := range lambdas {
		start := time.Now()
		q := *p
		q.Lambda = l
		c, err := ws.solve(&q)
		if err != nil {
			wg.Wait()
			return nil, err
		}
		c.order = g.Order
		solveSec := time.Since(start).Seconds()
		slots <- struct{}{}
		wg.Add(1)
		go func(i int, q *problem.Problem, c *candidate) {
			defer func() { <-slots; wg.Done() }()
			start := time.Now()
			sols[i], certErr[i] = finish(q, c, Banded, opt, start, scale)
			if sols[i] != nil {
				sols[i].Seconds += solveSec
			}
		}(i, &q, c)
	}
	wg.Wait()
	for _, err := range certErr {
		if err != nil {
			return nil, err
		}
	}
	return sols, nil
}

// warmSolver solves a squared-loss problem of order 2 at a sequence of λ,
// the first cold, each further one from the solution at the previous one: it
// keeps the active set, whose signs and coefficients are then exactly the
// previous solution.
type warmSolver struct {
	g   *problem.Groups
	sc  scaling
	opt Options
	as  *activeSet // nil: start from prev
	f0  []float64  // the previous solution at the nodes of as
	// prev is the previous solution when as is nil (after a cold fallback).
	prev *representer.Spline
}

// solve returns the candidate for p, whose λ is the next one. The
// candidate's spline must not be changed by its certificate (the active set
// never proposes another function).
func (ws *warmSolver) solve(p *problem.Problem) (*candidate, error) {
	if ws.as == nil && ws.prev == nil {
		// The first λ: the cold solve (multilevel from scratch).
		c, err := solveBanded(p, ws.g, ws.opt)
		if err != nil {
			return nil, err
		}
		ws.prev = c.spline
		return c, nil
	}
	if ws.as == nil {
		c, as, err := solveWarm(p, ws.g, ws.sc, ws.prev, ws.opt)
		if err != nil {
			return nil, err
		}
		ws.as, ws.prev = as, c.spline
		if as != nil {
			ws.f0 = append(ws.f0[:0], as.c...)
		}
		return c, nil
	}
	ws.as.lam = ws.sc.lambda(p)
	if ws.as.runDescent(ws.f0, maxDescentSweeps) {
		ws.f0 = append(ws.f0[:0], ws.as.c...)
		return ws.as.candidate(ws.g, ws.sc, Optimal, 0), nil
	}
	rounds := ws.as.rounds
	ws.as = nil
	c, err := solveBanded(p, ws.g, ws.opt)
	if err != nil {
		return nil, err
	}
	c.iterations += rounds
	ws.prev = c.spline
	return c, nil
}

// solveWarm solves a squared-loss problem of order 2 by the active-set
// method with line search (runDescent) started from the function prev, a
// solution at another λ (nil: from the least-squares line), falling back to
// the cold banded solve if the rounds do not settle.
//
// It also returns the active set at its fixed point (nil after the
// fallback), from which the next λ of a path can start.
func solveWarm(p *problem.Problem, g *problem.Groups, sc scaling, prev *representer.Spline, opt Options) (*candidate, *activeSet, error) {
	as := newActiveSetFor(p, g, sc)
	var f0 []float64
	if prev != nil {
		knots, amps := groupKnots(g, prev)
		as.warm(knots, amps)
		nodes := make([]float64, 0, len(knots)+2)
		nodes = append(nodes, g.X[0])
		nodes = append(nodes, pick(g.X, knots)...)
		nodes = append(nodes, g.X[g.G()-1])
		f0 = make([]float64, len(nodes))
		prev.EvalTo(f0, nodes)
		for k := range f0 {
			f0[k] = sc.y(f0[k])
		}
	}
	if as.runDescent(f0, maxDescentSweeps) {
		return as.candidate(g, sc, Optimal, 0), as, nil
	}
	rounds := as.rounds
	c, err := solveBanded(p, g, opt)
	if err != nil {
		return nil, nil, err
	}
	c.iterations += rounds
	return c, nil, nil
}

// Limits of runDescent.
const (
	// maxDescentSweeps bounds its sweeps over the data; a warm start from a
	// neighbouring λ takes a few to a dozen.
	maxDescentSweeps = 1000
	// maxDescentSteps bounds its line-search steps between sweeps, each of
	// which drops a knot.
	maxDescentSteps = 100000
)

// runDescent is the active-set method for the squared loss (one entry per
// input) made monotone by a line search, as in Lawson and Hanson's NNLS and
// the feature-sign search of Lee, Battle, Raina & Ng (NIPS 2006). It keeps
// a current function f whose knot amplitudes agree with the signs σ; each
// step solves the least-squares problem on the knot set with the term
// λ̃σᵀa. If some amplitude of that solution contradicts its sign, f moves
// towards it only up to the first amplitude that reaches zero, and that
// knot is dropped; otherwise f becomes the solution, a sweep over the data
// computes η, and the inputs where |η| > λ̃ enter with σ = sign η. Every
// move decreases J (the least-squares objective with the σ term is convex
// and decreasing along the segment, and equals J while the signs agree), so
// no knot set repeats, which run's drop-and-re-add rounds cannot promise:
// they cycle on noisy data. A single entering knot always enters with its
// own sign (its amplitude moves by (H⁻¹)_jj·(|η_j| − λ̃) in the direction
// σ_j); several entering at once may not, and those that do not are
// dropped before f moves, after which knots enter one at a time until f
// moves again.
//
// Only the sweeps cost O(N): the least-squares system is assembled from
// per-interval moments of the inputs (hatSums), which are kept between
// steps, merged in O(1) when a knot is dropped and recomputed only for the
// intervals an entering knot splits, so a step costs O(K). s.rounds counts
// the sweeps.
//
// f0 holds f̃ at the inputs 0, the knots of s.sign (in order) and G−1, a
// function whose amplitudes agree with s.sign (a solution at another λ);
// nil starts from no knots. It reports whether a fixed point was reached;
// then s.c and s.tau hold it, as after run.
func (s *activeSet) runDescent(f0 []float64, limit int) bool {
	G := len(s.xs)
	if G <= 2 || len(s.w) != G || !math.IsInf(s.delta, 1) {
		return s.run()
	}
	d := &descent{s: s}
	d.retau()
	// The current function: values curC at the inputs curX.
	var curX, curC []float64
	if f0 != nil {
		if len(d.tau) != len(f0) {
			panic("solver: warm start size mismatch")
		}
		for _, j := range d.tau {
			curX = append(curX, s.xs[j])
		}
		curC = append(curC, f0...)
	}
	amp := func(x, c []float64, k int) float64 {
		return (c[k+1]-c[k])/(x[k+1]-x[k]) - (c[k]-c[k-1])/(x[k]-x[k-1])
	}
	var nodes, old []float64
	var fresh []bool // per node: not a node of the current function
	eager := true
	single := false // the last sweep added one knot only
	s.rounds = 0
	for step := 0; step < maxDescentSteps; step++ {
		if !d.solve() {
			return false
		}
		c := d.c
		nb := len(d.tau)
		nodes = nodes[:0]
		for _, j := range d.tau {
			nodes = append(nodes, s.xs[j])
		}
		if curC != nil {
			// 1. The current function at the new nodes (its knots are
			// among them, but for dropped knots of zero amplitude).
			old, fresh = interpLinear(old[:0], fresh[:0], curX, curC, nodes)
			// 2. The first amplitude to reach zero on the way to c.
			theta, at := 1.0, -1
			for k := 1; k+1 < nb; k++ {
				sg := float64(s.sign[d.tau[k]])
				an := sg * amp(nodes, c, k)
				if an >= 0 {
					continue
				}
				ao := 0.0 // a knot not yet in f has amplitude 0, not rounding
				if !fresh[k] {
					ao = math.Max(sg*amp(nodes, old, k), 0)
				}
				if th := ao / (ao - an); th < theta {
					theta, at = th, k
				}
			}
			if at >= 0 {
				if theta == 0 {
					// Knots that entered against their sign: drop them,
					// f does not move. (A knot of f whose amplitude is 0 is
					// degenerate and goes too.) Then knots enter one at a
					// time.
					if single {
						// Rounding defeats the single entry: the violation
						// is at the level of rounding, so f (in s.tau, s.c)
						// is settled. Take the entered knot back; the
						// certificate judges the result.
						for k := 1; k+1 < nb; k++ {
							if fresh[k] {
								s.sign[d.tau[k]] = 0
							}
						}
						return true
					}
					for k := 1; k+1 < nb; k++ {
						sg := float64(s.sign[d.tau[k]])
						if sg*amp(nodes, c, k) < 0 && (fresh[k] || sg*amp(nodes, old, k) <= 0) {
							s.sign[d.tau[k]] = 0
						}
					}
					eager = false
					d.dropped()
					continue
				}
				// 3. Move to the first zero and drop that knot (and any
				// other whose amplitude has reached its sign's wrong side).
				curX, curC = append(curX[:0], nodes...), curC[:0]
				for k := range old {
					curC = append(curC, old[k]+theta*(c[k]-old[k]))
				}
				s.sign[d.tau[at]] = 0
				for k := 1; k+1 < nb; k++ {
					if float64(s.sign[d.tau[k]])*amp(curX, curC, k) <= 0 {
						s.sign[d.tau[k]] = 0
					}
				}
				single = false
				d.dropped()
				continue
			}
		}
		// 4. f is the solution on its knot set, with the right signs: sweep.
		if s.rounds == limit {
			return false
		}
		s.rounds++
		curX, curC = append(curX[:0], nodes...), append(curC[:0], c...)
		s.tau = append(s.tau[:0], d.tau...)
		s.c = append(s.c[:0], c...)
		if !d.sweep(eager) {
			return true
		}
		single = !eager
		eager = true
		d.entered()
	}
	return false
}

// descent holds the least-squares system of runDescent on the current knot
// set: the nodes tau (0, the knots, G−1), the per-interval sums and the
// solution c.
type descent struct {
	s    *activeSet
	tau  []int32
	sums []hatSums // sums[k]: inputs τ_k ≤ j < τ_{k+1}
	c    []float64
	// buffers
	runs      []span
	added     []int32 // inputs whose knots entered in the last sweep
	diag, off []float64
	oldTau    []int32
	oldSums   []hatSums
}

// hatSums are the moments of the inputs a ≤ j < b of one interval between
// nodes a < b, from which its hat products come without cancellation:
// with h = x_b − x_a, Σω b0² = r2/h², Σω b0 b1 = c/h², Σω b1² = l2/h²,
// Σω b0 ỹ = yr/h and Σω b1 ỹ = yl/h. Every moment but the ỹ ones is a
// sum of non-negative terms, and so is merging two neighbouring intervals
// (mergeSums), which a dropped knot needs: O(1) instead of a pass over the
// interval's inputs.
type hatSums struct {
	m0, l1, l2 float64 // Σω, Σω(x − x_a), Σω(x − x_a)²
	r1, r2     float64 // Σω(x_b − x), Σω(x_b − x)²
	c          float64 // Σω(x − x_a)(x_b − x)
	y0, yl, yr float64 // Σωỹ, Σωỹ(x − x_a), Σωỹ(x_b − x)
}

// mergeSums returns the moments of [a, c) from those of [a, b) and [b, c),
// where ab = x_b − x_a and bc = x_c − x_b.
func mergeSums(p, q hatSums, ab, bc float64) hatSums {
	return hatSums{
		m0: p.m0 + q.m0,
		l1: p.l1 + q.l1 + ab*q.m0,
		l2: p.l2 + q.l2 + 2*ab*q.l1 + ab*ab*q.m0,
		r1: p.r1 + bc*p.m0 + q.r1,
		r2: p.r2 + 2*bc*p.r1 + bc*bc*p.m0 + q.r2,
		c:  p.c + bc*p.l1 + q.c + ab*q.r1,
		y0: p.y0 + q.y0,
		yl: p.yl + q.yl + ab*q.y0,
		yr: p.yr + bc*p.y0 + q.yr,
	}
}

// retau rebuilds the nodes from s.sign, an O(G) scan for after knots
// entered, keeping the sums of the intervals that did not change.
func (d *descent) retau() {
	s := d.s
	G := len(s.xs)
	d.oldTau, d.tau = d.tau, d.oldTau[:0]
	d.oldSums, d.sums = d.sums, d.oldSums[:0]
	d.tau = append(d.tau, 0)
	for j := 1; j+1 < G; j++ {
		if s.sign[j] != 0 {
			d.tau = append(d.tau, int32(j))
		}
	}
	d.tau = append(d.tau, int32(G-1))
	d.resum()
}

// entered adds the nodes of the knots the last sweep let enter (d.added),
// in O(K + entered).
func (d *descent) entered() {
	slices.Sort(d.added)
	d.oldTau, d.tau = d.tau, d.oldTau[:0]
	d.oldSums, d.sums = d.sums, d.oldSums[:0]
	k := 0
	for _, j := range d.oldTau {
		for k < len(d.added) && d.added[k] < j {
			d.tau = append(d.tau, d.added[k])
			k++
		}
		d.tau = append(d.tau, j)
	}
	d.resum()
}

// dropped removes the nodes whose sign was cleared, in O(K).
func (d *descent) dropped() {
	s := d.s
	d.oldTau, d.tau = d.tau, d.oldTau[:0]
	d.oldSums, d.sums = d.sums, d.oldSums[:0]
	for k, j := range d.oldTau {
		if k == 0 || k == len(d.oldTau)-1 || s.sign[j] != 0 {
			d.tau = append(d.tau, j)
		}
	}
	d.resum()
}

// resum sets the sums of the intervals of d.tau from those of d.oldTau:
// kept where an interval did not change, merged where knots were dropped,
// computed from the inputs where a knot entered.
func (d *descent) resum() {
	s := d.s
	o := 0
	for k := 0; k+1 < len(d.tau); k++ {
		a, b := d.tau[k], d.tau[k+1]
		for o+1 < len(d.oldTau) && d.oldTau[o] < a {
			o++
		}
		if o+1 < len(d.oldTau) && d.oldTau[o] == a && d.oldTau[o+1] <= b {
			// Old intervals from a on; they cover [a, b) if one ends at b.
			e := o + 1
			for e+1 < len(d.oldTau) && d.oldTau[e] < b {
				e++
			}
			if d.oldTau[e] == b {
				h := d.oldSums[o]
				for i := o + 1; i < e; i++ {
					h = mergeSums(h, d.oldSums[i], s.xs[d.oldTau[i]]-s.xs[a], s.xs[d.oldTau[i+1]]-s.xs[d.oldTau[i]])
				}
				d.sums = append(d.sums, h)
				continue
			}
		}
		d.sums = append(d.sums, s.hatSums(int(a), int(b)))
	}
}

// hatSums returns the moments of the interval between the inputs a < b
// over the inputs a ≤ j < b.
func (s *activeSet) hatSums(a, b int) hatSums {
	var h hatSums
	xa, xb := s.xs[a], s.xs[b]
	for j := a; j < b; j++ {
		w := s.w[j]
		if w == 0 {
			continue
		}
		l, r := s.xs[j]-xa, xb-s.xs[j]
		wy := w * s.y[j]
		h.m0 += w
		h.l1 += w * l
		h.l2 += w * l * l
		h.r1 += w * r
		h.r2 += w * r * r
		h.c += w * l * r
		h.y0 += wy
		h.yl += wy * l
		h.yr += wy * r
	}
	return h
}

// solve assembles the tridiagonal system from the sums, with the λ̃σ terms
// and the ridge of solveSystem, and solves it into d.c.
func (d *descent) solve() bool {
	s := d.s
	nb := len(d.tau)
	d.diag = zeroed(d.diag, nb)
	d.off = zeroed(d.off, nb)
	d.c = zeroed(d.c, nb)
	for k, h := range d.sums {
		width := s.xs[d.tau[k+1]] - s.xs[d.tau[k]]
		inv2 := 1 / (width * width)
		d.diag[k] += h.r2 * inv2
		d.diag[k+1] += h.l2 * inv2
		d.off[k] += h.c * inv2
		d.c[k] += h.yr / width
		d.c[k+1] += h.yl / width
	}
	last := len(s.xs) - 1 // its hat value is 1 on the last node
	d.diag[nb-1] += s.w[last]
	d.c[nb-1] += s.w[last] * s.y[last]
	for k := 1; k+1 < nb; k++ {
		sg := s.lam * float64(s.sign[d.tau[k]])
		dl := s.xs[d.tau[k]] - s.xs[d.tau[k-1]]
		dr := s.xs[d.tau[k+1]] - s.xs[d.tau[k]]
		d.c[k-1] -= sg / dl
		d.c[k] += sg * (1/dl + 1/dr)
		d.c[k+1] -= sg / dr
	}
	dmax := 0.0
	for _, v := range d.diag {
		dmax = math.Max(dmax, v)
	}
	if dmax == 0 {
		dmax = 1
	}
	for k := range d.diag {
		if d.diag[k] < 1e-14*dmax {
			d.diag[k] += 1e-14 * dmax
		}
	}
	return solveTridiag(d.diag, d.off, d.c)
}

// descentAddFraction: in an eager sweep, a violating run enters when its
// excess over λ̃ is at least this fraction of the sweep's largest excess
// (as in run): noise makes many small runs near the threshold.
const descentAddFraction = 0.1

// sweep computes η at every input from the solution s.c on s.tau (squared
// loss, one entry per input) and lets knots enter where |η| > λ̃: when
// eager, the input of largest |η| of every maximal run of inputs (without
// knots, η of one sign) above the threshold, else only the worst input. It
// reports whether a knot entered. One pass over the data, plus a pass over
// the violating runs.
func (d *descent) sweep(eager bool) bool {
	s := d.s
	G, nb := len(s.xs), len(s.tau)
	xs, w, y, c, eta := s.xs, s.w, s.y, s.c, s.eta
	thr := s.lam * (1 + etaSlack)
	d.runs = d.runs[:0]
	inRun := false
	worst, worstJ := 0.0, -1
	iv := nb - 2
	x0 := xs[s.tau[iv]]
	inv := 1 / (xs[s.tau[iv+1]] - x0)
	sum, e := 0.0, 0.0
	for j := G - 1; j >= 0; j-- {
		for iv > 0 && int(s.tau[iv]) > j {
			iv--
			x0 = xs[s.tau[iv]]
			inv = 1 / (xs[s.tau[iv+1]] - x0)
		}
		if j < G-1 {
			e += (xs[j+1] - xs[j]) * sum
		}
		eta[j] = e
		f := c[iv] + (xs[j]-x0)*inv*(c[iv+1]-c[iv])
		sum += w[j] * (y[j] - f)
		// Runs above the base threshold, built from the right.
		a := math.Abs(e)
		if j == 0 || j == G-1 || s.sign[j] != 0 || a <= thr {
			inRun = false
			continue
		}
		if a > worst {
			worst, worstJ = a, j
		}
		if inRun && (e > 0) == (eta[j+1] > 0) {
			d.runs[len(d.runs)-1].lo = j
			continue
		}
		d.runs = append(d.runs, span{j, j})
		inRun = true
	}
	if worstJ < 0 {
		return false
	}
	if !eager {
		s.sign[worstJ] = int8(math.Copysign(1, eta[worstJ]))
		d.added = append(d.added[:0], int32(worstJ))
		return true
	}
	// Sub-runs above the final threshold inside the base runs (built from
	// the right, so the added inputs come out decreasing).
	thr = math.Max(thr, s.lam+descentAddFraction*(worst-s.lam))
	d.added = d.added[:0]
	for _, r := range d.runs {
		best, at := 0.0, -1
		for j := r.lo; j <= r.hi+1; j++ {
			if j <= r.hi && math.Abs(eta[j]) > thr {
				if a := math.Abs(eta[j]); a > best {
					best, at = a, j
				}
				continue
			}
			if at >= 0 {
				s.sign[at] = int8(math.Copysign(1, eta[at]))
				d.added = append(d.added, int32(at))
				best, at = 0, -1
			}
		}
	}
	return true
}

// span is the run of inputs lo…hi.
type span struct{ lo, hi int }

// interpLinear appends to dst the piecewise-linear interpolant of the
// values c at the increasing nodes x, evaluated at the increasing points
// t inside [x[0], x[len(x)−1]], and to fresh whether each point is not one
// of the nodes.
func interpLinear(dst []float64, fresh []bool, x, c, t []float64) ([]float64, []bool) {
	k := 0
	for _, v := range t {
		for k+2 < len(x) && x[k+1] <= v {
			k++
		}
		switch {
		case v == x[k]:
			dst, fresh = append(dst, c[k]), append(fresh, false)
		case v == x[k+1]:
			dst, fresh = append(dst, c[k+1]), append(fresh, false)
		default:
			dst = append(dst, c[k]+(v-x[k])/(x[k+1]-x[k])*(c[k+1]-c[k]))
			fresh = append(fresh, true)
		}
	}
	return dst, fresh
}

// groupKnots maps the knots of s to the interior inputs of g they sit on,
// with their amplitudes, by binary search; knots that are not interior
// inputs are dropped (the active set places knots at inputs only).
func groupKnots(g *problem.Groups, s *representer.Spline) (knots []int, amps []float64) {
	for k, t := range s.Knots {
		j := sort.SearchFloat64s(g.X, t)
		if j > 0 && j+1 < g.G() && g.X[j] == t && s.Amps[k] != 0 {
			knots = append(knots, j)
			amps = append(amps, s.Amps[k])
		}
	}
	return knots, amps
}

// finish certifies a candidate and turns it into a Solution (Solve and Path):
// the certificate, not the backend's stopping rule, decides optimality.
//
// scale is certificate.DataScale(p) (which does not depend on λ), or
// negative to compute it.
func finish(p *problem.Problem, c *candidate, backend string, opt Options, start time.Time, scale float64) (*Solution, error) {
	cert, err := c.certify(p)
	if err != nil {
		return nil, err
	}
	if scale < 0 {
		scale = certificate.DataScale(p)
	}
	sol := &Solution{
		Status:      c.status,
		Spline:      c.spline,
		Certificate: cert,
		Iterations:  c.iterations,
		Backend:     backend,
	}
	switch {
	case cert.Certified(opt.tol(), scale):
		sol.Status = Optimal
	case sol.Status == Optimal:
		sol.Status = GapLimit
	}
	sol.Seconds = time.Since(start).Seconds()
	return sol, nil
}
