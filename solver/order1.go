package solver

import (
	"fmt"
	"math"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// Order 1: total-variation denoising
//
// For m = 1 the spline is a step function f(x) = c₀ + Σ_k a_k·[x ≥ t_k] and
// ‖Df‖_M = Σ|a_k| is the total variation of f. Only the values z_g = f(x_g)
// at the G distinct inputs enter the loss, and the cheapest step function
// through given values jumps only between neighbouring inputs, so the
// canonical objective of DESIGN §2 is exactly the 1-D fused lasso
//
//	minimise Σ_g φ_g(z_g) + λ Σ_g |z_{g+1} − z_g|,   φ_g(z) = Σ_{i∈g} ω_i ℓ(z − y_i),
//
// in which the positions of the inputs play no part beyond their order.
// The jump between x_g and x_{g+1} is put at the knot t = x_{g+1}, so that
// f(x_{g+1}) already has the new value (ρ₁(0) = 1).
//
// It is solved by dynamic programming (N. Johnson, "A dynamic programming
// algorithm for the fused lasso and L0-segmentation", JCGS 22, 2013). The
// message M_g(z), the least cost of z_1 … z_g with z_g = z, satisfies
//
//	M_{g+1}(z) = φ_{g+1}(z) + min_s [M_g(s) + λ|z − s|],
//
// and the derivative of the inner minimum is M_g' clipped to [−λ, λ], the
// minimiser being s = clip(z, t⁻_g, t⁺_g) where M_g' crosses −λ and +λ. The
// derivative D_g = M_g' is non-decreasing and piecewise linear; it is kept
// as its formula left and right of all breakpoints plus, for each
// breakpoint, the change of slope and intercept across it. A step adds φ'
// to both end formulas (no breakpoint changes), finds t⁻ by walking in from
// the left and t⁺ from the right, removes the breakpoints walked over and
// adds one at each of t⁻ and t⁺. The last value solves D_G(z) = 0 and the
// others follow backwards, z_g = clip(z_{g+1}, t⁻_g, t⁺_g).
//
// For the squared loss φ' is linear, breakpoints are created only at the
// two ends and live in a deque: O(G) time overall. The l1 and Huber losses
// put breakpoints at y_i (l1) or y_i ± δ (Huber) anywhere in the list, which
// is kept in a double-ended priority queue: O(N log N).
//
// # Exactness
//
// The dynamic program computes t± from running sums, and the residual dual
// u = ω(y − f) of the certificate turns a primal error ε into an error of
// up to N·ε in η (DESIGN §4). The fit is therefore polished: the segments
// (maximal runs of equal z) and the signs σ of the jumps between them are
// taken from the dynamic program, and each segment's value is recomputed
// from its own stationarity condition
//
//	Σ_{i∈seg} ω_i ℓ'(v − y_i) = λ(σ_right − σ_left)
//
// (σ = 0 at the ends): for the squared loss v = (Σωy + λ(σ_r − σ_l))/Σω.
// A jump whose recomputed sign disagrees with σ (only possible for a jump
// at the level of rounding) is removed and the polish repeated. For l1 the
// dynamic program returns data values exactly and no polish is needed; its
// dual is not fixed by the residuals and is built from the segments instead
// (order1L1Dual).

// Tolerances and limits of the order-1 solver.
const (
	// order1PolishPasses bounds the rounds of removing inconsistent jumps
	// and re-polishing; a round removes at least one jump and in practice
	// one round (with nothing to remove) is all there is.
	order1PolishPasses = 50
	// order1NewtonSteps bounds the safeguarded Newton iterations of the
	// Huber segment polish, which end when the active set repeats (a
	// handful of steps from the dynamic program's value).
	order1NewtonSteps = 100
)

// solveOrder1 solves order-1 problems (total variation of f; step networks).
func solveOrder1(p *problem.Problem, g *problem.Groups, opt Options) (*candidate, error) {
	if problem.IsInterp(p.Loss) {
		return interpolate1(g), nil
	}
	kind := tvSquared
	delta := 0.0
	switch l := p.Loss.(type) {
	case problem.Squared:
	case problem.L1:
		kind = tvL1
	case problem.Huber:
		kind, delta = tvHuber, l.Delta
	default:
		return nil, fmt.Errorf("%w: order 1 with %s loss is not implemented", ErrUnsupported, p.Loss.Name())
	}

	// 1. Standard units: ỹ = (y − y0)/ys, ω̃ = ω/ws. With m = 1 there is no
	// x scaling, so J = ws·ys^k·J̃ with λ̃ = λ/(ws·ys^{k−1}) (k = 2 for
	// squared and Huber, δ̃ = δ/ys; k = 1 for l1).
	sc := newScaling(p, g)
	lam := p.Lambda / sc.ws
	if kind != tvL1 {
		lam /= sc.ys
		delta /= sc.ys
	}
	t := newTV1(g, sc, kind, delta)

	// 2. The dynamic program.
	if kind == tvSquared {
		t.dpSquared(lam)
	} else {
		t.dpHeap(lam)
	}

	// 3. Segments, polish and dual.
	t.segments()
	passes := 1
	var dual []float64
	switch kind {
	case tvSquared, tvHuber:
		passes = t.polish(lam)
	case tvL1:
		dual = t.l1Dual(lam)
	}
	return &candidate{spline: t.spline(), dual: dual, status: Optimal, iterations: passes}, nil
}

// tvKind is the loss of an order-1 problem.
type tvKind int

const (
	tvSquared tvKind = iota
	tvL1
	tvHuber
)

// tv1 holds an order-1 problem in standard units and the dynamic program's
// work space. The "fitted groups" are the groups of positive weight;
// groups of zero weight take the value of the fitted group before them (or
// after them, at the left end), which costs no loss and no variation.
type tv1 struct {
	g     *problem.Groups
	sc    scaling
	kind  tvKind
	delta float64 // δ̃ for Huber

	grp []int     // original group index of each fitted group
	w   []float64 // Σω̃ of each fitted group
	y   []float64 // ω-weighted mean ỹ of each fitted group (squared)
	sy  []float64 // ỹ of each sorted sample (l1, Huber)
	sw  []float64 // ω̃ of each sorted sample (l1, Huber)

	z      []float64 // fitted value of each fitted group
	lo, hi []float64 // t⁻_g, t⁺_g of each step (then reused by the polish)

	seg []int     // first fitted group of each segment, then len(grp)
	sig []float64 // sign of the jump into each segment (0 for the first)
	val []float64 // value of each segment
}

func newTV1(g *problem.Groups, sc scaling, kind tvKind, delta float64) *tv1 {
	t := &tv1{g: g, sc: sc, kind: kind, delta: delta}
	n := 0
	for _, s := range g.SumW {
		if s > 0 {
			n++
		}
	}
	t.grp = make([]int, 0, n)
	t.w = make([]float64, 0, n)
	for k, s := range g.SumW {
		if s > 0 {
			t.grp = append(t.grp, k)
			t.w = append(t.w, sc.w(s))
		}
	}
	if kind == tvSquared {
		t.y = make([]float64, n)
		for j, k := range t.grp {
			t.y[j] = sc.y(g.MeanY[k])
		}
	} else {
		t.sy = make([]float64, len(g.Y))
		t.sw = make([]float64, len(g.Y))
		for i := range g.Y {
			t.sy[i] = sc.y(g.Y[i])
			t.sw[i] = sc.w(g.W[i])
		}
	}
	t.z = make([]float64, n)
	t.lo = make([]float64, n)
	t.hi = make([]float64, n)
	return t
}

// samples returns the sorted samples of fitted groups j … k−1 (including
// the zero-weight groups between them, whose samples carry no weight).
func (t *tv1) samples(j, k int) (int, int) {
	return t.g.Start[t.grp[j]], t.g.Start[t.grp[k-1]+1]
}

// dpSquared runs the dynamic program for the squared loss,
// φ_g'(z) = w_g(z − y_g), with the breakpoints in a deque: a breakpoint is
// only ever added at either end, and each step's walks remove what they
// pass, so the work is O(G) in all. Breakpoint j carries the change
// (da[j], db[j]) of D(z) = a·z + b across it.
func (t *tv1) dpSquared(lam float64) {
	n := len(t.w)
	w, y, z := t.w, t.y, t.z
	// Each step adds at most one breakpoint at each end of the deque.
	pos := make([]float64, 2*n+2)
	da := make([]float64, 2*n+2)
	db := make([]float64, 2*n+2)
	first, last := n+1, n // the deque is pos[first … last]
	aL, bL := w[0], -w[0]*y[0]
	aR, bR := aL, bL
	for k := 0; k+1 < n; k++ {
		// t⁻: walk in from the left while D at the breakpoint is ≤ −λ.
		// D is continuous with slope ≥ w_k > 0, so t⁻ is where the
		// formula of the region reached crosses −λ.
		a, b := aL, bL
		i := first
		for i <= last && a*pos[i]+b <= -lam {
			a += da[i]
			b += db[i]
			i++
		}
		tm := (-lam - b) / a
		// t⁺: walk in from the right on the same D, never past i.
		c, d := aR, bR
		j := last
		for j >= i && c*pos[j]+d >= lam {
			c -= da[j]
			d -= db[j]
			j--
		}
		tp := (lam - d) / c
		if tp < tm { // rounding only: D is strictly increasing
			tp = tm
		}
		t.lo[k], t.hi[k] = tm, tp
		// D clipped to [−λ, λ]: constant outside [t⁻, t⁺].
		first, last = i-1, j+1
		pos[first], da[first], db[first] = tm, a, b+lam
		pos[last], da[last], db[last] = tp, -c, lam-d
		// Add φ'_{k+1} to both end formulas.
		aL, bL = w[k+1], -lam-w[k+1]*y[k+1]
		aR, bR = w[k+1], lam-w[k+1]*y[k+1]
	}
	// z_G solves D(z) = 0.
	a, b := aL, bL
	for i := first; i <= last && a*pos[i]+b <= 0; i++ {
		a += da[i]
		b += db[i]
	}
	z[n-1] = -b / a
	t.backtrack()
}

// backtrack recovers z_g = clip(z_{g+1}, t⁻_g, t⁺_g).
func (t *tv1) backtrack() {
	z := t.z
	for k := len(z) - 2; k >= 0; k-- {
		z[k] = math.Max(t.lo[k], math.Min(t.hi[k], z[k+1]))
	}
}

// dpHeap runs the dynamic program with the breakpoints in a double-ended
// priority queue, for losses whose derivative has breakpoints of its own
// (l1: a jump of 2ω at y; Huber: slope changes at y ± δ). D may then be
// discontinuous and flat, and may stay inside (−λ, λ) altogether (then
// t∓ = ∓∞: no jump is ever worth its cost). It also runs the squared loss,
// which the tests use to check it against dpSquared.
func (t *tv1) dpHeap(lam float64) {
	n := len(t.w)
	per := 0 // breakpoints per sample
	switch t.kind {
	case tvL1:
		per = 1
	case tvHuber:
		per = 2
	}
	q := newKnotQueue(per*len(t.g.Y) + 2*n)
	var aL, bL, aR, bR float64
	for k := 0; k < n; k++ {
		if k > 0 {
			t.lo[k-1] = q.clipLeft(&aL, &bL, -lam)
			t.hi[k-1] = q.clipRight(&aR, &bR, lam)
		}
		// Add φ'_k: the same change to both end formulas, plus its own
		// breakpoints.
		if t.kind == tvSquared {
			aL += t.w[k]
			aR += t.w[k]
			bL -= t.w[k] * t.y[k]
			bR -= t.w[k] * t.y[k]
			continue
		}
		s, e := t.samples(k, k+1)
		for i := s; i < e; i++ {
			wi, yi := t.sw[i], t.sy[i]
			if wi == 0 {
				continue
			}
			switch t.kind {
			case tvL1:
				bL -= wi
				bR += wi
				q.push(yi, 0, 2*wi)
			case tvHuber:
				d := t.delta
				bL -= wi * d
				bR += wi * d
				q.push(yi-d, wi, wi*(d-yi))
				q.push(yi+d, -wi, wi*(d+yi))
			}
		}
	}
	t.z[n-1] = q.root(aL, bL)
	t.backtrack()
}

// knotQueue holds the breakpoints of D: position and the change of slope
// and intercept across each, in two binary heaps (smallest and largest
// position first) over one pool, with lazy deletion.
type knotQueue struct {
	pos, da, db []float64
	dead        []bool
	minh, maxh  []int32
}

func newKnotQueue(capacity int) *knotQueue {
	return &knotQueue{
		pos:  make([]float64, 0, capacity),
		da:   make([]float64, 0, capacity),
		db:   make([]float64, 0, capacity),
		dead: make([]bool, 0, capacity),
		minh: make([]int32, 0, capacity),
		maxh: make([]int32, 0, capacity),
	}
}

func (q *knotQueue) push(p, a, b float64) {
	i := int32(len(q.pos))
	q.pos = append(q.pos, p)
	q.da = append(q.da, a)
	q.db = append(q.db, b)
	q.dead = append(q.dead, false)
	q.minh = append(q.minh, i)
	siftUp(q.minh, q.pos, len(q.minh)-1, 1)
	q.maxh = append(q.maxh, i)
	siftUp(q.maxh, q.pos, len(q.maxh)-1, -1)
}

// peek returns the live breakpoint at the top of heap h (dir 1: smallest,
// −1: largest), dropping dead entries on the way.
func (q *knotQueue) peek(h *[]int32, dir float64) (int32, bool) {
	for len(*h) > 0 {
		i := (*h)[0]
		if !q.dead[i] {
			return i, true
		}
		q.pop(h, dir)
	}
	return 0, false
}

// pop removes the top of heap h and marks it dead for the other heap.
func (q *knotQueue) pop(h *[]int32, dir float64) {
	s := *h
	q.dead[s[0]] = true
	s[0] = s[len(s)-1]
	s = s[:len(s)-1]
	siftDown(s, q.pos, 0, dir)
	*h = s
}

// siftUp and siftDown restore the heap order of h (by pos, ascending for
// dir = 1 and descending for dir = −1) after a change at index i.
func siftUp(h []int32, pos []float64, i int, dir float64) {
	for i > 0 {
		parent := (i - 1) / 2
		if dir*pos[h[i]] >= dir*pos[h[parent]] {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

func siftDown(h []int32, pos []float64, i int, dir float64) {
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && dir*pos[h[c+1]] < dir*pos[h[c]] {
			c++
		}
		if dir*pos[h[i]] <= dir*pos[h[c]] {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// clipLeft replaces D by max(D, c) (c = −λ), given D's formula a·z + b
// left of all breakpoints, and returns the point t⁻ where D reaches c
// (−∞ when D ≥ c everywhere).
func (q *knotQueue) clipLeft(a, b *float64, c float64) float64 {
	fa, fb := *a, *b
	last := math.Inf(-1) // the last breakpoint walked over
	for {
		i, ok := q.peek(&q.minh, 1)
		p := math.Inf(1)
		if ok {
			p = q.pos[i]
		}
		if !ok || fa*p+fb >= c {
			// D reaches c in the region [last, p].
			t := last
			switch {
			case fa > 0:
				t = math.Max(last, math.Min(p, (c-fb)/fa))
			case !ok && fb < c:
				// D < c everywhere (rounding only: D ends above λ).
				*a, *b = 0, c
				return math.Inf(1)
			}
			if math.IsInf(t, -1) {
				return t // D ≥ c already
			}
			q.push(t, fa, fb-c)
			*a, *b = 0, c
			return t
		}
		// D(p−) < c; the breakpoint itself may jump over c.
		ra, rb := fa+q.da[i], fb+q.db[i]
		if ra*p+rb > c {
			q.da[i], q.db[i] = ra, rb-c
			*a, *b = 0, c
			return p
		}
		q.pop(&q.minh, 1)
		fa, fb, last = ra, rb, p
	}
}

// clipRight replaces D by min(D, c) (c = λ), given D's formula right of
// all breakpoints, and returns the point t⁺ where D leaves c (+∞ when
// D ≤ c everywhere).
func (q *knotQueue) clipRight(a, b *float64, c float64) float64 {
	fa, fb := *a, *b
	last := math.Inf(1)
	for {
		i, ok := q.peek(&q.maxh, -1)
		p := math.Inf(-1)
		if ok {
			p = q.pos[i]
		}
		if !ok || fa*p+fb <= c {
			t := last
			switch {
			case fa > 0:
				t = math.Min(last, math.Max(p, (c-fb)/fa))
			case !ok && fb > c:
				*a, *b = 0, c
				return math.Inf(-1)
			}
			if math.IsInf(t, 1) {
				return t // D ≤ c already
			}
			q.push(t, -fa, c-fb)
			*a, *b = 0, c
			return t
		}
		la, lb := fa-q.da[i], fb-q.db[i]
		if la*p+lb < c {
			q.da[i], q.db[i] = -la, c-lb
			*a, *b = 0, c
			return p
		}
		q.pop(&q.maxh, -1)
		fa, fb, last = la, lb, p
	}
}

// root returns a point where D, with formula a·z + b left of all
// breakpoints, changes sign. It consumes the queue.
func (q *knotQueue) root(fa, fb float64) float64 {
	last := math.Inf(-1)
	for {
		i, ok := q.peek(&q.minh, 1)
		p := math.Inf(1)
		if ok {
			p = q.pos[i]
		}
		if !ok || fa*p+fb >= 0 {
			t := last
			if fa > 0 {
				t = math.Max(last, math.Min(p, -fb/fa))
			}
			if math.IsInf(t, -1) {
				// D ≥ 0 on the left end: only by rounding, since the left
				// formula is −Σω·(1 or δ) − λ < 0 whenever it is flat.
				t = p
				if math.IsInf(t, 1) {
					t = 0
				}
			}
			return t
		}
		ra, rb := fa+q.da[i], fb+q.db[i]
		if ra*p+rb > 0 {
			return p
		}
		q.pop(&q.minh, 1)
		fa, fb, last = ra, rb, p
	}
}

// segments splits the fitted groups into maximal runs of equal z.
func (t *tv1) segments() {
	z := t.z
	t.seg = t.seg[:0]
	t.sig = t.sig[:0]
	t.val = t.val[:0]
	for j := range z {
		if j == 0 || z[j] != z[j-1] {
			s := 0.0
			if j > 0 {
				s = math.Copysign(1, z[j]-z[j-1])
			}
			t.seg = append(t.seg, j)
			t.sig = append(t.sig, s)
			t.val = append(t.val, z[j])
		}
	}
	t.seg = append(t.seg, len(z))
}

// polish recomputes each segment's value from its stationarity condition
// (squared: closed form; Huber: segmentPolishHuber), removes jumps whose
// sign then disagrees with the segmentation's, and repeats until none is
// removed. It returns the number of rounds.
func (t *tv1) polish(lam float64) int {
	for pass := 1; ; pass++ {
		ns := len(t.val)
		for s := 0; s < ns; s++ {
			rhs := -t.sig[s]
			if s+1 < ns {
				rhs += t.sig[s+1]
			}
			rhs *= lam
			j, k := t.seg[s], t.seg[s+1]
			if t.kind == tvSquared {
				sw, swy := 0.0, 0.0
				for i := j; i < k; i++ {
					sw += t.w[i]
					swy += t.w[i] * t.y[i]
				}
				t.val[s] = (swy + rhs) / sw
			} else {
				t.val[s] = t.huberSegment(j, k, rhs, t.val[s])
			}
		}
		// Keep the jumps whose sign agrees (or that vanished: a zero jump
		// has every subgradient in [−1, 1]).
		kept := 1
		for s := 1; s < ns; s++ {
			if (t.val[s]-t.val[kept-1])*t.sig[s] < 0 && pass < order1PolishPasses {
				continue
			}
			t.seg[kept], t.sig[kept], t.val[kept] = t.seg[s], t.sig[s], t.val[s]
			kept++
		}
		if kept == ns {
			return pass
		}
		t.seg[kept] = t.seg[ns]
		t.seg, t.sig, t.val = t.seg[:kept+1], t.sig[:kept], t.val[:kept]
	}
}

// huberSegment solves Σ_i ω̃_i·clip(v − ỹ_i, −δ̃, δ̃) = rhs over the samples
// of fitted groups j … k−1, starting from v0: the left side is
// non-decreasing and piecewise linear in v, and on the piece of the current
// active set Q = {i : |v − ỹ_i| ≤ δ̃} the solution is
// v = (rhs + Σ_Q ω̃ỹ − Σ_{∉Q} ω̃δ̃·sign)/Σ_Q ω̃. That Newton step is taken when
// it stays inside the bracket kept from the signs of the residual, a
// bisection otherwise, until the active set at the new point is the one
// that produced it (then the point solves the equation exactly).
func (t *tv1) huberSegment(j, k int, rhs, v0 float64) float64 {
	s, e := t.samples(j, k)
	d := t.delta
	// piece returns Σ_Q ω̃, Σ_Q ω̃ỹ and Σ_{∉Q} ω̃δ̃·sign at v, and the
	// breakpoints next to v below and above.
	piece := func(v float64) (qw, qwy, out, below, above float64) {
		below, above = math.Inf(-1), math.Inf(1)
		for i := s; i < e; i++ {
			wi := t.sw[i]
			if wi == 0 {
				continue
			}
			yi := t.sy[i]
			switch r := v - yi; {
			case r < -d:
				out -= wi * d
				above = math.Min(above, yi-d)
			case r > d:
				out += wi * d
				below = math.Max(below, yi+d)
			default:
				qw += wi
				qwy += wi * yi
				below = math.Max(below, yi-d)
				above = math.Min(above, yi+d)
			}
		}
		return qw, qwy, out, below, above
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	v := v0
	for it := 0; it < order1NewtonSteps; it++ {
		qw, qwy, out, below, above := piece(v)
		g := qw*v - qwy + out
		switch {
		case g < rhs:
			lo = math.Max(lo, v)
		case g > rhs:
			hi = math.Min(hi, v)
		default:
			return v
		}
		var next float64
		if qw > 0 {
			next = (rhs + qwy - out) / qw
			if nqw, nqwy, nout, _, _ := piece(next); nqw == qw && nqwy == qwy && nout == out {
				return next
			}
		} else if g < rhs {
			next = above // flat piece below the target: go to its right end
		} else {
			next = below
		}
		if !(next > lo && next < hi) {
			if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
				return v // cannot happen for a consistent segment; keep v
			}
			next = lo + 0.5*(hi-lo)
			if next == lo || next == hi {
				return v
			}
		}
		v = next
	}
	return v
}

// l1Dual builds the dual vector of an l1 fit from its segments (the
// residuals leave it undetermined where they vanish). With P_g = Σ_{j≤g} U_j
// the running sum of the group duals U_j = Σ_{i∈j} u_i, η(x_{g+1}) = −P_g,
// and optimality asks for
//
//	U_j ∈ [Σ lo_i, Σ hi_i]   (u_i = ω_i·sign(y_i − v) where the residual is
//	                          nonzero, u_i ∈ [−ω_i, ω_i] where it is 0),
//	P_g = −λσ at a jump of sign σ,  |P_g| ≤ λ elsewhere,  P_G = 0.
//
// A forward pass computes the interval of reachable P_g under these
// constraints, a backward pass picks P_g from it (rounding that empties an
// interval is absorbed by clamping; the certificate measures the result),
// and each group's U_j is shared among its samples within their intervals.
func (t *tv1) l1Dual(lam float64) []float64 {
	n := len(t.grp)
	gl, gh := t.lo, t.hi // reuse: interval of each group's U_j
	val := t.z
	for j := 0; j < n; j++ {
		s, e := t.samples(j, j+1)
		a, b := 0.0, 0.0
		for i := s; i < e; i++ {
			l, h := l1Box(t.sw[i], t.sy[i], val[j])
			a += l
			b += h
		}
		gl[j], gh[j] = a, b
	}
	// Constraint on P_j: the level at a jump after j, else [−λ, λ].
	target := func(j int) (float64, float64) {
		if j == n-1 {
			return 0, 0
		}
		if val[j+1] != val[j] {
			c := -lam * math.Copysign(1, val[j+1]-val[j])
			return c, c
		}
		return -lam, lam
	}
	rlo := make([]float64, n)
	rhi := make([]float64, n)
	plo, phi := 0.0, 0.0
	for j := 0; j < n; j++ {
		a, b := plo+gl[j], phi+gh[j]
		c, d := target(j)
		plo, phi = math.Max(a, c), math.Min(b, d)
		if plo > phi { // empty by rounding: the point of [a, b] nearest [c, d]
			if b < c {
				plo, phi = b, b
			} else {
				plo, phi = a, a
			}
		}
		rlo[j], rhi[j] = plo, phi
	}
	ug := make([]float64, len(t.g.X))
	pk := clamp(0, rlo[n-1], rhi[n-1])
	for j := n - 1; j >= 0; j-- {
		prev := 0.0
		if j > 0 {
			// P_{j−1} ∈ R_{j−1} with P_j − P_{j−1} ∈ [gl_j, gh_j].
			prev = clamp(clamp(pk-0.5*(gl[j]+gh[j]), pk-gh[j], pk-gl[j]), rlo[j-1], rhi[j-1])
		}
		ug[t.grp[j]] = pk - prev
		pk = prev
	}
	// Share U_j within each group and return to the problem's units.
	u := make([]float64, len(t.g.Order))
	for j, k := range t.grp {
		s, e := t.g.Start[k], t.g.Start[k+1]
		theta := 0.0
		if span := gh[j] - gl[j]; span > 0 {
			theta = clamp((ug[k]-gl[j])/span, 0, 1)
		}
		for i := s; i < e; i++ {
			l, h := l1Box(t.sw[i], t.sy[i], val[j])
			u[t.g.Order[i]] = t.sc.ws * (l + theta*(h-l))
		}
	}
	return u
}

// l1Box returns the interval of u_i = −ω ∂|v − y| at a sample.
func l1Box(w, y, v float64) (float64, float64) {
	switch {
	case v > y:
		return -w, -w
	case v < y:
		return w, w
	}
	return -w, w
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// spline returns the step function of the segments in the problem's units:
// the first segment's value as c₀ and a knot at the first input of each
// later segment. The amplitudes are taken against the running sum that
// evaluation forms, c₀ + a₁ + … + a_k, so that rounding does not
// accumulate along the knots: every segment evaluates to its own value to
// within an ulp.
func (t *tv1) spline() *representer.Spline {
	sc := t.sc
	s := &representer.Spline{Order: 1, Poly: []float64{sc.y0 + sc.ys*t.val[0]}}
	sum := s.Poly[0]
	for k := 1; k < len(t.val); k++ {
		a := sc.y0 + sc.ys*t.val[k] - sum
		if a == 0 {
			continue
		}
		s.Knots = append(s.Knots, t.g.X[t.grp[t.seg[k]]])
		s.Amps = append(s.Amps, a)
		sum += a
	}
	return s
}

// interpolate1 solves order-1 interpolation: the step function through the
// data, with a knot wherever the value changes, is the only interpolant
// whose variation is not larger, Σ_g |ȳ_{g+1} − ȳ_g|. Its dual is
// η(x_g) = sign(ȳ_g − ȳ_{g−1}) (0 at the first input and where y does not
// change), so u_g = η(x_g) − η(x_{g+1}) and yᵀu = Σ|ȳ_{g+1} − ȳ_g|.
func interpolate1(g *problem.Groups) *candidate {
	n := g.G()
	y := g.MeanY
	s := &representer.Spline{Order: 1, Poly: []float64{y[0]}}
	eta := make([]float64, n+1)
	sum := y[0]
	for k := 1; k < n; k++ {
		if y[k] == y[k-1] {
			continue
		}
		eta[k] = math.Copysign(1, y[k]-y[k-1])
		// Against the running sum, as in tv1.spline.
		if a := y[k] - sum; a != 0 {
			s.Knots = append(s.Knots, g.X[k])
			s.Amps = append(s.Amps, a)
			sum += a
		}
	}
	ug := make([]float64, n)
	for k := range ug {
		ug[k] = eta[k] - eta[k+1]
	}
	return &candidate{spline: s, dual: spreadGroups(g, ug), status: Optimal}
}
