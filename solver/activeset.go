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
// independently. All buffers are allocated once; each round is O(N) and
// well conditioned, since no divided differences of fitted values at the
// data spacing are ever formed. If the rounds do not settle (cycling), the
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

	rounds       int
	coarseRounds int // rounds spent on coarser levels
	maxRounds    int // 0: maxActiveRounds
}

const (
	// maxActiveRounds bounds the rounds; typical solves settle in 5–40.
	maxActiveRounds = 2000
	// eagerRounds is how many rounds may add one knot per violating run
	// before the method falls back to one change per round.
	eagerRounds = 200
	// addFraction: a violating run is added in a round when its excess over
	// λ̃ is at least this fraction of the round's largest excess.
	addFraction = 0.1
	// etaSlack is the relative violation of |η| ≤ λ̃ tolerated before a knot
	// is added: far below any requested gap, far above rounding in η.
	etaSlack = 1e-11
)

func newActiveSet(xs []float64, grp []int32, w, y []float64, delta, lam float64) *activeSet {
	G, n := len(xs), len(w)
	return &activeSet{
		xs: xs, grp: grp, w: w, y: y, delta: delta, lam: lam,
		sign: make([]int8, G), region: make([]int8, n),
		tau: make([]int32, 0, 64), diag: make([]float64, 0, 64),
		off: make([]float64, 0, 64), c: make([]float64, 0, 64),
		fit: make([]float64, G), eta: make([]float64, G), ug: make([]float64, G),
	}
}

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
	limit := s.maxRounds
	if limit <= 0 {
		limit = maxActiveRounds
	}
	G := len(s.xs)
	if G == 1 {
		return s.solveSystem()
	}
	var seen [4]uint64
	eager := true
	for s.rounds = 1; s.rounds <= limit; s.rounds++ {
		if !s.solveSystem() {
			return false
		}
		// A state seen in the last few rounds is a cycle. Eager rounds then
		// give way to one change per round (an exchange method); a cycle
		// even then is among degenerate knots (amplitude ≈ 0, |η| = λ̃ up to
		// rounding): settle on the state without wrong-sign knots and let
		// the certificate judge it.
		h := s.stateHash()
		for _, old := range seen {
			if old == h {
				if !eager {
					return s.settle()
				}
				eager = false
				seen = [4]uint64{}
				break
			}
		}
		seen[s.rounds%len(seen)] = h
		if s.rounds > eagerRounds {
			eager = false
		}
		changed := s.dropWrongSigns(eager)
		if changed {
			// Re-solve without the wrong-sign knots before looking for
			// violations: a knot forced against its sign distorts η around it.
			continue
		}
		if len(s.w) == len(s.xs) && math.IsInf(s.delta, 1) {
			s.sweepSquared()
		} else {
			s.evalFit()
			if s.updateRegions() {
				changed = true
			}
			s.computeEta()
		}
		if s.addViolators(eager) {
			changed = true
		}
		if !changed {
			return true
		}
	}
	return false
}

// stateHash fingerprints the knot signs and the Huber regions (FNV-1a).
func (s *activeSet) stateHash() uint64 {
	h := uint64(14695981039346656037)
	mix := func(i int, v int8) {
		h ^= uint64(i)<<8 | uint64(uint8(v))
		h *= 1099511628211
	}
	for j, v := range s.sign {
		if v != 0 {
			mix(j, v)
		}
	}
	for i, v := range s.region {
		if v != 0 {
			mix(i+len(s.sign), v)
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
	for k := 1; k+1 < nb; k++ {
		sg := s.lam * float64(s.sign[s.tau[k]])
		dl := s.xs[s.tau[k]] - s.xs[s.tau[k-1]]
		dr := s.xs[s.tau[k+1]] - s.xs[s.tau[k]]
		s.c[k-1] -= sg / dl
		s.c[k] += sg * (1/dl + 1/dr)
		s.c[k+1] -= sg / dr
	}
	// A hat without quadratic-region data has a zero row; a tiny ridge
	// keeps the system solvable and the next round reassigns regions.
	dmax := 0.0
	for _, d := range s.diag {
		dmax = math.Max(dmax, d)
	}
	if dmax == 0 {
		dmax = 1
	}
	for k := range s.diag {
		if s.diag[k] < 1e-14*dmax {
			s.diag[k] += 1e-14 * dmax
		}
	}
	return solveTridiag(s.diag, s.off, s.c)
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

// sweepSquared is evalFit, updateRegions and computeEta fused into one
// backward pass for the squared loss with one entry per input (the common
// and largest case): each input's fitted value, its dual u_j = w_j(ỹ_j − f̃_j)
// and η at it, reading every array once.
func (s *activeSet) sweepSquared() {
	G, nb := len(s.xs), len(s.tau)
	xs, w, y, c, eta := s.xs, s.w, s.y, s.c, s.eta
	iv := nb - 2
	x0, x1 := xs[s.tau[iv]], xs[s.tau[iv+1]]
	inv := 1 / (x1 - x0)
	sum, e := 0.0, 0.0
	for j := G - 1; j >= 0; j-- {
		for iv > 0 && int(s.tau[iv]) > j {
			iv--
			x0, x1 = xs[s.tau[iv]], xs[s.tau[iv+1]]
			inv = 1 / (x1 - x0)
		}
		b1 := (xs[j] - x0) * inv
		f := c[iv] + b1*(c[iv+1]-c[iv])
		if j < G-1 {
			e += (xs[j+1] - xs[j]) * sum
		}
		eta[j] = e
		sum += w[j] * (y[j] - f)
	}
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
// |η| > λ̃(1+etaSlack) and one sign, the input of largest |η| as a knot
// (eager), or only the single worst input overall.
func (s *activeSet) addViolators(eager bool) bool {
	G := len(s.xs)
	thr := s.lam * (1 + etaSlack)
	added := false
	bestV, bestJ := 0.0, -1
	runV, runJ := 0.0, -1
	var runSign int8
	flush := func() {
		if runJ >= 0 {
			if eager {
				s.sign[runJ] = runSign
				added = true
			} else if runV > bestV {
				bestV, bestJ = runV, runJ
			}
		}
		runV, runJ, runSign = 0, -1, 0
	}
	// Only runs whose violation is a sizeable fraction of the worst one are
	// taken in a round: noise makes many small runs near the threshold, and
	// taking them all overshoots the knot count and oscillates.
	worst := 0.0
	for j := 1; j+1 < G; j++ {
		if s.sign[j] == 0 {
			worst = math.Max(worst, math.Abs(s.eta[j]))
		}
	}
	if worst > thr {
		thr = math.Max(thr, s.lam+addFraction*(worst-s.lam))
	}
	for j := 1; j+1 < G; j++ {
		e := s.eta[j]
		var sg int8 = 1
		if e < 0 {
			sg = -1
		}
		if s.sign[j] != 0 || math.Abs(e) <= thr {
			flush()
			continue
		}
		if runJ >= 0 && sg != runSign {
			flush()
		}
		if math.Abs(e) > runV {
			runV, runJ, runSign = math.Abs(e), j, sg
		}
	}
	flush()
	if !eager && bestJ >= 0 {
		if s.eta[bestJ] > 0 {
			s.sign[bestJ] = 1
		} else {
			s.sign[bestJ] = -1
		}
		added = true
	}
	return added
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
	if G < coarseMin || len(s.w) != G || !math.IsInf(s.delta, 1) {
		return s.run()
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
	if coarse.runMultilevel() {
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
	return s.run()
}
