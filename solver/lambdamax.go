package solver

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/ridgeline-nn/ridgeline/certificate"
	"github.com/ridgeline-nn/ridgeline/lp"
	"github.com/ridgeline-nn/ridgeline/problem"
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
