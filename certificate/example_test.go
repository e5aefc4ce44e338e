package certificate_test

import (
	"fmt"
	"log"

	"github.com/ridgeline-nn/ridgeline/certificate"
	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

func ExampleDualSup() {
	// u = (1, −2, 1) is the second difference at x = 0, 1, 2: orthogonal
	// to 1 and x, with η(t) = Σ u_n ReLU(x_n − t) the hat of height 1.
	sup, at := certificate.DualSup(2, []float64{0, 1, 2}, []float64{1, -2, 1})
	fmt.Printf("m=2: S = %.4g at t = %.4g\n", sup, at)

	// The third difference for m = 3 gives the quadratic B-spline, whose
	// maximum lies between the inputs: a root of η' inside an interval.
	sup, at = certificate.DualSup(3, []float64{0, 1, 2, 3}, []float64{-1, 3, -3, 1})
	fmt.Printf("m=3: S = %.4g at t = %.4g\n", sup, at)

	// A u that is not orthogonal to the constants leaves a tail of η left
	// of the data: the dual vector is infeasible.
	sup, _ = certificate.DualSup(2, []float64{0, 1, 2}, []float64{1, 0, 0})
	fmt.Printf("not orthogonal: S = %v\n", sup)

	// Output:
	// m=2: S = 1 at t = 1
	// m=3: S = 0.75 at t = 1.5
	// not orthogonal: S = +Inf
}

func ExampleEvaluate() {
	// min Σ|f(x_n) − y_n| + ½‖D²f‖ for y = (1, 0, 0, 1) at x = 0, 1, 2, 3.
	p := &problem.Problem{
		Dim: 1, X: []float64{0, 1, 2, 3}, Y: []float64{1, 0, 0, 1},
		Loss: problem.L1{}, Lambda: 0.5, Order: 2, Skip: true,
	}
	// The interpolant 1 − x + ReLU(x − 1) + ReLU(x − 2): no loss, ‖D²f‖ = 2.
	f := &representer.Spline{Order: 2, Knots: []float64{1, 2}, Amps: []float64{1, 1}, Poly: []float64{1, -1}}
	// A dual vector, e.g. from an LP solver: the certificate checks it.
	u := []float64{1, -1, -1, 1}
	c, err := certificate.Evaluate(p, f, u)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("J = %.4g (loss %.4g, ‖D²f‖ = %.4g)\n", c.Objective, c.LossValue, c.Regularizer)
	fmt.Printf("S = %.4g, α = %.4g, L = %.4g, gap below 1e-12: %v\n", c.Sup, c.Alpha, c.LowerBound, c.Gap < 1e-12)
	fmt.Println("certified:", c.Certified(1e-9, certificate.DataScale(p)))

	// Output:
	// J = 1 (loss 0, ‖D²f‖ = 2)
	// S = 1, α = 0.5, L = 1, gap below 1e-12: true
	// certified: true
}

func ExampleEvaluator() {
	// The same data at two values of λ: the sorted inputs, the projection
	// basis and the projected targets are prepared once.
	p := &problem.Problem{
		Dim: 1, X: []float64{3, 0, 2, 1}, Y: []float64{1, 1, 0, 0},
		Loss: problem.L1{}, Order: 2, Skip: true,
	}
	ev, err := certificate.NewEvaluator(p, problem.SortedOrder(p.X))
	if err != nil {
		log.Fatal(err)
	}
	// The interpolant 1 − x + ReLU(x − 1) + ReLU(x − 2) and its dual (in
	// the problem's order of the samples).
	f := &representer.Spline{Order: 2, Knots: []float64{1, 2}, Amps: []float64{1, 1}, Poly: []float64{1, -1}}
	u := []float64{1, 1, -1, -1}
	for _, lambda := range []float64{0.5, 2} {
		c, err := ev.Evaluate(lambda, f, u)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("λ = %g: J = %.4g, L = %.4g\n", lambda, c.Objective, c.LowerBound)
	}

	// Output:
	// λ = 0.5: J = 1, L = 1
	// λ = 2: J = 4, L = 2
}

func ExampleNewEvaluatorSorted() {
	// Total-variation denoising (order 1) of three samples.
	p := &problem.Problem{
		Dim: 1, X: []float64{2, 0, 1}, Y: []float64{1, 0, 1},
		Loss: problem.Squared{}, Lambda: 0.25, Order: 1, Skip: true,
	}
	// A solver that has sorted the inputs hands them over; the Evaluator
	// checks them against p, gathers the targets in the same order and
	// lends them back.
	ord, xs := problem.SortedValues(p.X)
	ev, err := certificate.NewEvaluatorSorted(p, ord, xs, nil)
	if err != nil {
		log.Fatal(err)
	}
	_, ys, _ := ev.Sorted()
	fmt.Println("sorted targets:", ys)

	// The optimum: each level shrunk towards the other by λ over its
	// weight, f = 0.25 + 0.625·[x ≥ 1]; nil asks for the residual dual.
	f := &representer.Spline{Order: 1, Knots: []float64{1}, Amps: []float64{0.625}, Poly: []float64{0.25}}
	c, err := ev.EvaluateSorted(p.Lambda, f, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("J = %.6g, L = %.6g\n", c.Objective, c.LowerBound)

	// A wrong order is refused.
	_, err = certificate.NewEvaluatorSorted(p, []int{0, 1, 2}, []float64{2, 0, 1}, nil)
	fmt.Println(err)

	// Output:
	// sorted targets: [0 1 1]
	// J = 0.203125, L = 0.203125
	// certificate: order does not sort the inputs (entry 1)
}
