// Package certificate verifies optimality for the one-dimensional convex
// problems of ridgeline (DESIGN §2 and §4): given a spline f and any dual
// vector u, it evaluates J(f) directly, turns u into a lower bound L on the
// optimum that holds whatever produced u, and reports the gap between them.
// Nothing a solver reports about its own solution is trusted.
//
// # The problem
//
// For samples (x_n, y_n) with weights ω_n ≥ 0, order m and λ > 0,
//
//	J(f) = Σ_n ω_n ℓ(f(x_n) − y_n) + λ ‖D^m f‖_M,   ℓ ∈ {½r², |r|, Huber_δ},
//
// or, for interpolation, J(f) = ‖D^m f‖_M subject to f(x_n) = y_n. For a
// spline f(x) = Σ_k a_k ρ_m(x − t_k) + p(x) with distinct knots and p of
// degree < m, ‖D^m f‖_M = Σ_k |a_k|, where
//
//	ρ_m(s) = max(s, 0)^{m−1}/(m−1)!   (m ≥ 2),    ρ_1(s) = 1 if s ≥ 0, else 0.
//
// # The primal side
//
// Evaluate computes J(f) from the spline itself: f at every input, the loss
// summed with the weights (a zero weight drops the sample), and Σ|a_k|. For
// interpolation J is +Inf when max|f(x_n) − y_n| exceeds a relative
// feasibility tolerance.
//
// # The dual side
//
// Fenchel duality with the loss's conjugate ℓ* gives, for every u ∈ R^N,
//
//	J(f) ≥ D(u) = Σ_n (y_n u_n − ω_n ℓ*(u_n/ω_n))
//
// whenever u is dual feasible: u is orthogonal to the polynomials of degree
// < m at the inputs (Pᵀu = 0, because the polynomial part of f is free) and
//
//	S = sup_t |η(t)| ≤ λ,   η(t) = Σ_n u_n ρ_m(x_n − t),
//
// since Σ_n u_n f(x_n) = Σ_k a_k η(t_k) ≤ S Σ_k |a_k|. Evaluate establishes
// feasibility from scratch in three steps.
//
//  1. Projection: u is projected onto {Pᵀu = 0} over the samples that carry
//     loss, by modified Gram–Schmidt on the monomials of the centred and
//     scaled inputs, applied twice. Samples of zero weight get u_n = 0.
//  2. Exact supremum: DualSup computes S on the whole real line, not on a
//     grid. Between consecutive inputs η is a polynomial of degree m − 1,
//     so its extremes are at the inputs or at the real roots of η' inside
//     an interval (none for m ≤ 2, one for m = 3, up to two for m = 4); η
//     vanishes right of the data and, for orthogonal u, left of it. A sweep
//     from the right carries the Taylor moments
//     M_p = Σ_{x_n ≥ x_j} u_n (x_n − x_j)^p/p! and shifts them from input to
//     input by the binomial rule, with compensated sums, in O(N·m²). Moments
//     left over at the first input mean u is not orthogonal, and S = +Inf.
//  3. Scaling: the bound is taken at the best feasible multiple αu,
//     0 ≤ |α| ≤ α_max = min(λ/S, min_n ω_n·b/|u_n|), where b is the
//     half-width of the conjugate's domain (1 for l1, δ for Huber, +Inf
//     for squared and interpolation; λ is 1 for interpolation).
//
// The scaled dual objective per loss:
//
//	squared, Huber:  D(αu) = α yᵀu − ½α² Σ_n u_n²/ω_n,  α = clip(yᵀu / Σ_n u_n²/ω_n, 0, α_max)
//	l1:              D(αu) = α yᵀu,  α = ±α_max (|αu_n| ≤ ω_n and αS ≤ λ)
//	interpolation:   D(αu) = α yᵀu,  α = ±1/S
//
// with the sign of α that of yᵀu for the linear duals, whose constraints are
// symmetric. DualSup never reports an S below an estimate of the rounding
// noise of η.
//
// L = D(αu) therefore does not depend on the scale of u, and u = 0 (or an
// infeasible u, S = +Inf) gives the trivial bound L = 0. When u is nil the
// natural choice u_n = −ω_n ℓ'(f(x_n) − y_n) is used, which is optimal at
// the optimum for the squared and Huber losses; the l1 and interpolation
// duals are not determined by the residuals and must come from the solver.
//
// # What is reported
//
// A Certificate holds J, the loss value, ‖D^m f‖_M, the largest residual,
// L, the relative gap (J − L)/|J| (0 when J = L), the absolute gap J − L, S
// and α. A lower bound never exceeds the true optimum; L > J is a bug.
//
// # Zero optima
//
// When the data are fitted exactly by a polynomial of degree < m the
// optimum is 0 and the relative gap is meaningless. Certified accepts a
// certificate whose relative gap is at most tol or whose absolute gap is at
// most tol·scale, with scale the natural size of the problem's objective
// from DataScale: ½Σω(y − ȳ)² for the squared and Huber losses, Σω|y − ȳ|
// for l1 and max|y − ȳ| for interpolation (ȳ the weighted mean).
//
// # Many certificates, sorted data
//
// An Evaluator prepares what does not depend on λ, on the function or on
// the dual once (the data in sorted order, checked against the order given;
// for m ≥ 2 the projection basis and the projected targets) and certifies
// any number of them, concurrently if need be: a regularisation path, or a
// solver that proposes several duals. Order 1 (step functions) has an
// evaluation of its own that works in sorted order throughout, in a few
// passes shared between two goroutines for large N. A solver that works on
// the sorted samples can take them from the Evaluator (Sorted), which has
// gathered them in the order given to NewEvaluator (ridgeline's order-1
// solve sorts only the indices, problem.SortedOrder, and reads the data in
// random order this once); one that holds sorted inputs already passes them
// to NewEvaluatorSorted, which checks them value for value instead of
// gathering a copy (and can gather the sorted targets for the solver in the
// same pass). Either passes its dual in sorted order to EvaluateSorted.
// What is checked is the same either way: that the order is a permutation
// that sorts the inputs, and that the data the certificate uses are the
// problem's.
//
// # References
//
// Parhi & Nowak, "Banach Space Representer Theorems for Neural Networks and
// Ridge Splines", JMLR 22 (2021), for the problem and its dual; Debarre et
// al. on the sparsest piecewise-linear interpolation, for knots at the data
// for m = 2.
package certificate
