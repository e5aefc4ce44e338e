package solver

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ridgeline-nn/ridgeline/problem"
)

// benchProblem is the benchmark family of the project (x uniform random,
// y = sin(8x) + 0.3|x − 0.5| + 0.1·noise) with λ proportional to N, so
// that the fitted function, and its number of knots, stay comparable
// across sizes.
func benchProblem(n int, loss problem.Loss) *problem.Problem {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	p := randomProblem(r, n, loss, 1e-2*float64(n)/1000)
	return p
}

func benchmarkSolve(b *testing.B, n int, loss problem.Loss) {
	p := benchProblem(n, loss)
	var sol *Solution
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		sol, err = Solve(p, Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(sol.Certificate.Gap*1e12, "gap_x1e-12")
	b.ReportMetric(float64(len(sol.Spline.Knots)), "knots")
	b.ReportMetric(float64(sol.Iterations), "iters")
	if sol.Status != Optimal {
		b.Errorf("status %v, gap %v", sol.Status, sol.Certificate.Gap)
	}
}

func BenchmarkSolveSquared(b *testing.B) {
	for _, n := range []int{1e3, 1e4, 1e5, 1e6, 1e7} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) { benchmarkSolve(b, n, problem.Squared{}) })
	}
}

func BenchmarkSolveL1(b *testing.B) {
	for _, n := range []int{1e3, 1e4, 1e5, 1e6, 1e7} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) { benchmarkSolve(b, n, problem.L1{}) })
	}
}

func BenchmarkSolveHuber(b *testing.B) {
	for _, n := range []int{1e3, 1e4, 1e5} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) { benchmarkSolve(b, n, problem.Huber{Delta: 0.1}) })
	}
}

var _ = math.Inf
