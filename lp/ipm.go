package lp

import (
	"fmt"
	"math"
)

// InteriorPoint is the project's own backend: Mehrotra's primal-dual
// predictor-corrector method (Wright, Primal-Dual Interior-Point Methods,
// SIAM 1997, ch. 10) for Model, with bounds handled by their own slacks and
// the Newton systems reduced to the normal equations
//
//	A Θ Aᵀ Δy = r,   Θ⁻¹ = Q + Z_L S_L⁻¹ + Z_U S_U⁻¹.
//
// The normal matrix is stored and factorised as a band whose width is read
// off the sparsity of A, so that the 1-D programs of DESIGN §3 (each column
// of A touching three consecutive rows) cost O(N) per iteration. A model
// whose A Aᵀ has a wide band still solves, at O(m·p²) per iteration for
// half-bandwidth p. Every buffer is allocated once, before the iterations.
//
// Free variables without a quadratic term get a tiny regularisation
// Θ⁻¹ = freeVarReg; the 1-D programs have none.
type InteriorPoint struct {
	// Trace, if set, is called after every iteration with the iteration
	// number, relative primal and dual residuals and the relative gap.
	Trace func(it int, pres, dres, gap float64)
	// Start, if set, is where the iterations begin instead of the centred
	// default: typically the solution of a nearby model, moved into the
	// interior (see Point).
	Start *Point
}

// Point is a primal-dual starting point of a model: X by column and the
// multipliers Y by row. It is moved into the interior: every bounded X is
// kept a share pointPush of its box (or of its distance to the bound) away
// from its bounds, and each bound multiplier is the positive part of the
// reduced cost on its side plus Mu divided by the slack, so that every
// complementarity product is at least Mu.
type Point struct {
	X, Y []float64
	Mu   float64
}

// pointPush is how far into its box a start's value is moved.
const pointPush = 1e-2

const (
	// ipmDefaultTol is the default relative tolerance on residuals and gap.
	ipmDefaultTol = 1e-10
	// ipmDefaultMaxIter bounds the iterations; Mehrotra's method needs
	// 20–60 on the programs of this project.
	ipmDefaultMaxIter = 300
	// stepFraction keeps iterates strictly interior.
	stepFraction = 0.995
	// freeVarReg regularises Θ⁻¹ of free variables with Q_j = 0.
	freeVarReg = 1e-12
	// divergeLimit flags a primal or dual that grows without bound
	// (infeasibility of the other side).
	divergeLimit = 1e14
)

// Solve implements Solver.
func (ip InteriorPoint) Solve(m *Model, s Settings) (*Result, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	for j := range m.C {
		if m.Lower(j) == m.Upper(j) {
			return nil, fmt.Errorf("%w: variable %d is fixed (L = U); the interior point needs L < U (eliminate it or use Simplex)", ErrModel, j)
		}
	}
	tol := s.Tol
	if tol <= 0 {
		tol = ipmDefaultTol
	}
	maxIter := s.MaxIterations
	if maxIter <= 0 {
		maxIter = ipmDefaultMaxIter
	}
	w := newIPMWork(m)
	if ip.Start != nil {
		if err := w.start(ip.Start); err != nil {
			return nil, err
		}
	}
	res := &Result{Status: IterationLimit}
	for it := 0; it < maxIter; it++ {
		res.Iterations = it
		pres, dres, gap, mu := w.residuals()
		if ip.Trace != nil {
			ip.Trace(it, pres, dres, gap)
		}
		if pres <= tol && dres <= tol && gap <= tol {
			res.Status = Optimal
			break
		}
		if w.diverged() {
			res.Status = NumericalError
			if w.xnorm() > divergeLimit {
				res.Status = Unbounded
			} else if w.ynorm() > divergeLimit {
				res.Status = Infeasible
			}
			break
		}
		if !w.step(mu) {
			res.Status = NumericalError
			if pres <= 1e3*tol && dres <= 1e3*tol && gap <= 1e3*tol {
				res.Status = AlmostOptimal
			}
			break
		}
		res.Iterations = it + 1
	}
	if res.Status == IterationLimit {
		pres, dres, gap, _ := w.residuals()
		if pres <= 1e3*tol && dres <= 1e3*tol && gap <= 1e3*tol {
			res.Status = AlmostOptimal
		}
	}
	res.X, res.Y, res.ZL, res.ZU = w.x, w.y, w.zl, w.zu
	res.Objective = m.Objective(w.x)
	return res, nil
}

// ipmWork holds the iterate and every buffer of an interior-point solve.
type ipmWork struct {
	m          *Model
	rows, cols int
	lo, hi     []float64 // bounds (±Inf where absent)
	hasL, hasU []bool
	nb         int  // number of finite bounds
	isLP       bool // no quadratic term: separate primal and dual steps
	x, y       []float64
	zl, zu     []float64
	rd, rp     []float64 // dual and primal residuals
	thetaInv   []float64
	theta      []float64 // 1/thetaInv
	isl, isu   []float64 // 1/(x − L) and 1/(U − x), 0 where the bound is absent
	absTmp     []float64 // |A||x| by rows
	xmax, ymax float64   // ‖x‖∞ and ‖(y, zL, zU)‖∞ at the last residuals
	rt         []float64 // reduced right-hand side in x
	dx, dy     []float64
	dzl, dzu   []float64
	dxa, dzla  []float64 // affine (predictor) directions
	dzua       []float64
	tmp        []float64
	rcl, rcu   []float64 // complementarity right-hand sides
	nm         *band
	bnorm      float64
	cnorm      float64
}

func newIPMWork(m *Model) *ipmWork {
	rows, cols := m.A.Dims()
	w := &ipmWork{m: m, rows: rows, cols: cols, isLP: m.IsLP()}
	f := func(n int) []float64 { return make([]float64, n) }
	w.lo, w.hi = f(cols), f(cols)
	w.hasL, w.hasU = make([]bool, cols), make([]bool, cols)
	w.x, w.y, w.zl, w.zu = f(cols), f(rows), f(cols), f(cols)
	w.rd, w.rp, w.thetaInv, w.rt = f(cols), f(rows), f(cols), f(cols)
	w.theta, w.isl, w.isu, w.absTmp = f(cols), f(cols), f(cols), f(rows)
	w.rcl, w.rcu = f(cols), f(cols)
	w.dx, w.dy, w.dzl, w.dzu = f(cols), f(rows), f(cols), f(cols)
	w.dxa, w.dzla, w.dzua, w.tmp = f(cols), f(cols), f(cols), f(rows)
	w.nm = newBand(rows, bandwidth(m.A))
	for _, v := range m.B {
		w.bnorm = math.Max(w.bnorm, math.Abs(v))
	}
	for _, v := range m.C {
		w.cnorm = math.Max(w.cnorm, math.Abs(v))
	}
	for j := 0; j < cols; j++ {
		l, u := m.Lower(j), m.Upper(j)
		w.lo[j], w.hi[j] = l, u
		w.hasL[j], w.hasU[j] = !math.IsInf(l, -1), !math.IsInf(u, 1)
		// Start in the middle of a box, one unit inside a half-line,
		// and at 0 for free variables; multipliers at 1.
		switch {
		case w.hasL[j] && w.hasU[j]:
			w.x[j] = 0.5 * (l + u)
			if l < 0 && u > 0 {
				w.x[j] = 0
			}
		case w.hasL[j]:
			w.x[j] = math.Max(l+1, 0)
		case w.hasU[j]:
			w.x[j] = math.Min(u-1, 0)
		}
		// Multipliers start on the central path of μ = 1: z·slack = 1 for
		// every bound, so boxes of very different widths start equally
		// centred (and symmetric boxes keep zL = zU, dual feasible).
		if w.hasL[j] {
			w.zl[j] = 1 / math.Max(w.x[j]-l, 1e-300)
			w.nb++
		}
		if w.hasU[j] {
			w.zu[j] = 1 / math.Max(u-w.x[j], 1e-300)
			w.nb++
		}
	}
	return w
}

// start replaces the default starting point by pt, moved into the
// interior.
func (w *ipmWork) start(pt *Point) error {
	if len(pt.X) != w.cols || len(pt.Y) != w.rows {
		return fmt.Errorf("%w: start of %d columns and %d rows for a model of %d and %d", ErrModel, len(pt.X), len(pt.Y), w.cols, w.rows)
	}
	if !(pt.Mu > 0) || math.IsInf(pt.Mu, 0) {
		return fmt.Errorf("%w: start's Mu is %v", ErrModel, pt.Mu)
	}
	copy(w.y, pt.Y)
	m := w.m
	m.A.MulTransVecTo(w.rd, w.y)
	for j := 0; j < w.cols; j++ {
		x := pt.X[j]
		lo, hi := w.lo[j], w.hi[j]
		switch {
		case w.hasL[j] && w.hasU[j]:
			d := pointPush * (hi - lo)
			x = math.Min(math.Max(x, lo+d), hi-d)
		case w.hasL[j]:
			x = math.Max(x, lo+pointPush*math.Max(1, math.Abs(x-lo)))
		case w.hasU[j]:
			x = math.Min(x, hi-pointPush*math.Max(1, math.Abs(hi-x)))
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%w: start's X[%d] is %v", ErrModel, j, pt.X[j])
		}
		w.x[j] = x
		// Reduced cost c + Qx − Aᵀy: positive on the lower bound's side.
		d := m.C[j] - w.rd[j]
		if m.Q != nil {
			d += m.Q[j] * x
		}
		w.zl[j], w.zu[j] = 0, 0
		if w.hasL[j] {
			w.zl[j] = math.Max(d, 0) + pt.Mu/(x-lo)
		}
		if w.hasU[j] {
			w.zu[j] = math.Max(-d, 0) + pt.Mu/(hi-x)
		}
	}
	return nil
}

// residuals computes rd = Qx + c − Aᵀy − zL + zU and rp = b − Ax and
// returns their relative sizes, the relative duality gap and μ. One pass
// over the columns of A does both products and the scales of the terms
// that cancel in them; it also records the norms that diverged reads.
func (w *ipmWork) residuals() (pres, dres, gap, mu float64) {
	m := w.m
	a := m.A
	for i := range w.rp {
		w.rp[i] = 0
		w.absTmp[i] = 0
	}
	pobj, xqx := 0.0, 0.0
	dbound := 0.0
	comp := 0.0
	aty := 0.0
	xmax, zmax := 0.0, 0.0
	for j := 0; j < w.cols; j++ {
		xj := w.x[j]
		axj := math.Abs(xj)
		s, sa := 0.0, 0.0
		for k := a.ColPtr[j]; k < a.ColPtr[j+1]; k++ {
			r, v := a.RowIdx[k], a.Val[k]
			t := v * w.y[r]
			s += t
			sa += math.Abs(t)
			w.rp[r] += v * xj
			w.absTmp[r] += math.Abs(v) * axj
		}
		aty = math.Max(aty, sa)
		q := 0.0
		if m.Q != nil {
			q = m.Q[j]
		}
		w.rd[j] = q*xj + m.C[j] - s - w.zl[j] + w.zu[j]
		dres = absMax(dres, w.rd[j])
		xmax = absMax(xmax, xj)
		zmax = absMax(absMax(zmax, w.zl[j]), w.zu[j])
		xqx += q * xj * xj
		pobj += m.C[j] * xj
		if w.hasL[j] {
			dbound += w.lo[j] * w.zl[j]
			comp += (xj - w.lo[j]) * w.zl[j]
		}
		if w.hasU[j] {
			dbound -= w.hi[j] * w.zu[j]
			comp += (w.hi[j] - xj) * w.zu[j]
		}
	}
	ax, ymax := 0.0, 0.0
	for i := range w.rp {
		w.rp[i] = m.B[i] - w.rp[i]
		pres = absMax(pres, w.rp[i])
		ax = math.Max(ax, w.absTmp[i])
		ymax = absMax(ymax, w.y[i])
	}
	w.xmax, w.ymax = xmax, math.Max(ymax, zmax)
	// Residuals are judged against the size of the terms that cancel in
	// them: ‖|A||x|‖∞ and ‖|A|ᵀ|y|‖∞, not only ‖b‖ and ‖c‖ (b = 0 in the
	// dual programs, whose rows sum terms of size 1/h).
	pres /= 1 + math.Max(w.bnorm, ax)
	dres /= 1 + math.Max(w.cnorm, aty)
	pobj += 0.5 * xqx
	dobj := dbound - 0.5*xqx
	for i, b := range m.B {
		dobj += b * w.y[i]
	}
	if w.nb > 0 {
		mu = comp / float64(w.nb)
	}
	gap = math.Abs(pobj-dobj) / (1 + math.Abs(pobj))
	return pres, dres, gap, mu
}

// absMax returns max(s, |v|), or NaN if v is NaN.
func absMax(s, v float64) float64 {
	if a := math.Abs(v); a > s || a != a {
		return a
	}
	return s
}

// xnorm, ynorm and diverged read the norms of the last residuals.
func (w *ipmWork) xnorm() float64 { return w.xmax }
func (w *ipmWork) ynorm() float64 { return w.ymax }
func (w *ipmWork) diverged() bool {
	return w.xmax > divergeLimit || w.ymax > divergeLimit
}

// assemble forms Θ⁻¹, Θ and the reciprocal slacks, and factorises A Θ Aᵀ.
func (w *ipmWork) assemble() {
	m := w.m
	for j := 0; j < w.cols; j++ {
		t := 0.0
		if m.Q != nil {
			t = m.Q[j]
		}
		w.isl[j], w.isu[j] = 0, 0
		if w.hasL[j] {
			w.isl[j] = 1 / (w.x[j] - w.lo[j])
			t += w.zl[j] * w.isl[j]
		}
		if w.hasU[j] {
			w.isu[j] = 1 / (w.hi[j] - w.x[j])
			t += w.zu[j] * w.isu[j]
		}
		if t < freeVarReg {
			t = freeVarReg
		}
		w.thetaInv[j] = t
		w.theta[j] = 1 / t
	}
	nm := w.nm
	nm.zero()
	a := m.A
	for j := 0; j < w.cols; j++ {
		th := w.theta[j]
		lo, hi := a.ColPtr[j], a.ColPtr[j+1]
		for k := lo; k < hi; k++ {
			vk := th * a.Val[k]
			rk := a.RowIdx[k]
			for l := lo; l <= k; l++ {
				nm.add(rk, a.RowIdx[l], vk*a.Val[l])
			}
		}
	}
	nm.factor()
}

// direction solves the Newton system whose complementarity right-hand
// sides are rcl (for sL·zL) and rcu (for sU·zU; both 0 where the bound is
// absent), writing dx, dy, dzl, dzu. It reports false if the direction is
// not finite.
func (w *ipmWork) direction(rcl, rcu, dx, dy, dzl, dzu []float64) bool {
	a := w.m.A
	// 1. r̃ = −rd + rcL/sL − rcU/sU, and A Θ r̃ by columns.
	for i := range w.tmp {
		w.tmp[i] = 0
	}
	for j := 0; j < w.cols; j++ {
		r := -w.rd[j] + rcl[j]*w.isl[j] - rcu[j]*w.isu[j]
		w.rt[j] = r
		d := r * w.theta[j]
		for k := a.ColPtr[j]; k < a.ColPtr[j+1]; k++ {
			w.tmp[a.RowIdx[k]] += a.Val[k] * d
		}
	}
	// 2. A Θ Aᵀ Δy = rp − A Θ r̃.
	bad := 0.0 // becomes NaN if anything is not finite
	for i := range dy {
		dy[i] = w.rp[i] - w.tmp[i]
	}
	w.nm.solve(dy)
	for _, v := range dy {
		bad += v * 0
	}
	// 3. Δx = Θ(r̃ + AᵀΔy), then the bound multipliers.
	for j := 0; j < w.cols; j++ {
		s := 0.0
		for k := a.ColPtr[j]; k < a.ColPtr[j+1]; k++ {
			s += a.Val[k] * dy[a.RowIdx[k]]
		}
		d := (w.rt[j] + s) * w.theta[j]
		dx[j] = d
		dzl[j] = (rcl[j] - w.zl[j]*d) * w.isl[j]
		dzu[j] = (rcu[j] + w.zu[j]*d) * w.isu[j]
		bad += d * 0
	}
	return bad == 0
}

// stepLengths returns the largest primal and dual steps in (0, 1] that keep
// slacks and multipliers non-negative.
func (w *ipmWork) stepLengths(dx, dzl, dzu []float64) (ap, ad float64) {
	ap, ad = 1, 1
	for j := 0; j < w.cols; j++ {
		// s/(−d) < α  ⇔  s < α·(−d) for d < 0: divide only on a new minimum.
		if w.hasL[j] {
			if d := dx[j]; d < 0 {
				if s := w.x[j] - w.lo[j]; s < -ap*d {
					ap = s / -d
				}
			}
			if d := dzl[j]; d < 0 {
				if s := w.zl[j]; s < -ad*d {
					ad = s / -d
				}
			}
		}
		if w.hasU[j] {
			if d := dx[j]; d > 0 {
				if s := w.hi[j] - w.x[j]; s < ap*d {
					ap = s / d
				}
			}
			if d := dzu[j]; d < 0 {
				if s := w.zu[j]; s < -ad*d {
					ad = s / -d
				}
			}
		}
	}
	return ap, ad
}

// step takes one predictor-corrector step; it reports false when no
// progress is possible.
func (w *ipmWork) step(mu float64) bool {
	w.assemble()
	// Predictor: complementarity right-hand sides −sL·zL and −sU·zU.
	for j := 0; j < w.cols; j++ {
		w.rcl[j], w.rcu[j] = 0, 0
		if w.hasL[j] {
			w.rcl[j] = -(w.x[j] - w.lo[j]) * w.zl[j]
		}
		if w.hasU[j] {
			w.rcu[j] = -(w.hi[j] - w.x[j]) * w.zu[j]
		}
	}
	if !w.direction(w.rcl, w.rcu, w.dxa, w.dy, w.dzla, w.dzua) {
		return false
	}
	ap, ad := w.stepLengths(w.dxa, w.dzla, w.dzua)
	if !w.isLP {
		ap = math.Min(ap, ad)
		ad = ap
	}
	sigmaMu := 0.0
	if w.nb > 0 {
		comp := 0.0
		for j := 0; j < w.cols; j++ {
			if w.hasL[j] {
				comp += (w.x[j] + ap*w.dxa[j] - w.lo[j]) * (w.zl[j] + ad*w.dzla[j])
			}
			if w.hasU[j] {
				comp += (w.hi[j] - w.x[j] - ap*w.dxa[j]) * (w.zu[j] + ad*w.dzua[j])
			}
		}
		muAff := comp / float64(w.nb)
		sigma := math.Pow(muAff/mu, 3)
		if sigma > 1 {
			sigma = 1
		}
		sigmaMu = sigma * mu
	}
	// Corrector: centring σμ and the second-order term of the predictor.
	for j := 0; j < w.cols; j++ {
		if w.hasL[j] {
			w.rcl[j] += sigmaMu - w.dxa[j]*w.dzla[j]
		}
		if w.hasU[j] {
			w.rcu[j] += sigmaMu + w.dxa[j]*w.dzua[j]
		}
	}
	if !w.direction(w.rcl, w.rcu, w.dx, w.dy, w.dzl, w.dzu) {
		return false
	}
	ap, ad = w.stepLengths(w.dx, w.dzl, w.dzu)
	ap = math.Min(1, stepFraction*ap)
	ad = math.Min(1, stepFraction*ad)
	if !w.isLP {
		ap = math.Min(ap, ad)
		ad = ap
	}
	if !(ap > 0) || !(ad > 0) || math.IsNaN(ap) || math.IsNaN(ad) {
		return false
	}
	for j := 0; j < w.cols; j++ {
		w.x[j] += ap * w.dx[j]
		w.zl[j] += ad * w.dzl[j]
		w.zu[j] += ad * w.dzu[j]
	}
	for i := range w.y {
		w.y[i] += ad * w.dy[i]
	}
	return true
}
