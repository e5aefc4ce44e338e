// Package lp solves the linear and diagonal quadratic programs that the
// ridgeline fits reduce to (DESIGN §3): interpolation and l1 losses give
// linear programs, the squared loss a quadratic one.
//
// # The model
//
// A Model is the convex program
//
//	minimise   ½·Σ_j Q_j x_j² + cᵀx
//	subject to A x = b,
//	           L ≤ x ≤ U,
//
// with x ∈ Rⁿ, a sparse m×n matrix A (Sparse, assembled column by column
// with Triplets), a diagonal Q ≥ 0 (nil for a linear program) and bounds
// that may be infinite: a nil L means x ≥ 0, a nil U means no upper bound,
// and L_j = −Inf, U_j = +Inf make x_j free. Inequalities are written with
// explicit slack variables. Model.Check validates shapes and values;
// every error it returns wraps ErrModel.
//
// At an optimum the multipliers y of A x = b and zL, zU of the bounds
// satisfy the Karush–Kuhn–Tucker conditions
//
//	Q x + c − Aᵀy − zL + zU = 0,
//	zL, zU ≥ 0,  zL_j (x_j − L_j) = 0,  zU_j (U_j − x_j) = 0,
//
// with zL_j = 0 (zU_j = 0) where L_j (U_j) is infinite, and, for a linear
// program, strong duality
//
//	cᵀx = bᵀy + Σ_j L_j zL_j − Σ_j U_j zU_j
//
// over the finite bounds. These are what the tests of every backend check,
// and what the certificates of DESIGN §4 start from (never trusting them).
//
// # Solvers
//
// A backend implements Solver:
//
//	Solve(m *Model, s Settings) (*Result, error)
//
// It returns an error only for an invalid model (wrapping ErrModel); how a
// solve of a valid model ended is Result.Status. The Result carries the
// primal X, the multipliers Y, ZL and ZU in the sign convention above (nil
// if the backend has none), the objective ½xᵀQx + cᵀx at X and the
// iteration count. The zero Settings means each backend's defaults. A
// backend must not panic on any input.
//
// # Backends
//
// Simplex is the reference backend for small dense linear programs, built
// on gonum's simplex (gonum.org/v1/gonum/optimize/convex/lp). It converts
// the model to gonum's standard form (shifting finite lower bounds,
// mirroring variables with only an upper bound, splitting free variables
// and adding a slack row per box), presolves what gonum rejects (all-zero
// rows and columns, duplicated and linearly dependent rows), equilibrates
// rows and columns by
// powers of two because gonum's tolerances are absolute, and obtains the
// multipliers, which gonum does not return, from a second simplex solve of
// the dual LP. It is dense and its cost grows like n^3.3, so it serves as
// the cross-check of the other backends rather than for large fits; it
// reports no iteration count and solves no quadratic programs.
//
// InteriorPoint is the project's own backend for linear and quadratic
// programs: a primal-dual path-following (Mehrotra predictor-corrector)
// method that reduces each Newton step to the normal equations
// A Θ Aᵀ Δy = r, with Θ the diagonal built from Q and the bound
// complementarity pairs. For the 1-D programs of DESIGN §3 each column of A
// touches a few consecutive rows, so A Θ Aᵀ is banded and is factorised as
// a band in O(N) per iteration. Vanishing pivots of the band Cholesky factor
// are replaced by a huge number (dependent rows), free variables without a
// quadratic term get a tiny regularisation, and fixed variables (L = U) are
// rejected: eliminate them first. A solve can start from a given Point —
// the solution of a nearby model, moved into the interior — instead of the
// centred default, which saves iterations when a sequence of similar
// models is solved. It is cross-checked against Simplex on random LPs in
// the tests, from both starts.
//
// # Status
//
// Result.Status says how a solve ended:
//   - Optimal: converged to the requested tolerance; X (and, if the backend
//     has them, Y, ZL and ZU) are valid.
//   - AlmostOptimal: converged only to a reduced tolerance; the answer is
//     usable but should be verified before it is trusted.
//   - Infeasible: the constraints admit no point.
//   - Unbounded: the constraints admit points but the objective is
//     unbounded below.
//   - IterationLimit: the backend stopped at its iteration limit.
//   - NumericalError: the linear algebra broke down; nothing is known.
//   - NotSolved: the zero value, never returned by a finished solve.
//
// Status.Err maps Optimal and AlmostOptimal to nil and the others to the
// sentinel errors ErrInfeasible, ErrUnbounded, ErrIterationLimit and
// ErrNumerical, for callers that want an error; Status.String gives the
// names written in JSON output. New status values are only appended.
package lp
