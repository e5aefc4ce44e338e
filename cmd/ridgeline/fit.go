package main

import (
	"fmt"
	"io"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/solver"
)

func init() {
	commands["fit"] = runFit
	synopses["fit"] = "solve the convex problem of a data file to a certified optimum"
}

const fitDoc = `Fit solves min_f Σ_n ω_n ℓ(f(x_n) − y_n) + λ‖D^m f‖_M (or, with --loss interp,
min ‖D^m f‖_M subject to f(x_n) = y_n) to a certified global optimum and
prints J, the certified lower bound L, the gap and the knots; the optimal
spline is also the optimal shallow network with weight decay, one neuron
per knot (see 'go doc github.com/ridgeline-nn/ridgeline/cmd/ridgeline').
With --lambda-path K or --lambdas it solves a path of λ values, each
warm-started from the one before, and prints one row (or, with --json,
one JSON object in an array) per λ; with --cv K it chooses λ on the path
by K-fold cross-validation and refits at the chosen and the
one-standard-error λ.
Exit status 1 if the certified gap stays above --tol (the output is still
printed), 2 for bad input.
`

// runFit implements `ridgeline fit`.
func runFit(stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("fit", "ridgeline fit --data FILE [problem flags] [--lambda-path K [--path-ratio R] | --lambdas L1,L2,...] [--cv K [--seed S]] [--json] [--out FILE] [--plot FILE.png]", fitDoc)
	pf := &problemFlags{stderr: stderr}
	pf.register(fs.FlagSet)
	asJSON := fs.Bool("json", false, "print one JSON object (DESIGN §6) instead of the summary; with a path an array of them, one per λ; with --cv one object with the CV curve and the fits at the best and one-SE λ")
	out := fs.String("out", "", "write the optimal balanced network as a NETWORK JSON `FILE` (with a path: at the last λ; with --cv: at the best λ)")
	plotPath := fs.String("plot", "", "draw the data, the fit and its knots to `FILE` (.png, .svg, .pdf, …); with a path, J and the knots against λ; with --cv, the CV curve and the chosen fits")
	pt := &pathFlags{}
	pt.register(fs.FlagSet)
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if *plotPath != "" {
		if err := checkPlotFile(*plotPath); err != nil {
			return err
		}
	}
	if pt.active() {
		if err := pt.check(pf); err != nil {
			return err
		}
		return runPath(stdout, pf, pt, *asJSON, *out, *plotPath)
	}
	for _, name := range []string{"path-ratio", "seed"} {
		if pt.given(name) {
			pf.warn("--%s is ignored without --lambda-path, --lambdas or --cv", name)
		}
	}
	p, d, err := pf.load()
	if err != nil {
		return err
	}
	sol, err := solver.Solve(p, pf.options())
	if err != nil {
		return solveError(d, err)
	}
	o := newFitObject(p, sol)
	if *out != "" {
		if err := writeNetworkFile(*out, o.Network); err != nil {
			return err
		}
	}
	if *plotPath != "" {
		if err := writeFitPlot(*plotPath, d, p, sol); err != nil {
			return err
		}
	}
	if *asJSON {
		err = writeJSON(stdout, o)
	} else {
		err = writeFitSummary(stdout, d, p, sol, pf.tol)
	}
	if err != nil {
		return err
	}
	return shortfall(sol, pf.tol)
}

// solveError names the data file in an error of solver.Solve. Errors
// about the problem (unsupported, infeasible) keep their sentinels, so
// exitCode reports them as bad input.
func solveError(d *problem.Data, err error) error {
	return fmt.Errorf("%s: %w", d.File, err)
}

// shortfall returns a *shortError unless sol is certified optimal.
func shortfall(sol *solver.Solution, tol float64) error {
	if sol.Status == solver.Optimal {
		return nil
	}
	gap := sol.Certificate.Gap
	cmp := ">"
	if gap <= tol {
		// The backend gave up although the certificate is within the
		// tolerance; the status is what counts.
		cmp = "≤"
	}
	return &shortError{msg: fmt.Sprintf("solver stopped short: status %s, certified gap %.2g %s --tol %g",
		sol.Status, gap, cmp, tol)}
}
