package certificate

import (
	"fmt"
	"math"
	"sync"

	"github.com/ridgeline-nn/ridgeline/internal/parallel"
	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// Evaluator certifies functions for one problem at any number of values of
// λ — a regularisation path — with the same rules and rounding allowances
// as EvaluateOrdered, which it also implements. What does not depend on λ,
// on the function or on the dual vector is prepared once: the data in
// sorted order (checked against the order given), the orthonormal basis of
// the polynomials that the dual vector is projected off, and the projected
// targets ỹ. Each evaluation then works in sorted order throughout.
//
// An Evaluator is safe for concurrent use; it keeps a reference to the
// problem, whose data must not change while it is in use.
type Evaluator struct {
	p      *problem.Problem
	ord    []int
	xs, ys []float64  // inputs and targets in sorted order
	ws     []float64  // weights in sorted order (1 for Interp)
	active []bool     // samples that carry loss (all for Interp), sorted order
	basis  orthoBasis // polynomials of degree < m on the active sorted inputs
	yt     []float64  // ys minus its polynomial part (order ≥ 2), 0 where no loss
	yy     float64    // Σỹ² over the samples that carry loss
	yscale float64    // max|y|
	unit   bool       // every weight is 1 (Interp, or no weights given)
	buf    sync.Pool  // *evalScratch
	interp bool
	step   bool      // order 1, evaluated by stepCertificate
	data   *stepData // order 1: the data in sorted order
}

// evalScratch holds one evaluation's vectors over the sorted samples.
type evalScratch struct{ fs, us []float64 }

// NewEvaluator prepares the certificates of p, whose inputs ord sorts (the
// permutation returned by problem.SortedOrder(p.X)). It checks ord; p.Lambda
// is not used.
func NewEvaluator(p *problem.Problem, ord []int) (*Evaluator, error) {
	return newEvaluator(p, ord, p.Order == 1)
}

// NewEvaluatorSorted is NewEvaluator for a caller that already holds the
// inputs in sorted order, xs[k] = p.X[ord[k]], and possibly the targets,
// ys[k] = p.Y[ord[k]] (a solver working on the sorted samples): it checks
// them against p and ord, value for value, and keeps them instead of
// gathering copies; with ys nil it gathers the targets itself (Sorted
// returns them). They must not change while the Evaluator is in use.
func NewEvaluatorSorted(p *problem.Problem, ord []int, xs, ys []float64) (*Evaluator, error) {
	if p.Dim != 1 {
		return nil, fmt.Errorf("certificate: dimension %d not supported", p.Dim)
	}
	n := p.N()
	if len(ord) != n || len(xs) != n || ys != nil && len(ys) != n {
		return nil, fmt.Errorf("certificate: %d, %d and %d sorted entries (order, inputs, targets) for %d samples", len(ord), len(xs), len(ys), n)
	}
	gatherY := ys == nil
	if gatherY {
		ys = make([]float64, n)
	}
	if err := checkSorted(p, ord, xs, ys, gatherY); err != nil {
		return nil, err
	}
	return newEvaluatorFrom(p, ord, p.Order == 1, &stepData{xs: xs, ys: ys})
}

// Sorted returns the data in sorted order that e holds: inputs, targets
// and weights (nil if every weight is 1). They share e's memory and must
// not be modified.
func (e *Evaluator) Sorted() (xs, ys, ws []float64) {
	if e.step {
		return e.data.xs, e.data.ys, e.data.ws
	}
	return e.xs, e.ys, e.ws
}

// checkSorted checks that ord is a permutation, that xs holds p's inputs
// in its order, bit for bit, and is sorted, and that ys holds the targets
// (or, with gatherY, gathers them into ys); in two halves concurrently from
// parallelMin samples on.
func checkSorted(p *problem.Problem, ord []int, xs, ys []float64, gatherY bool) error {
	n := p.N()
	parts := parallel.Parts(n)
	errs := make([]error, parts+1)
	parallel.Run(parts, func(part int) {
		a, b := parallel.Span(n, parts, part)
		if part == 0 {
			errs[parts] = checkPermutation(ord)
		}
		for k := a; k < b; k++ {
			i := ord[k]
			if uint(i) >= uint(n) {
				continue // checkPermutation reports it
			}
			sameY := true
			if gatherY {
				ys[k] = p.Y[i]
			} else {
				sameY = math.Float64bits(ys[k]) == math.Float64bits(p.Y[i])
			}
			if math.Float64bits(xs[k]) != math.Float64bits(p.X[i]) || !sameY {
				errs[part] = fmt.Errorf("certificate: sorted entry %d is not sample %d", k, i)
				return
			}
			if k > 0 && xs[k] < xs[k-1] {
				errs[part] = fmt.Errorf("certificate: order does not sort the inputs (entry %d)", k)
				return
			}
		}
	})
	if errs[parts] != nil {
		return errs[parts]
	}
	for _, err := range errs[:parts] {
		if err != nil {
			return err
		}
	}
	return nil
}

// newEvaluator is NewEvaluator; with step set it hands order-1 problems to
// their own evaluation (evaluateStep), and prepares the general one
// otherwise (the tests' reference for evaluateStep).
func newEvaluator(p *problem.Problem, ord []int, step bool) (*Evaluator, error) {
	return newEvaluatorFrom(p, ord, step, nil)
}

// newEvaluatorFrom is newEvaluator with the sorted inputs and targets
// given (already checked) in sorted, or nil to gather them.
func newEvaluatorFrom(p *problem.Problem, ord []int, step bool, sorted *stepData) (*Evaluator, error) {
	if p.Dim != 1 {
		return nil, fmt.Errorf("certificate: dimension %d not supported", p.Dim)
	}
	n := p.N()
	if len(ord) != n {
		return nil, fmt.Errorf("certificate: order of length %d for %d samples", len(ord), n)
	}
	e := &Evaluator{p: p, ord: ord, interp: problem.IsInterp(p.Loss)}
	e.buf.New = func() any { return &evalScratch{fs: make([]float64, n), us: make([]float64, n)} }
	if step {
		// Order 1 is evaluated by evaluateStep, on the data gathered here.
		e.step = true
		if sorted != nil {
			var ws []float64
			if p.W != nil && !e.interp {
				ws = make([]float64, n)
				gather(ws, p.W, ord)
			}
			e.data = newStepData(sorted.xs, sorted.ys, ws)
			return e, nil
		}
		var err error
		if e.data, err = gatherStep(p, ord); err != nil {
			return nil, err
		}
		for k := 1; k < n; k++ {
			if e.data.xs[k] < e.data.xs[k-1] {
				return nil, fmt.Errorf("certificate: order does not sort the inputs (entry %d)", k)
			}
		}
		return e, nil
	}
	if sorted != nil {
		e.xs, e.ys = sorted.xs, sorted.ys
	} else {
		e.xs, e.ys = make([]float64, n), make([]float64, n)
		if err := gatherSorted(e.xs, p.X, ord); err != nil {
			return nil, err
		}
		for k, i := range ord {
			e.ys[k] = p.Y[i]
		}
	}
	e.ws, e.active = make([]float64, n), make([]bool, n)
	for k, i := range ord {
		e.ws[k] = p.Weight(i)
		e.active[k] = e.interp || e.ws[k] > 0
		e.yscale = math.Max(e.yscale, math.Abs(e.ys[k]))
	}
	e.basis = polyBasis(e.xs, e.active, p.Order)
	e.yt = append([]float64(nil), e.ys...)
	e.basis.project(e.yt)
	// ỹ is only ever used where there is loss; the fused passes
	// (linearPass) rely on its 0 elsewhere.
	for k := range e.yt {
		if e.active[k] {
			e.yy += e.yt[k] * e.yt[k]
		} else {
			e.yt[k] = 0
		}
	}
	e.unit = e.interp || p.W == nil
	return e, nil
}

// EvaluateSorted is Evaluate with the dual vector in sorted order: us[k]
// is the entry of sample ord[k] (nil: the residual dual), as for the
// package's EvaluateSorted, whose certificate this is.
func (e *Evaluator) EvaluateSorted(lambda float64, s *representer.Spline, us []float64) (*Certificate, error) {
	return e.evaluate(lambda, s, us, true)
}

// Evaluate returns the certificate of s for the problem at regularisation
// λ = lambda, with the dual vector u (one entry per sample in the problem's
// order; nil: the residual dual), exactly as EvaluateOrdered does for the
// problem with that λ.
func (e *Evaluator) Evaluate(lambda float64, s *representer.Spline, u []float64) (*Certificate, error) {
	return e.evaluate(lambda, s, u, false)
}

// evaluate is Evaluate, with u in sorted order (entry k belongs to sample
// ord[k]) if sorted is set.
func (e *Evaluator) evaluate(lambda float64, s *representer.Spline, u []float64, sorted bool) (*Certificate, error) {
	q := *e.p
	q.Lambda = lambda
	p := &q
	n := p.N()
	if s.Order != p.Order {
		return nil, fmt.Errorf("certificate: spline of order %d for a problem of order %d", s.Order, p.Order)
	}
	if u != nil && len(u) != n {
		return nil, fmt.Errorf("%w: length %d for %d samples", ErrDual, len(u), n)
	}
	if e.step {
		return stepCertificate(p, e.ord, e.data, s, u, sorted)
	}
	sc := e.buf.Get().(*evalScratch)
	defer e.buf.Put(sc)
	fs, us := sc.fs, sc.us

	// J from the spline's values at the sorted inputs, and the dual
	// vector; in two halves concurrently from parallelMin samples on.
	c := &Certificate{Regularizer: s.TV()}
	parts := parallel.Parts(n)
	var halves [2]passOne
	parallel.Run(parts, func(part int) {
		a, b := parallel.Span(n, parts, part)
		s.EvalTo(fs[a:b], e.xs[a:b])
		halves[part] = e.dualPass(p.Loss, a, b, fs, us, u, sorted)
	})
	pass := halves[0]
	if parts > 1 {
		pass = pass.merge(halves[1])
	}
	if pass.bad >= 0 {
		return nil, fmt.Errorf("%w: entry %d is %v", ErrDual, e.ord[pass.bad], pass.badV)
	}
	c.LossValue, c.MaxResidual = pass.loss, pass.maxRes
	c.objective(p, e.yscale)
	d := newDualSums(p)
	if p.Order == 2 && len(e.basis) == 2 {
		// Steps 1 to 3, fused into two more passes.
		c.Sup = e.linearPass(us, pass.a0, pass.a1, &d)
	} else {
		// 1. Project onto {Pᵀu = 0} over the samples that carry loss.
		e.basis.project(us)

		// 2. S = sup|η| on the continuum.
		c.Sup, _ = DualSup(p.Order, e.xs, us)

		// 3. Best feasible scaling and the dual objective, with ỹ = y minus
		// its polynomial part on the same samples: ỹᵀu = yᵀu for
		// u ⟂ polynomials, but without the cancellation of a large offset
		// in y, and without the rounding left in Pᵀu. What rounding remains
		// is subtracted (yuSlack), so that a u that is rounding noise can
		// never be scaled into a bound.
		d.addAll(e.yt, us, e.ws, e.active)
	}
	if err := c.bound(p, d); err != nil {
		return nil, err
	}
	return c, nil
}

// passOne is what the first pass of an evaluation (dualPass) returns.
type passOne struct {
	loss, maxRes float64 // Σω ℓ(f − y) and max|f − y|
	a0, a1       float64 // q₀ᵀu and q₁ᵀu for a basis of two vectors
	bad          int     // sorted index of the first non-finite dual entry, or −1
	badV         float64 // its value
}

// dualPass is the first pass of an evaluation, over the sorted samples
// a … b−1 with f in fs: J's loss value and largest residual, and the dual vector
// in us (u, in sorted order if sorted is set, else in the problem's; the
// residual dual −ω ℓ'(f − y) if u is nil), checked for non-finite entries
// and 0 where there is no loss; for a basis of two vectors also the
// coefficients of the projection's first sweep, as project2 forms them.
func (e *Evaluator) dualPass(loss problem.Loss, a, b int, fs, us, u []float64, sorted bool) passOne {
	n := len(us)
	fs, ys, ws, active, ord := fs[:n], e.ys[:n], e.ws[:n], e.active[:n], e.ord
	interp := e.interp
	_, squared := loss.(problem.Squared)
	lossV := 0.0
	if !squared && (!interp || u == nil) {
		// The loss, and the residual dual if none is proposed, through
		// the interface in a loop of their own: calls in the main loop
		// would make the compiler keep its sums in memory. The main loop
		// then takes the dual from us.
		for k := a; k < b; k++ {
			r, w := fs[k]-ys[k], ws[k]
			if !interp {
				lossV += w * loss.Value(r)
			}
			if u == nil {
				us[k] = -w * loss.Deriv(r)
			}
		}
		if u == nil {
			u, sorted = us, true
		}
	}
	two := len(e.basis) == 2
	var q0, q1 []float64
	if two {
		q0, q1 = e.basis[0][:n], e.basis[1][:n]
	}
	maxRes, a0, a1 := 0.0, 0.0, 0.0
	bad, badV := -1, 0.0
	for k := a; k < b; k++ {
		w := ws[k]
		r := fs[k] - ys[k]
		if a := math.Abs(r); a > maxRes || a != a {
			maxRes = a
		}
		if squared {
			lossV += w * (0.5 * r * r) // problem.Squared.Value
		}
		var v float64
		switch {
		case u == nil:
			v = -w * r // problem.Squared.Deriv
		case sorted:
			v = u[k]
		default:
			v = u[ord[k]]
		}
		if v-v != 0 && bad < 0 { // NaN or ±Inf
			bad, badV = k, v
		}
		if !active[k] {
			v = 0
		}
		us[k] = v
		if two {
			a0 += q0[k] * v
			a1 += q1[k] * v
		}
	}
	return passOne{loss: lossV, maxRes: maxRes, a0: a0, a1: a1, bad: bad, badV: badV}
}

// merge returns the results of two consecutive ranges of dualPass, h
// following r.
func (r passOne) merge(h passOne) passOne {
	r.loss += h.loss
	// NaN propagates, as through the builtin max.
	if h.maxRes > r.maxRes || h.maxRes != h.maxRes {
		r.maxRes = h.maxRes
	}
	r.a0 += h.a0
	r.a1 += h.a1
	if r.bad < 0 {
		r.bad, r.badV = h.bad, h.badV
	}
	return r
}
