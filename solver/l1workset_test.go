package solver

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/lp"
	"github.com/ridgeline-nn/ridgeline/problem"
)

// withDirectMax runs f with l1DirectMax set to v.
func withDirectMax(v int, f func()) {
	old := l1DirectMax
	l1DirectMax = v
	defer func() { l1DirectMax = old }()
	f()
}

// requireWorkingSet checks that the working-set method itself reaches the
// optimum on p (Solve would fall back to the whole slope dual otherwise).
func requireWorkingSet(t *testing.T, p *problem.Problem) {
	t.Helper()
	g, err := p.Group1D()
	require.NoError(t, err)
	require.Greater(t, g.G(), l1DirectMax, "too small to use the working set")
	require.NotNil(t, newL1Level(p, g, newScaling(p, g)).solve(Options{}, true), "the working set gave up")
}

// TestL1WorkingSetAgreesWithSimplex runs the working-set levels on problems
// small enough for gonum's simplex on the knot-amplitude LP (an independent
// formulation and solver): with l1DirectMax lowered to 8, N = 90 goes
// through two coarser levels. The optima must agree to 1e-7 relative and
// both must certify.
func TestL1WorkingSetAgreesWithSimplex(t *testing.T) {
	r := testRand(t)
	for _, n := range []int{20, 45, 90} {
		for _, lam := range []float64{0.003, 0.05, 1} {
			if n == 90 && lam != 0.05 {
				continue // the dense simplex takes seconds here
			}
			p := randomProblem(r, n, problem.L1{}, lam)
			if n == 90 {
				// Repeated inputs and uneven weights.
				p.W = make([]float64, n)
				for i := range p.W {
					p.W[i] = 0.2 + 2*r.Float64()
				}
				for i := 0; i < 10; i++ {
					p.X[r.IntN(n)] = p.X[r.IntN(n)]
				}
			}
			t.Run(fmt.Sprintf("n=%d/lambda=%g", n, lam), func(t *testing.T) {
				ref, err := Solve(p, Options{Backend: Simplex})
				require.NoError(t, err)
				requireCertified(t, p, ref)
				var got *Solution
				withDirectMax(8, func() {
					requireWorkingSet(t, p)
					got, err = Solve(p, Options{})
				})
				require.NoError(t, err)
				requireCertified(t, p, got)
				assert.True(t, equalRel(got.Certificate.Objective, ref.Certificate.Objective, 1e-7),
					"working set %.15g vs simplex %.15g", got.Certificate.Objective, ref.Certificate.Objective)
			})
		}
	}
}

// TestL1WorkingSetAgreesWithSlopeDual compares, at sizes where the working
// set runs by default, with the interior point on the whole slope dual (the
// working set switched off): outliers, uneven weights, repeated inputs, and
// λ over three decades. Both must certify, and their optima agree to 1e-9.
func TestL1WorkingSetAgreesWithSlopeDual(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole slope dual takes seconds at these sizes")
	}
	r := testRand(t)
	cases := []struct {
		n    int
		lam  float64
		kind string
	}{
		{3000, 0.3, "plain"},
		{3000, 0.003, "outliers"},
		{5000, 3, "weights and repeats"},
		{20000, 2, "plain"},
	}
	for _, c := range cases {
		p := randomProblem(r, c.n, problem.L1{}, c.lam)
		switch c.kind {
		case "outliers":
			// A tenth of the targets far off, heavy-tailed.
			for i := 0; i < c.n/10; i++ {
				p.Y[r.IntN(c.n)] += 3 * r.NormFloat64() / math.Max(r.Float64(), 0.05)
			}
		case "weights and repeats":
			p.W = make([]float64, c.n)
			for i := range p.W {
				p.W[i] = 0.1 + 3*r.Float64()
			}
			for i := 0; i < c.n/5; i++ {
				p.X[r.IntN(c.n)] = p.X[r.IntN(c.n)]
			}
		}
		t.Run(fmt.Sprintf("n=%d/lambda=%g/%s", c.n, c.lam, c.kind), func(t *testing.T) {
			requireWorkingSet(t, p)
			got, err := Solve(p, Options{})
			require.NoError(t, err)
			requireCertified(t, p, got)
			var ref *Solution
			withDirectMax(math.MaxInt, func() { ref, err = Solve(p, Options{}) })
			require.NoError(t, err)
			requireCertified(t, p, ref)
			assert.True(t, equalRel(got.Certificate.Objective, ref.Certificate.Objective, 1e-9),
				"working set %.15g vs slope dual %.15g", got.Certificate.Objective, ref.Certificate.Objective)
		})
	}
}

// TestRestrictedStaysBounded holds every sample on a side chosen at random,
// unrelated to any fit, with only a handful free: the clusters keep the
// restricted program bounded (a restricted primal that ran away would end
// in a numerical error or an infeasible dual), and the objective of the
// restricted fit, recomputed from its values, is at least the true optimum.
func TestRestrictedStaysBounded(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	p := randomProblem(r, 3000, problem.L1{}, 0.05)
	g, err := p.Group1D()
	require.NoError(t, err)
	sc := newScaling(p, g)
	lv := newL1Level(p, g, sc)
	G := len(lv.x)
	var grid []int
	for k := 0; k < G; k += 37 {
		grid = append(grid, k)
	}
	grid = append(grid, G-1)
	work := make([]bool, len(lv.y))
	fixed := make([]float64, len(lv.y))
	for i := range fixed {
		if r.IntN(50) == 0 {
			work[i] = true
			continue
		}
		fixed[i] = lv.b[i]
		if r.IntN(2) == 0 {
			fixed[i] = -lv.b[i]
		}
	}
	f, err := lv.restricted(grid, work, fixed, Options{}, nil)
	require.NoError(t, err)
	require.Contains(t, []lp.Status{lp.Optimal, lp.AlmostOptimal}, f.status)

	// The restricted fit is a feasible function of the whole program: its
	// objective (l1 loss plus λ̃ times the slope changes on the grid) is at
	// least the optimum.
	obj := 0.0
	for k := range lv.x {
		for i := lv.start[k]; i < lv.start[k+1]; i++ {
			obj += lv.b[i] * math.Abs(lv.y[i]-f.fit[k])
		}
	}
	for j := 1; j+1 < len(grid); j++ {
		a, b, c := grid[j-1], grid[j], grid[j+1]
		sl := (f.fit[b] - f.fit[a]) / (lv.x[b] - lv.x[a])
		sr := (f.fit[c] - f.fit[b]) / (lv.x[c] - lv.x[b])
		obj += lv.lam * math.Abs(sr-sl)
	}
	full, err := lv.restricted(allInputs(G), allSamples(len(lv.y)), make([]float64, len(lv.y)), Options{}, nil)
	require.NoError(t, err)
	opt := 0.0
	for k := range lv.x {
		for i := lv.start[k]; i < lv.start[k+1]; i++ {
			opt += lv.b[i] * math.Abs(lv.y[i]-full.fit[k])
		}
	}
	for k := 1; k+1 < G; k++ {
		sl := (full.fit[k] - full.fit[k-1]) / (lv.x[k] - lv.x[k-1])
		sr := (full.fit[k+1] - full.fit[k]) / (lv.x[k+1] - lv.x[k])
		opt += lv.lam * math.Abs(sr-sl)
	}
	assert.GreaterOrEqual(t, obj, opt*(1-1e-9))
}

// TestSelectKth checks the selection against sorting.
func TestSelectKth(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 10, 101, 1000} {
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Floor(r.Float64() * 20) // with ties
		}
		sorted := append([]float64(nil), v...)
		slices.Sort(sorted)
		for _, k := range []int{1, (n + 1) / 2, n} {
			w := append([]float64(nil), v...)
			assert.Equal(t, sorted[k-1], selectKth(w, k), "n=%d k=%d", n, k)
		}
	}
}
