package lp

import "errors"

// Status says how a solve ended. New values are only appended.
type Status int

// Solve outcomes.
const (
	NotSolved      Status = iota
	Optimal               // converged to the requested tolerance
	AlmostOptimal         // converged to a reduced tolerance
	Infeasible            // the constraints admit no point
	Unbounded             // the objective is unbounded below
	IterationLimit        // stopped at the iteration limit
	NumericalError        // the linear algebra broke down
)

var statusNames = [...]string{"not_solved", "optimal", "almost_optimal", "infeasible", "unbounded", "iteration_limit", "numerical_error"}

// String returns the status as written in JSON output.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return "unknown"
	}
	return statusNames[s]
}

// Sentinel errors returned by Status.Err.
var (
	ErrInfeasible     = errors.New("lp: infeasible")
	ErrUnbounded      = errors.New("lp: unbounded")
	ErrIterationLimit = errors.New("lp: iteration limit")
	ErrNumerical      = errors.New("lp: numerical breakdown")
)

// Err returns nil for Optimal and AlmostOptimal and a sentinel error otherwise.
func (s Status) Err() error {
	switch s {
	case Optimal, AlmostOptimal:
		return nil
	case Infeasible:
		return ErrInfeasible
	case Unbounded:
		return ErrUnbounded
	case IterationLimit:
		return ErrIterationLimit
	}
	return ErrNumerical
}

// Result is what a backend returns. The multipliers satisfy, at an optimum,
//
//	Q x + c − Aᵀy − zL + zU = 0,  zL, zU ≥ 0,
//
// with zL (zU) vanishing where the lower (upper) bound is inactive.
type Result struct {
	Status     Status
	X          []float64 // primal solution
	Y          []float64 // multipliers of A x = b (nil if the backend has none)
	ZL, ZU     []float64 // multipliers of the bounds (nil if the backend has none)
	Objective  float64   // ½xᵀQx + cᵀx at X
	Iterations int
}

// Settings tune a backend; the zero value means defaults.
type Settings struct {
	Tol           float64 // relative optimality tolerance; 0 means the backend's default
	MaxIterations int     // 0 means the backend's default
}

// Solver is a backend for Model.
type Solver interface {
	// Solve returns the solution of m. Errors are returned for invalid
	// models only; how a valid solve ended is in Result.Status.
	Solve(m *Model, s Settings) (*Result, error)
}
