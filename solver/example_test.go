package solver_test

import (
	"fmt"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/solver"
)

// ExampleSolve fits the squared-loss ReLU problem to five points and prints
// the certified optimum and the knots of the optimal spline (one neuron each).
// By hand: with fitted values (a, b, c, b, a), J = a² + (b−1)² + c²/2 +
// λ(6b − 2a − 4c) is stationary at a = λ, b = 1 − 3λ, c = 4λ, so J = 0.42.
func ExampleSolve() {
	p := &problem.Problem{
		Dim:    1,
		X:      []float64{0, 1, 2, 3, 4},
		Y:      []float64{0, 1, 0, 1, 0},
		Loss:   problem.Squared{},
		Lambda: 0.1,
		Order:  2,
		Skip:   true,
	}
	sol, err := solver.Solve(p, solver.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := sol.Certificate
	fmt.Println("status:", sol.Status)
	fmt.Printf("J = %.4g, certified gap ≤ 1e-8: %v\n", c.Objective, c.Gap <= 1e-8)
	fmt.Printf("knots %v\n", sol.Spline.Knots)
	// Output:
	// status: optimal
	// J = 0.42, certified gap ≤ 1e-8: true
	// knots [1 2 3]
}
