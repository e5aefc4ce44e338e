package verify

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
	"github.com/ridgeline-nn/ridgeline/solver"
)

// KinkTol is the relative size below which a knot does not count as a kink
// in Kinks: |a_k| ≤ KinkTol·max_j |a_j| is the residue of a unit that
// gradient descent has not switched off exactly, not a visible corner.
const KinkTol = 1e-6

// DefaultGrid is the number of equally spaced points on the data range at
// which Compare measures the sup-norm distance (the data points are added).
const DefaultGrid = 2000

// Thresholds of Run.SecondsTo1Pct and Run.SecondsTo01Pct.
const (
	Within1Pct  = 0.01
	Within01Pct = 0.001
)

// CompareOptions configure Compare.
type CompareOptions struct {
	// Train configures every run; run i uses the seed Train.Seed + i. Its
	// Callback, if set, is called for every run.
	Train TrainOptions
	// Seeds is the number of runs; 0 means 1.
	Seeds int
	// Solver are the options of the convex solve.
	Solver solver.Options
	// Grid is the number of grid points for the sup-norm distance; 0 means
	// DefaultGrid.
	Grid int
	// Progress, if not nil, is called after every epoch of every run with
	// the run's index and the objective J(θ).
	Progress func(run, epoch int, elapsed time.Duration, objective float64)
}

// Comparison is the outcome of Compare.
type Comparison struct {
	// Optimum is the certified solution of the convex problem.
	Optimum *solver.Solution
	// OptimumKinks is Kinks of the optimal spline on the data range.
	OptimumKinks int
	// Lo and Hi are the data range on which kinks and distances are measured.
	Lo, Hi float64
	// Runs are the trained networks, one per seed.
	Runs []Run
}

// Run is one trained network compared with the optimum.
type Run struct {
	Seed      uint64
	Optimizer string
	// Objective is the final J(θ) and GapToOptimum is (J(θ) − J*)/|J*|.
	Objective    float64
	GapToOptimum float64
	// Seconds is the training wall time and Epochs the epochs run.
	Seconds float64
	Epochs  int
	// SecondsTo1Pct and SecondsTo01Pct are the wall times at which J(θ)
	// first came within 1% and 0.1% of J* (checked after every epoch), nil
	// if it never did.
	SecondsTo1Pct  *float64
	SecondsTo01Pct *float64
	// Kinks is the number of distinct kinks of the trained function on the
	// data range (see Kinks).
	Kinks int
	// SupDistance is max |f_θ(x) − f*(x)| over the data range, on Grid
	// equally spaced points plus the inputs.
	SupDistance float64
	// Report certifies the trained network (from its own residuals).
	Report *Report
	// Network and Trace are those of the TrainResult.
	Network *representer.Network
	Trace   []TracePoint
}

// Compare solves the convex problem of p to a certified optimum J* and
// trains opts.Seeds networks on the same objective (Train), and compares
// each with the optimum: the final J(θ) and its relative gap to J*, the
// wall time to come within 1% and 0.1% of J*, the number of distinct kinks
// and the sup-norm distance between the functions on the data range
// [min x_n, max x_n]. Runs are sequential, so their wall times are
// comparable. Compare needs 1-D data and a problem the solver handles;
// errors of solver.Solve and Train are returned wrapped.
func Compare(p *problem.Problem, opts CompareOptions) (*Comparison, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.Dim != 1 {
		return nil, fmt.Errorf("%w: compare with input dimension %d (1-D only)", ErrUnsupported, p.Dim)
	}
	sol, err := solver.Solve(p, opts.Solver)
	if err != nil {
		return nil, fmt.Errorf("verify: solving the convex problem: %w", err)
	}
	jstar := sol.Certificate.Objective
	cmp := &Comparison{Optimum: sol, Lo: slices.Min(p.X), Hi: slices.Max(p.X)}
	cmp.OptimumKinks = Kinks(sol.Spline, cmp.Lo, cmp.Hi)

	grid := opts.Grid
	if grid <= 0 {
		grid = DefaultGrid
	}
	xs := make([]float64, 0, grid+p.N())
	for i := 0; i < grid; i++ {
		xs = append(xs, cmp.Lo+(cmp.Hi-cmp.Lo)*float64(i)/float64(max(grid-1, 1)))
	}
	xs = append(xs, p.X...)
	slices.Sort(xs)
	fstar := make([]float64, len(xs))
	sol.Spline.EvalTo(fstar, xs)
	f := make([]float64, len(xs))

	seeds := max(opts.Seeds, 1)
	for i := 0; i < seeds; i++ {
		to := opts.Train
		to.Seed = opts.Train.Seed + uint64(i)
		run := Run{Seed: to.Seed}
		user := opts.Train.Callback
		to.Callback = func(epoch int, el time.Duration, obj float64) {
			g := relGap(obj, jstar)
			if run.SecondsTo1Pct == nil && g <= Within1Pct {
				s := el.Seconds()
				run.SecondsTo1Pct = &s
			}
			if run.SecondsTo01Pct == nil && g <= Within01Pct {
				s := el.Seconds()
				run.SecondsTo01Pct = &s
			}
			if user != nil {
				user(epoch, el, obj)
			}
			if opts.Progress != nil {
				opts.Progress(i, epoch, el, obj)
			}
		}
		res, err := Train(p, to)
		if err != nil {
			return nil, fmt.Errorf("verify: run %d (seed %d): %w", i, to.Seed, err)
		}
		run.Optimizer = to.Optimizer
		if run.Optimizer == "" {
			run.Optimizer = Adam
		}
		run.Objective, run.GapToOptimum = res.Objective, relGap(res.Objective, jstar)
		run.Seconds, run.Epochs = res.Seconds, res.Epochs
		run.Network, run.Trace = res.Network, res.Trace
		s, err := res.Network.Spline()
		if err != nil {
			return nil, fmt.Errorf("verify: run %d (seed %d): %w", i, to.Seed, err)
		}
		run.Kinks = Kinks(s, cmp.Lo, cmp.Hi)
		res.Network.EvalTo(f, xs)
		for j := range f {
			run.SupDistance = math.Max(run.SupDistance, math.Abs(f[j]-fstar[j]))
		}
		if run.Report, err = Certify(res.Network, p, CertifyOptions{}); err != nil {
			return nil, fmt.Errorf("verify: run %d (seed %d): %w", i, to.Seed, err)
		}
		cmp.Runs = append(cmp.Runs, run)
	}
	return cmp, nil
}

// Kinks returns the number of distinct kinks of the spline s strictly
// inside (lo, hi): knots t_k with lo < t_k < hi and
// |a_k| > KinkTol·max|a_j|, the maximum over the knots inside. Knots
// outside the range only change the extrapolation, and a knot at an end of
// the range adds a polynomial on the data. Knots that share a location
// have already been merged by representer.Network.Spline.
func Kinks(s *representer.Spline, lo, hi float64) int {
	amax := 0.0
	for k, t := range s.Knots {
		if t > lo && t < hi {
			amax = math.Max(amax, math.Abs(s.Amps[k]))
		}
	}
	n := 0
	for k, t := range s.Knots {
		if t > lo && t < hi && math.Abs(s.Amps[k]) > KinkTol*amax {
			n++
		}
	}
	return n
}
