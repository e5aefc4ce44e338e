package solver

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"

	"github.com/ridgeline-nn/ridgeline/problem"
)

// bruteLambdaMax is λ_max of a squared-loss problem of order 2 from its
// definition, independently of LambdaMax: the residuals of the weighted
// least-squares line (gonum's stat.LinearRegression) give u, and
// sup|η| is the largest |Σ_n u_n (x_n − x_j)_+| over the inputs, O(N²).
func bruteLambdaMax(p *problem.Problem) float64 {
	w := p.W
	if w == nil {
		w = make([]float64, p.N())
		for i := range w {
			w[i] = 1
		}
	}
	alpha, beta := stat.LinearRegression(p.X, p.Y, w, false)
	sup := 0.0
	for _, t := range p.X {
		eta := 0.0
		for n, x := range p.X {
			if x > t {
				eta += w[n] * (p.Y[n] - alpha - beta*x) * (x - t)
			}
		}
		sup = math.Max(sup, math.Abs(eta))
	}
	return sup
}

// withLambda returns a copy of p at λ.
func withLambda(p *problem.Problem, lambda float64) *problem.Problem {
	q := *p
	q.Lambda = lambda
	return &q
}

// TestLambdaMaxSquared checks λ_max against the brute force, with weights
// and duplicated inputs, and its defining property: just above it the
// optimum has no knot, just below it has one.
func TestLambdaMaxSquared(t *testing.T) {
	r := testRand(t)
	p := randomProblem(r, 300, problem.Squared{}, 1)
	p.W = make([]float64, p.N())
	for i := range p.W {
		p.W[i] = 0.5 + r.Float64()
	}
	p.W[7] = 0
	for i := 0; i < 20; i++ {
		p.X[i+20] = p.X[i] // duplicated inputs with their own targets
	}
	lmax, err := LambdaMax(p)
	require.NoError(t, err)
	want := bruteLambdaMax(p)
	assert.True(t, equalRel(lmax, want, 1e-9), "LambdaMax %v, brute force %v", lmax, want)

	above, err := Solve(withLambda(p, lmax*(1+1e-6)), Options{})
	require.NoError(t, err)
	requireCertified(t, withLambda(p, lmax*(1+1e-6)), above)
	assert.Empty(t, above.Spline.Knots, "above λ_max the line is optimal")
	below, err := Solve(withLambda(p, lmax*(1-1e-3)), Options{})
	require.NoError(t, err)
	requireCertified(t, withLambda(p, lmax*(1-1e-3)), below)
	assert.NotEmpty(t, below.Spline.Knots, "below λ_max a knot pays")
}

// TestLambdaMaxLosses checks the defining property of λ_max for every loss
// through the objective, which does not depend on how the solver breaks
// ties: J*(λ) equals the best polynomial fit's loss for λ ≥ λ_max and is
// strictly below it for λ < λ_max. For l1 the data are integers on a grid,
// so that many samples lie on the best line and its dual is not unique:
// a λ_max from any dual but the minimising one would be too large.
func TestLambdaMaxLosses(t *testing.T) {
	r := testRand(t)
	grid := &problem.Problem{Dim: 1, Order: 2, Skip: true}
	for i := 0; i < 24; i++ {
		grid.X = append(grid.X, float64(i))
		y := float64(i) / 2 // on the line y = x/2 but every third sample
		if i%3 == 0 {
			y += float64(r.IntN(5) - 2)
		}
		grid.Y = append(grid.Y, y)
	}
	// Order 1 with integer targets: many ties at the median, so that the
	// l1 dual is not unique there either.
	steps := &problem.Problem{Dim: 1, Order: 1, Skip: true}
	for i := 0; i < 30; i++ {
		steps.X = append(steps.X, float64(i))
		steps.Y = append(steps.Y, float64(r.IntN(4)))
	}
	// The simplex reference is exact on the small degenerate LP.
	spx := Options{Backend: Simplex}
	for _, tc := range []struct {
		name string
		p    *problem.Problem
		loss problem.Loss
		opt  Options
	}{
		{"huber", randomProblem(r, 200, nil, 1), problem.Huber{Delta: 0.05}, Options{}},
		{"l1 random", randomProblem(r, 200, nil, 1), problem.L1{}, Options{}},
		{"l1 grid", grid, problem.L1{}, spx},
		{"squared grid", grid, problem.Squared{}, Options{}},
		{"order 1 l1", steps, problem.L1{}, Options{}},
		{"order 1 huber", steps, problem.Huber{Delta: 0.5}, Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := *tc.p
			p.Loss = tc.loss
			lmax, err := LambdaMax(&p)
			require.NoError(t, err)
			require.Greater(t, lmax, 0.0)
			hi := withLambda(&p, lmax*(1+1e-6))
			above, err := Solve(hi, tc.opt)
			if errors.Is(err, ErrUnsupported) {
				t.Skip(err)
			}
			require.NoError(t, err)
			requireCertified(t, hi, above)
			assert.LessOrEqual(t, above.Certificate.Regularizer, 1e-9*lmax, "above λ_max the polynomial is optimal")
			lo := withLambda(&p, lmax*(1-1e-2))
			below, err := Solve(lo, tc.opt)
			require.NoError(t, err)
			requireCertified(t, lo, below)
			// J*(λ) is non-decreasing and constant above λ_max: strictly
			// below its value there, beyond both certified gaps.
			assert.Less(t, below.Certificate.Objective, above.Certificate.LowerBound*(1-1e-7),
				"below λ_max a knot pays (J %v at %v, ≥ %v at %v)", below.Certificate.Objective, lo.Lambda, above.Certificate.LowerBound, hi.Lambda)
		})
	}
}

// TestLambdaMaxOrder1 checks order 1 (the constant fit, η(t) = Σ_{x ≥ t} u)
// against its definition.
func TestLambdaMaxOrder1(t *testing.T) {
	r := testRand(t)
	p := randomProblem(r, 100, problem.Squared{}, 1)
	p.Order = 1
	lmax, err := LambdaMax(p)
	require.NoError(t, err)
	mean := stat.Mean(p.Y, nil)
	sup := 0.0
	for _, t := range p.X {
		eta := 0.0
		for n, x := range p.X {
			if x >= t {
				eta += p.Y[n] - mean
			}
		}
		sup = math.Max(sup, math.Abs(eta))
	}
	assert.True(t, equalRel(lmax, sup, 1e-9), "LambdaMax %v, brute force %v", lmax, sup)
}

func TestLambdaMaxDegenerate(t *testing.T) {
	two := &problem.Problem{Dim: 1, X: []float64{0, 1, 1, 0}, Y: []float64{1, 2, 5, 0}, Loss: problem.Squared{}, Order: 2, Skip: true}
	l, err := LambdaMax(two)
	require.NoError(t, err)
	assert.Equal(t, 0.0, l, "two distinct inputs: a line interpolates the means")

	interp := &problem.Problem{Dim: 1, X: []float64{0, 1, 2}, Y: []float64{0, 1, 0}, Loss: problem.Interp{}, Order: 2, Skip: true}
	_, err = LambdaMax(interp)
	assert.ErrorIs(t, err, ErrUnsupported)
	_, err = Path(interp, []float64{1}, Options{})
	assert.ErrorIs(t, err, ErrUnsupported)
	_, err = Path(withLambda(two, 1), []float64{1, -1}, Options{})
	assert.ErrorIs(t, err, problem.ErrBadLambda)
}

func TestLogSpaced(t *testing.T) {
	l := LogSpaced(100, 5, 0)
	require.Len(t, l, 5)
	assert.Equal(t, 100.0, l[0])
	assert.Equal(t, 100*DefaultPathRatio, l[4])
	for i := 1; i < len(l); i++ {
		assert.InDelta(t, 0.1, l[i]/l[i-1], 1e-12, "ratio between neighbours")
	}
	assert.Equal(t, []float64{3}, LogSpaced(3, 1, 0.5))
	assert.Panics(t, func() { LogSpaced(1, 0, 0) })
	assert.Panics(t, func() { LogSpaced(1, 3, -1) })
}

// TestPathEqualsSolve checks that the warm-started path finds, at every λ,
// the optimum of an independent cold Solve, certified, and that the warm
// starts save work: the path's sweeps over the data are fewer than the
// rounds of the cold solves (each of which sweeps the data at least once).
//
// The data are large enough (more than screenMin distinct inputs) for the
// warm descent's sweeps to screen blocks, and come with duplicated inputs,
// and in a second case with weights, some of them zero.
func TestPathEqualsSolve(t *testing.T) {
	r := testRand(t)
	for _, weighted := range []bool{false, true} {
		p := randomProblem(r, 1500, problem.Squared{}, 1)
		for i := 0; i < 30; i++ {
			p.X[i+100] = p.X[i]
		}
		if weighted {
			p.W = make([]float64, p.N())
			for i := range p.W {
				p.W[i] = 0.2 + 2*r.Float64()
				if i%17 == 0 {
					p.W[i] = 0
				}
			}
		}
		lmax, err := LambdaMax(p)
		require.NoError(t, err)
		lambdas := LogSpaced(lmax, 30, 1e-5)
		sols, err := Path(p, lambdas, Options{})
		require.NoError(t, err)
		require.Len(t, sols, len(lambdas))
		warm, cold := 0, 0
		for i, l := range lambdas {
			q := withLambda(p, l)
			requireCertified(t, q, sols[i])
			ref, err := Solve(q, Options{})
			require.NoError(t, err)
			requireCertified(t, q, ref)
			assert.True(t, equalRel(sols[i].Certificate.Objective, ref.Certificate.Objective, 1e-9),
				"weighted %v, λ = %v: path J %v, cold J %v", weighted, l, sols[i].Certificate.Objective, ref.Certificate.Objective)
			warm += sols[i].Iterations
			cold += ref.Iterations
		}
		t.Logf("weighted %v: path %d sweeps, cold solves %d rounds, last λ %d knots", weighted, warm, cold, len(sols[len(sols)-1].Spline.Knots))
		assert.Less(t, warm, cold, "warm starts save work")
	}
}

// TestPathOtherLosses checks the re-solving path of the other losses.
func TestPathOtherLosses(t *testing.T) {
	r := testRand(t)
	for _, loss := range []problem.Loss{problem.L1{}, problem.Huber{Delta: 0.1}} {
		p := randomProblem(r, 200, loss, 1)
		lmax, err := LambdaMax(p)
		require.NoError(t, err)
		lambdas := LogSpaced(lmax, 4, 1e-3)
		sols, err := Path(p, lambdas, Options{})
		require.NoError(t, err)
		for i, l := range lambdas {
			requireCertified(t, withLambda(p, l), sols[i])
		}
	}
}

// TestDescentSettles runs the monotone active set from each λ's
// predecessor along a 50-value path on noisy data, where the plain
// primal-dual rounds can cycle (drop-and-re-add among neighbouring knots):
// every warm start must settle by itself, without the cold fallback, and
// certify.
func TestDescentSettles(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	p := randomProblem(r, 1000, problem.Squared{}, 1)
	lmax, err := LambdaMax(p)
	require.NoError(t, err)
	g, err := p.Group1D()
	require.NoError(t, err)
	ws := &warmSolver{g: g, sc: newScaling(p, g)}
	for i, l := range LogSpaced(lmax, 50, 0) {
		q := withLambda(p, l)
		as := ws.as
		c, err := ws.solve(q)
		require.NoError(t, err)
		require.True(t, i == 0 || ws.as != nil, "λ = %v: the descent did not settle", l)
		if as != nil {
			assert.Same(t, as, ws.as, "λ = %v: fell back to a cold solve", l)
		}
		sol, err := finish(q, c, Banded, Options{}, time.Now(), -1)
		require.NoError(t, err)
		requireCertified(t, q, sol)
	}
}

func TestPathErrorsWrap(t *testing.T) {
	p := &problem.Problem{Dim: 2, X: []float64{0, 0, 1, 1}, Y: []float64{0, 1}, Loss: problem.Squared{}, Order: 2, Skip: true}
	_, err := LambdaMax(p)
	assert.True(t, errors.Is(err, ErrUnsupported), "%v", err)
	// Data out of numerical range are rejected by a path as by Solve.
	q := &problem.Problem{Dim: 1, X: []float64{1e12, 1e12 + 1e-3, 1e12 + 2e-3}, Y: []float64{0, 1, 0}, Loss: problem.Squared{}, Order: 2, Skip: true}
	_, err = Path(q, []float64{1, 0.1}, Options{})
	assert.True(t, errors.Is(err, ErrIllConditioned), "%v", err)
}

// pathBenchProblem is the λ-path benchmark: N = 10^5, x uniform
// random, y = sin(8x) + 0.3|x − 0.5| + 0.1·noise, squared loss, and the
// 50 log-spaced λ from λ_max down to λ_max·10⁻⁴.
func pathBenchProblem(b testing.TB) (*problem.Problem, []float64) {
	r := rand.New(rand.NewPCG(100000, 7))
	p := randomProblem(r, 100000, problem.Squared{}, 1)
	lmax, err := LambdaMax(p)
	if err != nil {
		b.Fatal(err)
	}
	return p, LogSpaced(lmax, 50, 0)
}

// BenchmarkPath1e5 solves the whole 50-value path and reports its time
// as a multiple of one solve ("x_single"): the fastest of three cold
// solves at the path's middle λ (as BenchmarkSingle1e5), timed in the same
// process just before the path.
func BenchmarkPath1e5(b *testing.B) {
	p, lambdas := pathBenchProblem(b)
	single := math.Inf(1)
	q := withLambda(p, lambdas[len(lambdas)/2])
	for range 3 {
		start := time.Now()
		if _, err := Solve(q, Options{}); err != nil {
			b.Fatal(err)
		}
		single = min(single, time.Since(start).Seconds())
	}
	var sols []*Solution
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		var err error
		if sols, err = Path(p, lambdas, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	path := time.Since(start).Seconds() / float64(b.N)
	b.StopTimer()
	b.ReportMetric(path/single, "x_single")
	sweeps, worst := 0, 0.0
	for _, s := range sols {
		sweeps += s.Iterations
		worst = math.Max(worst, s.Certificate.Gap)
		if s.Status != Optimal {
			b.Errorf("λ = %v: status %v", s.Certificate.Objective, s.Status)
		}
	}
	b.ReportMetric(float64(sweeps), "sweeps")
	b.ReportMetric(math.Log10(math.Max(worst, 1e-300)), "log10maxgap")
	b.ReportMetric(float64(len(sols[len(sols)-1].Spline.Knots)), "lastknots")
}

func BenchmarkSingle1e5(b *testing.B) {
	p, lambdas := pathBenchProblem(b)
	q := withLambda(p, lambdas[len(lambdas)/2])
	var sol *Solution
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if sol, err = Solve(q, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(sol.Certificate.Gap, "gap")
	b.ReportMetric(float64(len(sol.Spline.Knots)), "knots")
	if sol.Status != Optimal {
		b.Errorf("status %v", sol.Status)
	}
}

// BenchmarkPathChain1e5 times the warm solves of BenchmarkPath1e5 alone,
// without their certificates (which Path computes on other goroutines):
// the part of the path that runs in sequence.
func BenchmarkPathChain1e5(b *testing.B) {
	p, lambdas := pathBenchProblem(b)
	g, err := p.Group1D()
	if err != nil {
		b.Fatal(err)
	}
	sweeps := 0
	for b.Loop() {
		ws := &warmSolver{g: g, sc: newScaling(p, g)}
		sweeps = 0
		for _, l := range lambdas {
			c, err := ws.solve(withLambda(p, l))
			if err != nil {
				b.Fatal(err)
			}
			sweeps += c.iterations
		}
	}
	b.ReportMetric(float64(sweeps), "sweeps")
}
