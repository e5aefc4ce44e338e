// Package problem holds the data, losses and options of ridgeline's
// convex fitting problem, checks them, and reads data files.
//
// # The canonical objective
//
// Given N samples (x_n, y_n) with x_n ∈ R^d, y_n ∈ R and weights ω_n ≥ 0
// (default 1; a zero weight drops a sample from the loss), an order m ≥ 1
// and λ > 0, a [Problem] asks for
//
//	minimise  J(f) = Σ_n ω_n ℓ(f(x_n) − y_n) + λ‖D^m f‖_M
//
// over functions f, where ‖D^m f‖_M is the total variation of D^{m−1} f in
// one dimension (for a spline f(x) = Σ_k a_k ρ_m(x − t_k) + p(x) with
// distinct knots it is Σ_k |a_k|) and the Radon-domain total variation in
// d dimensions. For the interpolation loss the problem is instead
//
//	minimise  ‖D^m f‖_M  subject to  f(x_n) = y_n  for all n,
//
// and λ and the weights are ignored. With the skip connection (Problem.Skip)
// the polynomials of degree < m, the null space of D^m, are free. This exact
// scaling is used by every package, every output and every file of the
// toolkit (DESIGN §2): the value of a network with weight decay
// R(θ) = ½Σ_k (v_k² + |w_k|^{2(m−1)}) in place of ‖D^m f‖_M is its training
// objective, and the minimum over networks of width ≥ N − m equals the
// minimum over splines (Parhi & Nowak, IEEE SPL 27, 2020; JMLR 22, 2021;
// Savarese et al., COLT 2019).
//
// # Losses
//
// A [Loss] is a convex function of the residual r = f(x) − y given by its
// value, a subgradient and its convex conjugate ℓ*(s) = sup_r (s·r − ℓ(r)),
// which is what the dual programs and certificates use:
//
//	Squared   ℓ(r) = r²/2                                ℓ*(s) = s²/2
//	L1        ℓ(r) = |r|                                 ℓ*(s) = 0 on |s| ≤ 1
//	Huber(δ)  ℓ(r) = r²/2 if |r| ≤ δ, δ(|r| − δ/2) else   ℓ*(s) = s²/2 on |s| ≤ δ
//	Interp    ℓ(0) = 0, ℓ(r) = +∞ else                   ℓ*(s) = 0
//
// with ℓ*(s) = +∞ outside the given range. [ParseLoss] maps the
// command-line names interp, squared, l1 and huber to losses.
//
// # Duplicated inputs
//
// In one dimension, [Problem.Group1D] sorts the samples and gathers equal
// inputs, which share one fitted value (DESIGN §3); [Problem.GroupSorted]
// does the same for samples the caller has sorted ([SortedValues]), taking
// its sorted arrays as they are. The slices of [Groups] are read-only and
// may share memory with each other or with the caller's arrays. For the squared loss a
// group can be merged into one sample with the summed weight and the
// weighted mean target ȳ; the loss then drops the constant
// ½Σω(y − ȳ)² of each group, which [Groups.MergeConstant] returns so that
// it can be added back. Interpolation with different targets at one input
// is infeasible and reported as [ErrConflict].
//
// # Data files
//
// [ReadCSV] and [LoadCSV] read the data files of DESIGN §6: comma
// separated values, one sample per row. The first row is a header if any
// of its cells is not a number. [CSVOptions].Weights may name a column of
// weights ω_n (by header name or by 1-based column number), which must be
// finite, ≥ 0 and not all zero. The target is the column that
// [CSVOptions].Target names, by default the last column other than the
// weights; every other column is an input, in file order. Blank lines and lines starting with '#' are skipped, a
// UTF-8 byte-order mark is ignored, whitespace around cells is trimmed
// and RFC 4180 quoting is accepted. For example
//
//	# yearly sunspot numbers
//	year,sunspots
//	1700,5.0
//	1701,11.0
//
// Every value must be a finite number. A bad file gives an [*InputError]
// whose one-line message names the file, row (the line in the file) and
// column, such as
//
//	data.csv: row 4, column 2 ("y"): not a number: "abc"
//
// # Errors
//
// [Problem.Validate] and [Problem.Group1D] return errors that wrap the
// package's sentinel errors ([ErrNoData], [ErrBadLambda], [ErrBadOrder],
// [ErrBadWeights], [ErrNotFinite], [ErrConflict], …) so that callers can
// test them with [errors.Is]; samples are numbered from 1 in their
// messages and [Data].Lines maps a sample to its line in the file.
package problem
