package main

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
	"github.com/ridgeline-nn/ridgeline/solver"
)

// Figure geometry and styles shared by the commands that plot.
const (
	plotWidth   = 10 * vg.Inch
	plotHeight  = 5 * vg.Inch
	plotPoints  = 2000 // evaluation points of a fitted curve
	plotMargin  = 0.02 // fraction of the data range added on each side
	glyphRadius = 2.5  // points, data
	knotRadius  = 5    // points, knot triangles (hollow: the data shows through)
	legendRoom  = 0.18 // fraction of the y range added at the top for the legend
	plotBorder  = 8    // points of empty border around the figure
)

// Colours of the figures (colour-blind safe, Okabe–Ito).
var (
	dataColor  = color.RGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff} // grey
	fitColor   = color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff} // blue
	knotColor  = color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff} // vermillion
	otherColor = color.RGBA{R: 0x00, G: 0x9e, B: 0x73, A: 0xff} // green, for a second curve
)

// plotFormats are the file extensions gonum/plot can write.
var plotFormats = []string{".eps", ".jpg", ".jpeg", ".pdf", ".png", ".svg", ".tex", ".tif", ".tiff"}

// checkPlotFile returns a usage error unless path ends in an extension
// gonum/plot can write. Commands call it before solving.
func checkPlotFile(path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	if !slices.Contains(plotFormats, ext) {
		return usagef("--plot %s: unknown figure format %q (want one of %s)", path, ext, strings.Join(plotFormats, " "))
	}
	return nil
}

// newDataPlot returns a plot of the 1-D data d as grey points, with the
// axes labelled by the CSV header names (x and y without a header).
func newDataPlot(d *problem.Data) (*plot.Plot, error) {
	if d.Dim != 1 {
		return nil, usagef("--plot: only 1-D inputs can be plotted, %s has %d input columns", d.File, d.Dim)
	}
	pl := plot.New()
	pl.Title.Padding = vg.Points(6)
	pl.Title.TextStyle.Font.Size = vg.Points(13)
	pl.X.Label.Text = d.Names[0]
	pl.Y.Label.Text = d.Target
	pl.Legend.Top = true
	pl.Legend.Left = true
	pl.Add(plotter.NewGrid())
	xy := make(plotter.XYs, d.N())
	for i := range xy {
		xy[i] = plotter.XY{X: d.X[i], Y: d.Y[i]}
	}
	sc, err := plotter.NewScatter(xy)
	if err != nil {
		return nil, &internalError{msg: fmt.Sprintf("plotting the data: %v", err)}
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: dataColor, Radius: vg.Points(glyphRadius), Shape: draw.CircleGlyph{}}
	pl.Add(sc)
	pl.Legend.Add("data", sc)
	return pl, nil
}

// plotRange returns the range of xs widened by plotMargin on each side
// (by 1 on each side if all xs are equal).
func plotRange(xs []float64) (lo, hi float64) {
	lo, hi = slices.Min(xs), slices.Max(xs)
	m := plotMargin * (hi - lo)
	if m == 0 {
		m = 1
	}
	return lo - m, hi + m
}

// setRanges sets the axes of a plot of the data d and the curves ss: x
// over [lo, hi]; y over the targets and the curves' values at the inputs,
// with room at the top for the legend. The curves' extrapolation into the
// margins can be steep; it is clipped rather than allowed to squash the data.
func setRanges(pl *plot.Plot, d *problem.Data, lo, hi float64, ss ...*representer.Spline) {
	ymin, ymax := slices.Min(d.Y), slices.Max(d.Y)
	f := make([]float64, d.N())
	for _, s := range ss {
		s.EvalTo(f, d.X)
		for _, v := range f {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
			}
		}
	}
	r := ymax - ymin
	if r == 0 {
		r = 1
	}
	pl.X.Min, pl.X.Max = lo, hi
	pl.Y.Min, pl.Y.Max = ymin-0.05*r, ymax+legendRoom*r
}

// addSpline adds the curve of s on [lo, hi] to pl: plotPoints equally
// spaced points plus the knots inside, so the corners are drawn exactly.
func addSpline(pl *plot.Plot, s *representer.Spline, lo, hi float64, name string, c color.Color) error {
	return addCurve(pl, s.EvalTo, s.Knots, lo, hi, name, c, vg.Points(1.5))
}

// addCurve draws a piecewise function on plotPoints grid points over
// [lo, hi] plus its breakpoints inside, so that kinks are drawn sharp.
func addCurve(pl *plot.Plot, eval func(dst, xs []float64), breaks []float64, lo, hi float64, name string, c color.Color, width vg.Length) error {
	xs := make([]float64, 0, plotPoints+len(breaks))
	for i := 0; i < plotPoints; i++ {
		xs = append(xs, lo+(hi-lo)*float64(i)/(plotPoints-1))
	}
	for _, t := range breaks {
		if t > lo && t < hi {
			xs = append(xs, t)
		}
	}
	slices.Sort(xs)
	ys := make([]float64, len(xs))
	eval(ys, xs)
	xy := make(plotter.XYs, len(xs))
	for i := range xy {
		xy[i] = plotter.XY{X: xs[i], Y: ys[i]}
	}
	ln, err := plotter.NewLine(xy)
	if err != nil {
		return &internalError{msg: fmt.Sprintf("plotting %s: %v", name, err)}
	}
	ln.Color = c
	ln.Width = width
	pl.Add(ln)
	pl.Legend.Add(name, ln)
	return nil
}

// addKnots marks the knots of s with nonzero amplitude as triangles at
// (t_k, f(t_k)).
func addKnots(pl *plot.Plot, s *representer.Spline, name string, c color.Color) error {
	var ts []float64
	for k, t := range s.Knots {
		if s.Amps[k] != 0 {
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		return nil
	}
	fs := make([]float64, len(ts))
	s.EvalTo(fs, ts)
	xy := make(plotter.XYs, len(ts))
	for i := range xy {
		xy[i] = plotter.XY{X: ts[i], Y: fs[i]}
	}
	sc, err := plotter.NewScatter(xy)
	if err != nil {
		return &internalError{msg: fmt.Sprintf("plotting %s: %v", name, err)}
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(knotRadius), Shape: draw.TriangleGlyph{}}
	pl.Add(sc)
	pl.Legend.Add(name, sc)
	return nil
}

// savePlot renders pl with a margin of plotBorder and writes it to path in
// the format of its extension. The file is only created once the figure
// is rendered.
func savePlot(pl *plot.Plot, path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	c, err := draw.NewFormattedCanvas(plotWidth, plotHeight, format)
	if err != nil {
		return usagef("--plot %s: %v", path, err)
	}
	// plot.Draw puts the title flush with the top edge: leave a border.
	pl.Draw(draw.Crop(draw.New(c), plotBorder, -plotBorder, plotBorder, -plotBorder))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return &internalError{msg: fmt.Sprintf("rendering %s: %v", path, err)}
	}
	return os.WriteFile(path, buf.Bytes(), 0o666)
}

// fitTitle is the title of a fit's figure: J, the certified gap and the
// number of knots.
func fitTitle(o fitObject) string {
	gap := float64(o.Gap)
	g := fmt.Sprintf("%.1e", gap)
	switch {
	case gap == 0:
		g = "0"
	case math.IsInf(gap, 0) || math.IsNaN(gap):
		g = "∞"
	}
	return fmt.Sprintf("J = %.6g, gap = %s, %d knots", float64(o.Objective), g, o.Knots)
}

// writeFitPlot writes the figure of a fit to path: the data, the optimal
// function and its knots, titled with J, the gap and the number of knots.
func writeFitPlot(path string, d *problem.Data, p *problem.Problem, sol *solver.Solution) error {
	pl, err := newDataPlot(d)
	if err != nil {
		return err
	}
	o := newFitObject(p, sol)
	pl.Title.Text = fitTitle(o)
	lo, hi := plotRange(d.X)
	name := "optimal fit"
	if problem.IsInterp(p.Loss) {
		name = "optimal interpolant"
	}
	if err := addSpline(pl, sol.Spline, lo, hi, name, fitColor); err != nil {
		return err
	}
	if err := addKnots(pl, sol.Spline, fmt.Sprintf("knots (%d)", o.Knots), knotColor); err != nil {
		return err
	}
	setRanges(pl, d, lo, hi, sol.Spline)
	return savePlot(pl, path)
}
