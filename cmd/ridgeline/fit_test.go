package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats/scalar"

	"github.com/ridgeline-nn/ridgeline/certificate"
	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
	"github.com/ridgeline-nn/ridgeline/solver"
)

const (
	sunspots = "../../testdata/sunspots.csv"
	// sunspotsLambda is the λ of the README's first command: the fit
	// follows every 11-year cycle of 1700–2008 with 85 knots.
	sunspotsLambda = "60"
)

// fitJSON mirrors the `fit --json` object of DESIGN §6; decoding with
// DisallowUnknownFields checks that nothing else is written.
type fitJSON struct {
	Status      string          `json:"status"`
	Objective   float64         `json:"objective"`
	LowerBound  float64         `json:"lower_bound"`
	Gap         float64         `json:"gap"`
	GapAbs      float64         `json:"gap_abs"`
	LossValue   float64         `json:"loss_value"`
	Regularizer float64         `json:"regularizer"`
	Dim         int             `json:"dim"`
	Order       int             `json:"order"`
	Loss        string          `json:"loss"`
	HuberDelta  *float64        `json:"huber_delta"`
	Lambda      *float64        `json:"lambda"`
	Skip        bool            `json:"skip"`
	Samples     int             `json:"samples"`
	Knots       int             `json:"knots"`
	Seconds     float64         `json:"seconds"`
	Backend     string          `json:"backend"`
	Iterations  int             `json:"iterations"`
	Network     json.RawMessage `json:"network"`
}

// decodeFit decodes stdout, which must hold exactly one fit object.
func decodeFit(t *testing.T, stdout string) fitJSON {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(stdout)))
	dec.DisallowUnknownFields()
	var o fitJSON
	require.NoError(t, dec.Decode(&o))
	require.False(t, dec.More(), "more than one JSON value on stdout")
	_, err := dec.Token()
	require.Error(t, err, "trailing data after the object")

	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(stdout), &keys))
	for _, k := range []string{"status", "objective", "lower_bound", "gap", "gap_abs", "loss_value",
		"regularizer", "dim", "order", "loss", "lambda", "skip", "samples", "knots", "seconds", "network"} {
		assert.Contains(t, keys, k, "DESIGN §6 field")
	}
	return o
}

// readXY reads a 1-D CSV file with a header by itself, independently of
// package problem.
func readXY(t *testing.T, path string) (xs, ys []float64) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	for _, rec := range recs[1:] {
		x, err := strconv.ParseFloat(rec[0], 64)
		require.NoError(t, err)
		y, err := strconv.ParseFloat(rec[1], 64)
		require.NoError(t, err)
		xs, ys = append(xs, x), append(ys, y)
	}
	return xs, ys
}

// TestFitSunspotsJSON checks the JSON object of the README's fit against
// the network it contains: evaluating the neurons on the data, recomputed
// here, reproduces the objective.
func TestFitSunspotsJSON(t *testing.T) {
	r := runArgs(t, "fit", "--data", sunspots, "--lambda", sunspotsLambda, "--json")
	require.NoError(t, r.err)
	assert.Empty(t, r.stderr)
	o := decodeFit(t, r.stdout)

	assert.Equal(t, "optimal", o.Status)
	assert.LessOrEqual(t, o.Gap, 1e-8)
	assert.LessOrEqual(t, o.LowerBound, o.Objective)
	assert.InDelta(t, o.GapAbs, o.Objective-o.LowerBound, 1e-9*o.Objective)
	assert.Equal(t, 1, o.Dim)
	assert.Equal(t, 2, o.Order)
	assert.Equal(t, "squared", o.Loss)
	require.NotNil(t, o.Lambda)
	assert.Equal(t, 60.0, *o.Lambda)
	assert.Nil(t, o.HuberDelta)
	assert.True(t, o.Skip)
	assert.Equal(t, 309, o.Samples)
	assert.Equal(t, "banded", o.Backend)

	net, err := representer.ReadNetwork(bytes.NewReader(o.Network))
	require.NoError(t, err)
	assert.Equal(t, o.Knots, len(net.Neurons))
	assert.Greater(t, o.Knots, 24, "a few dozen knots: more than two per 11-year cycle")
	assert.Less(t, o.Knots, 120)

	xs, ys := readXY(t, sunspots)
	require.Len(t, xs, o.Samples)
	f := make([]float64, len(xs))
	net.EvalTo(f, xs)
	loss := 0.0
	for i, y := range ys {
		loss += 0.5 * (f[i] - y) * (f[i] - y)
	}
	decay := net.WeightDecay()
	j := loss + *o.Lambda*decay
	assert.True(t, scalar.EqualWithinRel(j, o.Objective, 1e-9), "J from the network %v, reported %v", j, o.Objective)
	assert.True(t, scalar.EqualWithinRel(loss, o.LossValue, 1e-9), "loss from the network %v, reported %v", loss, o.LossValue)
	assert.True(t, scalar.EqualWithinRel(decay, o.Regularizer, 1e-12), "R(θ) of the balanced network %v, regularizer %v", decay, o.Regularizer)
	assert.True(t, scalar.EqualWithinRel(net.PathNorm(), o.Regularizer, 1e-12), "balanced: path norm = R(θ)")
}

// TestFitInterpJSON checks the interp specifics of the object: lambda is
// null and the objective is the regulariser.
func TestFitInterpJSON(t *testing.T) {
	r := runArgs(t, "fit", "--data", "testdata/small.csv", "--loss", "interp", "--json")
	require.NoError(t, r.err)
	o := decodeFit(t, r.stdout)
	assert.Nil(t, o.Lambda)
	assert.Contains(t, r.stdout, `"lambda": null`)
	assert.InDelta(t, 3.5, o.Objective, 1e-12)
	assert.Equal(t, o.Regularizer, o.Objective)
	assert.Equal(t, 4, o.Knots)
}

func TestFitHuberJSON(t *testing.T) {
	r := runArgs(t, "fit", "--data", "testdata/small.csv", "--loss", "huber", "--huber-delta", "0.25", "--lambda", "0.1", "--json")
	require.NoError(t, r.err)
	o := decodeFit(t, r.stdout)
	require.NotNil(t, o.HuberDelta)
	assert.Equal(t, 0.25, *o.HuberDelta)
	assert.Equal(t, "huber", o.Loss)
	assert.Equal(t, "optimal", o.Status)
}

// TestFitOutAndPlot checks the files fit writes: --out a NETWORK that
// ReadNetwork accepts and that equals the JSON object's network, --plot a
// PNG of the requested size.
func TestFitOutAndPlot(t *testing.T) {
	dir := t.TempDir()
	out, fig := filepath.Join(dir, "net.json"), filepath.Join(dir, "fit.png")
	r := runArgs(t, "fit", "--data", sunspots, "--lambda", sunspotsLambda, "--json", "--out", out, "--plot", fig)
	require.NoError(t, r.err)
	o := decodeFit(t, r.stdout)

	b, err := os.ReadFile(out)
	require.NoError(t, err)
	net, err := representer.ReadNetwork(bytes.NewReader(b))
	require.NoError(t, err)
	want, err := representer.ReadNetwork(bytes.NewReader(o.Network))
	require.NoError(t, err)
	assert.Equal(t, want, net)

	b, err = os.ReadFile(fig)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")), "PNG signature")
	assert.Greater(t, len(b), 20000, "a figure with content")
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, 960, cfg.Width)
	assert.Equal(t, 480, cfg.Height)
}

// TestFitOutUnwritable checks that an output file that cannot be written
// is a failure (status 1), not bad input, and prints nothing on stdout.
func TestFitOutUnwritable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "no", "such", "dir", "net.json")
	r := runArgs(t, "fit", "--data", "testdata/small.csv", "--loss", "interp", "--out", out)
	require.Error(t, r.err)
	assert.Equal(t, 1, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.diag, "net.json")
}

// volatile matches the parts of the human summary that change from run to
// run (the time) or with the last bits of the solver's iterates (the gap,
// which TestFitSunspotsJSON bounds instead).
var volatile = regexp.MustCompile(`(?m)^(seconds: +|gap: +).*$`)

// TestFitGolden compares the human summary with testdata/*.stdout; run
// with -update to rewrite them.
func TestFitGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"fit_sunspots.stdout", []string{"fit", "--data", sunspots, "--lambda", sunspotsLambda}},
		{"fit_small_interp.stdout", []string{"fit", "--data", "testdata/small.csv", "--loss", "interp"}},
		{"fit_small_squared.stdout", []string{"fit", "--data", "testdata/small.csv", "--lambda", "0.1"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			r := runArgs(t, tc.args...)
			require.NoError(t, r.err)
			got := volatile.ReplaceAllString(r.stdout, "${1}<masked>")
			checkGolden(t, tc.golden, got)
		})
	}
}

// TestFitPlotGolden renders the figure of a hand-built solution of
// testdata/small.csv (so that it does not depend on the solver's last
// bits) and compares it with testdata/fit_small_golden.png; run with
// -update to rewrite it.
func TestFitPlotGolden(t *testing.T) {
	d, err := problem.LoadCSV("testdata/small.csv", problem.CSVOptions{})
	require.NoError(t, err)
	p := d.Problem(problem.Interp{}, 0, 2, true)
	// The minimum-norm interpolant: slope 1, then changes of −½, −1, 3/2, −½.
	s := &representer.Spline{Order: 2, Knots: []float64{1, 2, 3, 4}, Amps: []float64{-0.5, -1, 1.5, -0.5}, Poly: []float64{0, 1}}
	sol := &solver.Solution{
		Status:      solver.Optimal,
		Spline:      s,
		Certificate: &certificate.Certificate{Objective: 3.5, LowerBound: 3.5, Regularizer: 3.5},
		Backend:     solver.Banded,
	}
	f := make([]float64, d.N())
	s.EvalTo(f, d.X)
	require.True(t, slices.EqualFunc(f, d.Y, func(a, b float64) bool { return math.Abs(a-b) < 1e-15 }), "the spline interpolates")

	golden := filepath.Join("testdata", "fit_small_golden.png")
	path := golden
	if !*update {
		path = filepath.Join(t.TempDir(), "fit_small.png")
	}
	require.NoError(t, writeFitPlot(path, d, p, sol))
	if *update {
		return
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test -update to create it")
	assert.True(t, similarPNG(t, got, want), "figure differs from %s; look at %s and run go test -update if the change is intended", golden, path)
}

// similarPNG reports whether two PNG images have the same size and differ
// by more than a faint shade in at most a few pixels, so that
// anti-aliasing differences between versions of the rasteriser pass but
// a moved line or changed text does not. (gonum/plot's cmpimg would need
// a module this one does not require.)
func similarPNG(t *testing.T, a, b []byte) bool {
	t.Helper()
	const (
		shade     = 0x30 // channel difference that counts as a changed pixel (of 0xff)
		maxPixels = 50   // changed pixels allowed
	)
	ia, err := png.Decode(bytes.NewReader(a))
	require.NoError(t, err)
	ib, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	if ia.Bounds() != ib.Bounds() {
		t.Logf("sizes differ: %v and %v", ia.Bounds(), ib.Bounds())
		return false
	}
	changed := 0
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !closeColor(ia, ib, x, y, shade) {
				changed++
			}
		}
	}
	if changed > maxPixels {
		t.Logf("%d pixels differ", changed)
	}
	return changed <= maxPixels
}

// closeColor reports whether the pixels at (x, y) of a and b differ by at
// most tol (8-bit scale) in every channel.
func closeColor(a, b image.Image, x, y int, tol uint32) bool {
	r1, g1, b1, a1 := a.At(x, y).RGBA()
	r2, g2, b2, a2 := b.At(x, y).RGBA()
	d := func(u, v uint32) uint32 {
		if u > v {
			return (u - v) >> 8
		}
		return (v - u) >> 8
	}
	return d(r1, r2) <= tol && d(g1, g2) <= tol && d(b1, b2) <= tol && d(a1, a2) <= tol
}

// checkGolden compares got with testdata/name, or rewrites the file with
// -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o666))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got)
}
