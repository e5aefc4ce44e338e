package main

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
	"github.com/ridgeline-nn/ridgeline/verify"
)

func init() {
	commands["compare"] = runCompare
	synopses["compare"] = "train networks by Adam or SGD and compare them with the certified optimum"
}

const compareDoc = `Compare solves the convex problem of a data file to a certified optimum J*
and trains --seeds networks by Adam or SGD on exactly the same objective
J(θ) = Σω ℓ + λR(θ) (weight decay on the input and output weights, not on
the biases or the skip connection; the canonical problem of DESIGN §2, not
PyTorch's default that also decays biases). Training runs in standardised
units (x and y centred and scaled, mapped back exactly) so that the
learning rate does not depend on the data's units; every reported number is
in the problem's units. The runs are sequential; each stops after --epochs
or --budget, whichever comes first.

For every seed it prints the final J(θ) and its relative gap (J(θ) − J*)/J*,
the wall time until J(θ) first came within 1% and 0.1% of J* ("never" if it
did not), the number of distinct kinks of the trained function inside the
data range (knots with |a| > 1e-6·max|a|) against the optimum's, and the
sup-norm distance between the trained and the optimal function on the data
range (2000 grid points and the inputs). With --plot FILE.png it also draws
the data, the optimal spline and its knots and the trained functions to
FILE.png, and the objective against wall time to FILE_objective.png (for
FILE_fit.png, to FILE_objective.png).
Exit status 1 if the optimum is not certified to --tol, 2 for bad input.
`

// runCompare implements `ridgeline compare`.
func runCompare(stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("compare", "ridgeline compare --data FILE [problem flags] [training flags] [--plot cmp.png] [--json]", compareDoc)
	pf := &problemFlags{stderr: stderr}
	pf.register(fs.FlagSet)
	width := fs.Int("width", 0, "hidden units `K` (default: the number of samples N, at least the N − m an optimum needs)")
	optimizer := fs.String("optimizer", verify.Adam, "`optimizer`: adam or sgd")
	lr := fs.Float64("lr", 0, fmt.Sprintf("learning rate `R` in standardised units (default %g for adam, %g for sgd)", verify.DefaultAdamLR, verify.DefaultSGDLR))
	momentum := fs.Float64("momentum", 0, "heavy-ball `momentum` of sgd, in [0, 1)")
	epochs := fs.Int("epochs", 0, fmt.Sprintf("epochs `E` per seed (default %d, or unlimited with --budget)", verify.DefaultEpochs))
	batch := fs.Int("batch", 0, "minibatch size `B` (default: full batch)")
	seeds := fs.Int("seeds", 3, "number of training runs `S`")
	seed := fs.Uint64("seed", 1, "`seed` of the first run; run i uses seed+i")
	initName := fs.String("init", verify.InitKaiming, "initialisation: kaiming (kinks spread over the data) or uniform (PyTorch's default)")
	budget := fs.Duration("budget", 0, "wall-time `DURATION` per seed, e.g. 15s (default: no limit)")
	plotPath := fs.String("plot", "", "draw the data, the optimum and the trained functions to `FILE` and the objective against time to FILE_objective")
	asJSON := fs.Bool("json", false, "print one JSON object (DESIGN §6) instead of the table")
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	switch {
	case *width < 0:
		return usagef("--width must be ≥ 1, got %d", *width)
	case *optimizer != verify.Adam && *optimizer != verify.SGD:
		return usagef("--optimizer must be %s or %s, got %q", verify.Adam, verify.SGD, *optimizer)
	case *lr < 0 || math.IsNaN(*lr) || math.IsInf(*lr, 0):
		return usagef("--lr must be finite and > 0, got %v", *lr)
	case !(*momentum >= 0 && *momentum < 1):
		return usagef("--momentum must be in [0, 1), got %v", *momentum)
	case *epochs < 0:
		return usagef("--epochs must be ≥ 1, got %d", *epochs)
	case *batch < 0:
		return usagef("--batch must be ≥ 1, got %d", *batch)
	case *seeds < 1:
		return usagef("--seeds must be ≥ 1, got %d", *seeds)
	case *budget < 0:
		return usagef("--budget must be positive, got %v", *budget)
	case *initName != verify.InitKaiming && *initName != verify.InitUniform:
		return usagef("--init must be %s or %s, got %q", verify.InitKaiming, verify.InitUniform, *initName)
	}
	if *plotPath != "" {
		if err := checkPlotFile(*plotPath); err != nil {
			return err
		}
	}
	p, d, err := pf.load()
	if err != nil {
		return err
	}
	if p.Dim != 1 {
		return usagef("compare: %s has %d input columns; compare needs 1-D data", d.File, p.Dim)
	}
	if problem.IsInterp(p.Loss) {
		return usagef("compare: --loss interp cannot be trained by gradient descent; use squared with a small --lambda")
	}
	opts := verify.CompareOptions{
		Train: verify.TrainOptions{
			Width: *width, Optimizer: *optimizer, LR: *lr, Momentum: *momentum,
			Epochs: *epochs, BatchSize: *batch, Seed: *seed, Init: *initName, Budget: *budget,
		},
		Seeds:  *seeds,
		Solver: pf.options(),
	}
	var bar *trainingBar
	if !*asJSON && isTerminal(stderr) {
		bar = newTrainingBar(stderr, opts)
		opts.Progress = bar.update
	}
	cmp, err := verify.Compare(p, opts)
	if bar != nil {
		bar.finish() // clears the bar before anything else is printed
	}
	if err != nil {
		if errors.Is(err, verify.ErrUnsupported) || errors.Is(err, verify.ErrDiverged) {
			return badInput(fmt.Errorf("%s: %w", d.File, &trimmed{err: err, prefix: "verify: "}))
		}
		return solveError(d, err)
	}
	if *plotPath != "" {
		if err := writeComparePlots(*plotPath, d, cmp); err != nil {
			return err
		}
	}
	if *asJSON {
		err = writeJSON(stdout, newCompareObject(p, cmp, opts))
	} else {
		err = writeCompareTable(stdout, d, p, cmp, opts)
	}
	if err != nil {
		return err
	}
	return shortfall(cmp.Optimum, pf.tol)
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// trainingBar is the progress bar of compare on a terminal: one unit per
// thousandth of a run, a run's progress being the larger of its fractions
// of --epochs and --budget.
type trainingBar struct {
	bar    *progressbar.ProgressBar
	opts   verify.CompareOptions
	epochs int
	last   time.Time
}

// barInterval is the least time between two updates of the progress bar.
const barInterval = 100 * time.Millisecond

func newTrainingBar(w io.Writer, opts verify.CompareOptions) *trainingBar {
	epochs := opts.Train.Epochs
	if epochs == 0 && opts.Train.Budget == 0 {
		epochs = verify.DefaultEpochs
	}
	return &trainingBar{
		bar: progressbar.NewOptions64(int64(1000*opts.Seeds),
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("training"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(barInterval)),
		opts:   opts,
		epochs: epochs,
	}
}

func (b *trainingBar) update(run, epoch int, elapsed time.Duration, obj float64) {
	if time.Since(b.last) < barInterval {
		return
	}
	b.last = time.Now()
	frac := 0.0
	if b.epochs > 0 {
		frac = float64(epoch) / float64(b.epochs)
	}
	if bd := b.opts.Train.Budget; bd > 0 {
		frac = math.Max(frac, elapsed.Seconds()/bd.Seconds())
	}
	b.bar.Describe(fmt.Sprintf("seed %d/%d  J = %.6g", run+1, b.opts.Seeds, obj))
	_ = b.bar.Set64(int64(1000*run) + int64(1000*math.Min(frac, 1)))
}

func (b *trainingBar) finish() {
	_ = b.bar.Finish()
}

// compareObject is the `compare --json` object of DESIGN §6.
type compareObject struct {
	Optimum      fitObject      `json:"optimum"`
	OptimumKinks int            `json:"optimum_kinks"` // kinks of the optimum inside the data range
	Training     trainingObject `json:"training"`
	Runs         []runObject    `json:"runs"`
}

// trainingObject records the training options of a comparison.
type trainingObject struct {
	Width     int     `json:"width"`
	Optimizer string  `json:"optimizer"`
	LR        float64 `json:"lr"`
	Momentum  float64 `json:"momentum"`
	Epochs    int     `json:"epochs"`     // 0: until the budget
	BatchSize int     `json:"batch_size"` // 0: full batch
	Init      string  `json:"init"`
	Budget    float64 `json:"budget_seconds"` // per seed, 0: none
	Seeds     int     `json:"seeds"`
}

// runObject is one run of `compare --json`.
type runObject struct {
	Seed           uint64  `json:"seed"`
	Optimizer      string  `json:"optimizer"`
	Objective      number  `json:"objective"`      // final J(θ)
	GapToOptimum   number  `json:"gap_to_optimum"` // (J(θ) − J*)/|J*|
	LowerBound     number  `json:"lower_bound"`    // certified from its own residuals
	Seconds        number  `json:"seconds"`
	Epochs         int     `json:"epochs"`
	SecondsTo1Pct  *number `json:"seconds_to_1pct"`   // null if never
	SecondsTo01Pct *number `json:"seconds_to_0_1pct"` // null if never
	Kinks          int     `json:"kinks"`
	SupDistance    number  `json:"sup_distance"`
}

func newCompareObject(p *problem.Problem, cmp *verify.Comparison, opts verify.CompareOptions) compareObject {
	o := compareObject{
		Optimum:      newFitObject(p, cmp.Optimum),
		OptimumKinks: cmp.OptimumKinks,
		Training:     newTrainingObject(p, cmp, opts),
	}
	ptr := func(x *float64) *number {
		if x == nil {
			return nil
		}
		n := number(*x)
		return &n
	}
	for _, r := range cmp.Runs {
		o.Runs = append(o.Runs, runObject{
			Seed: r.Seed, Optimizer: r.Optimizer,
			Objective: number(r.Objective), GapToOptimum: number(r.GapToOptimum),
			LowerBound: number(r.Report.LowerBound),
			Seconds:    number(r.Seconds), Epochs: r.Epochs,
			SecondsTo1Pct: ptr(r.SecondsTo1Pct), SecondsTo01Pct: ptr(r.SecondsTo01Pct),
			Kinks: r.Kinks, SupDistance: number(r.SupDistance),
		})
	}
	return o
}

func newTrainingObject(p *problem.Problem, cmp *verify.Comparison, opts verify.CompareOptions) trainingObject {
	t := opts.Train
	o := trainingObject{Width: t.Width, Optimizer: t.Optimizer, LR: t.LR, Momentum: t.Momentum,
		Epochs: t.Epochs, BatchSize: t.BatchSize, Init: t.Init, Budget: t.Budget.Seconds(), Seeds: opts.Seeds}
	if len(cmp.Runs) > 0 {
		o.Width = len(cmp.Runs[0].Network.Neurons)
	}
	if o.LR == 0 {
		o.LR = verify.DefaultAdamLR
		if t.Optimizer == verify.SGD {
			o.LR = verify.DefaultSGDLR
		}
	}
	if o.Epochs == 0 && t.Budget == 0 {
		o.Epochs = verify.DefaultEpochs
	}
	if o.BatchSize >= p.N() {
		o.BatchSize = 0
	}
	return o
}

// writeCompareTable writes the human summary of a comparison: the optimum
// and one row per run.
func writeCompareTable(w io.Writer, d *problem.Data, p *problem.Problem, cmp *verify.Comparison, opts verify.CompareOptions) error {
	var b bytes.Buffer
	c := cmp.Optimum.Certificate
	t := newTrainingObject(p, cmp, opts)
	fmt.Fprintf(&b, "data:      %s (%d samples), %s", d.File, p.N(), p.Loss.Name())
	if h, ok := p.Loss.(problem.Huber); ok {
		fmt.Fprintf(&b, " (δ = %g)", h.Delta)
	}
	fmt.Fprintf(&b, ", λ = %g, order %d (%s)\n", p.Lambda, p.Order, orderName(p.Order))
	fmt.Fprintf(&b, "optimum:   J* = %.8g (%s, certified gap %.2g), %d kinks, solved in %.3g s\n",
		c.Objective, cmp.Optimum.Status, c.Gap, cmp.OptimumKinks, cmp.Optimum.Seconds)
	fmt.Fprintf(&b, "training:  %s, lr %g", t.Optimizer, t.LR)
	if t.Optimizer == verify.SGD && t.Momentum > 0 {
		fmt.Fprintf(&b, ", momentum %g", t.Momentum)
	}
	fmt.Fprintf(&b, ", width %d, ", t.Width)
	if t.BatchSize == 0 {
		fmt.Fprintf(&b, "full batch")
	} else {
		fmt.Fprintf(&b, "batch %d", t.BatchSize)
	}
	if t.Epochs > 0 {
		fmt.Fprintf(&b, ", %d epochs", t.Epochs)
	}
	if opts.Train.Budget > 0 {
		fmt.Fprintf(&b, ", budget %v", opts.Train.Budget)
	}
	fmt.Fprintf(&b, " per seed, init %s\n\n", t.Init)

	fmt.Fprintf(&b, "%5s  %-9s  %14s  %10s  %8s  %8s  %8s  %8s  %5s  %11s\n",
		"seed", "optimizer", "objective", "gap to J*", "seconds", "epochs", "to 1%", "to 0.1%", "kinks", "sup |f−f*|")
	for _, r := range cmp.Runs {
		fmt.Fprintf(&b, "%5d  %-9s  %14.8g  %10s  %8.3g  %8d  %8s  %8s  %5d  %11.3g\n",
			r.Seed, r.Optimizer, r.Objective, gapString(r.GapToOptimum), r.Seconds, r.Epochs,
			secondsString(r.SecondsTo1Pct), secondsString(r.SecondsTo01Pct), r.Kinks, r.SupDistance)
	}
	fmt.Fprintf(&b, "%5s  %-9s  %14.8g  %10s  %8.3g  %8s  %8s  %8s  %5d  %11s\n",
		"", "convex", c.Objective, "0", cmp.Optimum.Seconds, "", "", "", cmp.OptimumKinks, "0")
	_, err := w.Write(b.Bytes())
	return err
}

// gapString writes a relative gap as a percentage.
func gapString(g float64) string {
	switch {
	case math.IsNaN(g):
		return "?"
	case math.Abs(g) < 1e-4:
		return fmt.Sprintf("%.1e", g)
	}
	return fmt.Sprintf("%.3g%%", 100*g)
}

// secondsString writes a time to a threshold, "never" for nil.
func secondsString(s *float64) string {
	if s == nil {
		return "never"
	}
	return fmt.Sprintf("%.3g", *s)
}

// runColors are the colours of the trained networks (Okabe–Ito, after the
// blue of the optimum and the vermillion of its knots).
var runColors = []color.Color{
	otherColor, // bluish green
	color.RGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff}, // orange
	color.RGBA{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff}, // reddish purple
	color.RGBA{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff}, // sky blue
	color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff}, // black
	color.RGBA{R: 0xf0, G: 0xe4, B: 0x42, A: 0xff}, // yellow
}

// objectivePath derives the objective figure's file name from --plot:
// cmp.png → cmp_objective.png, and cmp_fit.png → cmp_objective.png.
func objectivePath(path string) string {
	ext := filepath.Ext(path)
	base := strings.TrimSuffix(path, ext)
	if b, ok := strings.CutSuffix(base, "_fit"); ok && b != "" && !os.IsPathSeparator(b[len(b)-1]) {
		base = b
	}
	return base + "_objective" + ext
}

// writeComparePlots writes the two figures of a comparison: the functions
// to path and the objective against wall time to objectivePath(path).
func writeComparePlots(path string, d *problem.Data, cmp *verify.Comparison) error {
	// 1. The data, the optimum with its knots and the trained functions.
	pl, err := newDataPlot(d)
	if err != nil {
		return err
	}
	c := cmp.Optimum.Certificate
	pl.Title.Text = fmt.Sprintf("convex optimum J* = %.6g (%d kinks) and %d trained networks", c.Objective, cmp.OptimumKinks, len(cmp.Runs))
	lo, hi := plotRange(d.X)
	for i, r := range cmp.Runs {
		name := fmt.Sprintf("%s seed %d: +%s, %d kinks", r.Optimizer, r.Seed, gapString(r.GapToOptimum), r.Kinks)
		if err := addNetwork(pl, r.Network, lo, hi, name, runColors[i%len(runColors)]); err != nil {
			return err
		}
	}
	if err := addSpline(pl, cmp.Optimum.Spline, lo, hi, "convex optimum", fitColor); err != nil {
		return err
	}
	if err := addKnots(pl, cmp.Optimum.Spline, fmt.Sprintf("its knots (%d)", len(representer.Balanced(cmp.Optimum.Spline).Neurons)), knotColor); err != nil {
		return err
	}
	setRanges(pl, d, lo, hi, cmp.Optimum.Spline)
	// Widen the y range to the trained functions at the inputs.
	f := make([]float64, d.N())
	ymin, ymax := pl.Y.Min, pl.Y.Max
	for _, r := range cmp.Runs {
		r.Network.EvalTo(f, d.X)
		for _, v := range f {
			ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
		}
	}
	pl.Y.Min, pl.Y.Max = ymin, ymax
	if err := savePlot(pl, path); err != nil {
		return err
	}

	// 2. J(θ) against wall time (top) and the relative gap on a log scale (bottom).
	top, bottom := plot.New(), plot.New()
	jstar := c.Objective
	top.Title.Text = "training objective J(θ) against wall time"
	top.Title.TextStyle.Font.Size = vg.Points(13)
	top.Y.Label.Text = "J(θ)"
	bottom.X.Label.Text = "wall time (s)"
	bottom.Y.Label.Text = "(J(θ) − J*)/J*"
	bottom.Y.Scale = plot.LogScale{}
	bottom.Y.Tick.Marker = plot.LogTicks{Prec: 1}
	for _, pl := range []*plot.Plot{top, bottom} {
		pl.Add(plotter.NewGrid())
		pl.Legend.Top = true
	}
	const minGap = 1e-9 // gaps below (rounding, or an exact optimum) are drawn here on the log axis
	tmax, jmax, gmax, gmin := 0.0, jstar, 10*verify.Within1Pct, verify.Within01Pct/10
	for i, r := range cmp.Runs {
		xy := make(plotter.XYs, 0, len(r.Trace))
		gxy := make(plotter.XYs, 0, len(r.Trace))
		for _, q := range r.Trace {
			xy = append(xy, plotter.XY{X: q.Seconds, Y: q.Objective})
			g := math.Max((q.Objective-jstar)/math.Abs(jstar), minGap)
			gxy = append(gxy, plotter.XY{X: q.Seconds, Y: g})
			tmax = math.Max(tmax, q.Seconds)
			gmax, gmin = math.Max(gmax, g), math.Min(gmin, g)
		}
		// The first epochs are far above the rest: scale the axis to
		// three times the largest final excess (the start is clipped).
		jmax = math.Max(jmax, jstar+3*(r.Objective-jstar))
		col := runColors[i%len(runColors)]
		for k, data := range []plotter.XYs{xy, gxy} {
			ln, err := plotter.NewLine(data)
			if err != nil {
				return &internalError{msg: fmt.Sprintf("plotting the objective: %v", err)}
			}
			ln.Color, ln.Width = col, vg.Points(1.5)
			if k == 0 {
				top.Add(ln)
				top.Legend.Add(fmt.Sprintf("%s seed %d", r.Optimizer, r.Seed), ln)
			} else {
				bottom.Add(ln)
			}
		}
	}
	if tmax == 0 {
		tmax = 1
	}
	hline := func(pl *plot.Plot, y float64, name string, col color.Color, dashed bool) error {
		ln, err := plotter.NewLine(plotter.XYs{{X: 0, Y: y}, {X: tmax, Y: y}})
		if err != nil {
			return &internalError{msg: fmt.Sprintf("plotting the objective: %v", err)}
		}
		ln.Color, ln.Width = col, vg.Points(1.5)
		if dashed {
			ln.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		pl.Add(ln)
		pl.Legend.Add(name, ln)
		return nil
	}
	if err := hline(top, jstar, fmt.Sprintf("certified optimum J* = %.6g", jstar), fitColor, false); err != nil {
		return err
	}
	if err := hline(bottom, verify.Within1Pct, "1% above J*", fitColor, true); err != nil {
		return err
	}
	if err := hline(bottom, verify.Within01Pct, "0.1% above J*", knotColor, true); err != nil {
		return err
	}
	top.X.Min, top.X.Max = 0, tmax
	bottom.X.Min, bottom.X.Max = 0, tmax
	top.Y.Min, top.Y.Max = jstar-0.05*(jmax-jstar), jmax+legendRoom*(jmax-jstar)
	bottom.Y.Min, bottom.Y.Max = gmin/2, 10*gmax
	return saveTiles(objectivePath(path), [][]*plot.Plot{{top}, {bottom}})
}

// addNetwork adds the curve of the 1-D network net on [lo, hi] to pl, on
// plotPoints equally spaced points plus its kinks inside. The network is
// evaluated directly, not through its spline: a unit that training left
// with w ≈ 0 has its knot b/w far away, where a spline sweep would cancel.
func addNetwork(pl *plot.Plot, net *representer.Network, lo, hi float64, name string, c color.Color) error {
	var knots []float64
	for _, u := range net.Neurons {
		if u.W[0] != 0 {
			knots = append(knots, u.B/u.W[0])
		}
	}
	return addCurve(pl, net.EvalTo, knots, lo, hi, name, c, vg.Points(1.2))
}

// saveTiles renders plots in a grid of rows and writes the figure to path
// in the format of its extension, like savePlot.
func saveTiles(path string, plots [][]*plot.Plot) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	c, err := draw.NewFormattedCanvas(plotWidth, 2*plotHeight, format)
	if err != nil {
		return usagef("--plot %s: %v", path, err)
	}
	dc := draw.Crop(draw.New(c), plotBorder, -plotBorder, plotBorder, -plotBorder)
	t := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadY: vg.Points(12)}
	canvases := plot.Align(plots, t, dc)
	for i, row := range plots {
		for j, pl := range row {
			pl.Draw(canvases[i][j])
		}
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return &internalError{msg: fmt.Sprintf("rendering %s: %v", path, err)}
	}
	return os.WriteFile(path, buf.Bytes(), 0o666)
}
