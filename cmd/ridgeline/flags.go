package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/solver"
)

// flagSet is a command's flag.FlagSet with its usage line. It never
// writes to an output of its own: parse turns every flag error into one
// line and prints the usage only for -h.
type flagSet struct {
	*flag.FlagSet
	usage string // "ridgeline fit --data FILE [flags]"
	doc   string // what the command does, a few lines
}

// newFlagSet returns an empty flag set for the command name.
func newFlagSet(name, usage, doc string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // parse prints the usage itself, and only for -h
	return &flagSet{FlagSet: fs, usage: usage, doc: doc}
}

// parse parses args. For -h or -help it writes the usage to stderr and
// returns errHelp; a bad flag or a positional argument is a usage error
// whose message is one line naming the command.
func (fs *flagSet) parse(args []string, stderr io.Writer) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.printUsage(stderr)
		return errHelp
	case err != nil:
		return usagef("%s: %v (see 'ridgeline %s -h')", fs.Name(), err, fs.Name())
	case fs.NArg() > 0:
		return usagef("%s: unexpected argument %q (see 'ridgeline %s -h')", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

// printUsage writes the usage line, the description and the flags to w.
func (fs *flagSet) printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n\n%s\nFlags:\n", fs.usage, fs.doc)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// DefaultLambda is the default regularisation weight λ. It is in the
// canonical scaling of DESIGN §2 (unit weights, ½ in the squared loss), so
// it is only a sensible value when the targets are of order one: λ is the
// largest change of slope a single sample's residual can pay for.
const DefaultLambda = 1.0

// problemFlags are the flags that pose a problem (DESIGN §6), shared by
// every command that reads data: register them on a flag set, parse, then
// call load.
type problemFlags struct {
	// stderr receives warnings about ignored flags; nil discards them.
	stderr io.Writer

	data, target, weights string
	loss                  string
	huberDelta            float64
	lambda                float64
	order                 int
	noSkip                bool
	tol                   float64
	backend               string

	fs *flag.FlagSet // the set they were registered on, to see which were given
}

// register defines the problem flags on fs.
func (pf *problemFlags) register(fs *flag.FlagSet) {
	pf.fs = fs
	fs.StringVar(&pf.data, "data", "", "CSV data `FILE` (required): inputs x1..xd and a target, optional header")
	fs.StringVar(&pf.target, "target", "", "target column `COL`, by header name or 1-based number (default: the last column)")
	fs.StringVar(&pf.weights, "weights", "", "column `COL` of sample weights ω_n ≥ 0, by header name or number (default: all 1; ignored by interp)")
	fs.StringVar(&pf.loss, "loss", "squared", "data `loss`: interp, squared (½(f−y)²), l1 (|f−y|) or huber")
	fs.Float64Var(&pf.huberDelta, "huber-delta", 1, "transition point `D` > 0 of the huber loss")
	fs.Float64Var(&pf.lambda, "lambda", DefaultLambda, "regularisation weight `λ` > 0 on ‖D^m f‖_M (ignored by interp)")
	fs.IntVar(&pf.order, "order", 2, "order `M` of the regulariser: 2 is ReLU, 1 step, 3 ReLU²/2, 4 ReLU³/6")
	fs.BoolVar(&pf.noSkip, "no-skip", false, "networks without the skip connection (polynomial part)")
	fs.Float64Var(&pf.tol, "tol", solver.DefaultTol, "relative gap `T` the certificate must reach")
	fs.StringVar(&pf.backend, "backend", solver.Banded, "solver `backend`: banded or simplex")
}

// given reports whether the flag name was set on the command line.
func (pf *problemFlags) given(name string) bool {
	return pf.fs != nil && flagGiven(pf.fs, name)
}

// flagGiven reports whether the flag name was set on fs's command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// warn writes a one-line warning to pf.stderr.
func (pf *problemFlags) warn(format string, args ...any) {
	if pf.stderr != nil {
		fmt.Fprintf(pf.stderr, "ridgeline: warning: "+format+"\n", args...)
	}
}

// options returns the solver options the flags select.
func (pf *problemFlags) options() solver.Options {
	return solver.Options{Tol: pf.tol, Backend: pf.backend}
}

// load checks the flags, reads the data file and returns the problem it
// poses. Flag errors are usage errors; data errors are one line naming the
// file and, where they apply, the row and column (*problem.InputError).
func (pf *problemFlags) load() (*problem.Problem, *problem.Data, error) {
	loss, err := pf.check()
	if err != nil {
		return nil, nil, err
	}
	opt := problem.CSVOptions{Target: pf.target, Weights: pf.weights}
	d, err := problem.LoadCSV(pf.data, opt)
	if err != nil {
		return nil, nil, err
	}
	lambda := pf.lambda
	if problem.IsInterp(loss) {
		lambda = 0
	}
	p := d.Problem(loss, lambda, pf.order, !pf.noSkip)
	if err := p.Validate(); err != nil {
		// LoadCSV has checked every value, so this is a bug or a flag
		// combination check missed; say which file it is about anyway.
		return nil, nil, badInput(fmt.Errorf("%s: %w", d.File, err))
	}
	if problem.IsInterp(loss) {
		if err := conflict(d, opt); err != nil {
			return nil, nil, err
		}
	}
	return p, d, nil
}

// check validates the flag values and returns the loss.
func (pf *problemFlags) check() (problem.Loss, error) {
	if pf.data == "" {
		return nil, usagef("--data is required")
	}
	if !(pf.huberDelta > 0) || math.IsInf(pf.huberDelta, 0) {
		return nil, usagef("--huber-delta must be finite and > 0, got %v", pf.huberDelta)
	}
	loss, err := problem.ParseLoss(pf.loss, pf.huberDelta)
	if err != nil {
		return nil, usagef("--loss: %v", err)
	}
	if pf.given("huber-delta") {
		if _, ok := loss.(problem.Huber); !ok {
			pf.warn("--huber-delta is ignored with --loss %s", loss.Name())
		}
	}
	switch {
	case problem.IsInterp(loss):
		if pf.given("lambda") {
			pf.warn("--lambda is ignored with --loss interp")
		}
		if pf.weights != "" {
			pf.warn("--weights is ignored with --loss interp (the column is still read and checked)")
		}
	case math.IsNaN(pf.lambda) || math.IsInf(pf.lambda, 0) || pf.lambda < 0:
		return nil, usagef("--lambda must be finite and > 0, got %v", pf.lambda)
	case pf.lambda == 0:
		return nil, usagef("--lambda must be > 0 with --loss %s, got 0 (for the limit λ → 0 use --loss interp)", loss.Name())
	}
	if pf.order < 1 || pf.order > problem.MaxOrder {
		return nil, usagef("--order must be between 1 and %d, got %d", problem.MaxOrder, pf.order)
	}
	if !(pf.tol > 0 && pf.tol < 1) {
		return nil, usagef("--tol must be in (0, 1), got %v", pf.tol)
	}
	if pf.backend != solver.Banded && pf.backend != solver.Simplex {
		return nil, usagef("--backend must be %s or %s, got %q", solver.Banded, solver.Simplex, pf.backend)
	}
	return loss, nil
}

// conflict returns an *problem.InputError wrapping problem.ErrConflict for
// the first row (in file order) whose input repeats an earlier row's input
// with a different target: such data cannot be interpolated. The solver
// would find the same conflict, but by sample number, not by row.
func conflict(d *problem.Data, opt problem.CSVOptions) error {
	n, dim := d.N(), d.Dim
	x := func(i int) []float64 { return d.X[i*dim : (i+1)*dim] }
	ord := make([]int, n)
	for i := range ord {
		ord[i] = i
	}
	// Stable: within a group of equal inputs the rows stay in file order.
	slices.SortStableFunc(ord, func(a, b int) int { return slices.Compare(x(a), x(b)) })
	first, other := -1, -1
	for i := 0; i < n; {
		j := i + 1
		for j < n && slices.Equal(x(ord[j]), x(ord[i])) {
			if d.Y[ord[j]] != d.Y[ord[i]] && (other < 0 || ord[j] < other) {
				first, other = ord[i], ord[j]
			}
			j++
		}
		i = j
	}
	if other < 0 {
		return nil
	}
	col, name := targetColumn(d, opt)
	xs := strconv.FormatFloat(d.X[first*dim], 'g', -1, 64)
	if dim > 1 {
		xs = fmt.Sprint(x(first))
	}
	return &problem.InputError{
		File: d.File, Row: d.Lines[other], Col: col, Column: name,
		Msg: fmt.Sprintf("%s: x = %s has target %v here and %v on row %d",
			strings.TrimPrefix(problem.ErrConflict.Error(), "problem: "), xs, d.Y[other], d.Y[first], d.Lines[first]),
		Err: problem.ErrConflict,
	}
}

// targetColumn returns the 1-based column of d's target (0 if it cannot be
// told from d and opt) and its header name ("" without a header), following
// the column rules of problem.ReadCSV.
func targetColumn(d *problem.Data, opt problem.CSVOptions) (int, string) {
	name := ""
	if d.Header {
		name = d.Target
	}
	ncol := d.Dim + 1
	if d.W != nil {
		ncol++
	}
	switch {
	case opt.Target == "" && opt.Weights == "":
		return ncol, name
	case opt.Target != "" && !d.Header:
		if k, err := strconv.Atoi(strings.TrimSpace(opt.Target)); err == nil {
			return k, name
		}
	}
	return 0, name
}
