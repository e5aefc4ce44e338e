package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/solver"
)

// DefaultCVPath is the number of λ values cross-validation tries when
// neither --lambdas nor --lambda-path says which.
const DefaultCVPath = 50

// pathFlags are fit's flags for λ paths and cross-validation.
type pathFlags struct {
	fs      *flag.FlagSet
	count   int     // --lambda-path K
	ratio   float64 // --path-ratio
	list    string  // --lambdas a,b,c
	folds   int     // --cv K
	seed    uint64  // --seed
	lambdas []float64
}

func (pt *pathFlags) register(fs *flag.FlagSet) {
	pt.fs = fs
	fs.IntVar(&pt.count, "lambda-path", 0, "solve a path of `K` values of λ, log-spaced from λ_max (the smallest λ whose fit has no knot) down to λ_max·--path-ratio")
	fs.Float64Var(&pt.ratio, "path-ratio", solver.DefaultPathRatio, "λ_min/λ_max of a computed path, in (0, 1)")
	fs.StringVar(&pt.list, "lambdas", "", "solve a path at the given comma-separated `λ` values (each > 0), in that order")
	fs.IntVar(&pt.folds, "cv", 0, "choose λ on the path by `K`-fold cross-validation (K ≥ 2; default path: 50 values)")
	fs.Uint64Var(&pt.seed, "seed", 1, "seed `S` of the cross-validation folds")
}

// given reports whether the flag name was set on the command line.
func (pt *pathFlags) given(name string) bool { return flagGiven(pt.fs, name) }

// active reports whether a path or cross-validation was asked for.
func (pt *pathFlags) active() bool {
	return pt.given("lambda-path") || pt.given("lambdas") || pt.given("cv")
}

// check validates the path flags (before any data is read) and parses
// --lambdas.
func (pt *pathFlags) check(pf *problemFlags) error {
	if pt.given("lambda-path") && pt.given("lambdas") {
		return usagef("--lambda-path and --lambdas are exclusive: give the number of values or the values")
	}
	if pt.given("lambda-path") && pt.count < 1 {
		return usagef("--lambda-path must be at least 1, got %d", pt.count)
	}
	if !(pt.ratio > 0 && pt.ratio < 1) {
		return usagef("--path-ratio must be in (0, 1), got %v", pt.ratio)
	}
	if pt.given("cv") && pt.folds < 2 {
		return usagef("--cv must be at least 2 folds, got %d", pt.folds)
	}
	if pt.given("lambdas") {
		for i, f := range strings.Split(pt.list, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || !(v > 0) || math.IsInf(v, 0) {
				return usagef("--lambdas: value %d is %q, want a finite number > 0", i+1, strings.TrimSpace(f))
			}
			pt.lambdas = append(pt.lambdas, v)
		}
	}
	if loss, err := problem.ParseLoss(pf.loss, pf.huberDelta); err == nil && problem.IsInterp(loss) {
		return usagef("%s needs a loss with a λ; --loss interp has none", pt.which())
	}
	if pt.given("path-ratio") && !pt.computed() {
		pf.warn("--path-ratio is ignored with --lambdas")
	}
	if pt.given("seed") && !pt.given("cv") {
		pf.warn("--seed is ignored without --cv")
	}
	if pf.given("lambda") {
		pf.warn("--lambda is ignored with %s", pt.which())
	}
	return nil
}

// computed reports whether the λ values come from λ_max.
func (pt *pathFlags) computed() bool { return !pt.given("lambdas") }

// which names the flag that asked for several λ, for messages.
func (pt *pathFlags) which() string {
	switch {
	case pt.given("cv"):
		return "--cv"
	case pt.given("lambdas"):
		return "--lambdas"
	}
	return "--lambda-path"
}

// values returns the λ values: the given list, or log-spaced from λ_max.
func (pt *pathFlags) values(p *problem.Problem, d *problem.Data) (lambdas []float64, lmax float64, err error) {
	if !pt.computed() {
		return pt.lambdas, 0, nil
	}
	lmax, err = solver.LambdaMax(p)
	if err != nil {
		return nil, 0, solveError(d, err)
	}
	if !(lmax > 0) {
		return nil, 0, badInput(fmt.Errorf("%s: λ_max is 0: a polynomial of degree < %d fits the data exactly, so no λ has knots; give --lambdas", d.File, p.Order))
	}
	k := pt.count
	if k == 0 {
		k = DefaultCVPath
	}
	return solver.LogSpaced(lmax, k, pt.ratio), lmax, nil
}

// cvObject is the "cv" member of `fit --cv --json`.
type cvObject struct {
	Lambdas []float64 `json:"lambdas"`
	Mean    []number  `json:"mean"`
	StdErr  []number  `json:"stderr"`
	Best    int       `json:"best"`   // index into lambdas
	OneSE   int       `json:"one_se"` // index into lambdas
	Folds   int       `json:"folds"`
	Seed    uint64    `json:"seed"`
}

// cvFitObject is the `fit --cv --json` object: the cross-validation curve
// and the fits on all data at the chosen λ and at the one-standard-error λ.
type cvFitObject struct {
	CV    cvObject  `json:"cv"`
	Best  fitObject `json:"best"`
	OneSE fitObject `json:"one_se"`
}

// runPath carries out fit with --lambda-path, --lambdas or --cv.
func runPath(stdout io.Writer, pf *problemFlags, pt *pathFlags, asJSON bool, out, plotPath string) error {
	p, d, err := pf.load()
	if err != nil {
		return err
	}
	if pt.given("cv") && pt.folds > p.N() {
		return usagef("--cv %d: %s has only %d samples", pt.folds, d.File, p.N())
	}
	lambdas, lmax, err := pt.values(p, d)
	if err != nil {
		return err
	}
	var cv *solver.CVResult
	if pt.given("cv") {
		if cv, err = solver.CrossValidate(p, lambdas, pt.folds, pt.seed, pf.options()); err != nil {
			if errors.Is(err, solver.ErrFolds) {
				return badInput(solveError(d, err)) // e.g. folds without weight
			}
			return solveError(d, err)
		}
	}
	// The path on all data: the table, and with --cv the refits at the
	// chosen λ and at the one-standard-error λ.
	sols, err := solver.Path(p, lambdas, pf.options())
	if err != nil {
		return solveError(d, err)
	}
	objs := make([]fitObject, len(sols))
	for i, sol := range sols {
		q := *p
		q.Lambda = lambdas[i]
		objs[i] = newFitObject(&q, sol)
	}
	chosen := len(sols) - 1
	if cv != nil {
		chosen = cv.Best
	}
	if out != "" {
		if err := writeNetworkFile(out, objs[chosen].Network); err != nil {
			return err
		}
	}
	if plotPath != "" {
		if cv != nil {
			err = writeCVPlot(plotPath, d, cv, sols)
		} else {
			err = writePathPlot(plotPath, lambdas, objs)
		}
		if err != nil {
			return err
		}
	}
	switch {
	case asJSON && cv != nil:
		err = writeJSON(stdout, newCVFitObject(cv, objs))
	case asJSON:
		err = writeJSON(stdout, objs)
	default:
		err = writePathSummary(stdout, d, p, pt, lmax, objs, cv, pf.tol)
	}
	if err != nil {
		return err
	}
	return pathShortfall(sols, cv, pf.tol)
}

func newCVFitObject(cv *solver.CVResult, objs []fitObject) cvFitObject {
	o := cvFitObject{
		CV: cvObject{
			Lambdas: cv.Lambdas,
			Mean:    make([]number, len(cv.Mean)),
			StdErr:  make([]number, len(cv.StdErr)),
			Best:    cv.Best,
			OneSE:   cv.OneSE,
			Folds:   cv.Folds,
			Seed:    cv.Seed,
		},
		Best:  objs[cv.Best],
		OneSE: objs[cv.OneSE],
	}
	for i := range cv.Mean {
		o.CV.Mean[i], o.CV.StdErr[i] = number(cv.Mean[i]), number(cv.StdErr[i])
	}
	return o
}

// pathShortfall returns a *shortError if some solve on the path (or of a
// cross-validation fold) was not certified optimal.
func pathShortfall(sols []*solver.Solution, cv *solver.CVResult, tol float64) error {
	short, worst := 0, 0.0
	for _, sol := range sols {
		if sol.Status != solver.Optimal {
			short++
			worst = math.Max(worst, sol.Certificate.Gap)
		}
	}
	folds := 0
	if cv != nil {
		folds = cv.NotOptimal
	}
	switch {
	case short > 0:
		return &shortError{msg: fmt.Sprintf("solver stopped short at %d of %d values of λ: largest certified gap %.2g, --tol %g", short, len(sols), worst, tol)}
	case folds > 0:
		return &shortError{msg: fmt.Sprintf("solver stopped short in %d cross-validation solves (gap above --tol %g)", folds, tol)}
	}
	return nil
}

// writePathSummary writes the human summary of a path: the problem, then
// one row per λ with J, the gap and the knots (and with --cv the CV mean
// and standard error), then the chosen λ.
func writePathSummary(w io.Writer, d *problem.Data, p *problem.Problem, pt *pathFlags, lmax float64, objs []fitObject, cv *solver.CVResult, tol float64) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "data:        %s (%d samples", d.File, p.N())
	if d.Header && p.Dim == 1 {
		fmt.Fprintf(&b, ", x = %s, y = %s", d.Names[0], d.Target)
	}
	if d.Weights != "" {
		fmt.Fprintf(&b, ", weights %s", d.Weights)
	}
	fmt.Fprintf(&b, ")\n")
	fmt.Fprintf(&b, "problem:     %s", p.Loss.Name())
	if h, ok := p.Loss.(problem.Huber); ok {
		fmt.Fprintf(&b, " (δ = %g)", h.Delta)
	}
	fmt.Fprintf(&b, ", order %d (%s)", p.Order, orderName(p.Order))
	if p.Skip {
		fmt.Fprintf(&b, ", skip connection\n")
	} else {
		fmt.Fprintf(&b, ", no skip connection\n")
	}
	if pt.computed() {
		fmt.Fprintf(&b, "path:        %d values of λ from λ_max = %.6g down to λ_max·%g\n", len(objs), lmax, pt.ratio)
	} else {
		fmt.Fprintf(&b, "path:        %d given values of λ\n", len(objs))
	}
	optimal := 0
	for _, o := range objs {
		if o.Status == solver.Optimal.String() {
			optimal++
		}
	}
	fmt.Fprintf(&b, "status:      %d of %d optimal (requested gap %g)\n", optimal, len(objs), tol)
	if cv != nil {
		fmt.Fprintf(&b, "cv:          %d folds (seed %d), held-out loss Σω ℓ / Σω: mean ± standard error\n", cv.Folds, cv.Seed)
	}
	fmt.Fprintf(&b, "\n%12s  %15s  %8s  %6s", "λ", "objective", "gap", "knots")
	if cv != nil {
		fmt.Fprintf(&b, "  %23s", "CV loss")
	}
	fmt.Fprintf(&b, "\n")
	for i, o := range objs {
		fmt.Fprintf(&b, "%12.6g  %15.9g  %8.2g  %6d", *o.Lambda, float64(o.Objective), float64(o.Gap), o.Knots)
		if cv != nil {
			fmt.Fprintf(&b, "  %11.5g ± %9.3g", cv.Mean[i], cv.StdErr[i])
			switch {
			case i == cv.Best && i == cv.OneSE:
				fmt.Fprintf(&b, "  best, one-SE")
			case i == cv.Best:
				fmt.Fprintf(&b, "  best")
			case i == cv.OneSE:
				fmt.Fprintf(&b, "  one-SE")
			}
		}
		if o.Status != solver.Optimal.String() {
			fmt.Fprintf(&b, "  %s", o.Status)
		}
		fmt.Fprintf(&b, "\n")
	}
	if cv != nil {
		for _, c := range []struct {
			name string
			i    int
		}{{"best", cv.Best}, {"one-SE", cv.OneSE}} {
			fmt.Fprintf(&b, "\n%-8s λ = %.6g: CV loss %.6g ± %.3g, J = %.9g, %d knots",
				c.name+":", cv.Lambdas[c.i], cv.Mean[c.i], cv.StdErr[c.i], float64(objs[c.i].Objective), objs[c.i].Knots)
		}
		fmt.Fprintf(&b, "\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// logAxis puts a log scale with powers-of-ten ticks on the axis.
func logAxis(a *plot.Axis) {
	a.Scale = plot.LogScale{}
	a.Tick.Marker = plot.LogTicks{Prec: -1}
}

// byLambda returns the indices of lambdas in increasing order of λ.
func byLambda(lambdas []float64) []int {
	idx := make([]int, len(lambdas))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case lambdas[a] < lambdas[b]:
			return -1
		case lambdas[a] > lambdas[b]:
			return 1
		}
		return 0
	})
	return idx
}

// lambdaRange sets the x range of a log-λ axis around the values.
func lambdaRange(a *plot.Axis, lambdas []float64) {
	lo, hi := slices.Min(lambdas), slices.Max(lambdas)
	a.Min, a.Max = lo/1.25, hi*1.25
}

// writePathPlot writes the figure of a path to path: the objective J and
// its loss part against λ (top) and the number of knots against λ
// (bottom), both on a log λ axis, in one file of two panels.
func writePathPlot(path string, lambdas []float64, objs []fitObject) error {
	top, bottom := plot.New(), plot.New()
	top.Title.Text = fmt.Sprintf("λ path: %d values, %d to %d knots", len(objs), minKnots(objs), maxKnots(objs))
	top.Title.TextStyle.Font.Size = vg.Points(13)
	top.Title.Padding = vg.Points(6)
	top.Y.Label.Text = "objective"
	bottom.Y.Label.Text = "knots (neurons)"
	bottom.X.Label.Text = "λ"
	idx := byLambda(lambdas)
	positive := true
	jxy, lxy, kxy := make(plotter.XYs, 0, len(idx)), make(plotter.XYs, 0, len(idx)), make(plotter.XYs, 0, len(idx))
	for _, i := range idx {
		o := objs[i]
		jxy = append(jxy, plotter.XY{X: lambdas[i], Y: float64(o.Objective)})
		lxy = append(lxy, plotter.XY{X: lambdas[i], Y: float64(o.LossValue)})
		kxy = append(kxy, plotter.XY{X: lambdas[i], Y: float64(o.Knots)})
		positive = positive && o.Objective > 0 && o.LossValue > 0
	}
	for _, pl := range []*plot.Plot{top, bottom} {
		pl.Add(plotter.NewGrid())
		logAxis(&pl.X)
		lambdaRange(&pl.X, lambdas)
		pl.Legend.Top, pl.Legend.Left = true, true
	}
	if positive {
		logAxis(&top.Y)
	}
	for _, s := range []struct {
		xy   plotter.XYs
		name string
		pl   *plot.Plot
		col  color.Color
	}{
		{jxy, "J = loss + λ·regularizer", top, fitColor},
		{lxy, "loss Σω ℓ", top, otherColor},
		{kxy, "knots", bottom, knotColor},
	} {
		ln, pts, err := plotter.NewLinePoints(s.xy)
		if err != nil {
			return &internalError{msg: fmt.Sprintf("plotting the path: %v", err)}
		}
		col := s.col
		ln.Color, ln.Width = col, vg.Points(1.5)
		pts.Color, pts.Shape, pts.Radius = col, draw.CircleGlyph{}, vg.Points(2.5)
		s.pl.Add(ln, pts)
		s.pl.Legend.Add(s.name, ln, pts)
	}
	bottom.Y.Min = 0
	bottom.Y.Max = math.Max(1, float64(maxKnots(objs))) * 1.15
	return saveTiles(path, [][]*plot.Plot{{top}, {bottom}})
}

func minKnots(objs []fitObject) int {
	k := math.MaxInt
	for _, o := range objs {
		k = min(k, o.Knots)
	}
	return k
}

func maxKnots(objs []fitObject) int {
	k := 0
	for _, o := range objs {
		k = max(k, o.Knots)
	}
	return k
}

// cvLegendRoom is the fraction of the CV curve's range added at the top
// for its legend of three entries.
const cvLegendRoom = 0.3

// cvErrors are the points of a CV curve with their standard errors, for
// plotter.YErrorBars.
type cvErrors struct {
	plotter.XYs
	plotter.YErrors
}

// writeCVPlot writes the figure of a cross-validation to path: the CV curve
// with ±1 standard error bars on a log λ axis with the best and the
// one-standard-error λ marked (top), and the data with the fits on all data
// at those two λ (bottom).
func writeCVPlot(path string, d *problem.Data, cv *solver.CVResult, sols []*solver.Solution) error {
	top := plot.New()
	top.Title.Text = fmt.Sprintf("%d-fold cross-validation (seed %d): best λ = %.4g, one-SE λ = %.4g",
		cv.Folds, cv.Seed, cv.Lambdas[cv.Best], cv.Lambdas[cv.OneSE])
	top.Title.TextStyle.Font.Size = vg.Points(13)
	top.Title.Padding = vg.Points(6)
	top.X.Label.Text = "λ"
	top.Y.Label.Text = "held-out loss Σω ℓ / Σω"
	top.Add(plotter.NewGrid())
	logAxis(&top.X)
	lambdaRange(&top.X, cv.Lambdas)
	top.Legend.Top = true
	idx := byLambda(cv.Lambdas)
	pts := cvErrors{XYs: make(plotter.XYs, len(idx)), YErrors: make(plotter.YErrors, len(idx))}
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for k, i := range idx {
		pts.XYs[k] = plotter.XY{X: cv.Lambdas[i], Y: cv.Mean[i]}
		pts.YErrors[k] = struct{ Low, High float64 }{cv.StdErr[i], cv.StdErr[i]}
		ymin = math.Min(ymin, cv.Mean[i]-cv.StdErr[i])
		ymax = math.Max(ymax, cv.Mean[i]+cv.StdErr[i])
	}
	ln, sc, err := plotter.NewLinePoints(pts.XYs)
	if err != nil {
		return &internalError{msg: fmt.Sprintf("plotting the CV curve: %v", err)}
	}
	ln.Color, ln.Width = fitColor, vg.Points(1.5)
	sc.Color, sc.Shape, sc.Radius = fitColor, draw.CircleGlyph{}, vg.Points(2.5)
	bars, err := plotter.NewYErrorBars(pts)
	if err != nil {
		return &internalError{msg: fmt.Sprintf("plotting the CV curve: %v", err)}
	}
	bars.Color = fitColor
	top.Add(ln, sc, bars)
	top.Legend.Add("CV loss ± 1 standard error", ln, sc)
	if r := ymax - ymin; r > 0 {
		ymin, ymax = ymin-0.05*r, ymax+cvLegendRoom*r
	}
	top.Y.Min, top.Y.Max = ymin, ymax
	for _, m := range []struct {
		i      int
		name   string
		col    color.Color
		dashed bool
	}{
		{cv.Best, fmt.Sprintf("best λ = %.4g", cv.Lambdas[cv.Best]), knotColor, false},
		{cv.OneSE, fmt.Sprintf("one-SE λ = %.4g", cv.Lambdas[cv.OneSE]), otherColor, true},
	} {
		v, err := plotter.NewLine(plotter.XYs{{X: cv.Lambdas[m.i], Y: ymin}, {X: cv.Lambdas[m.i], Y: ymax}})
		if err != nil {
			return &internalError{msg: fmt.Sprintf("plotting the CV curve: %v", err)}
		}
		v.Color = m.col
		v.Width = vg.Points(1.5)
		if m.dashed {
			v.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		top.Add(v)
		top.Legend.Add(m.name, v)
	}

	bottom, err := newDataPlot(d)
	if err != nil {
		return err
	}
	lo, hi := plotRange(d.X)
	best, onese := sols[cv.Best].Spline, sols[cv.OneSE].Spline
	if err := addSpline(bottom, best, lo, hi, fmt.Sprintf("fit at the best λ (%d knots)", len(best.Knots)), fitColor); err != nil {
		return err
	}
	if err := addKnots(bottom, best, "its knots", knotColor); err != nil {
		return err
	}
	if cv.OneSE != cv.Best {
		// Dashed and on top, so that both show where they agree.
		xs := make([]float64, plotPoints)
		for i := range xs {
			xs[i] = lo + (hi-lo)*float64(i)/(plotPoints-1)
		}
		xs = append(xs, onese.Knots...)
		slices.Sort(xs)
		ys := make([]float64, len(xs))
		onese.EvalTo(ys, xs)
		xy := make(plotter.XYs, 0, len(xs))
		for i, x := range xs {
			if x >= lo && x <= hi {
				xy = append(xy, plotter.XY{X: x, Y: ys[i]})
			}
		}
		ln, err := plotter.NewLine(xy)
		if err != nil {
			return &internalError{msg: fmt.Sprintf("plotting the one-SE fit: %v", err)}
		}
		ln.Color, ln.Width = otherColor, vg.Points(1.5)
		ln.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		bottom.Add(ln)
		bottom.Legend.Add(fmt.Sprintf("fit at the one-SE λ (%d knots)", len(onese.Knots)), ln)
	}
	setRanges(bottom, d, lo, hi, best, onese)
	return saveTiles(path, [][]*plot.Plot{{top}, {bottom}})
}
