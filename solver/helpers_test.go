package solver

import (
	"flag"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats/scalar"

	"github.com/ridgeline-nn/ridgeline/certificate"
	"github.com/ridgeline-nn/ridgeline/problem"
)

// seed fixes the random test problems; -solver.seed=0 draws a fresh one.
var seed = flag.Uint64("solver.seed", 1, "seed of the random test problems (0: from the clock)")

// large adds the slow reference sizes (the dense simplex at N = 150, 200).
var large = flag.Bool("solver.large", false, "also compare with the simplex at N = 150 and 200 (slow)")

func testRand(t *testing.T) *rand.Rand {
	s := *seed
	if s == 0 {
		s = rand.Uint64()
	}
	t.Logf("seed %d", s)
	return rand.New(rand.NewPCG(s, 0x5eed))
}

// randomProblem draws N inputs uniform on [0, 1) and targets
// sin(8x) + 0.3|x − 0.5| + noise: the benchmark family of the project.
func randomProblem(r *rand.Rand, n int, loss problem.Loss, lambda float64) *problem.Problem {
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = r.Float64()
		y[i] = math.Sin(8*x[i]) + 0.3*math.Abs(x[i]-0.5) + 0.1*r.NormFloat64()
	}
	return &problem.Problem{Dim: 1, X: x, Y: y, Loss: loss, Lambda: lambda, Order: 2, Skip: true}
}

// Tolerances of the acceptance criteria: a certified relative gap of at
// most certTol, or an absolute gap of at most zeroTol where the optimum is 0.
const (
	certTol = 1e-8
	zeroTol = 1e-10
)

// requireCertified checks that a solution is optimal with a certified gap.
func requireCertified(t *testing.T, p *problem.Problem, sol *Solution) {
	t.Helper()
	c := sol.Certificate
	require.Equal(t, Optimal, sol.Status, "status %v: J=%v L=%v gap=%v (backend %s)", sol.Status, c.Objective, c.LowerBound, c.Gap, sol.Backend)
	require.LessOrEqual(t, c.LowerBound-c.Objective, 1e-12*math.Max(math.Abs(c.Objective), certificate.DataScale(p)), "lower bound above objective")
	if c.Objective > zeroTol*math.Max(1, certificate.DataScale(p)) {
		require.LessOrEqual(t, c.Gap, certTol, "relative gap (J=%v, L=%v)", c.Objective, c.LowerBound)
	} else {
		require.LessOrEqual(t, math.Abs(c.GapAbs), zeroTol, "absolute gap at a zero optimum (J=%v)", c.Objective)
	}
	require.LessOrEqual(t, len(sol.Spline.Knots), max(distinct(p.X)-2, 0), "more knots than interior inputs")
}

func distinct(x []float64) int {
	seen := map[float64]bool{}
	for _, v := range x {
		seen[v] = true
	}
	return len(seen)
}

func equalRel(a, b, tol float64) bool { return scalar.EqualWithinAbsOrRel(a, b, tol, tol) }
