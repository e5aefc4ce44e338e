package solver

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"github.com/ridgeline-nn/ridgeline/certificate"
	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// order1Problem draws a random problem of the project's benchmark family
// at order 1.
func order1Problem(r *rand.Rand, n int, loss problem.Loss, lambda float64) *problem.Problem {
	p := randomProblem(r, n, loss, lambda)
	p.Order = 1
	return p
}

// requireCertified1 is requireCertified for order 1, where a solution may
// jump between every pair of neighbouring inputs (N − 1 knots).
//
// With duplicated inputs the check goes through groupCertificate instead
// of Solve's status: certificate.DualSup also tests the running sums of u
// between samples that share an input, which for m = 1 are not values of
// η (ρ₁(0) = 1 puts the whole group on the same side of every t), so it
// overstates S and fails optimal order-1 fits on such data.
func requireCertified1(t *testing.T, p *problem.Problem, sol *Solution) {
	t.Helper()
	c := sol.Certificate
	require.NoError(t, sol.Spline.Validate())
	require.LessOrEqual(t, len(sol.Spline.Knots), max(distinct(p.X)-1, 0), "more knots than gaps between inputs")
	if distinct(p.X) < p.N() {
		requireGroupCertified(t, p, sol)
		return
	}
	require.Equal(t, Optimal, sol.Status, "status %v: J=%v L=%v gap=%v", sol.Status, c.Objective, c.LowerBound, c.Gap)
	requireGap(t, p, c.Objective, c.LowerBound)
}

// requireGroupCertified checks sol by groupCertificate with the dual that
// solveOrder1 proposes.
func requireGroupCertified(t *testing.T, p *problem.Problem, sol *Solution) {
	t.Helper()
	g, err := p.Group1D()
	require.NoError(t, err)
	cand, err := solveOrder1(p, g, Options{})
	require.NoError(t, err)
	J, L := groupCertificate(t, p, cand.spline, problemDual(g, cand))
	require.True(t, equalRel(J, sol.Certificate.Objective, 1e-12), "objective %v, recomputed %v", sol.Certificate.Objective, J)
	requireGap(t, p, J, L)
}

// problemDual returns the candidate's dual in the problem's order.
func problemDual(g *problem.Groups, c *candidate) []float64 {
	if !c.sorted || c.dual == nil {
		return c.dual
	}
	u := make([]float64, len(c.dual))
	for k, i := range g.Order {
		u[i] = c.dual[k]
	}
	return u
}

// requireGap checks a certified gap: relative, or absolute at a zero optimum.
func requireGap(t *testing.T, p *problem.Problem, J, L float64) {
	t.Helper()
	scale := certificate.DataScale(p)
	require.LessOrEqual(t, L-J, 1e-12*math.Max(math.Abs(J), scale), "lower bound above objective (J=%v, L=%v)", J, L)
	if J > zeroTol*math.Max(1, scale) {
		require.LessOrEqual(t, (J-L)/J, certTol, "relative gap (J=%v, L=%v)", J, L)
	} else {
		require.LessOrEqual(t, math.Abs(J-L), zeroTol*math.Max(1, scale), "absolute gap at a zero optimum (J=%v)", J)
	}
}

// groupCertificate recomputes the order-1 certificate of DESIGN §4 for the
// function s and dual u (nil: from the residuals), with η(t) = Σ_{x_n ≥ t} u_n
// evaluated where it lives, between distinct inputs: it is the suffix sum
// over whole groups of equal inputs. It returns the objective J and the
// lower bound L.
func groupCertificate(t *testing.T, p *problem.Problem, s *representer.Spline, u []float64) (J, L float64) {
	n := p.N()
	interp := problem.IsInterp(p.Loss)
	f := make([]float64, n)
	for i, x := range p.X {
		f[i] = s.Eval(x)
	}
	if u == nil {
		u = make([]float64, n)
		for i := range u {
			u[i] = -p.Weight(i) * p.Loss.Deriv(f[i]-p.Y[i])
		}
	}
	u = slices.Clone(u)
	loss, mean, active := 0.0, 0.0, 0
	for i := range u {
		if !interp {
			loss += p.Weight(i) * p.Loss.Value(f[i]-p.Y[i])
		} else {
			require.InDelta(t, p.Y[i], f[i], 1e-12*math.Max(1, math.Abs(p.Y[i])))
		}
		if interp || p.Weight(i) > 0 {
			mean += u[i]
			active++
		} else {
			u[i] = 0
		}
	}
	mean /= float64(active)
	for i := range u {
		if interp || p.Weight(i) > 0 {
			u[i] -= mean
		}
	}
	lam := p.Lambda
	J = loss + lam*s.TV()
	if interp {
		lam, J = 1, s.TV()
	}
	ord := make([]int, n)
	for i := range ord {
		ord[i] = i
	}
	sort.Slice(ord, func(a, b int) bool { return p.X[ord[a]] < p.X[ord[b]] })
	sup, sum := 0.0, 0.0
	for k := n - 1; k >= 0; k-- {
		sum += u[ord[k]]
		if k == 0 || p.X[ord[k-1]] < p.X[ord[k]] {
			sup = math.Max(sup, math.Abs(sum))
		}
	}
	alpha := math.Inf(1)
	if sup > 0 {
		alpha = lam / sup
	}
	// Σu = 0 after the projection, so yᵀu = (y − y₀)ᵀu for any y₀: centring
	// keeps an offset of the data from cancelling in the sum.
	y0 := p.Y[0]
	yu, uwu := 0.0, 0.0
	for i := range u {
		yu += (p.Y[i] - y0) * u[i]
		if u[i] == 0 {
			continue
		}
		if !interp {
			uwu += u[i] * u[i] / p.Weight(i)
		}
		if b := p.Loss.DualBound(); !interp && !math.IsInf(b, 1) {
			alpha = math.Min(alpha, p.Weight(i)*b/math.Abs(u[i]))
		}
	}
	if p.Loss.DualCurvature() > 0 {
		if uwu == 0 {
			return J, 0
		}
		a := math.Min(alpha, math.Max(0, yu/uwu))
		return J, a*yu - 0.5*a*a*uwu
	}
	if math.IsInf(alpha, 1) {
		return J, 0
	}
	return J, alpha * math.Abs(yu)
}

// bruteGroups gathers the samples of a 1-D problem by distinct input, in
// increasing order, independently of problem.Group1D.
func bruteGroups(p *problem.Problem) (xs []float64, ys, ws [][]float64) {
	idx := map[float64][]int{}
	for i, x := range p.X {
		idx[x] = append(idx[x], i)
	}
	for x := range idx {
		xs = append(xs, x)
	}
	sort.Float64s(xs)
	for _, x := range xs {
		var y, w []float64
		for _, i := range idx[x] {
			y = append(y, p.Y[i])
			w = append(w, p.Weight(i))
		}
		ys = append(ys, y)
		ws = append(ws, w)
	}
	return xs, ys, ws
}

// bruteTV solves a tiny order-1 problem by enumerating the signs
// σ ∈ {−1, 0, +1}^{G−1} of the jumps. For given signs the objective is
// separable in the values of the segments (runs joined by σ = 0), each of
// which solves Σ ω ℓ'(v − y) = λ(σ_right − σ_left), found here by
// bisection. Every such v is feasible and the optimum's own signs
// reproduce it (for data in general position, where the segment equations
// have one solution), so the least objective over all signs is the optimum.
func bruteTV(p *problem.Problem) (z []float64, best float64) {
	_, ys, ws := bruteGroups(p)
	G := len(ys)
	lam := p.Lambda
	best = math.Inf(1)
	sig := make([]int, G-1)
	for k := range sig {
		sig[k] = -1
	}
	v := make([]float64, G)
	for {
		// Solve each segment.
		for s := 0; s < G; {
			e := s + 1
			for e < G && sig[e-1] == 0 {
				e++
			}
			rhs := 0.0
			if s > 0 {
				rhs -= float64(sig[s-1])
			}
			if e < G {
				rhs += float64(sig[e-1])
			}
			rhs *= lam
			g := func(v float64) float64 {
				d := 0.0
				for k := s; k < e; k++ {
					for i, y := range ys[k] {
						d += ws[k][i] * p.Loss.Deriv(v-y)
					}
				}
				return d
			}
			lo, hi := -1e3, 1e3
			for it := 0; it < 200; it++ {
				mid := 0.5 * (lo + hi)
				if g(mid) < rhs {
					lo = mid
				} else {
					hi = mid
				}
			}
			for k := s; k < e; k++ {
				v[k] = 0.5 * (lo + hi)
			}
			s = e
		}
		obj := 0.0
		for k := range ys {
			for i, y := range ys[k] {
				obj += ws[k][i] * p.Loss.Value(v[k]-y)
			}
			if k > 0 {
				obj += lam * math.Abs(v[k]-v[k-1])
			}
		}
		if obj < best {
			best = obj
			z = slices.Clone(v)
		}
		// Next sign pattern.
		k := 0
		for ; k < len(sig); k++ {
			if sig[k] < 1 {
				sig[k]++
				break
			}
			sig[k] = -1
		}
		if k == len(sig) {
			return z, best
		}
	}
}

// smallProblem draws n samples on a few distinct inputs (so that inputs
// repeat), with random targets and weights.
func smallProblem(r *rand.Rand, n int, loss problem.Loss, lambda float64, weighted bool) *problem.Problem {
	p := &problem.Problem{Dim: 1, Loss: loss, Lambda: lambda, Order: 1, Skip: true}
	for i := 0; i < n; i++ {
		p.X = append(p.X, float64(r.IntN(n)))
		p.Y = append(p.Y, r.NormFloat64())
		if weighted {
			p.W = append(p.W, 0.1+2*r.Float64())
		}
	}
	return p
}

// TestOrder1MatchesBruteForce compares the dynamic program (and its
// polish) with the enumeration of jump signs on tiny problems: the optima
// agree, and for the strictly convex squared loss so do the fitted values.
func TestOrder1MatchesBruteForce(t *testing.T) {
	r := testRand(t)
	for _, loss := range []problem.Loss{problem.Squared{}, problem.L1{}, problem.Huber{Delta: 0.4}} {
		for trial := 0; trial < 60; trial++ {
			n := 1 + trial%8
			lam := []float64{0.01, 0.2, 0.7, 3}[trial%4]
			p := smallProblem(r, n, loss, lam, trial%3 != 0)
			t.Run(fmt.Sprintf("%s/%d", loss.Name(), trial), func(t *testing.T) {
				sol, err := Solve(p, Options{})
				require.NoError(t, err)
				requireCertified1(t, p, sol)
				xs, _, _ := bruteGroups(p)
				z, best := bruteTV(p)
				assert.True(t, equalRel(sol.Certificate.Objective, best, 1e-9), "J = %.15g, brute force %.15g", sol.Certificate.Objective, best)
				if _, ok := loss.(problem.Squared); ok {
					for k, x := range xs {
						assert.True(t, equalRel(sol.Spline.Eval(x), z[k], 1e-9), "f(%v) = %.15g, brute force %.15g", x, sol.Spline.Eval(x), z[k])
					}
				}
			})
		}
	}
}

// l1SimplexOptimum solves the order-1 l1 problem as the LP
//
//	min Σ ω_i (r⁺_i + r⁻_i) + λ Σ_g (d⁺_g + d⁻_g)
//	s.t. z_{g(i)} + r⁺_i − r⁻_i = y_i,  z_{g+1} − z_g − d⁺_g + d⁻_g = 0,
//
// with z = z⁺ − z⁻, in gonum's standard form.
func l1SimplexOptimum(t *testing.T, p *problem.Problem) float64 {
	xs, ys, ws := bruteGroups(p)
	G, N := len(xs), p.N()
	nv := 2*G + 2*N + 2*(G-1)
	A := mat.NewDense(N+G-1, nv, nil)
	b := make([]float64, N+G-1)
	c := make([]float64, nv)
	row := 0
	for g := range ys {
		for i, y := range ys[g] {
			A.Set(row, 2*g, 1)
			A.Set(row, 2*g+1, -1)
			A.Set(row, 2*G+2*row, 1)
			A.Set(row, 2*G+2*row+1, -1)
			c[2*G+2*row] = ws[g][i]
			c[2*G+2*row+1] = ws[g][i]
			b[row] = y
			row++
		}
	}
	for g := 0; g+1 < G; g++ {
		col := 2*G + 2*N + 2*g
		A.Set(row, 2*(g+1), 1)
		A.Set(row, 2*(g+1)+1, -1)
		A.Set(row, 2*g, -1)
		A.Set(row, 2*g+1, 1)
		A.Set(row, col, -1)
		A.Set(row, col+1, 1)
		c[col], c[col+1] = p.Lambda, p.Lambda
		row++
	}
	opt, _, err := lp.Simplex(c, A, b, 1e-10, nil)
	require.NoError(t, err)
	return opt
}

// TestOrder1L1MatchesSimplex checks the l1 dynamic program against gonum's
// simplex on the LP of the same problem.
func TestOrder1L1MatchesSimplex(t *testing.T) {
	r := testRand(t)
	for trial := 0; trial < 40; trial++ {
		n := 2 + trial%10
		lam := []float64{0.05, 0.5, 1.5, 4}[trial%4]
		p := smallProblem(r, n, problem.L1{}, lam, trial%2 == 0)
		t.Run(fmt.Sprint(trial), func(t *testing.T) {
			sol, err := Solve(p, Options{})
			require.NoError(t, err)
			requireCertified1(t, p, sol)
			want := l1SimplexOptimum(t, p)
			assert.True(t, equalRel(sol.Certificate.Objective, want, 1e-9), "J = %.15g, simplex %.15g", sol.Certificate.Objective, want)
		})
	}
}

// withSplitMin runs f with order1SplitMin set to v.
func withSplitMin(v int, f func()) {
	old := order1SplitMin
	order1SplitMin = v
	defer func() { order1SplitMin = old }()
	f()
}

// requireDequeMatchesHeap runs the squared-loss program with the deque
// (dpSquared), from one end and from both ends, and checks its values
// against the priority-queue version (dpHeap) to 1e-9, before any polish.
func requireDequeMatchesHeap(t *testing.T, p *problem.Problem, g *problem.Groups, name string) {
	t.Helper()
	b := newTV1(p, g, tvSquared, 0)
	b.dpHeap()
	for _, split := range []int{order1SplitMin, 2} {
		a := newTV1(p, g, tvSquared, 0)
		withSplitMin(split, a.dpSquared)
		for k := range a.z {
			require.InDelta(t, a.z[k], b.z[k], 1e-9, "%s split from %d, group %d", name, split, k)
		}
	}
}

// TestOrder1HeapMatchesDeque runs the general dynamic program (breakpoints
// in a priority queue) on the squared loss and compares it with the deque
// version before any polish, run from one end and from both ends; and checks that the Huber loss with δ beyond
// every residual gives the squared loss's fit.
func TestOrder1HeapMatchesDeque(t *testing.T) {
	r := testRand(t)
	for _, n := range []int{1, 2, 5, 100, 3000} {
		for _, lam := range []float64{1e-4, 1e-2, 1, 100} {
			p := order1Problem(r, n, problem.Squared{}, lam)
			p.W = make([]float64, n)
			for i := range p.W {
				p.W[i] = 0.5 + r.Float64()
			}
			g, err := p.Group1D()
			require.NoError(t, err)
			requireDequeMatchesHeap(t, p, g, fmt.Sprintf("n=%d λ=%g", n, lam))

			sq, err := Solve(p, Options{})
			require.NoError(t, err)
			p.Loss = problem.Huber{Delta: 1e3}
			hu, err := Solve(p, Options{})
			require.NoError(t, err)
			requireCertified1(t, p, hu)
			for _, x := range g.X {
				require.InDelta(t, sq.Spline.Eval(x), hu.Spline.Eval(x), 1e-9)
			}
		}
	}
}

// TestOrder1StructuredData runs the squared-loss program on trends that
// keep many breakpoints alive at once (the deque's ring buffer grows), from
// one end and from both, and checks it against the priority-queue version
// and the certificate.
func TestOrder1StructuredData(t *testing.T) {
	const n = 5000
	families := []struct {
		name string
		f    func(i int) float64
	}{
		{"ramp", func(i int) float64 { return float64(i) }},
		{"alternating", func(i int) float64 { return float64(i%2) * float64(i) }},
		{"sqrt", func(i int) float64 { return math.Sqrt(float64(i)) }},
		{"zigzag", func(i int) float64 { return math.Abs(float64(i%200 - 100)) }},
	}
	for _, fam := range families {
		for _, lam := range []float64{1e-3, 1, 100} {
			p := &problem.Problem{Dim: 1, Loss: problem.Squared{}, Lambda: lam, Order: 1, Skip: true}
			for i := 0; i < n; i++ {
				p.X = append(p.X, float64(i))
				p.Y = append(p.Y, fam.f(i))
			}
			t.Run(fmt.Sprintf("%s/lambda=%g", fam.name, lam), func(t *testing.T) {
				g, err := p.Group1D()
				require.NoError(t, err)
				requireDequeMatchesHeap(t, p, g, "")
				sol, err := Solve(p, Options{})
				require.NoError(t, err)
				requireCertified1(t, p, sol)
			})
		}
	}
}

// TestOrder1PolishRepairsSigns: a segmentation with a jump of the wrong
// sign (what rounding could produce at a vanishing jump) is repaired by the
// polish, which removes the jump and ends at the optimum.
func TestOrder1PolishRepairsSigns(t *testing.T) {
	for _, loss := range []problem.Loss{problem.Squared{}, problem.Huber{Delta: 10}} {
		p := &problem.Problem{Dim: 1, X: []float64{0, 1, 2, 3}, Y: []float64{0, 0.1, 1, 1}, Loss: loss, Lambda: 0.01, Order: 1, Skip: true}
		g, err := p.Group1D()
		require.NoError(t, err)
		kind, delta := tvSquared, 0.0
		if h, ok := loss.(problem.Huber); ok {
			kind, delta = tvHuber, h.Delta
		}
		tv := newTV1(p, g, kind, delta)
		// Standard units: a step down between the first two inputs, where
		// the data go up.
		copy(tv.z, []float64{0.5, 0.4, 1, 1})
		tv.segments()
		require.Equal(t, []float64{0, -1, 1}, tv.sig)
		passes := tv.polish()
		assert.Greater(t, passes, 1)
		assert.Len(t, tv.val, 2)
		// The optimum: the first two inputs merged at their mean plus λ/2,
		// the last two at 1 − λ/2.
		assert.InDelta(t, 0.05+0.005, tv.val[0], 1e-15)
		assert.InDelta(t, 1-0.005, tv.val[1], 1e-15)
	}
}

// TestOrder1ClosedForms checks optima known in closed form.
func TestOrder1ClosedForms(t *testing.T) {
	t.Run("constant data", func(t *testing.T) {
		for _, loss := range []problem.Loss{problem.Squared{}, problem.L1{}, problem.Huber{Delta: 1}, problem.Interp{}} {
			p := &problem.Problem{Dim: 1, X: []float64{3, 1, 2, 2, 5}, Y: []float64{4, 4, 4, 4, 4}, Loss: loss, Lambda: 0.1, Order: 1, Skip: true}
			sol, err := Solve(p, Options{})
			require.NoError(t, err)
			requireCertified1(t, p, sol)
			assert.Zero(t, sol.Certificate.Objective, loss.Name())
			assert.Empty(t, sol.Spline.Knots, loss.Name())
			assert.Equal(t, []float64{4}, sol.Spline.Poly, loss.Name())
		}
	})
	t.Run("two values, lambda large", func(t *testing.T) {
		// Weighted mean ȳ = (2·1 + 3·6)/5 = 4; objective ½Σω(y − ȳ)² = ½(2·9 + 3·4) = 15.
		p := &problem.Problem{Dim: 1, X: []float64{0, 1}, Y: []float64{1, 6}, W: []float64{2, 3}, Loss: problem.Squared{}, Lambda: 100, Order: 1, Skip: true}
		sol, err := Solve(p, Options{})
		require.NoError(t, err)
		requireCertified1(t, p, sol)
		assert.Empty(t, sol.Spline.Knots)
		assert.InDelta(t, 4, sol.Spline.Poly[0], 1e-14)
		assert.InDelta(t, 15, sol.Certificate.Objective, 1e-12)
	})
	t.Run("lambda max", func(t *testing.T) {
		// The constant fit is optimal exactly when every suffix sum
		// Σ_{g≥k} W_g(ȳ_g − ȳ) (the dual η of the constant fit) is at most λ.
		r := testRand(t)
		p := order1Problem(r, 200, problem.Squared{}, 1)
		p.W = make([]float64, p.N())
		for i := range p.W {
			p.W[i] = r.Float64()
		}
		g, err := p.Group1D()
		require.NoError(t, err)
		sw, swy := 0.0, 0.0
		for k := range g.X {
			sw += g.SumW[k]
			swy += g.SumW[k] * g.MeanY[k]
		}
		mean := swy / sw
		lamMax, suffix := 0.0, 0.0
		for k := g.G() - 1; k >= 1; k-- {
			suffix += g.SumW[k] * (g.MeanY[k] - mean)
			lamMax = math.Max(lamMax, math.Abs(suffix))
		}
		p.Lambda = lamMax * (1 + 1e-9)
		sol, err := Solve(p, Options{})
		require.NoError(t, err)
		requireCertified1(t, p, sol)
		assert.Empty(t, sol.Spline.Knots)
		assert.InDelta(t, mean, sol.Spline.Poly[0], 1e-12)
		p.Lambda = lamMax * (1 - 1e-6)
		sol, err = Solve(p, Options{})
		require.NoError(t, err)
		requireCertified1(t, p, sol)
		assert.Len(t, sol.Spline.Knots, 1, "just below λ_max, one jump at the maximising suffix")
	})
	t.Run("shrunken step", func(t *testing.T) {
		// h at the right half, 0 at the left: each side moves towards the
		// other by λ/(N/2), and the objective is 2·(N/2)·½(λ/(N/2))² + λ(h − 2λ/(N/2)).
		const n, h, lam = 40, 3.0, 0.5
		p := &problem.Problem{Dim: 1, Loss: problem.Squared{}, Lambda: lam, Order: 1, Skip: true}
		for i := 0; i < n; i++ {
			p.X = append(p.X, float64(i))
			p.Y = append(p.Y, h*float64(i/(n/2)))
		}
		sol, err := Solve(p, Options{})
		require.NoError(t, err)
		requireCertified1(t, p, sol)
		s := lam / (n / 2)
		require.Equal(t, []float64{n / 2}, sol.Spline.Knots)
		assert.InDelta(t, s, sol.Spline.Poly[0], 1e-15)
		assert.InDelta(t, h-2*s, sol.Spline.Amps[0], 1e-14)
		assert.InDelta(t, n*0.5*s*s+lam*(h-2*s), sol.Certificate.Objective, 1e-13)
	})
}

// TestOrder1KnotPlacement: the jump between x_g and x_{g+1} sits at
// x_{g+1} (ρ₁(0) = 1), and the inputs' positions matter only through
// their order.
func TestOrder1KnotPlacement(t *testing.T) {
	p := &problem.Problem{Dim: 1, X: []float64{0, 1, 2, 3}, Y: []float64{0, 0, 1, 1}, Loss: problem.Squared{}, Lambda: 0.1, Order: 1, Skip: true}
	sol, err := Solve(p, Options{})
	require.NoError(t, err)
	requireCertified1(t, p, sol)
	require.Equal(t, []float64{2}, sol.Spline.Knots)
	assert.InDelta(t, 0.05, sol.Spline.Eval(1.999), 1e-15)
	assert.InDelta(t, 0.95, sol.Spline.Eval(2), 1e-15)

	r := testRand(t)
	q := order1Problem(r, 300, problem.Squared{}, 0.5)
	warped := *q
	warped.X = make([]float64, q.N())
	for i, x := range q.X {
		warped.X[i] = math.Exp(20*x) - 1e5 // monotone, badly spaced
	}
	a, err := Solve(q, Options{})
	require.NoError(t, err)
	b, err := Solve(&warped, Options{})
	require.NoError(t, err)
	requireCertified1(t, &warped, b)
	for i := range q.X {
		require.Equal(t, a.Spline.Eval(q.X[i]), b.Spline.Eval(warped.X[i]))
	}
}

// TestOrder1RandomCertified: random problems of every loss up to N = 10⁴,
// with and without weights, certify through Solve at a gap of 1e-8.
func TestOrder1RandomCertified(t *testing.T) {
	r := testRand(t)
	sizes := []int{1, 2, 3, 10, 100, 1000, 10000}
	if testing.Short() {
		sizes = sizes[:6]
	}
	losses := []problem.Loss{problem.Squared{}, problem.L1{}, problem.Huber{Delta: 0.05}, problem.Huber{Delta: 1}, problem.Interp{}}
	for _, n := range sizes {
		for _, loss := range losses {
			for _, lam := range []float64{1e-4, 1e-2, 1, 100} {
				if problem.IsInterp(loss) && lam != 1 {
					continue
				}
				for _, weighted := range []bool{false, true} {
					p := order1Problem(r, n, loss, lam*math.Sqrt(float64(n)))
					if weighted {
						p.W = make([]float64, n)
						for i := range p.W {
							p.W[i] = r.ExpFloat64()
						}
					}
					name := fmt.Sprintf("%s/n=%d/lambda=%g/weighted=%v", loss.Name(), n, lam, weighted)
					t.Run(name, func(t *testing.T) {
						sol, err := Solve(p, Options{})
						require.NoError(t, err)
						requireCertified1(t, p, sol)
					})
				}
			}
		}
	}
}

// TestOrder1LargeCertified: problems large enough for the concurrent
// sort and gathering (N > 2^16), with duplicated inputs and weights,
// certify; the dual, taken to the problem's order, is the residual dual of
// the returned function (a misplaced entry would show).
func TestOrder1LargeCertified(t *testing.T) {
	r := testRand(t)
	n := 1<<16 + 1000
	for _, loss := range []problem.Loss{problem.Squared{}, problem.Huber{Delta: 0.2}} {
		t.Run(loss.Name(), func(t *testing.T) {
			p := order1Problem(r, n, loss, 3)
			p.W = make([]float64, n)
			for i := range p.X {
				p.X[i] = math.Round(p.X[i]*1e4) / 1e4 // duplicates
				p.W[i] = r.ExpFloat64()
			}
			sol, err := Solve(p, Options{})
			require.NoError(t, err)
			requireCertified1(t, p, sol)
			g, err := p.Group1D()
			require.NoError(t, err)
			cand, err := solveOrder1(p, g, Options{})
			require.NoError(t, err)
			for i, u := range problemDual(g, cand) {
				want := -p.W[i] * loss.Deriv(cand.spline.Eval(p.X[i])-p.Y[i])
				require.InDelta(t, want, u, 1e-9*(1+math.Abs(want)), "sample %d", i)
			}
		})
	}
}

// TestOrder1BadlyScaledData: offsets and scales of y and ω far from 1 do
// not change the answer (standard units inside), which certifies to
// rounding. The check is groupCertificate's, which centres y: the package
// certificate forms yᵀu with the offset of y in it, and at an offset of 1e9
// its rounding (≈ 1e-7 relative here) exceeds the tolerance in either
// direction.
func TestOrder1BadlyScaledData(t *testing.T) {
	r := testRand(t)
	for _, loss := range []problem.Loss{problem.Squared{}, problem.L1{}, problem.Huber{Delta: 0.3}} {
		base := order1Problem(r, 2000, loss, 1)
		ref, err := Solve(base, Options{})
		require.NoError(t, err)
		for _, c := range []struct{ shift, scale, wscale float64 }{{1e9, 1, 1}, {0, 1e-6, 1}, {-3e4, 1e5, 1e-7}, {0, 1, 1e8}} {
			p := *base
			p.Y = make([]float64, base.N())
			p.W = make([]float64, base.N())
			for i, y := range base.Y {
				p.Y[i] = c.shift + c.scale*y
				p.W[i] = c.wscale
			}
			p.Lambda = base.Lambda * c.wscale * c.scale
			if _, ok := loss.(problem.L1); ok {
				p.Lambda = base.Lambda * c.wscale
			}
			if h, ok := loss.(problem.Huber); ok {
				p.Loss = problem.Huber{Delta: h.Delta * c.scale}
			}
			t.Run(fmt.Sprintf("%s/%+v", loss.Name(), c), func(t *testing.T) {
				sol, err := Solve(&p, Options{})
				require.NoError(t, err)
				requireGroupCertified(t, &p, sol)
				assert.Equal(t, len(ref.Spline.Knots), len(sol.Spline.Knots))
				for i, x := range base.X[:50] {
					want := c.shift + c.scale*ref.Spline.Eval(x)
					assert.InDelta(t, want, sol.Spline.Eval(x), 1e-9*c.scale+1e-15*math.Abs(c.shift), "sample %d", i)
				}
			})
		}
	}
}

// TestOrder1DuplicatesAndWeights: duplicated inputs share a value (for the
// squared loss the problem equals its merged form plus a constant), an
// integer weight is a repeated sample, zero-weight samples are ignored, and
// scaling ω and λ together leaves the fit unchanged.
func TestOrder1DuplicatesAndWeights(t *testing.T) {
	r := testRand(t)
	for _, loss := range []problem.Loss{problem.Squared{}, problem.L1{}, problem.Huber{Delta: 0.2}} {
		t.Run(loss.Name(), func(t *testing.T) {
			// Repeated samples versus integer weights.
			base := order1Problem(r, 300, loss, 0.3)
			weighted := *base
			weighted.W = make([]float64, base.N())
			rep := &problem.Problem{Dim: 1, Loss: loss, Lambda: base.Lambda, Order: 1, Skip: true}
			for i := range base.Y {
				k := 1 + r.IntN(3)
				weighted.W[i] = float64(k)
				for j := 0; j < k; j++ {
					rep.X = append(rep.X, base.X[i])
					rep.Y = append(rep.Y, base.Y[i])
				}
			}
			a, err := Solve(&weighted, Options{})
			require.NoError(t, err)
			requireCertified1(t, &weighted, a)
			b, err := Solve(rep, Options{})
			require.NoError(t, err)
			requireCertified1(t, rep, b)
			assert.True(t, equalRel(a.Certificate.Objective, b.Certificate.Objective, 1e-10), "%v vs %v", a.Certificate.Objective, b.Certificate.Objective)

			// Zero-weight samples, including whole groups and the first
			// and last inputs, change nothing at the others.
			zw := *rep
			zw.W = make([]float64, rep.N())
			zw.X = slices.Clone(rep.X)
			zw.Y = slices.Clone(rep.Y)
			for i := range zw.W {
				zw.W[i] = 1
			}
			for _, x := range []float64{-1, 0.25, 2} {
				zw.X = append(zw.X, x, x)
				zw.Y = append(zw.Y, 50, -50)
				zw.W = append(zw.W, 0, 0)
			}
			c, err := Solve(&zw, Options{})
			require.NoError(t, err)
			requireCertified1(t, &zw, c)
			assert.True(t, equalRel(b.Certificate.Objective, c.Certificate.Objective, 1e-10))

			// ω and λ scaled together: the same optimum (the same function
			// for the strictly convex squared loss).
			sc := weighted
			sc.W = make([]float64, base.N())
			for i, w := range weighted.W {
				sc.W[i] = 1e3 * w
			}
			sc.Lambda = 1e3 * weighted.Lambda
			d, err := Solve(&sc, Options{})
			require.NoError(t, err)
			requireCertified1(t, &sc, d)
			assert.True(t, equalRel(1e3*a.Certificate.Objective, d.Certificate.Objective, 1e-12))
			if _, ok := loss.(problem.Squared); ok {
				for _, x := range base.X {
					require.InDelta(t, a.Spline.Eval(x), d.Spline.Eval(x), 1e-12)
				}
			}
		})
	}

	// Squared loss: duplicates equal their merged problem plus ½Σω(y − ȳ)².
	p := smallProblem(r, 30, problem.Squared{}, 0.4, true)
	g, err := p.Group1D()
	require.NoError(t, err)
	merged := &problem.Problem{Dim: 1, X: g.X, Y: g.MeanY, W: g.SumW, Loss: problem.Squared{}, Lambda: p.Lambda, Order: 1, Skip: true}
	a, err := Solve(p, Options{})
	require.NoError(t, err)
	requireCertified1(t, p, a)
	b, err := Solve(merged, Options{})
	require.NoError(t, err)
	assert.True(t, equalRel(a.Certificate.Objective, b.Certificate.Objective+g.MergeConstant(), 1e-12))
}

// TestOrder1BalancedNetwork: the balanced step network of the solution
// computes the same function and its R(θ) (the path norm for m = 1) equals
// the spline's total variation, so the network attains the optimum.
func TestOrder1BalancedNetwork(t *testing.T) {
	r := testRand(t)
	for _, loss := range []problem.Loss{problem.Squared{}, problem.L1{}, problem.Huber{Delta: 0.1}, problem.Interp{}} {
		p := order1Problem(r, 500, loss, 0.2)
		sol, err := Solve(p, Options{})
		require.NoError(t, err)
		requireCertified1(t, p, sol)
		net := representer.Balanced(sol.Spline)
		tv := sol.Spline.TV()
		assert.True(t, equalRel(net.WeightDecay(), tv, 1e-14), "%s: R(θ) = %v, TV = %v", loss.Name(), net.WeightDecay(), tv)
		assert.True(t, equalRel(net.PathNorm(), tv, 1e-14))
		xs := slices.Clone(p.X)
		xs = append(xs, -1, 2)
		for _, k := range sol.Spline.Knots {
			xs = append(xs, k, math.Nextafter(k, math.Inf(-1)))
		}
		for _, x := range xs {
			require.True(t, equalRel(net.Eval1D(x), sol.Spline.Eval(x), 1e-12), "%s: network(%v) = %v, spline %v", loss.Name(), x, net.Eval1D(x), sol.Spline.Eval(x))
		}
		if !problem.IsInterp(loss) {
			c, err := certificate.Evaluate(p, sol.Spline, nil)
			require.NoError(t, err)
			assert.True(t, equalRel(c.LossValue+p.Lambda*net.WeightDecay(), sol.Certificate.Objective, 1e-12))
		}
	}
}

// TestOrder1Interpolation: the step function through the data, certified
// by η = sign of each jump, with Σ|ȳ_{g+1} − ȳ_g| as its objective.
func TestOrder1Interpolation(t *testing.T) {
	p := &problem.Problem{Dim: 1, X: []float64{4, 1, 2, 3, 3, 0}, Y: []float64{5, 2, -1, 4, 4, 2}, Loss: problem.Interp{}, Order: 1, Skip: true}
	sol, err := Solve(p, Options{})
	require.NoError(t, err)
	requireCertified1(t, p, sol)
	// Sorted: 2, 2, −1, 4, 5: variation 0 + 3 + 5 + 1 = 9.
	assert.Equal(t, 9.0, sol.Certificate.Objective)
	assert.InDelta(t, 9.0, sol.Certificate.LowerBound, 1e-12*9) // less the rounding allowance of the bound
	assert.Equal(t, []float64{2, 3, 4}, sol.Spline.Knots)
	assert.Equal(t, []float64{-3, 5, 1}, sol.Spline.Amps)

	p.Y[4] = 4.5
	_, err = Solve(p, Options{})
	assert.ErrorIs(t, err, problem.ErrConflict)
}

// fakeLoss is a loss the order-1 solver does not know.
type fakeLoss struct{ problem.Squared }

func (fakeLoss) Name() string { return "fake" }

func TestOrder1UnsupportedLoss(t *testing.T) {
	p := &problem.Problem{Dim: 1, X: []float64{0, 1}, Y: []float64{0, 1}, Loss: fakeLoss{}, Lambda: 1, Order: 1, Skip: true}
	_, err := Solve(p, Options{})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrUnsupported))
	assert.Contains(t, err.Error(), "order 1 with fake loss")
}

// TestOrder1SortedDualHandover: the order-1 solver hands its dual to the
// certificate in sorted order; the certificate is the one of the same dual
// in the problem's order, bit for bit, on random problems of every loss
// with duplicated inputs, weights and zero weights, small and above the
// sizes where the certificate works on two goroutines.
func TestOrder1SortedDualHandover(t *testing.T) {
	r := testRand(t)
	sizes := []int{2, 7, 40, 300, 1<<16 + 123}
	if testing.Short() {
		sizes = sizes[:4]
	}
	for _, loss := range []problem.Loss{problem.Squared{}, problem.L1{}, problem.Huber{Delta: 0.3}} {
		for _, n := range sizes {
			for trial := 0; trial < 3; trial++ {
				p := order1Problem(r, n, loss, math.Pow(10, -2+3*r.Float64()))
				if trial > 0 {
					p.W = make([]float64, n)
					for i := range p.X {
						p.X[i] = math.Round(p.X[i]*8) / 8 // duplicates
						if r.IntN(4) > 0 {
							p.W[i] = r.ExpFloat64()
						}
					}
					p.W[r.IntN(n)] = 1
				}
				name := fmt.Sprintf("%s/n=%d/trial=%d", loss.Name(), n, trial)
				g, err := p.Group1D()
				require.NoError(t, err, name)
				cand, err := solveOrder1(p, g, Options{})
				require.NoError(t, err, name)
				require.True(t, cand.sorted, name)
				cand.order = g.Order
				got, err := cand.certify(p)
				require.NoError(t, err, name)
				unsorted := &candidate{spline: cand.spline, dual: problemDual(g, cand), order: g.Order}
				want, err := unsorted.certify(p)
				require.NoError(t, err, name)
				require.Equal(t, *want, *got, name)
			}
		}
	}
}

// TestOrder1ResidualDualHalves checks that filling the residual dual in
// two halves concurrently gives the sequential fill's vector bit for bit,
// for segments that straddle the middle sample or start there.
func TestOrder1ResidualDualHalves(t *testing.T) {
	r := testRand(t)
	for _, loss := range []problem.Loss{problem.Squared{}, problem.Huber{Delta: 0.2}} {
		for _, n := range []int{2, 3, 50, 401} {
			for _, lam := range []float64{1e-3, 0.1, 10} {
				p := order1Problem(r, n, loss, lam)
				g, err := p.Group1D()
				require.NoError(t, err)
				var duals [2][]float64
				for k, split := range []int{1 << 30, 2} {
					withSplitMin(split, func() {
						c, err := solveOrder1(p, g, Options{})
						require.NoError(t, err)
						duals[k] = c.dual
					})
				}
				require.Equal(t, len(duals[0]), n)
				for i := range duals[0] {
					require.Equal(t, math.Float64bits(duals[0][i]), math.Float64bits(duals[1][i]), "%s n=%d λ=%g sample %d", loss.Name(), n, lam, i)
				}
			}
		}
	}
}
