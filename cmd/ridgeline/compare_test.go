package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// compareJSON mirrors the `compare --json` object of DESIGN §6.
type compareJSON struct {
	Optimum      json.RawMessage `json:"optimum"`
	OptimumKinks int             `json:"optimum_kinks"`
	Training     struct {
		Width     int     `json:"width"`
		Optimizer string  `json:"optimizer"`
		LR        float64 `json:"lr"`
		Momentum  float64 `json:"momentum"`
		Epochs    int     `json:"epochs"`
		BatchSize int     `json:"batch_size"`
		Init      string  `json:"init"`
		Budget    float64 `json:"budget_seconds"`
		Seeds     int     `json:"seeds"`
	} `json:"training"`
	Runs []struct {
		Seed           uint64   `json:"seed"`
		Optimizer      string   `json:"optimizer"`
		Objective      float64  `json:"objective"`
		GapToOptimum   float64  `json:"gap_to_optimum"`
		LowerBound     float64  `json:"lower_bound"`
		Seconds        float64  `json:"seconds"`
		Epochs         int      `json:"epochs"`
		SecondsTo1Pct  *float64 `json:"seconds_to_1pct"`
		SecondsTo01Pct *float64 `json:"seconds_to_0_1pct"`
		Kinks          int      `json:"kinks"`
		SupDistance    float64  `json:"sup_distance"`
	} `json:"runs"`
}

func TestCompareJSON(t *testing.T) {
	r := runArgs(t, "compare", "--data", "testdata/small.csv", "--lambda", "0.1", "--epochs", "300",
		"--seeds", "2", "--seed", "5", "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.5", "--json")
	require.NoError(t, r.err, r.diag)
	assert.Empty(t, r.stderr, "no progress bar when stderr is not a terminal")
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var o compareJSON
	require.NoError(t, dec.Decode(&o))
	_, err := dec.Token()
	require.Error(t, err, "exactly one object")

	opt := decodeFit(t, string(o.Optimum))
	assert.Equal(t, "optimal", opt.Status)
	assert.Equal(t, 7, o.Training.Width, "width defaults to N")
	assert.Equal(t, "sgd", o.Training.Optimizer)
	assert.Equal(t, 0.05, o.Training.LR)
	assert.Equal(t, 2, o.Training.Seeds)
	require.Len(t, o.Runs, 2)
	for i, run := range o.Runs {
		assert.Equal(t, uint64(5+i), run.Seed)
		assert.Equal(t, "sgd", run.Optimizer)
		assert.Equal(t, 300, run.Epochs)
		assert.InDelta(t, (run.Objective-opt.Objective)/opt.Objective, run.GapToOptimum, 1e-12)
		assert.GreaterOrEqual(t, run.Objective, opt.Objective*(1-1e-9))
		assert.LessOrEqual(t, run.LowerBound, opt.Objective*(1+1e-9))
		assert.LessOrEqual(t, run.Kinks, 7)
		if run.SecondsTo1Pct == nil {
			assert.Nil(t, run.SecondsTo01Pct)
			assert.Greater(t, run.GapToOptimum, 0.001)
		}
	}
	// Every DESIGN §6 field is present, null rather than absent when a
	// threshold is never reached.
	var raw struct {
		Runs []map[string]json.RawMessage `json:"runs"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &raw))
	for _, run := range raw.Runs {
		for _, k := range []string{"seed", "optimizer", "objective", "gap_to_optimum", "seconds", "epochs",
			"seconds_to_1pct", "seconds_to_0_1pct", "kinks", "sup_distance"} {
			assert.Contains(t, run, k)
		}
	}
}

func TestCompareTableAndPlots(t *testing.T) {
	dir := t.TempDir()
	fig := filepath.Join(dir, "cmp.png")
	r := runArgs(t, "compare", "--data", "testdata/small.csv", "--lambda", "0.1", "--epochs", "500", "--seeds", "3", "--plot", fig)
	require.NoError(t, r.err, r.diag)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	require.Len(t, lines, 9, r.stdout)
	assert.True(t, strings.HasPrefix(lines[1], "optimum:   J* = 0.2215"), lines[1])
	assert.Contains(t, lines[4], "gap to J*")
	assert.Contains(t, lines[4], "to 0.1%")
	for _, l := range lines[5:8] {
		assert.Contains(t, l, "adam")
	}
	assert.Contains(t, lines[8], "convex")

	for _, path := range []string{fig, filepath.Join(dir, "cmp_objective.png")} {
		f, err := os.Open(path)
		require.NoError(t, err, path)
		img, err := png.Decode(f)
		f.Close()
		require.NoError(t, err, path)
		assert.Greater(t, img.Bounds().Dx(), 500)
	}
}

func TestCompareBadInput(t *testing.T) {
	twoD := writeTemp(t, "twod.csv", "x1,x2,y\n0,0,1\n1,0,2\n0,1,3\n1,1,5\n")
	small := "testdata/small.csv"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"optimizer", []string{"--optimizer", "lbfgs"}, "--optimizer must be adam or sgd"},
		{"seeds", []string{"--seeds", "0"}, "--seeds must be ≥ 1"},
		{"width", []string{"--width", "-3"}, "--width"},
		{"lr", []string{"--lr", "-1"}, "--lr"},
		{"momentum", []string{"--momentum", "1"}, "--momentum"},
		{"init", []string{"--init", "xavier"}, "--init"},
		{"budget", []string{"--budget", "soon"}, "invalid value"},
		{"plot format", []string{"--plot", "cmp.xyz"}, "unknown figure format"},
		{"interp", []string{"--loss", "interp"}, "cannot be trained"},
		{"order 3", []string{"--order", "3"}, "order 3"},
		{"2-D data", []string{"--data", twoD}, "1-D data"},
		{"divergence", []string{"--optimizer", "sgd", "--lr", "1e6", "--epochs", "100"}, "diverged"},
	} {
		args := append([]string{"compare", "--data", small, "--lambda", "0.1", "--epochs", "10"}, tc.args...)
		r := runArgs(t, args...)
		assert.Equal(t, 2, r.code, "%s: %v", tc.name, r.err)
		assert.Contains(t, r.diag, tc.want, tc.name)
		assert.Equal(t, 1, strings.Count(r.diag, "\n"), tc.name)
		assert.Empty(t, r.stdout, tc.name)
	}
}

// TestCompareSunspots runs the README's comparison briefly on the bundled
// data: the trained networks are above the certified optimum.
func TestCompareSunspots(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a second")
	}
	r := runArgs(t, "compare", "--data", sunspots, "--lambda", sunspotsLambda, "--seeds", "1", "--budget", "1s", "--json")
	require.NoError(t, r.err, r.diag)
	var o compareJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &o))
	opt := decodeFit(t, string(o.Optimum))
	assert.Equal(t, 85, o.OptimumKinks)
	assert.Equal(t, opt.Knots, o.OptimumKinks, "every knot of the optimum is inside the data range")
	require.Len(t, o.Runs, 1)
	assert.Greater(t, o.Runs[0].GapToOptimum, 0.0)
	assert.Equal(t, 309, o.Training.Width)
}

func TestObjectivePath(t *testing.T) {
	for in, want := range map[string]string{
		"cmp.png":              "cmp_objective.png",
		"docs/compare_fit.png": "docs/compare_objective.png",
		"a/b.c/fig.svg":        "a/b.c/fig_objective.svg",
		"_fit.png":             "_fit_objective.png",
		"dir/_fit.pdf":         "dir/_fit_objective.pdf",
	} {
		assert.Equal(t, want, objectivePath(in), in)
	}
}
