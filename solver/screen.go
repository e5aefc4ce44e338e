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

// screenMin is the number of inputs from which descent's sweeps screen
// blocks (screenedSweep) instead of visiting every input.
const screenMin = 8 * sumBlock

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
// from O(1) numbers per block. η(x_m) comes from η(x_M) and the block's
// moments as in windowRuns. A block whose bound exceeds thr has its inputs
// visited as sweepRuns visits them. The bound holds up to rounding of the
// order of η's own; blocks whose bound comes within screenSlack of thr are
// visited too, so what rounding can hide is a violation at the level of
// rounding in η, which sweepRuns cannot resolve either.
func (s *activeSet) screenedSweep(thr float64) (worst float64) {
	blocks, bounds := s.blockSums(), s.blockBounds()
	xs, w, y, c, eta := s.xs, s.w, s.y, s.c, s.eta
	G, nb := len(xs), len(s.tau)
	runs := s.runs[:0]
	open := false // a run is open at the previous input
	skip := thr * (1 - screenSlack)
	sum := w[G-1] * (y[G-1] - c[nb-1])
	e, xr := 0.0, xs[G-1]
	for iv := nb - 2; iv >= 0; iv-- {
		a, b := int(s.tau[iv]), int(s.tau[iv+1])
		x0, c0 := xs[a], c[iv]
		slope := (c[iv+1] - c0) / (xs[b] - x0)
		// Inputs j ≥ hiB one by one, then whole blocks [m, m+sumBlock)
		// with m > a, then the inputs down to a+1.
		hiB := b / sumBlock * sumBlock
		j := b - 1
		for ; j > a; j-- {
			if j < hiB && j+1-sumBlock > a && (j+1)%sumBlock == 0 {
				// A whole block m … j inside the interval: jump over it if
				// the bound allows.
				m := j + 1 - sumBlock
				q, bd := blocks[m/sumBlock], bounds[m/sumBlock]
				xm := xs[m]
				dm := xm - x0
				em := e + (xr-xm)*sum + (q.yl - c0*q.l1 - slope*(q.l2+dm*q.l1))
				fm, fM := c0+dm*slope, c0+(xr-x0)*slope
				dev := 0.25 * (xr - xm) * (bd.absRes + q.m0*math.Max(math.Abs(bd.pm-fm), math.Abs(bd.pM-fM)))
				if math.Max(math.Abs(e), math.Abs(em))+dev <= skip {
					e = em
					sum += q.y0 - c0*q.m0 - slope*(q.l1+dm*q.m0)
					xr = xm
					open = false
					j = m // the loop's j-- moves on to m − 1
					continue
				}
			}
			xj := xs[j]
			e += (xr - xj) * sum
			xr = xj
			sum += w[j] * (y[j] - (c0 + (xj-x0)*slope))
			if v := math.Abs(e); v > thr {
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
		// The node a.
		e += (xr - x0) * sum
		xr = x0
		sum += w[a] * (y[a] - c0)
		open = false
	}
	s.runs = runs
	return worst
}
