package verify

import (
	"flag"
	"math"
	"math/rand/v2"

	"github.com/ridgeline-nn/ridgeline/problem"
)

// seedFlag randomises the property tests: go test -seed N (0 keeps the
// fixed seeds).
var seedFlag = flag.Uint64("seed", 0, "offset added to the seeds of the random property tests")

// randomProblem returns a small seeded problem of dimension d with inputs
// far from 0 and targets far from their spread (so that standardisation
// matters), random weights and a random λ.
func randomProblem(seed uint64, n, d, order int, loss problem.Loss, skip bool) *problem.Problem {
	r := rand.New(rand.NewPCG(seed, 7))
	p := &problem.Problem{Dim: d, X: make([]float64, n*d), Y: make([]float64, n), W: make([]float64, n),
		Loss: loss, Lambda: 0.05 + r.Float64(), Order: order, Skip: skip}
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < d; j++ {
			x := 10 + 5*r.Float64()
			p.X[i*d+j] = x
			s += x
		}
		p.Y[i] = 3*math.Sin(s) + 100 + r.NormFloat64()
		p.W[i] = 0.5 + r.Float64()
	}
	return p
}
