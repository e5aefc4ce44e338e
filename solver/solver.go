package solver

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ridgeline-nn/ridgeline/certificate"
	"github.com/ridgeline-nn/ridgeline/internal/parallel"
	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// Status says how a solve ended. New values are only appended.
type Status int

// Solve outcomes.
const (
	// Optimal: the certified gap is within the requested tolerance.
	Optimal Status = iota
	// GapLimit: the solver finished but the certified gap is above the tolerance.
	GapLimit
	// IterationLimit: the backend stopped at its iteration limit.
	IterationLimit
	// NumericalError: the backend broke down; the solution is the best found.
	NumericalError
)

var statusNames = [...]string{"optimal", "gap_limit", "iteration_limit", "numerical_error"}

// String returns the status as written in JSON output.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return "unknown"
	}
	return statusNames[s]
}

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Backend names.
const (
	Banded  = "banded"  // the project's interior point with banded normal equations (default)
	Simplex = "simplex" // gonum's simplex on the knot-amplitude LP (interp and l1, small N)
	Direct  = "direct"  // reported for closed forms and direct algorithms (interpolation, order 1)
)

// DefaultTol is the default relative gap a solve must certify.
const DefaultTol = 1e-8

// Options tune Solve; the zero value means defaults.
type Options struct {
	Tol           float64 // certified relative gap to reach; 0 means DefaultTol
	Backend       string  // Banded (default) or Simplex
	MaxIterations int     // backend iteration limit; 0 means the backend's default
}

func (o Options) tol() float64 {
	if o.Tol > 0 {
		return o.Tol
	}
	return DefaultTol
}

// Solution is a certified solution of a problem.
type Solution struct {
	Status      Status
	Spline      *representer.Spline      // the optimal function, in the problem's units
	Certificate *certificate.Certificate // objective, lower bound, gap (DESIGN §4)
	Iterations  int                      // backend iterations (plus polishing rounds)
	Seconds     float64                  // wall time of the solve
	Backend     string                   // which backend produced it
}

// ErrUnsupported is wrapped by errors for problems outside what is implemented.
var ErrUnsupported = errors.New("solver: unsupported problem")

// ErrIllConditioned is wrapped by errors for data whose numbers cannot be
// solved and reported to working precision; the message says what to change.
var ErrIllConditioned = errors.New("solver: data out of numerical range")

// Limits of checkNumerics.
const (
	// maxOffsetRatio bounds max|x| / (spread of x): the returned polynomial
	// part c0 + c1·x loses about eps·max|x|/spread of its accuracy at the
	// data, 1e-8 relative at this ratio.
	maxOffsetRatio = 1e8
	// maxMagnitude bounds |x| and |y|: squares and products of the
	// standardisation must not overflow.
	maxMagnitude = 1e150
	// minMagnitude bounds the spread of x from below for the same reason.
	minMagnitude = 1e-150
)

// checkNumerics rejects data that would be mis-solved rather than solved:
// huge magnitudes, a vanishing spread, and inputs offset so far from zero
// that the power-basis polynomial of the result cannot represent the fit.
func checkNumerics(g *problem.Groups) error {
	G := len(g.X)
	lo, hi := g.X[0], g.X[G-1]
	// The largest target in each half (concurrently for large N).
	n := len(g.Y)
	parts := parallel.Parts(n)
	biggest := make([]float64, parts)
	parallel.Run(parts, func(part int) {
		a, b := parallel.Span(n, parts, part)
		m := 0.0
		for _, y := range g.Y[a:b] {
			if a := math.Abs(y); a > m {
				m = a
			}
		}
		biggest[part] = m
	})
	for _, y := range biggest {
		if y > maxMagnitude {
			return fmt.Errorf("%w: a target of magnitude %.3g exceeds %.0e; rescale the targets", ErrIllConditioned, y, maxMagnitude)
		}
	}
	big := math.Max(math.Abs(lo), math.Abs(hi))
	if big > maxMagnitude {
		return fmt.Errorf("%w: an input of magnitude %.3g exceeds %.0e; rescale the inputs", ErrIllConditioned, big, maxMagnitude)
	}
	if G < 2 {
		return nil
	}
	spread := hi - lo
	if spread < minMagnitude {
		return fmt.Errorf("%w: the inputs span only %.3g; rescale the inputs", ErrIllConditioned, spread)
	}
	if big/spread > maxOffsetRatio {
		return fmt.Errorf("%w: the inputs lie near %.6g but span only %.3g; subtract an offset (for example %.6g) from the inputs first",
			ErrIllConditioned, lo, spread, lo)
	}
	return nil
}

// Solve computes a certified optimum of p (DESIGN §2–§4). Errors are
// returned for invalid or unsupported problems; how far the solve got is in
// Solution.Status, and every returned solution carries its certificate.
func Solve(p *problem.Problem, opt Options) (*Solution, error) {
	start := time.Now()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.Dim != 1 {
		return nil, fmt.Errorf("%w: input dimension %d (only 1-D is implemented)", ErrUnsupported, p.Dim)
	}
	if p.Order != 2 && p.Order != 1 {
		return nil, fmt.Errorf("%w: order %d (orders 1 and 2 are implemented)", ErrUnsupported, p.Order)
	}
	if !p.Skip {
		return nil, fmt.Errorf("%w: networks without skip connection", ErrUnsupported)
	}
	var g *problem.Groups
	var ev *certificate.Evaluator
	var err error
	if p.Order == 1 {
		g, ev, err = groupCertified(p)
	} else {
		g, err = p.Group1D()
	}
	if err != nil {
		return nil, err
	}
	if err := checkNumerics(g); err != nil {
		return nil, err
	}
	var c *candidate
	backend := opt.Backend
	if backend == "" {
		backend = Banded
	}
	switch {
	case p.Order == 1:
		if c, err = solveOrder1(p, g, opt); c != nil {
			c.eval = ev
		}
	case backend == Simplex:
		c, err = solveSimplex(p, g, opt)
	case problem.IsInterp(p.Loss):
		c = interpolate(g)
	case backend == Banded:
		c, err = solveBanded(p, g, opt)
	default:
		return nil, fmt.Errorf("solver: unknown backend %q (want %s or %s)", backend, Banded, Simplex)
	}
	if err != nil {
		return nil, err
	}
	c.order = g.Order
	if p.Order == 1 || problem.IsInterp(p.Loss) && backend != Simplex {
		backend = Direct
	}
	return finish(p, c, backend, opt, start, -1)
}

// groupCertified sorts p's samples once for the grouping and the
// certificate: the certificate gathers the inputs, targets (and weights)
// into the sorted order itself, checking the order, and the grouping takes
// them from it, so that the data are read in random order once.
func groupCertified(p *problem.Problem) (*problem.Groups, *certificate.Evaluator, error) {
	ord := problem.SortedOrder(p.X)
	ev, err := certificate.NewEvaluator(p, ord)
	if err != nil {
		return nil, nil, err
	}
	xs, ys, ws := ev.Sorted()
	g, err := p.GroupSorted(ord, xs, ys, ws)
	return g, ev, err
}

// candidate is a backend's proposal: a function, dual vectors for the
// certificate (nil: from the residuals) and how the backend ended. Each dual
// proposal is verified from scratch; any of them gives a valid bound.
type candidate struct {
	spline     *representer.Spline
	dual       []float64                // per sample, in the problem's order (sorted: in sorted order)
	sorted     bool                     // dual is in sorted order: entry k belongs to sample order[k]
	altDual    []float64                // another proposal; the better certified bound is kept
	altSpline  *representer.Spline      // another function; the lower objective is kept
	altNatural bool                     // also try the residual dual of the chosen function
	order      []int                    // problem.SortedOrder of the inputs, if known
	eval       *certificate.Evaluator   // prepared certificates (a path, order 1), if any
	cert       *certificate.Certificate // already computed for spline with the residual dual, if not nil
	status     Status
	iterations int
}

// certify evaluates every proposal and keeps the function with the lowest
// objective and, for it, the dual with the highest verified bound.
func (c *candidate) certify(p *problem.Problem) (*certificate.Certificate, error) {
	if c.cert != nil {
		return c.cert, nil
	}
	ord := c.order
	if ord == nil {
		ord = problem.SortedOrder(p.X)
	}
	eval := func(s *representer.Spline, u []float64) (*certificate.Certificate, error) {
		switch {
		case c.eval != nil && c.sorted:
			return c.eval.EvaluateSorted(p.Lambda, s, u)
		case c.eval != nil:
			return c.eval.Evaluate(p.Lambda, s, u)
		case c.sorted:
			return certificate.EvaluateSorted(p, ord, s, u)
		}
		return certificate.EvaluateOrdered(p, ord, s, u)
	}
	cert, err := eval(c.spline, c.dual)
	if err != nil {
		return nil, err
	}
	if c.altSpline != nil {
		if alt, err := eval(c.altSpline, c.dual); err == nil && alt.Objective < cert.Objective {
			cert, c.spline = alt, c.altSpline
		}
	}
	duals := [][]float64{c.altDual}
	if c.altNatural && c.dual != nil {
		duals = append(duals, nil)
	}
	for k, u := range duals {
		if u == nil && k == 0 {
			continue
		}
		if alt, err := eval(c.spline, u); err == nil && alt.LowerBound > cert.LowerBound {
			cert = alt
		}
	}
	return cert, nil
}
