package solver

import (
	"math"
	"slices"
)

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
// Only the sweeps visit the data: the least-squares system is assembled
// from per-interval moments of the inputs (hatSums), which are kept between
// steps, merged in O(1) when a knot is dropped and recomputed, from the
// moments of fixed blocks of inputs, only for the intervals an entering
// knot splits, so a step costs O(K + N/sumBlock) at most. A sweep (on
// large data screenedSweep) visits the inputs only of the blocks where |η|
// may come near λ̃, and crosses the others in O(1) each. s.rounds counts
// the sweeps.
//
// f0 holds f̃ at the inputs 0, the knots of s.sign (in order) and G−1, a
// function whose amplitudes agree with s.sign (a solution at another λ);
// nil starts from no knots. It reports whether a fixed point was reached;
// then s.c and s.tau hold it, as after run.
func (s *activeSet) runDescent(f0 []float64, limit int) bool {
	if s.sys == nil || len(s.xs) <= 2 {
		return s.run()
	}
	d := s.sys
	if !d.current {
		d.retau()
	}
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
						d.dropped()
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

// descent holds the least-squares system of the squared loss on the
// current knot set, for runDescent and the rounds of run: the nodes tau
// (0, the knots, G−1), the per-interval sums and the solution c. An
// activeSet keeps one, so the sums survive from round to round and from
// one λ of a path to the next.
type descent struct {
	s    *activeSet
	tau  []int32
	sums []hatSums // sums[k]: inputs τ_k ≤ j < τ_{k+1}
	c    []float64
	// current says that tau and sums are those of the knots of s.sign:
	// retau makes it so with an O(G) scan, and the changes of the knots
	// that runDescent and the rounds of run make (entered, dropped) keep it
	// so in O(K), also from one call to the next (the next λ of a path).
	// Whatever else changes s.sign clears it.
	current bool
	// buffers
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
	d.current = true
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
// over the inputs a ≤ j < b. A long interval is assembled from the moments
// of the fixed blocks of sumBlock inputs inside it (blockSums, computed once
// per data set) by mergeSums, and only its ragged ends are summed from the
// inputs: O(sumBlock + (b − a)/sumBlock) instead of O(b − a). The merge adds
// non-negative terms for every moment but the ỹ ones, so the result is as
// accurate as the direct sum.
func (s *activeSet) hatSums(a, b int) hatSums {
	if b-a < 3*sumBlock {
		return s.directSums(a, b)
	}
	blocks := s.blockSums()
	first := (a + sumBlock - 1) / sumBlock // the first block inside [a, b)
	last := b / sumBlock                   // blocks first … last−1 are inside
	xs := s.xs
	h := s.directSums(a, first*sumBlock)
	for k := first; k < last; k++ {
		m := k * sumBlock
		h = mergeSums(h, blocks[k], xs[m]-xs[a], xs[m+sumBlock]-xs[m])
	}
	if m := last * sumBlock; m < b {
		h = mergeSums(h, s.directSums(m, b), xs[m]-xs[a], xs[b]-xs[m])
	}
	return h
}

// sumBlock is the length of the blocks of blockSums.
const sumBlock = 64

// blockSums returns the moments of the blocks k·sumBlock ≤ j < (k+1)·sumBlock
// that end before the last input, computing them on first use.
func (s *activeSet) blockSums() []hatSums {
	if s.blocks == nil {
		nb := (len(s.xs) - 1) / sumBlock
		s.blocks = make([]hatSums, nb)
		for k := range s.blocks {
			s.blocks[k] = s.directSums(k*sumBlock, (k+1)*sumBlock)
		}
	}
	return s.blocks
}

// directSums is hatSums summed from the inputs a ≤ j < b (a ≤ b).
func (s *activeSet) directSums(a, b int) hatSums {
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
	return solveHatSystem(s.xs, d.tau, s.sign, s.lam, d.diag, d.off, d.c)
}

// descentAddFraction: in an eager sweep, a violating run enters when its
// excess over λ̃ is at least this fraction of the sweep's largest excess
// (as in run): noise makes many small runs near the threshold.
const descentAddFraction = 0.1

// sweep computes η at every input from the solution s.c on s.tau (squared
// loss, one entry per input) and lets knots enter where |η| > λ̃: when
// eager, the input of largest |η| of every maximal run of inputs (without
// knots, η of one sign) above the threshold, else only the worst input. It
// reports whether a knot entered. One pass over the data (sweepRuns, or
// screenedSweep, which visits only the blocks where |η| may exceed λ̃),
// plus a pass over the violating runs.
func (d *descent) sweep(eager bool) bool {
	s := d.s
	worst := s.sweep(s.lam * (1 + etaSlack))
	if len(s.runs) == 0 {
		return false
	}
	d.added = d.added[:0]
	if !eager {
		for _, r := range s.runs {
			if r.max == worst {
				s.sign[r.arg] = int8(math.Copysign(1, s.eta[r.arg]))
				d.added = append(d.added, int32(r.arg))
				break
			}
		}
		return true
	}
	d.enterRuns(worst)
	return true
}

// enterRuns lets enter, in every run of s.runs, the input of largest |η| of
// each sub-run above λ̃ + descentAddFraction·(worst − λ̃), into d.added
// (entered sorts them).
func (d *descent) enterRuns(worst float64) {
	s := d.s
	eta := s.eta
	d.added = d.added[:0]
	thr := math.Max(s.lam*(1+etaSlack), s.lam+descentAddFraction*(worst-s.lam))
	for _, r := range s.runs {
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
}

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
