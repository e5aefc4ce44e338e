// Package solver computes certified optima of the convex problems of
// DESIGN §2–§4: for data (x_n, y_n), weights ω_n, an order m and λ > 0,
//
//	minimise J(f) = Σ_n ω_n ℓ(f(x_n) − y_n) + λ‖D^m f‖_M
//
// (or the interpolation problem), and returns the optimal spline together
// with a certificate whose lower bound was verified independently of the
// backend that produced the solution.
//
// # Programs
//
// For order 2 in one dimension the knots of an optimal spline can be taken
// at the interior data points (Savarese et al., COLT 2019; Debarre et al.),
// so the problem is finite: linear trend filtering on unequal spacing. Every
// program is built in standard units (x̃ ∈ [0, 1], ỹ centred and scaled,
// weights of mean 1) and mapped back; knots are kept at the exact data points.
//
// # Methods
//
//   - Squared loss: a primal-dual active-set method on the knot set
//     (Hintermüller, Ito & Kunisch 2003) in the hat basis of the current
//     knots — a tridiagonal least-squares system per round, assembled from
//     per-interval moments in O(K) — started coarse-to-fine from the same
//     problem on block centroids. Each round's search for violated
//     optimality conditions crosses blocks of 64 inputs in O(1) where a
//     bound keeps the dual function below λ (screen.go), and visits the
//     inputs of the others. Exact at its fixed point. A path (Path) starts
//     each λ from the previous λ's knots with a monotone descent
//     (descent.go).
//   - l1 and Huber losses: Mehrotra's interior point (package lp) on the dual
//     of the slope form z_{k+1} − z_k = h_k s_k, whose coefficients are 1 or a
//     spacing and whose normal equations are pentadiagonal; then the primal is
//     re-solved exactly on the identified knots and interpolated samples (l1)
//     or by a warm-started active set (Huber), and the dual is corrected so the
//     knot conditions hold to rounding. Beyond 2000 distinct inputs the l1
//     program is not given to the interior point whole: a working-set method
//     solves restricted programs (knots on a grid of inputs, samples far from
//     the fit held on their side in clusters), coarse to fine, checking the
//     whole program's optimality conditions in O(N) after each (l1workset.go).
//     Huber is first tried from the squared-loss optimum at the same λ (the
//     Huber optimum when its residuals are within δ; otherwise the start of
//     the active set with Huber regions, kept only if certified here).
//   - Interpolation: the piecewise-linear interpolant, certified by the dual
//     built from the signs of its slope changes.
//   - Order 1: total-variation denoising by an exact direct method.
//   - Reference: gonum's simplex on the knot-amplitude LP (Options.Backend =
//     Simplex; l1 and interpolation, small N), the independent cross-check.
//
// # Certificates
//
// Every Solution carries a certificate.Certificate: the objective evaluated
// from the returned spline, and the best lower bound among the dual vectors
// the backend proposed (its own dual, a polished dual, the residuals), each
// checked from scratch. Status Optimal means the certified relative gap is at
// most Options.Tol (or the absolute gap at most Tol times the data's scale
// where the optimum is 0) — the backend's own stopping rule is never trusted.
package solver
