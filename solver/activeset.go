package solver

import (
	"math"

	"github.com/ridgeline-nn/ridgeline/problem"
)

// activeSet solves the order-2 problem with the squared or Huber loss in
// standard units by a primal-dual active-set method (Hintermüller, Ito &
// Kunisch, SIAM J. Optim. 13, 2003) on the knot set.
//
// For fixed knots with signs σ (and, for Huber, a fixed split of the samples
// into the quadratic region |r| ≤ δ and the linear region), the problem is a
// weighted least-squares fit in the hat basis on the ends and the knots plus
// linear terms:
//
//	(Σ_quad ω B Bᵀ) c = Σ_quad ω y B − Σ_lin ω δ sign(r) B − λ̃ Lᵀσ,   a = L c,
//
// a tridiagonal system solved in O(N). Then every knot whose amplitude
// contradicts its sign is dropped, the samples are reassigned to their
// regions, and for each maximal run of inputs where the dual function
//
//	η(x̃_j) = Σ_g u_g (x̃_g − x̃_j)_+,   u = −ω ℓ'(f − y),
//
// exceeds λ̃ in modulus the input of largest |η| becomes a knot with
// σ = sign η. At a fixed point stationarity holds to rounding and |η| ≤ λ̃
// everywhere, which is optimality (DESIGN §4); the certificate then checks it
// independently. All buffers are allocated once; each round is O(N) (one
// sweep; for the squared loss the system itself is kept as per-interval
// moments and updated where knots changed, see descent) and well
// conditioned, since no divided differences of fitted values at the data
// spacing are ever formed. If the rounds do not settle (cycling), the
// method continues conservatively: drop, else add the single worst input.
type activeSet struct {
	xs    []float64 // distinct standardised inputs, length G
	grp   []int32   // group of each sample, non-decreasing
	w, y  []float64 // sample weights and targets (standard units)
	delta float64   // Huber transition (Inf: squared)
	lam   float64   // λ̃

	sign   []int8    // knot sign per group (0: no knot)
	region []int8    // per sample: 0 quadratic, ±1 linear with sign of r
	tau    []int32   // hat nodes: 0, knots…, G−1
	diag   []float64 // tridiagonal system
	off    []float64
	c      []float64
	fit    []float64 // f̃ at each group
	eta    []float64 // η at each group
	ug     []float64 // Σ u over each group

	// sys holds the least-squares system of the squared loss (one entry
	// per input) as per-interval moments, kept between rounds and between
	// calls (a path's λ), so that a round costs O(K) plus the inputs of the
	// intervals that new knots split; nil for Huber.
	sys    *descent
	blocks []hatSums    // moments of fixed blocks of inputs (see hatSums); nil until used
	bounds []blockBound // the blocks' bounds for screenedSweep; nil until used
	runs   []violRun    // violating runs found by the last sweep

	rounds       int
	coarseRounds int     // rounds spent on coarser levels
	maxRounds    int     // 0: maxActiveRounds
	addFraction  float64 // current eagerness (see addFractions)
}

const (
	// maxActiveRounds bounds the rounds; typical solves settle in 5–40.
	maxActiveRounds = 2000
	// eagerRounds is how many rounds may add one knot per violating run
	// before the method falls back to one change per round.
	// stageRounds is the longest an eagerness stage lasts.
	stageRounds = 40
	// etaSlack is the relative violation of |η| ≤ λ̃ tolerated before a knot
	// is added: far below any requested gap, far above rounding in η.
	etaSlack = 1e-11
)

func newActiveSet(xs []float64, grp []int32, w, y []float64, delta, lam float64) *activeSet {
	G, n := len(xs), len(w)
	s := &activeSet{
		xs: xs, grp: grp, w: w, y: y, delta: delta, lam: lam,
		sign: make([]int8, G), region: make([]int8, n),
		tau: make([]int32, 0, 64), diag: make([]float64, 0, 64),
		off: make([]float64, 0, 64), c: make([]float64, 0, 64),
		eta: make([]float64, G),
	}
	if s.squared() {
		s.sys = &descent{s: s}
	} else {
		s.fit, s.ug = make([]float64, G), make([]float64, G)
	}
	return s
}

// squared reports whether s is a squared-loss problem with one entry per
// input (merged groups), whose rounds use the moment system sys and the
// fused sweep.
func (s *activeSet) squared() bool {
	return len(s.w) == len(s.xs) && len(s.xs) >= 2 && math.IsInf(s.delta, 1)
}

// addFractions are the eagerness stages of run: a violating run is added in a
// round when its excess over λ̃ is at least this fraction of the round's
// largest excess.
var addFractions = [...]float64{0.1, 0.5, 0.9}

// warmRounds bounds the rounds of a warm-started active set: from an
// interior-point knot set it settles in a few rounds or not at all.
const warmRounds = 50

// runLimited is run with at most the given number of rounds.
func (s *activeSet) runLimited(rounds int) bool {
	s.maxRounds = rounds
	return s.run()
}

// run iterates to a fixed point and reports whether it reached one.
func (s *activeSet) run() bool {
	if s.sys != nil {
		s.sys.current = false
	}
	limit := s.maxRounds
	if limit <= 0 {
		limit = maxActiveRounds
	}
	G := len(s.xs)
	if G == 1 {
		return s.solveSystem()
	}
	var seen [4]uint64
	// Eagerness decreases in stages: each stage takes, per round, the
	// violating runs within a shrinking fraction of the worst violation;
	// the last stage changes one knot per round (an exchange method). A
	// stage ends when its state repeats (a cycle) or after stageRounds.
	stage, stageStart := 0, 1
	for s.rounds = 1; s.rounds <= limit; s.rounds++ {
		if !s.solveSystem() {
			return false
		}
		h := s.stateHash()
		cycle := false
		for _, old := range seen {
			cycle = cycle || old == h
		}
		seen[s.rounds%len(seen)] = h
		if cycle || s.rounds-stageStart >= stageRounds {
			if stage == len(addFractions) && cycle {
				// A cycle even one change at a time is among degenerate
				// knots (amplitude ≈ 0, |η| = λ̃ up to rounding): settle on
				// the state without wrong-sign knots; the certificate
				// judges it.
				return s.settle()
			}
			if stage < len(addFractions) {
				stage++
			}
			stageStart, seen = s.rounds, [4]uint64{}
		}
		eager := stage < len(addFractions)
		if eager {
			s.addFraction = addFractions[stage]
		}
		changed := s.dropWrongSigns(eager)
		if changed {
			// Re-solve without the wrong-sign knots before looking for
			// violations: a knot forced against its sign distorts η around it.
			continue
		}
		if s.sys != nil {
			if s.addFromRuns(eager) {
				changed = true
			}
		} else {
			s.evalFit()
			if s.updateRegions() {
				changed = true
			}
			s.computeEta()
			if s.addViolators(eager) {
				changed = true
			}
		}
		if !changed {
			return true
		}
	}
	return false
}

// stateHash fingerprints the knot signs and the Huber regions (FNV-1a). It
// runs right after solveSystem, whose hat nodes list the knots, so the knot
// part costs O(K); regions exist only for Huber.
func (s *activeSet) stateHash() uint64 {
	h := uint64(14695981039346656037)
	mix := func(i int, v int8) {
		h ^= uint64(i)<<8 | uint64(uint8(v))
		h *= 1099511628211
	}
	for k := 1; k+1 < len(s.tau); k++ {
		j := int(s.tau[k])
		mix(j, s.sign[j])
	}
	if !math.IsInf(s.delta, 1) {
		for i, v := range s.region {
			if v != 0 {
				mix(i+len(s.sign), v)
			}
		}
	}
	return h
}

// settle drops wrong-sign knots until none is left and reports success.
func (s *activeSet) settle() bool {
	for k := 0; k < maxActiveRounds; k++ {
		if !s.dropWrongSigns(true) {
			return true
		}
		if !s.solveSystem() {
			return false
		}
	}
	return false
}

// solveSystem assembles and solves the tridiagonal system for the current
// knots and regions.
func (s *activeSet) solveSystem() bool {
	if s.sys != nil {
		d := s.sys
		if !d.current {
			d.retau()
		}
		if !d.solve() {
			return false
		}
		s.tau = append(s.tau[:0], d.tau...)
		s.c = append(s.c[:0], d.c...)
		return true
	}
	G := len(s.xs)
	s.tau = s.tau[:0]
	s.tau = append(s.tau, 0)
	for j := 1; j+1 < G; j++ {
		if s.sign[j] != 0 {
			s.tau = append(s.tau, int32(j))
		}
	}
	if G > 1 {
		s.tau = append(s.tau, int32(G-1))
	}
	nb := len(s.tau)
	s.diag = zeroed(s.diag, nb)
	s.off = zeroed(s.off, nb)
	s.c = zeroed(s.c, nb)
	if G == 1 {
		sw, swy := 0.0, 0.0
		for i := range s.w {
			sw += s.w[i]
			swy += s.w[i] * s.y[i]
		}
		s.c[0] = swy / sw
		s.fit[0] = s.c[0]
		return sw > 0
	}
	iv := 0
	next := int(s.tau[1])
	x0 := s.xs[s.tau[0]]
	inv := 1 / (s.xs[next] - x0)
	for i := range s.w {
		wi := s.w[i]
		if wi == 0 {
			continue
		}
		j := int(s.grp[i])
		for iv+2 < nb && next <= j {
			iv++
			x0, next = s.xs[next], int(s.tau[iv+1])
			inv = 1 / (s.xs[next] - x0)
		}
		b1 := (s.xs[j] - x0) * inv
		b0 := 1 - b1
		if s.region[i] == 0 {
			s.diag[iv] += wi * b0 * b0
			s.diag[iv+1] += wi * b1 * b1
			s.off[iv] += wi * b0 * b1
			s.c[iv] += wi * b0 * s.y[i]
			s.c[iv+1] += wi * b1 * s.y[i]
		} else {
			g := wi * s.delta * float64(s.region[i])
			s.c[iv] -= g * b0
			s.c[iv+1] -= g * b1
		}
	}
	return solveHatSystem(s.xs, s.tau, s.sign, s.lam, s.diag, s.off, s.c)
}

// solveHatSystem completes the hat-basis normal equations of a knot set
// (diag, off and rhs hold BᵀWB and BᵀWy) with the knot term −λ̃Lᵀσ,
// a_k = (c_{k+1} − c_k)/Δ_k − (c_k − c_{k−1})/Δ_{k−1}, and solves it in place
// in rhs. A hat without data has a zero row; a tiny ridge keeps the system
// solvable, and the next round changes the knot set.
func solveHatSystem(xs []float64, tau []int32, sign []int8, lam float64, diag, off, rhs []float64) bool {
	nb := len(tau)
	for k := 1; k+1 < nb; k++ {
		sg := lam * float64(sign[tau[k]])
		dl := xs[tau[k]] - xs[tau[k-1]]
		dr := xs[tau[k+1]] - xs[tau[k]]
		rhs[k-1] -= sg / dl
		rhs[k] += sg * (1/dl + 1/dr)
		rhs[k+1] -= sg / dr
	}
	dmax := 0.0
	for _, d := range diag {
		if d > dmax {
			dmax = d
		}
	}
	if dmax == 0 {
		dmax = 1
	}
	for k := range diag {
		if diag[k] < 1e-14*dmax {
			diag[k] += 1e-14 * dmax
		}
	}
	return solveTridiag(diag, off, rhs)
}

// amplitude returns a at hat node k (1 ≤ k ≤ nb−2).
func (s *activeSet) amplitude(k int) float64 {
	dl := s.xs[s.tau[k]] - s.xs[s.tau[k-1]]
	dr := s.xs[s.tau[k+1]] - s.xs[s.tau[k]]
	return (s.c[k+1]-s.c[k])/dr - (s.c[k]-s.c[k-1])/dl
}

// dropWrongSigns removes knots whose amplitude contradicts their sign: all
// of them when eager, else the worst one.
func (s *activeSet) dropWrongSigns(eager bool) bool {
	worst, at := 0.0, -1
	for k := 1; k+1 < len(s.tau); k++ {
		v := s.amplitude(k) * float64(s.sign[s.tau[k]])
		if v < 0 {
			if eager {
				s.sign[s.tau[k]] = 0
				at = k
			} else if v < worst {
				worst, at = v, k
			}
		}
	}
	if at >= 0 && !eager {
		s.sign[s.tau[at]] = 0
	}
	if at >= 0 && s.sys != nil && s.sys.current {
		s.sys.dropped()
	}
	return at >= 0
}

// evalFit sets fit to f̃ at every input.
func (s *activeSet) evalFit() {
	G, nb := len(s.xs), len(s.tau)
	iv := 0
	for j := 0; j < G; j++ {
		for iv+2 < nb && int(s.tau[iv+1]) <= j {
			iv++
		}
		x0, x1 := s.xs[s.tau[iv]], s.xs[s.tau[iv+1]]
		b1 := (s.xs[j] - x0) / (x1 - x0)
		s.fit[j] = (1-b1)*s.c[iv] + b1*s.c[iv+1]
	}
}

// violRun is a maximal run lo…hi of interior inputs without knots where
// |η| exceeds the threshold of a sweep with one sign; its largest |η| is max,
// at arg.
type violRun struct {
	lo, hi, arg int
	max         float64
}

// sweepRuns computes η at every input from the solution s.c on the nodes
// s.tau (squared loss, one entry per input) and collects in s.runs the
// maximal violating runs, |η| > thr, built from the right; η is stored in
// s.eta only inside them. It returns the largest |η| over the runs (0 if
// there is none). One backward pass over the data: per input, its fitted
// value, its dual u_j = w_j(ỹ_j − f̃_j) and η at it, an interval at a time,
// so that the inner loop carries no interval or knot bookkeeping (the
// inputs inside an interval are exactly the non-knots).
func (s *activeSet) sweepRuns(thr float64) (worst float64) {
	xs, w, y, c := s.xs, s.w, s.y, s.c
	G, nb := len(xs), len(s.tau)
	// The last input is a node (f̃ = c_{nb−1}); η vanishes there.
	st := etaSweep{sum: w[G-1] * (y[G-1] - c[nb-1]), xr: xs[G-1], runs: s.runs[:0]}
	for iv := nb - 2; iv >= 0; iv-- {
		a, b := int(s.tau[iv]), int(s.tau[iv+1])
		x0, c0 := xs[a], c[iv]
		// The interior inputs a < j < b, from the right, then the node a.
		st.visit(s, a+1, b-1, x0, c0, (c[iv+1]-c0)/(xs[b]-x0), thr)
		st.node(s, a, c0)
	}
	s.runs = st.runs
	return st.worst
}

// addFromRuns lets knots enter at the runs of the last sweep (sweepRuns)
// as addViolators does: when eager, the input of largest |η| of every run
// whose excess over λ̃ is at least addFraction of the largest excess, else
// only the worst input. It sweeps first and reports whether a knot entered.
func (s *activeSet) addFromRuns(eager bool) bool {
	worst := s.sweep(s.lam * (1 + etaSlack))
	if len(s.runs) == 0 {
		return false
	}
	take := max(s.lam*(1+etaSlack), s.lam+s.addFraction*(worst-s.lam))
	if !eager {
		take = worst
	}
	changed := false
	d := s.sys
	d.added = d.added[:0]
	for _, r := range s.runs {
		if r.max < take {
			continue
		}
		s.sign[r.arg] = int8(math.Copysign(1, s.eta[r.arg]))
		d.added = append(d.added, int32(r.arg))
		changed = true
		if !eager {
			break
		}
	}
	if changed && d.current {
		d.entered()
	}
	return changed
}

// updateRegions reassigns Huber samples by their residuals and reports a
// change; it also accumulates u per group.
func (s *activeSet) updateRegions() bool {
	for j := range s.ug {
		s.ug[j] = 0
	}
	changed := false
	huber := !math.IsInf(s.delta, 1)
	for i := range s.w {
		j := s.grp[i]
		r := s.fit[j] - s.y[i]
		if huber {
			var reg int8
			switch {
			case r > s.delta:
				reg = 1
			case r < -s.delta:
				reg = -1
			}
			if reg != s.region[i] {
				s.region[i] = reg
				changed = true
			}
			r = math.Max(-s.delta, math.Min(s.delta, r))
		}
		s.ug[j] -= s.w[i] * r
	}
	return changed
}

// computeEta sets eta[j] = Σ_g ug[g]·(x̃_g − x̃_j)_+ by a backward sweep.
func (s *activeSet) computeEta() {
	G := len(s.xs)
	sum, e := 0.0, 0.0
	for j := G - 1; j >= 0; j-- {
		if j < G-1 {
			e += (s.xs[j+1] - s.xs[j]) * sum
		}
		s.eta[j] = e
		sum += s.ug[j]
	}
}

// addViolators adds, for every maximal run of non-knot inputs with
// |η| > λ̃(1+etaSlack) and one sign, the input of largest |η| as a knot —
// (eager) — or only the single worst input overall.
func (s *activeSet) addViolators(eager bool) bool {
	G := len(s.xs)
	base := s.lam * (1 + etaSlack)
	// Only runs whose violation is a sizeable fraction of the worst one are
	// taken in a round: noise makes many small runs near the threshold, and
	// taking them all overshoots the knot count and oscillates.
	worst := 0.0
	for j := 1; j+1 < G; j++ {
		if a := math.Abs(s.eta[j]); a > worst && s.sign[j] == 0 {
			worst = a
		}
	}
	take := math.Max(base, s.lam+s.addFraction*(worst-s.lam))
	changed := false
	bestV, bestJ, bestSign := 0.0, -1, int8(0)
	for j := 1; j+1 < G; {
		e := s.eta[j]
		if s.sign[j] != 0 || math.Abs(e) <= base {
			j++
			continue
		}
		sg := int8(1)
		if e < 0 {
			sg = -1
		}
		arg, v := j, math.Abs(e)
		for j+2 < G && s.sign[j+1] == 0 && s.eta[j+1]*float64(sg) > base {
			j++
			if a := math.Abs(s.eta[j]); a > v {
				arg, v = j, a
			}
		}
		j++
		if !eager {
			if v > bestV {
				bestV, bestJ, bestSign = v, arg, sg
			}
			continue
		}
		if v < take {
			continue
		}
		s.sign[arg] = sg
		changed = true
	}
	if !eager && bestJ >= 0 {
		s.sign[bestJ] = bestSign
		changed = true
	}
	return changed
}

// result returns the knots (group indices), amplitudes and the affine part
// c0 + c1·x̃ of the current solution.
func (s *activeSet) result() (knots []int, amps []float64, c0, c1 float64) {
	nb := len(s.tau)
	if nb == 1 {
		return nil, nil, s.c[0], 0
	}
	for k := 1; k+1 < nb; k++ {
		if a := s.amplitude(k); a != 0 {
			knots = append(knots, int(s.tau[k]))
			amps = append(amps, a)
		}
	}
	slope := (s.c[1] - s.c[0]) / (s.xs[s.tau[1]] - s.xs[s.tau[0]])
	return knots, amps, s.c[0] - slope*s.xs[s.tau[0]], slope
}

func zeroed(v []float64, n int) []float64 {
	if cap(v) < n {
		v = make([]float64, n, 2*n)
	}
	v = v[:n]
	for i := range v {
		v[i] = 0
	}
	return v
}

// newActiveSetFor sets up the method for a squared (merged groups) or
// Huber (one entry per sample) problem in standard units.
func newActiveSetFor(p *problem.Problem, g *problem.Groups, sc scaling) *activeSet {
	G := g.G()
	xs := make([]float64, G)
	for k := range xs {
		xs[k] = sc.x(g.X[k])
	}
	delta := sc.dualBound(p)
	var grp []int32
	var w, y []float64
	if math.IsInf(delta, 1) {
		grp, w, y = make([]int32, G), make([]float64, G), make([]float64, G)
		for k := 0; k < G; k++ {
			grp[k], w[k], y[k] = int32(k), sc.w(g.SumW[k]), sc.y(g.MeanY[k])
		}
	} else {
		n := len(g.Y)
		grp, w, y = make([]int32, n), make([]float64, n), make([]float64, n)
		for k := 0; k < G; k++ {
			for i := g.Start[k]; i < g.Start[k+1]; i++ {
				grp[i], w[i], y[i] = int32(k), sc.w(g.W[i]), sc.y(g.Y[i])
			}
		}
	}
	return newActiveSet(xs, grp, w, y, delta, sc.lambda(p))
}

// warm replaces the knot set by the given one (group indices and signs of
// the amplitudes) and restarts the round count.
func (s *activeSet) warm(knots []int, amps []float64) {
	if s.sys != nil {
		s.sys.current = false
	}
	for j := range s.sign {
		s.sign[j] = 0
	}
	for k, j := range knots {
		if amps[k] > 0 {
			s.sign[j] = 1
		} else if amps[k] < 0 {
			s.sign[j] = -1
		}
	}
}

// candidate converts the fixed point into a candidate in the problem's units.
func (s *activeSet) candidate(g *problem.Groups, sc scaling, st Status, iters int) *candidate {
	knots, amps, c0, c1 := s.result()
	return &candidate{spline: sc.unscale2(pick(g.X, knots), amps, c0, c1), status: st, iterations: iters + s.rounds}
}

const (
	// coarseBlock is how many consecutive inputs one coarse input stands for.
	coarseBlock = 8
	// coarseMin is the size below which the problem is solved directly.
	coarseMin = 2000
	// fastRounds bounds the primal-dual rounds of runHybrid.
	fastRounds = 30
	// coarseMaxRounds bounds the rounds of each coarse level.
	coarseMaxRounds = 100
)

// runMultilevel solves a squared-loss problem (one entry per distinct input)
// coarse-to-fine: blocks of coarseBlock consecutive inputs are merged into
// their weighted centroids (an approximation of the problem, used only to
// place the knots), the coarse problem is solved the same way, and its knots,
// moved to the nearest fine inputs, warm-start the active set on the fine
// data. The fine solve alone decides the answer; the coarse levels only
// shorten the walk of the knots to their places, which otherwise takes
// hundreds of rounds at N = 10^6.
func (s *activeSet) runMultilevel() bool {
	G := len(s.xs)
	if len(s.w) != G || !math.IsInf(s.delta, 1) {
		return s.run()
	}
	if G < coarseMin {
		return s.runHybrid()
	}
	nc := (G + coarseBlock - 1) / coarseBlock
	cx, cw, cy := make([]float64, nc), make([]float64, nc), make([]float64, nc)
	cg := make([]int32, nc)
	for c := 0; c < nc; c++ {
		lo, hi := c*coarseBlock, min((c+1)*coarseBlock, G)
		sw, swx, swy, sx := 0.0, 0.0, 0.0, 0.0
		for j := lo; j < hi; j++ {
			sw += s.w[j]
			swx += s.w[j] * s.xs[j]
			swy += s.w[j] * s.y[j]
			sx += s.xs[j]
		}
		cg[c] = int32(c)
		cw[c] = sw
		if sw > 0 {
			cx[c], cy[c] = swx/sw, swy/sw
		} else {
			cx[c] = sx / float64(hi-lo)
		}
	}
	coarse := newActiveSet(cx, cg, cw, cy, s.delta, s.lam)
	// A coarse level only places knots: it need not settle, and a level
	// that cycles among degenerate centroids is cut short.
	coarse.maxRounds = coarseMaxRounds
	coarse.runMultilevel()
	{
		for j := range s.sign {
			s.sign[j] = 0
		}
		j := 0
		for c := 1; c+1 < nc; c++ {
			sg := coarse.sign[c]
			if sg == 0 {
				continue
			}
			// The fine input nearest to the coarse knot.
			for j+1 < G && s.xs[j+1] <= cx[c] {
				j++
			}
			k := j
			if j+1 < G && s.xs[j+1]-cx[c] < cx[c]-s.xs[j] {
				k = j + 1
			}
			if k > 0 && k < G-1 {
				s.sign[k] = sg
			}
		}
		s.coarseRounds = coarse.rounds + coarse.coarseRounds
	}
	return s.runHybrid()
}

// runHybrid runs the primal-dual active set for at most fastRounds rounds —
// it usually settles in 5–30 — and, if it has not settled, continues from
// its state (made sign-consistent) with the monotone descent of runDescent,
// which cannot cycle.
func (s *activeSet) runHybrid() bool {
	s.maxRounds = fastRounds
	if s.run() {
		return true
	}
	fast := s.rounds
	// Make the state consistent (no wrong-sign knots), then descend from it.
	for k := 0; ; k++ {
		if !s.solveSystem() || k > maxActiveRounds {
			return false
		}
		if !s.dropWrongSigns(true) {
			break
		}
	}
	f0 := append([]float64(nil), s.c...)
	ok := s.runDescent(f0, maxDescentSweeps)
	s.rounds += fast
	return ok
}
