package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats/scalar"

	"github.com/ridgeline-nn/ridgeline/representer"
)

// decodeFitArray decodes stdout, which must hold exactly one JSON array of
// fit objects (and nothing else in them).
func decodeFitArray(t *testing.T, stdout string) []fitJSON {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var a []fitJSON
	require.NoError(t, dec.Decode(&a))
	_, err := dec.Token()
	require.Error(t, err, "trailing data after the array")
	var raw []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(stdout), &raw))
	for _, o := range raw {
		for _, k := range []string{"status", "objective", "lower_bound", "gap", "gap_abs", "loss_value",
			"regularizer", "dim", "order", "loss", "lambda", "skip", "samples", "knots", "seconds", "network"} {
			assert.Contains(t, o, k, "DESIGN §6 field")
		}
	}
	return a
}

// TestPathLambdasJSON checks the array of --lambdas --json: one fit object
// per λ in the given order, each the same fit as a single --lambda run.
func TestPathLambdasJSON(t *testing.T) {
	r := runArgs(t, "fit", "--data", "testdata/small.csv", "--lambdas", "1, 0.01,0.1", "--json")
	require.NoError(t, r.err)
	assert.Empty(t, r.stderr)
	a := decodeFitArray(t, r.stdout)
	require.Len(t, a, 3)
	for i, want := range []float64{1, 0.01, 0.1} {
		require.NotNil(t, a[i].Lambda)
		assert.Equal(t, want, *a[i].Lambda)
		assert.Equal(t, "optimal", a[i].Status)
		assert.Equal(t, 7, a[i].Samples)
		net, err := representer.ReadNetwork(bytes.NewReader(a[i].Network))
		require.NoError(t, err)
		assert.Len(t, net.Neurons, a[i].Knots)
	}
	single := decodeFit(t, runArgs(t, "fit", "--data", "testdata/small.csv", "--lambda", "0.1", "--json").stdout)
	assert.True(t, scalar.EqualWithinRel(single.Objective, a[2].Objective, 1e-12), "path %v, single fit %v", a[2].Objective, single.Objective)
	assert.Equal(t, single.Knots, a[2].Knots)
}

// TestPathLambdaPathJSON checks a computed path: from λ_max, where the fit
// is the least-squares line, down to λ_max·ratio.
func TestPathLambdaPathJSON(t *testing.T) {
	r := runArgs(t, "fit", "--data", sunspots, "--lambda-path", "6", "--path-ratio", "1e-3", "--json")
	require.NoError(t, r.err)
	a := decodeFitArray(t, r.stdout)
	require.Len(t, a, 6)
	assert.Equal(t, 0, a[0].Knots, "at λ_max the line is optimal")
	assert.Greater(t, a[1].Knots, 0, "below λ_max knots pay")
	assert.InDelta(t, 1e-3, *a[5].Lambda / *a[0].Lambda, 1e-15)
	for i := 1; i < len(a); i++ {
		assert.Less(t, *a[i].Lambda, *a[i-1].Lambda)
		assert.LessOrEqual(t, a[i].Objective, a[i-1].Objective, "J*(λ) is non-decreasing in λ")
	}
}

// cvJSON mirrors the `fit --cv --json` object.
type cvJSON struct {
	CV struct {
		Lambdas []float64 `json:"lambdas"`
		Mean    []float64 `json:"mean"`
		StdErr  []float64 `json:"stderr"`
		Best    int       `json:"best"`
		OneSE   int       `json:"one_se"`
		Folds   int       `json:"folds"`
		Seed    uint64    `json:"seed"`
	} `json:"cv"`
	Best  fitJSON `json:"best"`
	OneSE fitJSON `json:"one_se"`
}

func TestCVJSON(t *testing.T) {
	args := []string{"fit", "--data", sunspots, "--cv", "4", "--seed", "9", "--lambda-path", "12", "--json"}
	r := runArgs(t, args...)
	require.NoError(t, r.err)
	assert.Empty(t, r.stderr)
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var o cvJSON
	require.NoError(t, dec.Decode(&o))
	assert.False(t, dec.More())

	cv := o.CV
	require.Len(t, cv.Lambdas, 12)
	assert.Len(t, cv.Mean, 12)
	assert.Len(t, cv.StdErr, 12)
	assert.Equal(t, 4, cv.Folds)
	assert.Equal(t, uint64(9), cv.Seed)
	for i := range cv.Mean {
		assert.LessOrEqual(t, cv.Mean[cv.Best], cv.Mean[i], "best has the least mean")
		if cv.Lambdas[i] > cv.Lambdas[cv.OneSE] {
			assert.Greater(t, cv.Mean[i], cv.Mean[cv.Best]+cv.StdErr[cv.Best], "one-SE is the largest λ within one standard error")
		}
	}
	require.NotNil(t, o.Best.Lambda)
	require.NotNil(t, o.OneSE.Lambda)
	assert.Equal(t, cv.Lambdas[cv.Best], *o.Best.Lambda)
	assert.Equal(t, cv.Lambdas[cv.OneSE], *o.OneSE.Lambda)
	assert.Equal(t, "optimal", o.Best.Status)
	assert.Equal(t, 309, o.Best.Samples, "refitted on all data")

	again := runArgs(t, args...)
	assert.Equal(t, r.stdout[:strings.Index(r.stdout, `"best": {`)], again.stdout[:strings.Index(again.stdout, `"best": {`)],
		"the same seed gives the same curve")
}

// TestPathBadFlags checks that contradictory or invalid path flags are
// usage errors: exit status 2 and one line naming the flag.
func TestPathBadFlags(t *testing.T) {
	good := "testdata/small.csv"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--lambda-path", "10", "--loss", "interp"}, "--lambda-path needs a loss with a λ"},
		{[]string{"--cv", "5", "--loss", "interp"}, "--cv needs a loss with a λ"},
		{[]string{"--cv", "1"}, "--cv must be at least 2 folds"},
		{[]string{"--cv", "8"}, "--cv 8: testdata/small.csv has only 7 samples"},
		{[]string{"--lambdas", "1,-0.5"}, `--lambdas: value 2 is "-0.5"`},
		{[]string{"--lambdas", "1,x"}, `--lambdas: value 2 is "x"`},
		{[]string{"--lambdas", "0"}, `--lambdas: value 1 is "0"`},
		{[]string{"--lambda-path", "0"}, "--lambda-path must be at least 1"},
		{[]string{"--lambda-path", "5", "--lambdas", "1,2"}, "--lambda-path and --lambdas are exclusive"},
		{[]string{"--lambda-path", "5", "--path-ratio", "1.5"}, "--path-ratio must be in (0, 1)"},
		{[]string{"--cv", "two"}, "invalid value"},
	} {
		r := runArgs(t, append([]string{"fit", "--data", good}, tc.args...)...)
		assert.Equal(t, 2, r.code, "%q", tc.args)
		assert.Empty(t, r.stdout, "%q", tc.args)
		assert.Equal(t, 1, strings.Count(r.diag, "\n"), "one line for %q", tc.args)
		assert.True(t, strings.HasPrefix(r.diag, "ridgeline: "), "%q: %q", tc.args, r.diag)
		assert.Contains(t, r.diag, tc.want, "%q", tc.args)
	}
}

// TestPathDegenerate checks that data a line fits exactly have λ_max = 0,
// which a computed path reports as bad input.
func TestPathDegenerate(t *testing.T) {
	line := writeTemp(t, "line.csv", "x,y\n0,1\n1,3\n2,5\n3,7\n")
	r := runArgs(t, "fit", "--data", line, "--lambda-path", "5")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.diag, "λ_max is 0")
}

// TestPathWarnings checks the flags a path ignores.
func TestPathWarnings(t *testing.T) {
	r := runArgs(t, "fit", "--data", "testdata/small.csv", "--lambdas", "0.1", "--lambda", "3", "--seed", "2", "--path-ratio", "0.5")
	require.NoError(t, r.err)
	assert.Contains(t, r.stderr, "--lambda is ignored with --lambdas")
	assert.Contains(t, r.stderr, "--seed is ignored without --cv")
	assert.Contains(t, r.stderr, "--path-ratio is ignored with --lambdas")

	r = runArgs(t, "fit", "--data", "testdata/small.csv", "--lambda", "0.1", "--seed", "2")
	require.NoError(t, r.err)
	assert.Contains(t, r.stderr, "--seed is ignored without --lambda-path, --lambdas or --cv")
}

// TestPathShortfall checks exit status 1 when some λ is not certified to
// the requested gap, after the whole table is printed.
func TestPathShortfall(t *testing.T) {
	r := runArgs(t, "fit", "--data", "testdata/small.csv", "--lambdas", "1,0.1,0.01", "--tol", "1e-300")
	assert.Equal(t, 1, r.code)
	assert.Len(t, tableGap.FindAllString(r.stdout, -1), 3, "all rows printed: %s", r.stdout)
	assert.Contains(t, r.stdout, "gap_limit")
	assert.Contains(t, r.diag, "solver stopped short at")
}

// TestPathOutAndPlots checks --out (the last λ of a path, the best λ of
// --cv) and that both figures are written, as two-panel PNGs.
func TestPathOutAndPlots(t *testing.T) {
	dir := t.TempDir()
	out, fig := filepath.Join(dir, "net.json"), filepath.Join(dir, "path.png")
	r := runArgs(t, "fit", "--data", sunspots, "--lambda-path", "5", "--json", "--out", out, "--plot", fig)
	require.NoError(t, r.err)
	a := decodeFitArray(t, r.stdout)
	requireSameNetwork(t, out, a[len(a)-1].Network)
	requirePNG(t, fig, 960, 960)

	cvFig := filepath.Join(dir, "cv.svg")
	r = runArgs(t, "fit", "--data", sunspots, "--cv", "3", "--lambda-path", "8", "--json", "--out", out, "--plot", cvFig)
	require.NoError(t, r.err)
	var o cvJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &o))
	requireSameNetwork(t, out, o.Best.Network)
	b, err := os.ReadFile(cvFig)
	require.NoError(t, err)
	assert.Contains(t, string(b), "<svg")
	cvPNG := filepath.Join(dir, "cv.png")
	require.NoError(t, runArgs(t, "fit", "--data", sunspots, "--cv", "3", "--lambda-path", "8", "--plot", cvPNG).err)
	requirePNG(t, cvPNG, 960, 960)
}

func requireSameNetwork(t *testing.T, path string, want json.RawMessage) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	got, err := representer.ReadNetwork(bytes.NewReader(b))
	require.NoError(t, err)
	w, err := representer.ReadNetwork(bytes.NewReader(want))
	require.NoError(t, err)
	assert.Equal(t, w, got)
}

func requirePNG(t *testing.T, path string, width, height int) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, width, cfg.Width)
	assert.Equal(t, height, cfg.Height)
	assert.Greater(t, len(b), 30000, "a figure with content")
}

// tableGap matches the gap column of the path table, which changes with
// the last bits of the solver's iterates.
var tableGap = regexp.MustCompile(`(?m)^( +\S+ +\S+) +(\S+)( +\d+)`)

// TestPathGolden compares the human output of a path and of a
// cross-validation with testdata/*.stdout; run with -update to rewrite them.
func TestPathGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"path_small.stdout", []string{"fit", "--data", "testdata/small.csv", "--lambdas", "1,0.3,0.1,0.03,0.01"}},
		{"path_sunspots.stdout", []string{"fit", "--data", sunspots, "--lambda-path", "12"}},
		{"cv_sunspots.stdout", []string{"fit", "--data", sunspots, "--cv", "5", "--lambda-path", "15", "--path-ratio", "1e-3"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			r := runArgs(t, tc.args...)
			require.NoError(t, r.err)
			got := tableGap.ReplaceAllString(r.stdout, "${1}     <gap>${3}")
			checkGolden(t, tc.golden, got)
		})
	}
}
