package solver

import (
	"fmt"
	"math"
	"sort"

	"github.com/ridgeline-nn/ridgeline/internal/parallel"
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
// on the problem's own samples from its stationarity condition
//
//	Σ_{i∈seg} ω_i ℓ'(v − y_i) = λ(σ_right − σ_left)
//
// (σ = 0 at the ends): for the squared loss v = (Σωy + λ(σ_r − σ_l))/Σω,
// for Huber a safeguarded Newton iteration on the active set. A jump whose
// recomputed sign disagrees with σ (only possible for a jump at the level
// of rounding) is removed and the polish repeated. Each value is computed
// as an offset from one of its segment's targets, and the dual proposed to
// the certificate is u_i = −ω_i ℓ'(v − y_i) formed from that unrounded
// offset, so that the rounding of v to a float (large when y has a large
// offset) does not enter η through every sample of a long segment.
//
// For l1 the dynamic program's values are data values (every t± is a
// breakpoint y_i); they are snapped back to the exact target in the
// problem's units. The dual is not fixed by the residuals where they
// vanish and is built from the segments instead (l1Dual).
//
// Interpolation needs no program: the step function through the data
// (interpolate1).

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
	// huberSolvedTol is the residual of a Huber segment's stationarity
	// equation Σω·clip(d − e, ±δ) = rhs, relative to Σω·min(|d − e|, δ) and
	// √(samples), below which d is kept when no Newton step solves the
	// equation exactly: the rounding of the sum.
	huberSolvedTol = 4e-16
	// order1SnapTol is the distance, relative to the spread of y, within
	// which an l1 segment value is taken to be the nearby target it stands
	// for: a few roundings of the standard units.
	order1SnapTol = 1e-14
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
	t := newTV1(p, g, kind, delta)

	// 1. The dynamic program, in standard units.
	if kind == tvSquared {
		t.dpSquared()
	} else {
		t.dpHeap()
	}

	// 2. Segments, polish (in the problem's units) and dual.
	t.segments()
	passes := t.polish()
	var dual []float64
	if kind == tvL1 {
		dual = t.l1Dual()
	} else {
		dual = t.residualDual(p.Loss)
	}
	return &candidate{spline: t.spline(), dual: dual, sorted: true, status: Optimal, iterations: passes}, nil
}

// tvKind is the loss of an order-1 problem.
type tvKind int

const (
	tvSquared tvKind = iota
	tvL1
	tvHuber
)

// tv1 holds an order-1 problem and the dynamic program's work space. The
// "fitted groups" are the groups of positive weight; groups of zero weight
// take the value of the fitted group before them (or after them, at the
// left end), which costs no loss and no variation.
//
// The dynamic program runs in standard units, ỹ = (y − y0)/ys and
// ω̃ = ω/ws (m = 1 has no x scaling): J = ws·ys^k·J̃ with
// λ̃ = λ/(ws·ys^{k−1}), k = 2 for squared and Huber (δ̃ = δ/ys), k = 1 for l1.
// The polish works on the problem's own samples.
type tv1 struct {
	g          *problem.Groups
	sc         scaling
	kind       tvKind
	lam, delta float64   // λ and δ (Huber)
	lamS, delS float64   // λ̃ and δ̃
	invW, invY float64   // 1/ws and 1/ys
	n          int       // number of fitted groups
	grp        []int32   // original group index of each fitted group; nil: the identity
	sy, sw     []float64 // ỹ and ω̃ of each sorted sample (l1, Huber)
	z          []float64 // fitted value of each fitted group, standard units
	lo, hi     []float64 // t⁻_g, t⁺_g of each step
	seg        []int     // first fitted group of each segment, then n
	sig        []float64 // sign of the jump into each segment (0 for the first)
	val        []float64 // value of each segment, problem's units
	ref, off   []float64 // value = ref + off, ref a target of the segment
}

func newTV1(p *problem.Problem, g *problem.Groups, kind tvKind, delta float64) *tv1 {
	sc := order1Scaling(g)
	t := &tv1{g: g, sc: sc, kind: kind, lam: p.Lambda, delta: delta}
	t.lamS = p.Lambda / sc.ws
	if kind != tvL1 {
		t.lamS /= sc.ys
		t.delS = delta / sc.ys
	}
	t.invW, t.invY = 1/sc.ws, 1/sc.ys
	t.n = positive(g.SumW)
	if t.n < len(g.SumW) {
		t.grp = make([]int32, 0, t.n)
		for k, s := range g.SumW {
			if s > 0 {
				t.grp = append(t.grp, int32(k))
			}
		}
	}
	if kind != tvSquared {
		t.sy = make([]float64, len(g.Y))
		t.sw = make([]float64, len(g.Y))
		for i := range g.Y {
			t.sy[i] = sc.y(g.Y[i])
			t.sw[i] = sc.w(g.W[i])
		}
	}
	t.lo = make([]float64, t.n)
	t.hi = make([]float64, t.n)
	// The backtrack writes z_g where it has just read t⁻_g, so z can share
	// the memory of t⁻ (whose last entry the program never sets), except
	// for l1, whose dual needs both afterwards.
	t.z = t.lo
	if kind == tvL1 {
		t.z = make([]float64, t.n)
	}
	return t
}

// positive returns the number of positive entries of v, counted in two
// halves concurrently for large N.
func positive(v []float64) int {
	parts := parallel.Parts(len(v))
	counts := make([]int, parts)
	parallel.Run(parts, func(q int) {
		a, b := parallel.Span(len(v), parts, q)
		for _, s := range v[a:b] {
			if s > 0 {
				counts[q]++
			}
		}
	})
	total := 0
	for _, c := range counts {
		total += c
	}
	return total
}

// order1Scaling returns newScaling's y0, ys and ws (x is not scaled for
// m = 1) in one pass over the samples, in two halves concurrently for
// large N.
func order1Scaling(g *problem.Groups) scaling {
	type moments struct {
		sw, swy, lo, hi float64
		npos            int
	}
	n := len(g.Y)
	parts := parallel.Parts(n)
	part := make([]moments, parts)
	parallel.Run(parts, func(q int) {
		a, b := parallel.Span(n, parts, q)
		m := moments{lo: g.Y[a], hi: g.Y[a]}
		for i, y := range g.Y[a:b] {
			if w := g.W[a+i]; w > 0 {
				m.sw += w
				m.swy += w * y
				m.npos++
			}
			if y < m.lo {
				m.lo = y
			}
			if y > m.hi {
				m.hi = y
			}
		}
		part[q] = m
	})
	sw, swy, npos := 0.0, 0.0, 0
	lo, hi := g.Y[0], g.Y[0]
	for _, m := range part {
		sw, swy, npos = sw+m.sw, swy+m.swy, npos+m.npos
		lo, hi = min(lo, m.lo), max(hi, m.hi)
	}
	s := scaling{x0: 0, xs: 1, y0: swy / sw, ws: sw / float64(npos)}
	// max_i |y_i − y0|, as newScaling has it.
	s.ys = max(hi-s.y0, s.y0-lo, 0)
	if s.ys == 0 {
		s.ys = 1
	}
	return s
}

// group returns the original group index of fitted group j.
func (t *tv1) group(j int) int {
	if t.grp == nil {
		return j
	}
	return int(t.grp[j])
}

// wy returns ω̃ and the weighted mean ỹ of fitted group j.
func (t *tv1) wy(j int) (w, y float64) {
	k := t.group(j)
	return t.g.SumW[k] * t.invW, (t.g.MeanY[k] - t.sc.y0) * t.invY
}

// samples returns the sorted samples of fitted groups j … k−1 (including
// the zero-weight groups between them, whose samples carry no weight).
func (t *tv1) samples(j, k int) (int, int) {
	return t.g.Start[t.group(j)], t.g.Start[t.group(k-1)+1]
}

// dpSquared runs the dynamic program for the squared loss,
// φ_g'(z) = w_g(z − y_g). A breakpoint is only ever added at either end
// of the list, and each step's walks remove what they pass, so the work is
// O(G) in all; the list is a ring buffer that doubles when full (it holds
// the live breakpoints only, typically far fewer than G).
//
// From order1SplitMin fitted groups on, the recursion runs from both ends
// at once, on two goroutines: the program is the same read backwards, so
// the messages of the right half, M_g(z) = φ_g(z) + min_s [M_{g+1}(s) +
// λ|z − s|], have the same form, and the right half's backtrack runs
// left to right, z_g = clip(z_{g−1}, t⁻_g, t⁺_g). The halves meet at the
// middle group h, whose value minimises M_{h−1} clipped (the left
// message after its last step) plus M_h from the right: it solves
// clip(D_{h−1}, ±λ)(z) + D_h(z) = 0, found by walking both breakpoint lists
// in order of position.
func (t *tv1) dpSquared() {
	n := t.n
	if n < order1SplitMin {
		m := t.squaredMessages(0, n-1, 1, false)
		t.z[n-1] = m.root(nil)
		t.unwind(n-2, -1, -1)
		return
	}
	h := n / 2
	var left, right squaredMessage
	parallel.Run(2, func(part int) {
		if part == 0 {
			right = t.squaredMessages(n-1, h, -1, false)
		} else {
			left = t.squaredMessages(0, h-1, 1, true)
		}
	})
	t.z[h] = right.root(&left)
	parallel.Run(2, func(part int) {
		if part == 0 {
			t.unwind(h+1, n, 1)
		} else {
			t.unwind(h-1, -1, -1)
		}
	})
}

// order1SplitMin is the number of fitted groups from which dpSquared runs
// its two halves concurrently (a variable for the tests).
var order1SplitMin = 1 << 15

// squaredMessage is the derivative D of a message of the squared-loss
// program: its formulas a·z + b left and right of all breakpoints, and the
// breakpoints q[first … last] (indices mod len(q)) in increasing position.
type squaredMessage struct {
	q           []breakpoint
	mask        int
	first, last int
	aL, bL      float64
	aR, bR      float64
}

// squaredMessages runs the recursion over the fitted groups from, from+dir,
// … up to last, setting t⁻ and t⁺ of each group clipped. It returns the
// derivative of the message at last: clipped to [−λ, λ] if clipLast is set
// (last's t± are then set too), as it enters the next step otherwise.
func (t *tv1) squaredMessages(from, last, dir int, clipLast bool) squaredMessage {
	lam := t.lamS
	q := make([]breakpoint, 64)
	mask := len(q) - 1
	first, end := 0, -1 // the deque is q[first … end] (indices mod len(q))
	w0, y0 := t.wy(from)
	aL, bL := w0, -w0*y0
	aR, bR := aL, bL
	for k := from; k != last || clipLast; k += dir {
		// t⁻: walk in from the left while D at the breakpoint is ≤ −λ.
		// D is continuous with slope ≥ w_k > 0, so t⁻ is where the
		// formula of the region reached crosses −λ.
		a, b := aL, bL
		i := first
		for ; i <= end; i++ {
			e := &q[i&mask]
			if a*e.pos+b > -lam {
				break
			}
			a += e.da
			b += e.db
		}
		tm := (-lam - b) / a
		// t⁺: walk in from the right on the same D, never past i.
		c, d := aR, bR
		j := end
		for ; j >= i; j-- {
			e := &q[j&mask]
			if c*e.pos+d < lam {
				break
			}
			c -= e.da
			d -= e.db
		}
		tp := (lam - d) / c
		if tp < tm { // rounding only: D is strictly increasing
			tp = tm
		}
		t.lo[k], t.hi[k] = tm, tp
		// D clipped to [−λ, λ]: constant outside [t⁻, t⁺].
		first, end = i-1, j+1
		if end-first+1 > len(q) {
			q, mask = growRing(q, first+1, end-1)
		}
		q[first&mask] = breakpoint{tm, a, b + lam}
		q[end&mask] = breakpoint{tp, -c, lam - d}
		if k == last {
			aL, bL, aR, bR = 0, -lam, 0, lam
			break
		}
		// Add φ'_{k+dir} to both end formulas.
		wk, yk := t.wy(k + dir)
		wy := wk * yk
		aL, bL = wk, -lam-wy
		aR, bR = wk, lam-wy
	}
	return squaredMessage{q: q, mask: mask, first: first, last: end, aL: aL, bL: bL, aR: aR, bR: bR}
}

// root returns the z at which D, plus other's D if other is not nil,
// vanishes: the breakpoints of both are walked in order of position until
// the sum turns positive. The sum must be strictly increasing.
func (m *squaredMessage) root(other *squaredMessage) float64 {
	a, b := m.aL, m.bL
	i, j, jEnd := m.first, 0, -1
	if other != nil {
		a, b = a+other.aL, b+other.bL
		j, jEnd = other.first, other.last
	}
	for {
		var e *breakpoint
		switch {
		case i <= m.last && (j > jEnd || m.q[i&m.mask].pos <= other.q[j&other.mask].pos):
			e = &m.q[i&m.mask]
			i++
		case j <= jEnd:
			e = &other.q[j&other.mask]
			j++
		default:
			return -b / a
		}
		if a*e.pos+b > 0 {
			return -b / a
		}
		a += e.da
		b += e.db
	}
}

// unwind recovers z_k = clip(z_{k−dir}, t⁻_k, t⁺_k) for k = from,
// from+dir, … up to end (excluded).
func (t *tv1) unwind(from, end, dir int) {
	z, lo, hi := t.z, t.lo, t.hi
	if from == end || from-dir < 0 || from-dir >= len(z) {
		return
	}
	v := z[from-dir]
	for k := from; k != end; k += dir {
		// Plain comparisons: t± are never NaN, and the ±∞ of dpHeap compare.
		if v > hi[k] {
			v = hi[k]
		}
		if v < lo[k] {
			v = lo[k]
		}
		z[k] = v
	}
}

// growRing returns a ring buffer of twice the size holding the entries
// first … last of q at the same logical indices.
func growRing(q []breakpoint, first, last int) ([]breakpoint, int) {
	r := make([]breakpoint, 2*len(q))
	om, nm := len(q)-1, len(r)-1
	for i := first; i <= last; i++ {
		r[i&nm] = q[i&om]
	}
	return r, nm
}

// breakpoint is a point where D(z) = a·z + b changes formula, by da and db.
type breakpoint struct{ pos, da, db float64 }

// dpHeap runs the dynamic program with the breakpoints in a double-ended
// priority queue, for losses whose derivative has breakpoints of its own
// (l1: a jump of 2ω at y; Huber: slope changes at y ± δ). D may then be
// discontinuous and flat, and may stay inside (−λ, λ) altogether (then
// t∓ = ∓∞: no jump is ever worth its cost). It also runs the squared loss,
// which the tests use to check it against dpSquared.
func (t *tv1) dpHeap() {
	lam := t.lamS
	n := t.n
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
			w, y := t.wy(k)
			aL += w
			aR += w
			bL -= w * y
			bR -= w * y
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
				d := t.delS
				bL -= wi * d
				bR += wi * d
				q.push(yi-d, wi, wi*(d-yi))
				q.push(yi+d, -wi, wi*(d+yi))
			}
		}
	}
	t.z[n-1] = q.root(aL, bL)
	t.unwind(t.n-2, -1, -1)
}

// knotQueue holds the breakpoints of D: position and the change of slope
// and intercept across each, in two heaps (smallest and largest
// position first) over one pool, with lazy deletion. The heaps carry their
// keys (pos and −pos, so both are min-heaps) next to the pool index, which
// keeps the sifts inside the heap arrays.
type knotQueue struct {
	pos, da, db []float64
	dead        []bool
	minh, maxh  []heapEntry
	live        int // breakpoints not yet removed
}

type heapEntry struct {
	key float64
	i   int32
}

func newKnotQueue(capacity int) *knotQueue {
	return &knotQueue{
		pos:  make([]float64, 0, capacity),
		da:   make([]float64, 0, capacity),
		db:   make([]float64, 0, capacity),
		dead: make([]bool, 0, capacity),
		minh: make([]heapEntry, 0, capacity),
		maxh: make([]heapEntry, 0, capacity),
	}
}

func (q *knotQueue) push(p, a, b float64) {
	i := int32(len(q.pos))
	q.pos = append(q.pos, p)
	q.da = append(q.da, a)
	q.db = append(q.db, b)
	q.dead = append(q.dead, false)
	q.live++
	q.minh = append(q.minh, heapEntry{p, i})
	siftUp(q.minh, len(q.minh)-1)
	q.maxh = append(q.maxh, heapEntry{-p, i})
	siftUp(q.maxh, len(q.maxh)-1)
}

// peek returns the live breakpoint at the top of heap h, dropping dead
// entries on the way.
func (q *knotQueue) peek(h *[]heapEntry) (int32, bool) {
	for len(*h) > 0 {
		i := (*h)[0].i
		if !q.dead[i] {
			return i, true
		}
		q.pop(h)
	}
	return 0, false
}

// pop removes the top of heap h and marks it dead for the other heap.
// Entries removed from one end are dead weight in the other heap, which
// they may never reach the top of; when they outnumber the live entries
// the other heap is rebuilt from the live ones (amortised O(1)).
func (q *knotQueue) pop(h *[]heapEntry) {
	s := *h
	if !q.dead[s[0].i] {
		q.dead[s[0].i] = true
		q.live--
	}
	s[0] = s[len(s)-1]
	s = s[:len(s)-1]
	siftDown(s, 0)
	*h = s
	if len(q.minh) > 2*q.live+64 {
		q.compact(&q.minh)
	}
	if len(q.maxh) > 2*q.live+64 {
		q.compact(&q.maxh)
	}
}

// compact drops the dead entries of heap h and restores its order.
func (q *knotQueue) compact(h *[]heapEntry) {
	s := (*h)[:0]
	for _, e := range *h {
		if !q.dead[e.i] {
			s = append(s, e)
		}
	}
	for i := (len(s) - 2) / 4; i >= 0; i-- {
		siftDown(s, i)
	}
	*h = s
}

// siftUp and siftDown restore the order of the 4-ary min-heap h after a
// change at index i (four 16-byte children share a cache line: half the
// depth of a binary heap at the same cost per level).
func siftUp(h []heapEntry, i int) {
	e := h[i]
	for i > 0 {
		parent := (i - 1) / 4
		if e.key >= h[parent].key {
			break
		}
		h[i] = h[parent]
		i = parent
	}
	h[i] = e
}

func siftDown(h []heapEntry, i int) {
	n := len(h)
	if n == 0 {
		return
	}
	e := h[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if h[k].key < h[m].key {
				m = k
			}
		}
		if e.key <= h[m].key {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = e
}

// clipLeft replaces D by max(D, c) (c = −λ), given D's formula a·z + b
// left of all breakpoints, and returns the point t⁻ where D reaches c
// (−∞ when D ≥ c everywhere).
func (q *knotQueue) clipLeft(a, b *float64, c float64) float64 {
	fa, fb := *a, *b
	last := math.Inf(-1) // the last breakpoint walked over
	for {
		i, ok := q.peek(&q.minh)
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
		q.pop(&q.minh)
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
		i, ok := q.peek(&q.maxh)
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
		q.pop(&q.maxh)
		fa, fb, last = la, lb, p
	}
}

// root returns a point where D, with formula a·z + b left of all
// breakpoints, changes sign. It consumes the queue.
func (q *knotQueue) root(fa, fb float64) float64 {
	last := math.Inf(-1)
	for {
		i, ok := q.peek(&q.minh)
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
		q.pop(&q.minh)
		fa, fb, last = ra, rb, p
	}
}

// segments splits the fitted groups into maximal runs of equal z and
// takes the segment values to the problem's units.
//
// From order1SplitMin fitted groups on, the two halves of z are scanned
// concurrently.
func (t *tv1) segments() {
	z := t.z
	type found struct {
		seg      []int
		sig, val []float64
	}
	scan := func(a, b int) (f found) {
		for j := a; j < b; j++ {
			if j == 0 || z[j] != z[j-1] {
				s := 0.0
				if j > 0 {
					s = math.Copysign(1, z[j]-z[j-1])
				}
				f.seg = append(f.seg, j)
				f.sig = append(f.sig, s)
				f.val = append(f.val, t.sc.y0+t.sc.ys*z[j])
			}
		}
		return f
	}
	parts := 1
	if len(z) >= order1SplitMin {
		parts = 2
	}
	halves := make([]found, parts)
	parallel.Run(parts, func(part int) {
		halves[part] = scan(parallel.Span(len(z), parts, part))
	})
	t.seg, t.sig, t.val = t.seg[:0], t.sig[:0], t.val[:0]
	for _, f := range halves {
		t.seg = append(t.seg, f.seg...)
		t.sig = append(t.sig, f.sig...)
		t.val = append(t.val, f.val...)
	}
	t.seg = append(t.seg, len(z))
}

// segmentHalves calls f on the segments s0 … s1−1: from order1SplitMin
// samples on, on those that start in the first half of the samples and
// on the others concurrently, else on all at once.
func (t *tv1) segmentHalves(f func(s0, s1 int)) {
	n, ns := len(t.g.Order), len(t.val)
	if n < order1SplitMin || ns < 2 {
		f(0, ns)
		return
	}
	// The first segment that starts in the second half of the samples.
	mid := sort.Search(ns, func(s int) bool {
		a, _ := t.samples(t.seg[s], t.seg[s]+1)
		return a >= n/2
	})
	parallel.Run(2, func(part int) {
		if part == 0 {
			f(0, mid)
		} else {
			f(mid, ns)
		}
	})
}

// polish recomputes each segment's value from its stationarity condition
// on the problem's own samples, Σ ω ℓ'(v − y) = λ(σ_right − σ_left),
// removes jumps whose sign then disagrees with the segmentation's, and
// repeats until none is removed. It returns the number of rounds. The
// segments are polished in two halves concurrently (segmentHalves).
//
// Each value is found as an offset d from a sample y_r of its segment,
// v = y_r + d, so that a segment whose samples share one target gets
// exactly that target, and so that the dual can be formed from the
// unrounded offset (residualDual).
func (t *tv1) polish() int {
	t.ref = make([]float64, len(t.val))
	t.off = make([]float64, len(t.val))
	for pass := 1; ; pass++ {
		ns := len(t.val)
		t.segmentHalves(func(s0, s1 int) {
			for s := s0; s < s1; s++ {
				rhs := -t.sig[s]
				if s+1 < ns {
					rhs += t.sig[s+1]
				}
				rhs *= t.lam
				a, b := t.samples(t.seg[s], t.seg[s+1])
				ref := t.reference(a, b)
				var d float64
				switch t.kind {
				case tvSquared:
					d = t.squaredSegment(a, b, ref, rhs)
				case tvHuber:
					d = t.huberSegment(a, b, ref, rhs, t.val[s]-ref)
				case tvL1:
					ref = t.l1Segment(a, b, t.val[s])
				}
				t.ref[s], t.off[s], t.val[s] = ref, d, ref+d
			}
		})
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
		t.ref, t.off = t.ref[:kept], t.off[:kept]
	}
}

// residualDual returns u_i = −ω_i ℓ'(v − y_i), the dual that is exact at the
// optimum for the squared and Huber losses, with v − y_i formed as
// d − (y_i − y_r) from the unrounded offset d of the segment's value: the
// residuals of the rounded function would carry the rounding of v into
// every u_i of a long segment, and η sums them (DESIGN §4).
//
// The dual is in sorted order (entry i belongs to sample g.Order[i]), the
// order the certificate works in: a sequential pass, where the problem's
// order would be a random scatter here and a random gather there.
//
// The segments are filled in two halves concurrently (segmentHalves).
func (t *tv1) residualDual(loss problem.Loss) []float64 {
	n := len(t.g.Order)
	var u []float64
	if t.kind == tvSquared && len(t.hi) == n {
		// The squared-loss program no longer needs t⁺ (the backtrack is
		// done), and with one fitted group per sample every entry is
		// written below: the dual takes its memory.
		u, t.hi = t.hi, nil
	} else {
		u = make([]float64, n)
	}
	fill := func(s0, s1 int) {
		for s := s0; s < s1; s++ {
			a, b := t.samples(t.seg[s], t.seg[s+1])
			ref, d := t.ref[s], t.off[s]
			ys, ws, us := t.g.Y[a:b], t.g.W[a:b], u[a:b]
			if t.kind == tvSquared {
				for i, y := range ys {
					us[i] = ws[i] * ((y - ref) - d)
				}
				continue
			}
			for i, y := range ys {
				if w := ws[i]; w > 0 {
					us[i] = -w * loss.Deriv(d-(y-ref))
				}
			}
		}
	}
	t.segmentHalves(fill)
	return u
}

// reference returns the target of the first weighted sample in [a, b).
func (t *tv1) reference(a, b int) float64 {
	for i := a; i < b; i++ {
		if t.g.W[i] > 0 {
			return t.g.Y[i]
		}
	}
	return 0
}

// squaredSegment returns the offset d = (Σω(y − y_r) + rhs)/Σω over
// samples a … b−1.
func (t *tv1) squaredSegment(a, b int, ref, rhs float64) float64 {
	sw, swd := 0.0, 0.0
	for i := a; i < b; i++ {
		w := t.g.W[i]
		sw += w
		swd += w * (t.g.Y[i] - ref)
	}
	return (swd + rhs) / sw
}

// huberSegment solves Σ_i ω_i·clip(d − e_i, −δ, δ) = rhs for the offset d,
// e_i = y_i − y_r over samples a … b−1, starting from d0: the left side is
// non-decreasing and piecewise linear in d, and on the piece of the
// current active set Q = {i : |d − e_i| ≤ δ} the solution is
// d = (rhs + Σ_Q ωe − Σ_{∉Q} ωδ·sign)/Σ_Q ω. That Newton step is taken when
// it stays inside the bracket kept from the signs of the residual, a
// bisection otherwise, until the active set at the new point is the one
// that produced it (then the point solves the equation exactly).
func (t *tv1) huberSegment(a, b int, ref, rhs, d0 float64) float64 {
	dl := t.delta
	ys, ws := t.g.Y[a:b], t.g.W[a:b]
	// piece returns Σ_Q ω, Σ_Q ωe and Σ_{∉Q} ωδ·sign at d, and the
	// breakpoints next to d below and above.
	piece := func(d float64) (qw, qwe, out, below, above, size float64) {
		below, above = math.Inf(-1), math.Inf(1)
		for i, wi := range ws {
			if wi == 0 {
				continue
			}
			e := ys[i] - ref
			r := d - e
			size += wi * math.Min(math.Abs(r), dl)
			switch {
			case r < -dl:
				out -= wi * dl
				above = math.Min(above, e-dl)
			case r > dl:
				out += wi * dl
				below = math.Max(below, e+dl)
			default:
				qw += wi
				qwe += wi * e
				below = math.Max(below, e-dl)
				above = math.Min(above, e+dl)
			}
		}
		return qw, qwe, out, below, above, size
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	d := d0
	for it := 0; it < order1NewtonSteps; it++ {
		qw, qwe, out, below, above, size := piece(d)
		// The solution on the current piece, if it stays on the piece.
		next := d
		if qw > 0 {
			next = (rhs + qwe - out) / qw
			if nqw, nqwe, nout, _, _, _ := piece(next); nqw == qw && nqwe == qwe && nout == out {
				return next
			}
		}
		g := qw*d - qwe + out
		switch {
		case math.Abs(g-rhs) <= huberSolvedTol*math.Sqrt(float64(b-a))*(size+math.Abs(rhs)):
			// Solved to rounding, at a breakpoint or on a flat piece
			// (every residual clipped), where any d of the piece solves
			// the segment's equation but only the dynamic program's d is
			// known to keep the signs of the jumps next to it.
			return d
		case g < rhs:
			lo = math.Max(lo, d)
			if qw == 0 {
				next = above // flat below the target: go to the piece's right end
			}
		default:
			hi = math.Min(hi, d)
			if qw == 0 {
				next = below
			}
		}
		if !(next > lo && next < hi) {
			if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
				return d // only for an inconsistent segment; keep d
			}
			next = lo + 0.5*(hi-lo)
			if next == lo || next == hi {
				return d
			}
		}
		d = next
	}
	return d
}

// l1Segment returns the dynamic program's value v of an l1 segment, which
// is a data value, snapped to the segment's nearest target when it is
// within rounding of it (the standard units cost an ulp or two).
func (t *tv1) l1Segment(a, b int, v float64) float64 {
	best, dist := v, math.Inf(1)
	for i := a; i < b; i++ {
		if t.g.W[i] > 0 {
			if d := math.Abs(t.g.Y[i] - v); d < dist {
				best, dist = t.g.Y[i], d
			}
		}
	}
	if dist <= order1SnapTol*t.sc.ys+4*ulp(v) {
		return best
	}
	return v
}

// ulp returns the spacing of the floats at x.
func ulp(x float64) float64 {
	x = math.Abs(x)
	return math.Nextafter(x, math.Inf(1)) - x
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
func (t *tv1) l1Dual() []float64 {
	n := t.n
	lam := t.lam
	// The value of each fitted group.
	val := t.z
	for s := range t.val {
		for j := t.seg[s]; j < t.seg[s+1]; j++ {
			val[j] = t.val[s]
		}
	}
	gl, gh := t.lo, t.hi // reused: the interval of each group's U_j
	for j := 0; j < n; j++ {
		a, b := t.samples(j, j+1)
		var l, h float64
		for i := a; i < b; i++ {
			bl, bh := l1Box(t.g.W[i], t.g.Y[i], val[j])
			l += bl
			h += bh
		}
		gl[j], gh[j] = l, h
	}
	// The constraint on P_j: the level at a jump after j, else [−λ, λ].
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
	// Backwards: P_{j−1} ∈ R_{j−1} with P_j − P_{j−1} ∈ [gl_j, gh_j]. The
	// group dual U_j = P_j − P_{j−1} is stored in rlo[j].
	pk := clamp(0, rlo[n-1], rhi[n-1])
	for j := n - 1; j >= 0; j-- {
		prev := 0.0
		if j > 0 {
			prev = clamp(clamp(pk-0.5*(gl[j]+gh[j]), pk-gh[j], pk-gl[j]), rlo[j-1], rhi[j-1])
		}
		rlo[j] = pk - prev
		pk = prev
	}
	// Share U_j within each group, u_i = lo_i + θ(hi_i − lo_i), in sorted
	// order as residualDual has it.
	u := make([]float64, len(t.g.Order))
	for j := 0; j < n; j++ {
		a, b := t.samples(j, j+1)
		theta := 0.0
		if span := gh[j] - gl[j]; span > 0 {
			theta = clamp((rlo[j]-gl[j])/span, 0, 1)
		}
		for i := a; i < b; i++ {
			l, h := l1Box(t.g.W[i], t.g.Y[i], val[j])
			u[i] = l + theta*(h-l)
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

// spline returns the step function of the segments: the first segment's
// value as c₀ and a knot at the first input of each later segment. The
// amplitudes are taken against the running sum that evaluation forms,
// c₀ + a₁ + … + a_k, so that rounding does not accumulate along the knots:
// every segment evaluates to its own value to within an ulp.
func (t *tv1) spline() *representer.Spline {
	s := &representer.Spline{Order: 1, Poly: []float64{t.val[0]}}
	sum := t.val[0]
	for k := 1; k < len(t.val); k++ {
		a := t.val[k] - sum
		if a == 0 {
			continue
		}
		s.Knots = append(s.Knots, t.g.X[t.group(t.seg[k])])
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
