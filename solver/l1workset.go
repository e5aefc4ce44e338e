package solver

import (
	"math"
	"sort"

	"github.com/ridgeline-nn/ridgeline/lp"
	"github.com/ridgeline-nn/ridgeline/problem"
)

// The l1 loss makes the order-2 program a linear program whose solution is
// very sparse: a few knots, and as many interpolated samples as knots plus
// two; every other dual entry sits at a bound of its box, u_i = b_i·sign(r_i).
// The interior point on the whole slope dual needs many iterations because
// it has to settle a candidate knot at every input, and each iteration
// touches every sample. The working-set method below solves a short
// sequence of small restricted programs instead:
//
//   - knots only on a grid of inputs (the ends, a uniform subset, and the
//     inputs near the knots of an approximate fit), each sample entering
//     through the hats of its grid interval;
//   - only the samples nearest the approximate fit free; the others held
//     on their side of it, in clusters (see restricted), which keeps every
//     restricted program bounded however wrong the approximate fit is.
//
// After each restricted solve the optimality conditions of the whole program
// are checked in O(N): a held sample on the wrong side of the fit joins the
// working set, and where the dual function leaves [−λ̃, λ̃] the input of its
// peak and its neighbours join the grid. When nothing is violated, the
// restricted optimum satisfies the KKT conditions of the whole program and
// is its optimum. The approximate fit comes from one restricted solve on a
// strided subsample of the inputs, itself started the same way (coarse to
// fine), so every restricted program is small and well started; from the
// second round on, the interior point starts from the previous round's
// solution (startFrom). Should a restricted program fail, or the rounds not
// settle, the caller falls back to the interior point on the whole slope
// dual; the certificate judges whatever comes out.

// l1DirectMax is the number of distinct inputs up to which a level is solved
// as the whole slope dual. A variable so that tests can run the levels on
// small problems.
var l1DirectMax = 2000

const (
	// l1Stride is the subsampling factor between levels.
	l1Stride = 8
	// l1FirstFraction is the share of the samples, nearest the coarser
	// level's fit, in the first working set of a level. Fixing a sample on
	// the wrong side of the optimum is harmless (it is found and freed) as
	// long as the free samples can hold the fit: the working set must cover
	// residuals larger than the coarse fit's error.
	l1FirstFraction = 0.25
	// l1NextFraction is the share in the working sets of later rounds,
	// which start from an exact restricted optimum near the optimum.
	l1NextFraction = 0.1
	// l1Uniform is the number of inputs on the uniform part of the grid.
	l1Uniform = 1024
	// l1WorkMin is the smallest working set.
	l1WorkMin = 600
	// l1Window is the half-width, in inputs of the finer level, of the grid
	// placed around each knot of the coarser level's fit. Small: a knot that
	// has to move further is found by the violation check, and every grid
	// point costs a column pair in each round.
	l1Window = 2
	// l1Rounds bounds the restricted solves per level.
	l1Rounds = 8
	// l1DenseKnots: a coarse fit with more than one knot in l1DenseKnots
	// inputs has its level solved as the whole slope dual.
	l1DenseKnots = 8
	// l1DualTol is the relative excess of |η| over λ̃ that counts as a
	// violation (the restricted duals are accurate to the interior point's
	// tolerance; the polish and the certificate take care of the rest).
	l1DualTol = 1e-9
	// l1SignTol is the residual, in standard units, below which a fixed
	// sample counts as interpolated rather than on the wrong side.
	l1SignTol = 1e-10
	// l1ClusterTol is how far inside [−1, 1] a cluster's α must end for its
	// samples to be freed (interior-point iterates end about μ inside).
	l1ClusterTol = 1e-6
)

// l1Level is an l1 program in standard units on sorted inputs.
type l1Level struct {
	x     []float64 // distinct inputs, increasing
	start []int     // samples of input k: start[k] … start[k+1]−1
	y, b  []float64 // per sample: target and box bound (weight × dual bound)
	lam   float64
}

// l1Fit is a level's solution: the fitted values at every input, its knots
// (indices of inputs) with their amplitudes, the dual entry of every sample,
// and how the last restricted solve ended.
type l1Fit struct {
	fit        []float64
	knots      []int
	amps       []float64
	u          []float64
	status     lp.Status
	iterations int
	loose      []int // held samples whose cluster ended strictly inside its box
}

// dualSolution returns f in the form the candidate is built from.
func (f *l1Fit) dualSolution(lv *l1Level) *dualSolution {
	return &dualSolution{fit: f.fit, knots: f.knots, amps: f.amps, u: f.u, box: lv.b, status: f.status, iterations: f.iterations}
}

// newL1Level builds the top level from the grouped problem.
func newL1Level(p *problem.Problem, g *problem.Groups, sc scaling) *l1Level {
	G := g.G()
	bound := sc.dualBound(p)
	lv := &l1Level{x: make([]float64, G), start: g.Start, y: make([]float64, len(g.Y)), b: make([]float64, len(g.Y)), lam: sc.lambda(p)}
	for k := range lv.x {
		lv.x[k] = sc.x(g.X[k])
	}
	for i := range lv.y {
		lv.y[i] = sc.y(g.Y[i])
		lv.b[i] = sc.w(g.W[i]) * bound
	}
	return lv
}

// coarse returns the subsample of every l1Stride-th input (and the last),
// with the boxes scaled so that the total weight is kept.
func (lv *l1Level) coarse() *l1Level {
	G := len(lv.x)
	c := &l1Level{lam: lv.lam, start: []int{0}}
	total, kept := 0.0, 0.0
	for _, b := range lv.b {
		total += b
	}
	for k := 0; k < G; k++ {
		if k%l1Stride != 0 && k != G-1 {
			continue
		}
		c.x = append(c.x, lv.x[k])
		for i := lv.start[k]; i < lv.start[k+1]; i++ {
			c.y = append(c.y, lv.y[i])
			c.b = append(c.b, lv.b[i])
			kept += lv.b[i]
		}
		c.start = append(c.start, len(c.y))
	}
	if kept > 0 {
		f := total / kept
		for i := range c.b {
			c.b[i] *= f
		}
	}
	return c
}

// solve returns the level's optimum, or nil when the working-set method
// gives up.
func (lv *l1Level) solve(opt Options, exact bool) *l1Fit {
	G := len(lv.x)
	if G <= l1DirectMax {
		return lv.whole(opt)
	}
	cl := lv.coarse()
	cf := cl.solve(opt, false)
	if cf == nil {
		return nil
	}
	if len(cf.knots)*l1DenseKnots > len(cf.fit) {
		// With knots this dense the restricted programs are not small
		// (nearly every input ends up on the grid): the whole slope dual
		// is the better program.
		return lv.whole(opt)
	}
	// The coarse fit, as a piecewise-linear function through its ends and
	// knots, gives the residuals that choose the working set and the fixed
	// signs; its knots give the grid.
	c := cl.x
	nodes := make([]float64, 0, len(cf.knots)+2)
	vals := make([]float64, 0, len(cf.knots)+2)
	nodes, vals = append(nodes, c[0]), append(vals, cf.fit[0])
	for _, k := range cf.knots {
		nodes, vals = append(nodes, c[k]), append(vals, cf.fit[k])
	}
	last := len(c) - 1
	nodes, vals = append(nodes, c[last]), append(vals, cf.fit[last])
	approx := make([]float64, G)
	piecewiseLinear(nodes, vals, lv.x, approx)
	return lv.refine(approx, nodes[1:len(nodes)-1], opt, exact)
}

// refine solves the level by restricted programs started from an
// approximate fit (its values at the inputs) whose knots are at the
// positions knots: the first working set holds the samples nearest the fit,
// the first grid the inputs near those knots. With exact false it returns
// the first restricted optimum, an approximation good enough to start a
// finer level.
func (lv *l1Level) refine(approx, knots []float64, opt Options, exact bool) *l1Fit {
	G := len(lv.x)
	onGrid := make([]bool, G)
	onGrid[0], onGrid[G-1] = true, true
	for k := 0; k < G; k += max(16, G/l1Uniform) {
		onGrid[k] = true
	}
	for _, t := range knots {
		addNear(onGrid, sort.SearchFloat64s(lv.x, t), l1Window)
	}
	work, fixed := lv.workingSet(approx, l1FirstFraction)
	iters := 0
	var last *l1Fit // the previous round's solution, the next one's start
	for round := 0; round < l1Rounds; round++ {
		grid := make([]int, 0, 64)
		for k, on := range onGrid {
			if on {
				grid = append(grid, k)
			}
		}
		f, err := lv.restricted(grid, work, fixed, opt, last)
		if err != nil {
			return nil
		}
		iters += f.iterations
		if f.status != lp.Optimal && f.status != lp.AlmostOptimal {
			return nil
		}
		flagged, added := lv.violations(f, work, onGrid)
		if len(flagged) == 0 && added == 0 || !exact {
			f.iterations = iters
			return f
		}
		// The next round starts from this fit, close to the optimum: a
		// small working set around it suffices, plus the samples found on
		// the wrong side or in loose clusters.
		approx, last = f.fit, f
		work, fixed = lv.workingSet(approx, l1NextFraction)
		for _, i := range flagged {
			work[i], fixed[i] = true, 0
		}
	}
	return nil
}

// whole solves the level's whole slope dual (every input on the grid, every
// sample free); nil if the interior point does not reach the optimum.
func (lv *l1Level) whole(opt Options) *l1Fit {
	f, err := lv.restricted(allInputs(len(lv.x)), allSamples(len(lv.y)), make([]float64, len(lv.y)), opt, nil)
	if err != nil || f.status != lp.Optimal && f.status != lp.AlmostOptimal {
		return nil
	}
	return f
}

// piecewiseLinear writes into out the piecewise-linear interpolant of (nodes,
// vals) at the increasing points at, extended linearly beyond the ends.
func piecewiseLinear(nodes, vals, at, out []float64) {
	j := 0
	for k, x := range at {
		for j+2 < len(nodes) && nodes[j+1] <= x {
			j++
		}
		if len(nodes) == 1 {
			out[k] = vals[0]
			continue
		}
		h := nodes[j+1] - nodes[j]
		if h == 0 {
			out[k] = vals[j]
			continue
		}
		t := (x - nodes[j]) / h
		out[k] = vals[j] + t*(vals[j+1]-vals[j])
	}
}

// workingSet frees the share frac of the samples whose residuals against
// approx are smallest (at least l1WorkMin), and fixes the others at
// b_i·sign(r_i). A grid interval whose fixed samples pull the fit to one
// side harder than its free samples can hold (|Σ fixed u| > Σ free b)
// would let the restricted fit run away there; all its samples are freed.
func (lv *l1Level) workingSet(approx []float64, frac float64) (work []bool, fixed []float64) {
	n := len(lv.y)
	work = make([]bool, n)
	fixed = make([]float64, n)
	res := make([]float64, 0, n)
	for k := range lv.x {
		for i := lv.start[k]; i < lv.start[k+1]; i++ {
			if lv.b[i] > 0 {
				res = append(res, math.Abs(lv.y[i]-approx[k]))
			}
		}
	}
	want := max(l1WorkMin, int(frac*float64(len(res))))
	tau := math.Inf(1)
	if want < len(res) {
		tau = selectKth(res, want)
	}
	for k := range lv.x {
		for i := lv.start[k]; i < lv.start[k+1]; i++ {
			r := lv.y[i] - approx[k]
			switch {
			case lv.b[i] == 0:
			case math.Abs(r) <= tau:
				work[i] = true
			default:
				fixed[i] = math.Copysign(lv.b[i], r)
			}
		}
	}
	return work, fixed
}

// selectKth returns the k-th smallest value (1-based) of v, reordering v.
func selectKth(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	k--
	for lo < hi {
		// Median of three as pivot, then a Hoare partition.
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}

// restricted solves the level's program with knots only at grid (input
// indices, increasing, from 0 to G−1) and the samples outside work held at
// the sides given by fixed (±b_i). Held samples enter in clusters, one per
// grid interval and side, each with a single dual variable α ∈ [−1, 1]
// scaling the cluster's entries u_i = α·fixed_i: in the primal a cluster
// costs |Σ_i fixed_i r_i| ≤ Σ_i b_i |r_i|, with equality when its samples
// are on their side (α = 1) or all on the other (α = −1). The restricted
// program is thus a relaxation bounded below by zero, never unbounded, and
// exact when every cluster ends at α = ±1 with its samples on that side.
// The samples of clusters that end strictly inside are listed in loose.
func (lv *l1Level) restricted(grid []int, work []bool, fixed []float64, opt Options, prev *l1Fit) (*l1Fit, error) {
	G, M := len(lv.x), len(grid)
	rows := 2*M - 1
	t := lp.NewTriplets(rows)
	var c, lo, hi []float64
	add := func(cost, l, u float64) {
		c, lo, hi = append(c, cost), append(lo, l), append(hi, u)
	}
	qCol := make([]int, M)
	pCol := make([]int, M)
	for j := 0; j < M; j++ {
		qCol[j] = -1
		if j+1 < M {
			pCol[j] = len(c)
			t.Col()
			t.Add(2*j, -1)
			t.Add(2*j+1, -(lv.x[grid[j+1]] - lv.x[grid[j]]))
			t.Add(2*j+2, 1)
			add(0, math.Inf(-1), math.Inf(1))
		}
		if j > 0 && j+1 < M {
			t.Col()
			t.Add(2*j-1, -1)
			t.Add(2*j+1, 1)
			qCol[j] = len(c)
			add(0, -lv.lam, lv.lam)
		}
	}
	// Free samples, and the clusters of held ones: cluster 2j+s holds the
	// samples of grid interval j on side s (0: above the fit, 1: below).
	uCol := make([]int, len(lv.y)) // column of each sample (cluster column if held), −1 if none
	type cluster struct{ a0, a1, cost float64 }
	clusters := make([]cluster, 2*(M-1))
	clusterOf := make([]int32, len(lv.y))
	j := 0
	for k := 0; k < G; k++ {
		for j+2 < M && grid[j+1] <= k {
			j++
		}
		t1 := (lv.x[k] - lv.x[grid[j]]) / (lv.x[grid[j+1]] - lv.x[grid[j]])
		t0 := 1 - t1
		for i := lv.start[k]; i < lv.start[k+1]; i++ {
			uCol[i] = -1
			if lv.b[i] == 0 {
				continue
			}
			if !work[i] {
				cl := 2 * j
				if fixed[i] < 0 {
					cl++
				}
				clusterOf[i] = int32(cl)
				clusters[cl].a0 += t0 * fixed[i]
				clusters[cl].a1 += t1 * fixed[i]
				clusters[cl].cost -= lv.y[i] * fixed[i]
				continue
			}
			t.Col()
			if t0 != 0 {
				t.Add(2*j, t0)
			}
			if t1 != 0 {
				t.Add(2*j+2, t1)
			}
			uCol[i] = len(c)
			add(-lv.y[i], -lv.b[i], lv.b[i])
		}
	}
	clusterCol := make([]int, len(clusters))
	for cl, q := range clusters {
		clusterCol[cl] = -1
		if q.a0 == 0 && q.a1 == 0 {
			continue
		}
		j := cl / 2
		t.Col()
		if q.a0 != 0 {
			t.Add(2*j, q.a0)
		}
		if q.a1 != 0 {
			t.Add(2*j+2, q.a1)
		}
		clusterCol[cl] = len(c)
		add(q.cost, -1, 1)
	}
	m := &lp.Model{C: c, A: t.Matrix(), B: make([]float64, rows), L: lo, U: hi}
	ip := lp.InteriorPoint{}
	if prev != nil {
		ip.Start = lv.startFrom(prev, m, grid, pCol, qCol, uCol, clusterCol, clusterOf, work, fixed)
	}
	res, err := ip.Solve(m, lp.Settings{Tol: ipmTol, MaxIterations: opt.MaxIterations})
	if err != nil {
		return nil, err
	}
	f := &l1Fit{status: res.Status, iterations: res.Iterations}
	if res.Status != lp.Optimal && res.Status != lp.AlmostOptimal {
		return f, nil
	}
	// Fitted values: the multipliers of the input rows on the grid, linear
	// in between.
	gx := make([]float64, M)
	gv := make([]float64, M)
	for j, k := range grid {
		gx[j], gv[j] = lv.x[k], -res.Y[2*j]
	}
	f.fit = make([]float64, G)
	piecewiseLinear(gx, gv, lv.x, f.fit)
	for j := 1; j+1 < M; j++ {
		col := qCol[j]
		a := res.ZL[col] - res.ZU[col]
		slack := lv.lam - math.Abs(res.X[col])
		if math.Abs(a) > slack && a != 0 {
			f.knots = append(f.knots, grid[j])
			f.amps = append(f.amps, a)
		}
	}
	f.u = make([]float64, len(lv.y))
	for i := range f.u {
		switch {
		case lv.b[i] == 0:
		case work[i]:
			f.u[i] = res.X[uCol[i]]
		default:
			alpha := res.X[clusterCol[clusterOf[i]]]
			f.u[i] = alpha * fixed[i]
			if math.Abs(alpha) < 1-l1ClusterTol {
				f.loose = append(f.loose, i)
			}
		}
	}
	return f, nil
}

// startFrom builds the interior point's start for a restricted program m
// from the previous round's solution prev: the free samples keep their
// dual entries, a cluster takes the least-squares scaling of its samples'
// previous entries, the dual slopes p and values q follow from the
// constraints, and the row multipliers are the previous fit's values at the
// grid points and its slopes between them.
func (lv *l1Level) startFrom(prev *l1Fit, m *lp.Model, grid, pCol, qCol, uCol, clusterCol []int, clusterOf []int32, work []bool, fixed []float64) *lp.Point {
	M := len(grid)
	cols := len(m.C)
	x := make([]float64, cols)
	num := make([]float64, len(clusterCol))
	den := make([]float64, len(clusterCol))
	for i := range lv.y {
		switch {
		case lv.b[i] == 0:
		case work[i]:
			x[uCol[i]] = prev.u[i]
		default:
			cl := clusterOf[i]
			num[cl] += prev.u[i] * fixed[i]
			den[cl] += fixed[i] * fixed[i]
		}
	}
	for cl, col := range clusterCol {
		if col >= 0 && den[cl] > 0 {
			x[col] = math.Max(-1, math.Min(1, num[cl]/den[cl]))
		}
	}
	// Row sums of the sample columns, then p and q from the constraints:
	// input row j: S_j + p_{j−1} − p_j = 0; interval row j:
	// q_j − q_{j+1} − h_j p_j = 0, with q_0 = 0.
	a := m.A
	sum := make([]float64, 2*M-1)
	for col := 0; col < cols; col++ {
		if x[col] == 0 {
			continue
		}
		for k := a.ColPtr[col]; k < a.ColPtr[col+1]; k++ {
			sum[a.RowIdx[k]] += a.Val[k] * x[col]
		}
	}
	p, q := 0.0, 0.0
	for j := 0; j+1 < M; j++ {
		p += sum[2*j]
		x[pCol[j]] = p
		q -= (lv.x[grid[j+1]] - lv.x[grid[j]]) * p
		if j+1 < M-1 {
			x[qCol[j+1]] = math.Max(-lv.lam, math.Min(lv.lam, q))
		}
	}
	y := make([]float64, 2*M-1)
	for j, k := range grid {
		y[2*j] = -prev.fit[k]
	}
	for j := 0; j+1 < M; j++ {
		if h := lv.x[grid[j+1]] - lv.x[grid[j]]; h > 0 {
			y[2*j+1] = (y[2*j+2] - y[2*j]) / h
		}
	}
	return &lp.Point{X: x, Y: y, Mu: l1WarmMu}
}

// l1WarmMu is the complementarity of a restricted program's start from
// the previous round (lp.Point.Mu), in standard units: well below the
// cold start's 1, well above the final 1e-12.
const l1WarmMu = 1e-4

// l1Near is how many inputs on each side of a violation join the grid with
// it: the optimal knot is often the neighbour of the input where a
// restricted dual function peaks.
const l1Near = 2

// addNear puts input k and its near neighbours on each side on the grid
// and returns how many were not on it.
func addNear(onGrid []bool, k, near int) int {
	n := 0
	for j := max(0, k-near); j <= min(len(onGrid)-1, k+near); j++ {
		if !onGrid[j] {
			onGrid[j] = true
			n++
		}
	}
	return n
}

// peaks puts on the grid, with its near neighbours on each side, the input
// of largest |η| in every run of inputs where the dual function of u exceeds
// limit, and returns how many inputs it added.
func (lv *l1Level) peaks(u []float64, limit float64, near int, onGrid []bool) int {
	// η at the inputs: p_k = Σ_{g≤k} U_g, q_{k+1} = q_k − h_k p_k, q_0 = 0.
	added := 0
	q, p := 0.0, 0.0
	best, bestAt := 0.0, -1
	for k := range lv.x {
		if k > 0 {
			q -= (lv.x[k] - lv.x[k-1]) * p
		}
		for i := lv.start[k]; i < lv.start[k+1]; i++ {
			p += u[i]
		}
		if a := math.Abs(q); a > limit {
			if a > best {
				best, bestAt = a, k
			}
			continue
		}
		if bestAt >= 0 {
			added += addNear(onGrid, bestAt, near)
			best, bestAt = 0, -1
		}
	}
	if bestAt >= 0 {
		added += addNear(onGrid, bestAt, near)
	}
	return added
}

// violations checks the optimality conditions of the whole level at f. It
// returns the held samples to free — those of loose clusters and those whose
// residual has the wrong side — and puts on the grid, with its neighbours,
// the input of largest |η| in every run of inputs where the dual function
// exceeds λ̃, returning how many inputs it added.
func (lv *l1Level) violations(f *l1Fit, work []bool, onGrid []bool) (flagged []int, added int) {
	flagged = append(flagged, f.loose...)
	for k := range lv.x {
		for i := lv.start[k]; i < lv.start[k+1]; i++ {
			if work[i] || lv.b[i] == 0 {
				continue
			}
			if r := lv.y[i] - f.fit[k]; r*f.u[i] < 0 && math.Abs(r) > l1SignTol {
				flagged = append(flagged, i)
			}
		}
	}
	added = lv.peaks(f.u, lv.lam*(1+l1DualTol), l1Near, onGrid)
	return flagged, added
}

// allInputs returns 0, 1, …, n−1: the grid of every input.
func allInputs(n int) []int {
	v := make([]int, n)
	for i := range v {
		v[i] = i
	}
	return v
}

// allSamples returns a working set holding every sample.
func allSamples(n int) []bool {
	v := make([]bool, n)
	for i := range v {
		v[i] = true
	}
	return v
}
