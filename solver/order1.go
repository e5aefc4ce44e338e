package solver

import (
	"fmt"

	"github.com/ridgeline-nn/ridgeline/problem"
)

// solveOrder1 solves order-1 problems (total variation of f; step networks).
func solveOrder1(p *problem.Problem, g *problem.Groups, opt Options) (*candidate, error) {
	return nil, fmt.Errorf("%w: order 1 is not implemented yet", ErrUnsupported)
}
