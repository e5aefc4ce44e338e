// Ridgeline fits shallow ReLU networks exactly: it solves the convex
// total-variation spline problem that has the same optimum as training a
// single-hidden-layer network with weight decay, certifies the optimum with
// a dual lower bound, and writes the optimal spline back as a network.
//
// Usage:
//
//	ridgeline <command> [flags]
//
// The commands are:
//
//	fit      solve the convex problem of a data file to a certified optimum
//	certify  evaluate a given network (JSON or .npz) against the optimum
//	compare  train networks by SGD or Adam and compare them with the optimum
//	bench    generate benchmark data and time solves (see bench/README.md)
//	help     show the commands, or a command's flags (help COMMAND)
//	version  print the version of ridgeline and Go
//
// Every command prints a short human summary, or exactly one JSON object on
// stdout with --json (a λ path prints an array, see below); diagnostics go
// to stderr, one line each, prefixed "ridgeline: ".
//
// # Certify and compare
//
//	ridgeline certify --net NET.json|NET.npz --data FILE [problem flags] [--solve] [--json]
//
// reports the network's training objective J(θ) with its weight decay R(θ),
// its path norm, the norm ‖D^m f_θ‖_M of the function it computes (shared
// knots merged, backward neurons folded into the polynomial), a lower bound
// on the optimum certified from the network's own residuals, the gap, and
// with --solve the exact optimum and the gap to it. --order defaults to the
// network's order; a mismatch with the problem exits 2, as do malformed
// network files (missing arrays, wrong shapes, NaN weights).
//
//	ridgeline compare --data FILE [problem flags] [--width K] [--optimizer adam|sgd]
//	                  [--lr R] [--momentum M] [--epochs E] [--batch B] [--seeds S]
//	                  [--seed S0] [--init kaiming|uniform] [--budget DURATION]
//	                  [--plot cmp.png] [--json]
//
// solves the problem, trains S networks of width K on exactly the same
// objective (weight decay on input and output weights only, in standardised
// units mapped back exactly), and reports per seed the objective, the gap to
// the optimum, the time to come within 1% and 0.1%, the number of kinks and
// the largest distance between the functions. --plot writes the fits and a
// second file (cmp_objective.png) with the objective against wall time. A
// progress bar is shown on a terminal, not with --json.
//
// # The objective
//
// Given samples (x_n, y_n) with weights ω_n ≥ 0, ridgeline minimises over
// functions f
//
//	J(f) = Σ_n ω_n ℓ(f(x_n) − y_n) + λ‖D^m f‖_M
//
// with ℓ one of squared ½r², l1 |r| or huber(δ) (½r² for |r| ≤ δ, else
// δ(|r| − δ/2)); with --loss interp it minimises ‖D^m f‖_M subject to
// f(x_n) = y_n. For m = 2, ‖D²f‖_M is the total variation of f′: the sum of
// the absolute changes of slope. Every optimal f is a spline with at most
// N − m knots, and the spline with knots t_k and amplitudes a_k is the
// network
//
//	f(x) = Σ_k v_k ρ_m(w_k x − b_k) + c_0 + c_1 x + … + c_{m−1} x^{m−1},
//	ρ_2(t) = max(t, 0),  w_k = |a_k|^{1/(2(m−1))},  v_k = sign(a_k)|a_k|^{1/2},  b_k = w_k t_k,
//
// whose weight decay R(θ) = ½Σ_k (v_k² + w_k^{2(m−1)}) equals ‖D^m f‖_M.
// Biases and the skip connection (the polynomial) are not penalised. The
// minimum of J over such networks of width at least N − m equals the
// minimum over functions, so the network ridgeline prints is a global
// minimiser of the training objective Σω ℓ + λR(θ).
//
// # From PyTorch to the canonical scaling
//
// All input and output use the scaling above, with unit weights unless
// --weights names a column. A PyTorch model trained with nn.MSELoss() (the
// mean) and SGD or Adam weight_decay=wd applied to the input and output
// weights only (a parameter group without the biases) minimises
//
//	(1/N)Σ_n (f(x_n) − y_n)² + (wd/2)‖θ‖²  =  (2/N)·[Σ_n ½(f − y)² + (N·wd/2)·R(θ)],
//
// so it solves the problem of
//
//	ridgeline fit --data FILE --lambda L   with   L = N·wd/2
//
// (equivalently ω_n = 2/N and λ = wd); its objective is 2/N times
// ridgeline's J. PyTorch's default weight_decay also decays the biases:
// that is a different problem (the penalize_bias variant, which charges
// ∫√(1 + x²)|f″| in one dimension), which fit does not solve.
//
// # fit
//
//	ridgeline fit --data FILE [problem flags] [--json] [--out FILE] [--plot FILE.png]
//
// Fit solves the problem, certifies the optimum and prints a summary: the
// status, J, the certified lower bound L, the relative gap (J − L)/|J|
// (absolute J − L in parentheses), the number of knots, the solve time and,
// for at most 20 knots, the knots t_k and amplitudes a_k. Its own flags:
//
//	--json       print one JSON object instead (DESIGN §6): status, objective,
//	             lower_bound, gap, gap_abs, loss_value, regularizer, dim, order,
//	             loss, huber_delta (huber only), lambda (null for interp), skip,
//	             samples, knots, seconds, backend, iterations and network, the
//	             balanced NETWORK object. Values JSON cannot hold (an infinite
//	             gap) are null.
//	--out FILE   write the balanced network as a NETWORK JSON object, the
//	             format certify --net reads.
//	--plot FILE  draw the data, the optimal function and its knots (1-D data);
//	             the format follows the extension: .png, .svg, .pdf, .eps, .jpg, .tif.
//
// # λ paths and cross-validation
//
//	ridgeline fit --data FILE [problem flags] --lambda-path K [--path-ratio R] [--json] [--out FILE] [--plot FILE.png]
//	ridgeline fit --data FILE [problem flags] --lambdas L1,L2,... [--json] [--out FILE] [--plot FILE.png]
//	ridgeline fit --data FILE [problem flags] --cv K [--seed S] [--lambda-path K | --lambdas ...] [--json] [--out FILE] [--plot FILE.png]
//
// λ_max is the smallest λ for which the best polynomial of degree < m (the
// skip connection alone, a network without neurons) is optimal; above it
// every fit is that polynomial. A path solves the problem at several λ in
// the order given, each solve warm-started from the one before, and
// certifies every solution as a single fit does:
//
//	--lambda-path K  K values log-spaced from λ_max down to λ_max·R.
//	--path-ratio R   λ_min/λ_max of --lambda-path (and of the default path of
//	                 --cv), in (0, 1) (default 1e-4).
//	--lambdas LIST   the given comma-separated values, each > 0, in that order
//	                 (exclusive with --lambda-path).
//	--cv K           K-fold cross-validation (K ≥ 2, at most the number of
//	                 samples) on the path, by default 50 values from λ_max down
//	                 to λ_max·1e-4: the samples are shuffled by a PCG generator
//	                 seeded with --seed and dealt round-robin into K folds; for
//	                 each fold the path is solved on the other folds and scored
//	                 by the held-out loss Σω ℓ(f(x) − y)/Σω (beyond the training
//	                 inputs the fit extends linearly, as the network does). The
//	                 CV curve is the mean over the folds with its standard error;
//	                 "best" is the λ of least mean, "one-SE" the largest λ whose
//	                 mean is within one standard error of the best (the simpler
//	                 fit the data cannot tell from it). Both are refitted on all
//	                 the data (the path on all data gives them).
//	--seed S         the seed of the folds (default 1); the same seed gives the
//	                 same folds and the same result.
//
// --lambda is ignored with a warning; the interpolation loss has no λ and is
// rejected. The output:
//
//   - human: the problem, λ_max, and a table with one row per λ: λ, the
//     objective J, the certified gap and the number of knots (with --cv also
//     the CV loss mean ± standard error and the rows of the best and one-SE λ
//     marked, followed by their summary).
//   - --json with a path: a JSON array of fit objects (the --json object
//     above), one per λ in the order given. This is the one exception to
//     "exactly one JSON object": a path is a list of fits.
//   - --json with --cv: one object {"cv": {"lambdas", "mean", "stderr",
//     "best", "one_se", "folds", "seed"}, "best": fit object, "one_se": fit
//     object}, where best and one_se index lambdas and the two fit objects
//     are the fits on all data at those λ.
//   - --out FILE: the network at the last λ of a path, or at the best λ of
//     --cv.
//   - --plot FILE: for a path, one figure of two panels on a log λ axis: the
//     objective J and its loss part (top) and the number of knots (bottom);
//     for --cv, the CV curve with ±1 standard error bars and the best and
//     one-SE λ marked (top) and the data with the fits at those two λ
//     (bottom).
//
// The exit status is 1 if any solve on the path, or of a cross-validation
// fold, stops short of --tol; everything is printed first.
//
// Warm starts: for the squared loss of order 2 each λ starts the active-set
// method from the previous λ's knots, so a path of 50 values costs a small
// multiple of one solve; other losses are solved from scratch at every λ.
// For example, the sunspot numbers' path and cross-validation:
//
//	ridgeline fit --data testdata/sunspots.csv --lambda-path 30 --plot path.png
//	ridgeline fit --data testdata/sunspots.csv --cv 5 --plot cv.png
//
// # Problem flags
//
// Shared by every command that reads data:
//
//	--data FILE       CSV data (required): comma separated, '#' comments and
//	                  blank lines skipped; a first row that is not numeric is a
//	                  header. Columns are the inputs x1..xd and the target.
//	--target COL      the target column, by header name or 1-based number
//	                  (default: the last column other than the weights).
//	--weights COL     a column of sample weights ω_n ≥ 0, not all zero
//	                  (default: all 1; interp ignores them).
//	--loss L          interp, squared (default), l1 or huber.
//	--huber-delta D   the huber transition point δ > 0 (default 1).
//	--lambda λ        the regularisation weight, > 0 (default 1). λ has the
//	                  units of ℓ divided by those of a change of slope, so it
//	                  has to be chosen for the data; see the PyTorch mapping
//	                  above. Ignored, with a warning, by --loss interp.
//	--order M         the order m: 2 (default) is ReLU, 1 the step, 3 ReLU²/2,
//	                  4 ReLU³/6.
//	--no-skip         networks without the skip connection.
//	--tol T           the relative gap the certificate must reach (default 1e-8).
//	--backend B       banded (default: the project's structured solvers) or
//	                  simplex (gonum's simplex; l1 and interp, ≤ 400 samples).
//
// Orders 1 and 2 are solved; orders 3 and 4, more than one input column and
// --no-skip are part of the file format but not yet of the solver: fit
// rejects them as bad input.
//
// # Example
//
// The yearly mean sunspot numbers 1700–2008 (testdata/sunspots.csv, the
// public SIDC series as distributed with statsmodels; columns year and
// sunspots) with a moderate λ give a fit that follows every 11-year cycle
// with 85 knots (λ = 60 corresponds to PyTorch weight_decay 2·60/309 ≈ 0.39
// with MSELoss):
//
//	ridgeline fit --data testdata/sunspots.csv --lambda 60 --plot fit.png
//
// # Exit status
//
//	0  success: the certified gap is within --tol.
//	1  the solver stopped short of the requested gap; the summary or the JSON
//	   object is still printed and says how far it got. Also used for
//	   failures that are not the input's fault: an output file that cannot
//	   be written, or an internal error (a bug, reported as
//	   "ridgeline: internal error: ...").
//	2  bad input or usage: an unknown command or flag, a bad flag value, a
//	   problem the solver does not support, or a data file it cannot use.
//	   One line on stderr says what is wrong and, for data, names the file,
//	   the row and the column.
package main
