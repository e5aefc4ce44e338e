package solver

import "math"

// blockBound holds, for one block of blockSums, what screenedSweep needs to
// bound the fit's dual inside the block without visiting its inputs: the
// block's own weighted least-squares line p through its inputs (its values
// pm at the block's first input and pM at the next block's first input)
// and the weighted absolute residuals of the targets about it,
// Σω|ỹ − p(x)|.
type blockBound struct {
	pm, pM, absRes float64
}

// blockBounds returns the bounds of the blocks of blockSums, computing them
// on first use.
func (s *activeSet) blockBounds() []blockBound {
	if s.bounds != nil {
		return s.bounds
	}
	blocks := s.blockSums()
	s.bounds = make([]blockBound, len(blocks))
	for k, h := range blocks {
		m := k * sumBlock
		width := s.xs[m+sumBlock] - s.xs[m]
		// The line ŷ = α + β(x − x_m) from the moments about x_m:
		// β = Σω(x − x̄)(ỹ − ȳ) / Σω(x − x̄)².
		var alpha, beta float64
		if h.m0 > 0 {
			xbar, ybar := h.l1/h.m0, h.y0/h.m0
			sxx := h.l2 - h.l1*xbar
			if sxx > 0 {
				beta = (h.yl - h.l1*ybar) / sxx
			}
			alpha = ybar - beta*xbar
		}
		abs := 0.0
		for j := m; j < m+sumBlock; j++ {
			abs += s.w[j] * math.Abs(s.y[j]-(alpha+beta*(s.xs[j]-s.xs[m])))
		}
		s.bounds[k] = blockBound{pm: alpha, pM: alpha + beta*width, absRes: abs}
	}
	return s.bounds
}

// screenSlack is the relative margin below its threshold under which
// screenedSweep's bound must keep |η| for a block to be skipped.
const screenSlack = 1e-9

// screenMin is the number of inputs from which the active set's sweeps
// screen blocks (screenedSweep) instead of visiting every input.
const screenMin = 8 * sumBlock

// sweep is sweepRuns, by screenedSweep on large data (G ≥ screenMin).
func (s *activeSet) sweep(thr float64) float64 {
	if len(s.xs) >= screenMin {
		return s.screenedSweep(thr)
	}
	return s.sweepRuns(thr)
}

// screenedSweep is sweepRuns (the same runs, |η| > thr, and their largest
// |η|), at a cost of O(1) per block of blockSums that lies inside an
// interval between nodes and where |η| provably stays ≤ thr, and of its
// inputs for the others.
//
// In a block x_m ≤ x ≤ x_M between two nodes the fit f is a line, and η is
// the line through η(x_m) and η(x_M) plus the bubble with second derivative
// u = ω(ỹ − f) at the block's inner inputs and zero ends, whose modulus is
// at most (x_M − x_m)/4·Σω|ỹ − f|. With p the block's own least-squares
// line (blockBound), |ỹ − f| ≤ |ỹ − p| + |p − f|, and |p − f| is largest
// at an end of the block, so
//
//	|η| ≤ max(|η(x_m)|, |η(x_M)|) + (x_M − x_m)/4·(Σω|ỹ − p| + Σω·max_ends|p − f|)
//
// from O(1) numbers per block. η(x_m) comes from η(x_M) in O(1) too:
// η(x_m) = η(x_M) + (x_M − x_m)·Σ_{x ≥ x_M} u + Σ_block u·(x − x_m), whose
// last sum, like the block's Σu that the sweep carries on, is linear in the
// fit's offset and slope with the block's moments (blockSums) as
// coefficients. Any line p makes the bound valid (Σω|ỹ − p| is summed about
// the same line); the least-squares line makes it tight. A block whose
// bound exceeds thr has its inputs
// visited as sweepRuns visits them. The bound holds up to rounding of the
// order of η's own; blocks whose bound comes within screenSlack of thr are
// visited too, so what rounding can hide is a violation at the level of
// rounding in η, which sweepRuns cannot resolve either.
func (s *activeSet) screenedSweep(thr float64) (worst float64) {
	blocks, bounds := s.blockSums(), s.blockBounds()
	xs, w, y, c := s.xs, s.w, s.y, s.c
	G, nb := len(xs), len(s.tau)
	skip := thr * (1 - screenSlack)
	// The last input is a node (f̃ = c_{nb−1}); η vanishes there.
	st := etaSweep{sum: w[G-1] * (y[G-1] - c[nb-1]), xr: xs[G-1], runs: s.runs[:0]}
	for iv := nb - 2; iv >= 0; iv-- {
		a, b := int(s.tau[iv]), int(s.tau[iv+1])
		x0, c0 := xs[a], c[iv]
		slope := (c[iv+1] - c0) / (xs[b] - x0)
		// The inputs from b−1 down to the last block boundary m ≤ b, then
		// the whole blocks [m − sumBlock, m) above a, then the rest.
		m := b / sumBlock * sumBlock
		if m-sumBlock <= a {
			st.visit(s, a+1, b-1, x0, c0, slope, thr)
		} else {
			st.visit(s, m, b-1, x0, c0, slope, thr)
			for ; m-sumBlock > a; m -= sumBlock {
				lo := m - sumBlock
				q, bd := blocks[lo/sumBlock], bounds[lo/sumBlock]
				xm := xs[lo]
				dm := xm - x0
				em := st.e + (st.xr-xm)*st.sum + (q.yl - c0*q.l1 - slope*(q.l2+dm*q.l1))
				fm, fM := c0+dm*slope, c0+(st.xr-x0)*slope
				dev := 0.25 * (st.xr - xm) * (bd.absRes + q.m0*max(math.Abs(bd.pm-fm), math.Abs(bd.pM-fM)))
				if max(math.Abs(st.e), math.Abs(em))+dev <= skip {
					st.e = em
					st.sum += q.y0 - c0*q.m0 - slope*(q.l1+dm*q.m0)
					st.xr = xm
					st.open = false
					continue
				}
				st.visit(s, lo, m-1, x0, c0, slope, thr)
			}
			st.visit(s, a+1, m-1, x0, c0, slope, thr)
		}
		st.node(s, a, c0)
	}
	s.runs = st.runs
	return st.worst
}

// etaSweep is the state of a backward sweep for η: η at xr (the last
// input visited) in e, the sum of u over the inputs from xr on in sum, the
// runs found so far and their largest |η|, and whether a run is open at xr.
type etaSweep struct {
	e, sum, xr, worst float64
	open              bool
	runs              []violRun
}

// node continues the sweep at the node a, where f̃ = c0: η there (a knot,
// or an end, where no knot may enter) and its term in the sums.
func (st *etaSweep) node(s *activeSet, a int, c0 float64) {
	x0 := s.xs[a]
	st.e += (st.xr - x0) * st.sum
	st.xr = x0
	st.sum += s.w[a] * (s.y[a] - c0)
	st.open = false
}

// visit continues the sweep over the inputs hi down to lo (none if
// hi < lo), all inside one interval between nodes where f̃ = c0 +
// slope·(x − x0): η at each, its term u in the sums, and the runs where
// |η| > thr, with η stored in s.eta inside them.
func (st *etaSweep) visit(s *activeSet, lo, hi int, x0, c0, slope, thr float64) {
	if hi < lo {
		return
	}
	e, sum, xr, worst, open, runs := st.e, st.sum, st.xr, st.worst, st.open, st.runs
	xs, w, y, eta := s.xs[lo:hi+1], s.w[lo:hi+1], s.y[lo:hi+1], s.eta
	w, y = w[:len(xs)], y[:len(xs)]
	for k := len(xs) - 1; k >= 0; k-- {
		xj := xs[k]
		e += (xr - xj) * sum
		xr = xj
		sum += w[k] * (y[k] - (c0 + (xj-x0)*slope))
		if v := math.Abs(e); v > thr {
			j := lo + k
			eta[j] = e
			if open && (e > 0) == (eta[j+1] > 0) {
				r := &runs[len(runs)-1]
				r.lo = j
				if v > r.max {
					r.max, r.arg = v, j
				}
			} else {
				runs = append(runs, violRun{lo: j, hi: j, arg: j, max: v})
				open = true
			}
			worst = max(worst, v)
			continue
		}
		open = false
	}
	st.e, st.sum, st.xr, st.worst, st.open, st.runs = e, sum, xr, worst, open, runs
}
