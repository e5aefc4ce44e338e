package certificate

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// BenchmarkEvaluateStep times the order-1 certificate at N = 10^6 (x
// uniform on [0, 1), a step function with 1000 jumps) with the data
// prepared once from the sorted order, as Solve prepares it: the residual
// dual, and a dual given in sorted order.
func BenchmarkEvaluateStep(b *testing.B) {
	p := benchProblem(1000000, 1, 1000)
	n := p.N()
	s := &representer.Spline{Order: 1, Poly: []float64{0}}
	for k := range 1000 {
		s.Knots = append(s.Knots, (float64(k)+0.5)/1000)
		s.Amps = append(s.Amps, 8*math.Cos(8*(float64(k)+0.5)/1000)/1000)
	}
	ev, err := NewEvaluator(p, problem.SortedOrder(p.X))
	if err != nil {
		b.Fatal(err)
	}
	xs, ys, _ := ev.Sorted()
	us := make([]float64, n)
	f := make([]float64, n)
	s.EvalTo(f, xs)
	for k := range us {
		us[k] = ys[k] - f[k]
	}
	for _, bc := range []struct {
		name string
		u    []float64
	}{{"residual", nil}, {"sorted dual", us}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := ev.EvaluateSorted(p.Lambda, s, bc.u); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEvaluateLinear times the order-2 certificate with the residual
// dual at N = 10^5 (x uniform on [0, 1), a piecewise-linear fit with 50
// knots), with the data prepared once, as each λ of a path uses it.
func BenchmarkEvaluateLinear(b *testing.B) {
	p := benchProblem(100000, 2, 1)
	s := &representer.Spline{Order: 2, Poly: []float64{0, 8}}
	for k := range 50 {
		t := (float64(k) + 0.5) / 50
		s.Knots = append(s.Knots, t)
		s.Amps = append(s.Amps, -64*math.Sin(8*t)/50)
	}
	ev, err := NewEvaluator(p, problem.SortedOrder(p.X))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ev.EvaluateSorted(p.Lambda, s, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// benchProblem is the benchmarks' data: n samples with x uniform on
// [0, 1) and y = sin(8x) + 0.1·noise, squared loss, at the given order and λ.
func benchProblem(n, order int, lambda float64) *problem.Problem {
	r := rand.New(rand.NewPCG(1, 2))
	p := &problem.Problem{Dim: 1, X: make([]float64, n), Y: make([]float64, n), Loss: problem.Squared{}, Lambda: lambda, Order: order, Skip: true}
	for i := range p.X {
		p.X[i] = r.Float64()
		p.Y[i] = math.Sin(8*p.X[i]) + 0.1*r.NormFloat64()
	}
	return p
}
