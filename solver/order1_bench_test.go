package solver

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ridgeline-nn/ridgeline/problem"
)

// order1BenchSizes are the sample counts of the order-1 benchmarks.
var order1BenchSizes = []int{1e3, 1e4, 1e5, 1e6, 1e7}

// order1BenchProblem is the project's benchmark family (x uniform on
// [0, 1), y = sin(8x) + 0.3|x − 0.5| + noise) at order 1 with λ = 1e-3·N,
// which keeps the number of jumps roughly proportional to N.
func order1BenchProblem(n int, loss problem.Loss) *problem.Problem {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = r.Float64()
		y[i] = math.Sin(8*x[i]) + 0.3*math.Abs(x[i]-0.5) + 0.1*r.NormFloat64()
	}
	return &problem.Problem{Dim: 1, X: x, Y: y, Loss: loss, Lambda: 1e-3 * float64(n), Order: 1, Skip: true}
}

// benchmarkOrder1 times Solve (grouping, solve and certificate) and
// reports the certified relative gap, in units of 1e-15 (it is at the
// level of rounding), the number of knots, and the shortest solve time
// that Solve itself reported (Solution.Seconds, in ms: the least disturbed
// by other work on a shared machine).
func benchmarkOrder1(b *testing.B, p *problem.Problem) {
	var sol *Solution
	fastest := math.Inf(1)
	for b.Loop() {
		var err error
		sol, err = Solve(p, Options{})
		if err != nil {
			b.Fatal(err)
		}
		fastest = min(fastest, sol.Seconds)
	}
	b.ReportMetric(sol.Certificate.Gap*1e15, "gap_1e-15")
	b.ReportMetric(float64(len(sol.Spline.Knots)), "knots")
	b.ReportMetric(fastest*1e3, "min_solve_ms")
}

// benchmarkOrder1Core times solveOrder1 alone, on data already grouped:
// the dynamic program, the polish, the dual and the spline.
func benchmarkOrder1Core(b *testing.B, n int, loss problem.Loss) {
	p := order1BenchProblem(n, loss)
	g, err := p.Group1D()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := solveOrder1(p, g, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// order1SignalProblem is the same family on a signal: the inputs equally
// spaced and given in order (x_i = i/N), the setting of total-variation
// denoising codes, which take a sequence and need no sort.
func order1SignalProblem(n int, loss problem.Loss) *problem.Problem {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = float64(i) / float64(n)
		y[i] = math.Sin(8*x[i]) + 0.3*math.Abs(x[i]-0.5) + 0.1*r.NormFloat64()
	}
	return &problem.Problem{Dim: 1, X: x, Y: y, Loss: loss, Lambda: 1e-3 * float64(n), Order: 1, Skip: true}
}

func sizeName(n int) string { return fmt.Sprintf("N=1e%d", int(math.Round(math.Log10(float64(n))))) }

func BenchmarkOrder1Squared(b *testing.B) {
	for _, n := range order1BenchSizes {
		b.Run(sizeName(n), func(b *testing.B) { benchmarkOrder1(b, order1BenchProblem(n, problem.Squared{})) })
	}
}

// BenchmarkOrder1SquaredSignal is BenchmarkOrder1Squared on a signal (the
// inputs in order, equally spaced).
func BenchmarkOrder1SquaredSignal(b *testing.B) {
	for _, n := range order1BenchSizes {
		b.Run(sizeName(n), func(b *testing.B) { benchmarkOrder1(b, order1SignalProblem(n, problem.Squared{})) })
	}
}

func BenchmarkOrder1SquaredCore(b *testing.B) {
	for _, n := range order1BenchSizes {
		b.Run(sizeName(n), func(b *testing.B) { benchmarkOrder1Core(b, n, problem.Squared{}) })
	}
}

func BenchmarkOrder1L1(b *testing.B) {
	for _, n := range order1BenchSizes[:4] {
		b.Run(sizeName(n), func(b *testing.B) { benchmarkOrder1(b, order1BenchProblem(n, problem.L1{})) })
	}
}

func BenchmarkOrder1Huber(b *testing.B) {
	for _, n := range order1BenchSizes[:4] {
		b.Run(sizeName(n), func(b *testing.B) { benchmarkOrder1(b, order1BenchProblem(n, problem.Huber{Delta: 0.1})) })
	}
}
