package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/solver"
)

func TestBenchDataDeterministic(t *testing.T) {
	x1, y1 := benchData(1000, 7)
	x2, y2 := benchData(1000, 7)
	assert.Equal(t, x1, x2)
	assert.Equal(t, y1, y2)

	x3, _ := benchData(1000, 8)
	assert.NotEqual(t, x1, x3, "the seed changes the data")
	x4, _ := benchData(1001, 7)
	assert.NotEqual(t, x1, x4[:1000], "N is the first seed")

	// The family: x uniform on [0, 1), noise of standard deviation 0.1
	// around sin(8x) + 0.3|x − 0.5|.
	var sum, sum2 float64
	for i, x := range x1 {
		require.True(t, x >= 0 && x < 1, "x[%d] = %v", i, x)
		e := (y1[i] - math.Sin(8*x) - 0.3*math.Abs(x-0.5)) / 0.1
		sum += e
		sum2 += e * e
	}
	n := float64(len(x1))
	assert.InDelta(t, 0, sum/n, 0.15, "noise mean")
	assert.InDelta(t, 1, math.Sqrt(sum2/n), 0.1, "noise standard deviation")
}

func TestBenchGen(t *testing.T) {
	r := runArgs(t, "bench", "gen", "--n", "50", "--seed", "3")
	require.NoError(t, r.err)
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 51)
	assert.Equal(t, []string{"x", "y"}, recs[0])
	x, y := benchData(50, 3)
	for i, rec := range recs[1:] {
		require.Len(t, rec, 2, "row %d", i+2)
		// Full precision: every number reads back exactly.
		xi, err := strconv.ParseFloat(rec[0], 64)
		require.NoError(t, err)
		yi, err := strconv.ParseFloat(rec[1], 64)
		require.NoError(t, err)
		assert.Equal(t, x[i], xi, "x on row %d", i+2)
		assert.Equal(t, y[i], yi, "y on row %d", i+2)
	}

	// --out writes the same bytes, in a file that fit reads.
	out := filepath.Join(t.TempDir(), "d.csv")
	r2 := runArgs(t, "bench", "gen", "--n", "5e1", "--seed", "3", "--out", out)
	require.NoError(t, r2.err)
	assert.Empty(t, r2.stdout)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, r.stdout, string(b))
	d, err := problem.LoadCSV(out, problem.CSVOptions{})
	require.NoError(t, err)
	assert.Equal(t, x, d.X)
	assert.Equal(t, y, d.Y)
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "gen"},
		{"bench", "gen", "--n", "2"},
		{"bench", "gen", "--n", "1.5"},
		{"bench", "gen", "--n", "10,20"},
		{"bench", "--loss", "huber"},
		{"bench", "--n", "1e3,x"},
		{"bench", "--reference", "clp"},
		{"bench", "--max-ref-n", "highs-ds=abc"},
		{"bench", "--max-ref-n", "clp=1e4"},
		{"bench", "--repeat", "0"},
		{"bench", "--lambda-per-n", "-1"},
		{"bench", "--order", "3"},
		{"bench", "--order", "1", "--reference", "highs-ds"},
		{"bench", "extra"},
		{"bench", "--path", "-1"},
		{"bench", "--path", "1"},
		{"bench", "--path", "5", "--reference", "highs-ds"},
		{"bench", "--path", "5", "--lambda-per-n", "1e-3"},
	} {
		r := runArgs(t, args...)
		assert.Equal(t, 2, r.code, "%q: %v", args, r.err)
	}
	r := runArgs(t, "help", "bench")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "-max-ref-n")
	assert.Contains(t, r.stdout, "bench gen")
}

func TestParseMaxRef(t *testing.T) {
	m, err := parseMaxRef("highs-ds=1e4,highs-ipm=100000")
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"highs-ds": 1e4, "highs-ipm": 1e5}, m)
	m, err = parseMaxRef("1e3")
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"highs-ds": 1e3, "highs-ipm": 1e3}, m)
}

// useTestBinary makes bench run this test binary as ridgeline (see
// TestMain) instead of the binary it names.
func useTestBinary(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	old := benchExec
	benchExec = func(_ string, args ...string) *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "RIDGELINE_TEST_MAIN="+strings.Join(args, " "))
		return cmd
	}
	t.Cleanup(func() { benchExec = old })
}

// fakeHiGHS is a reference script for /bin/sh that reports the optimum 1
// in half a second for every problem.
const fakeHiGHS = `case "$1" in --version) echo '{"scipy_version": "0.0", "highs_version": "9.9"}'; exit 0;; esac
echo '{"status": "optimal", "objective": 1, "objective_recomputed": 1, "seconds": 0.5, "build_seconds": 0.1}'
`

// TestBenchTable runs the bench command end to end on small N, with a
// fake reference whose objective is wrong: the table must say so.
func TestBenchTable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs subprocesses")
	}
	useTestBinary(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "fake.sh")
	require.NoError(t, os.WriteFile(script, []byte(fakeHiGHS), 0o666))
	args := []string{"bench", "--n", "200,400", "--repeat", "2", "--python", "/bin/sh", "--script", script,
		"--max-ref-n", "highs-ds=300,highs-ipm=400", "--dir", dir, "--save", filepath.Join(dir, "rep.json")}

	r := runArgs(t, args...)
	require.NoError(t, r.err, r.stderr)
	assert.Contains(t, r.stdout, "| N | ridgeline solve s | ridgeline command s | certified gap | HiGHS ds s | HiGHS ipm s | ratio ds/ridgeline | ratio ipm/ridgeline | objective agreement |")
	assert.Contains(t, r.stdout, "HiGHS 9.9 through SciPy 0.0")
	lines := strings.Split(r.stdout, "\n")
	var rows []string
	for _, l := range lines {
		if strings.HasPrefix(l, "| 200 ") || strings.HasPrefix(l, "| 400 ") {
			rows = append(rows, l)
		}
	}
	require.Len(t, rows, 2, r.stdout)
	assert.Contains(t, rows[0], "| 0.5 | 0.5 |")
	assert.Contains(t, rows[1], "| — (N > --max-ref-n 300) | 0.5 |")
	assert.Contains(t, rows[1], "✗")
	assert.Contains(t, r.stdout, "objectives disagree")
	assert.Contains(t, r.stderr, "objectives disagree")
	assert.FileExists(t, filepath.Join(dir, "bench-n200-s7.csv"))
	assert.FileExists(t, filepath.Join(dir, "rep.json"))

	// The JSON report holds the same measurements.
	r = runArgs(t, append(args, "--json")...)
	require.NoError(t, r.err, r.stderr)
	var rep struct {
		Rows []struct {
			N         int `json:"n"`
			Ridgeline struct {
				Status    string  `json:"status"`
				Objective float64 `json:"objective"`
				Gap       float64 `json:"gap"`
				Seconds   float64 `json:"seconds"`
				Command   float64 `json:"command_seconds"`
				Runs      int     `json:"runs"`
			} `json:"ridgeline"`
			Refs map[string]struct {
				Seconds float64 `json:"seconds"`
				Skipped string  `json:"skipped"`
			} `json:"references"`
		} `json:"rows"`
		Warnings []string `json:"warnings"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	require.Len(t, rep.Rows, 2)
	for _, row := range rep.Rows {
		assert.Equal(t, "optimal", row.Ridgeline.Status)
		assert.Equal(t, 2, row.Ridgeline.Runs)
		assert.Less(t, row.Ridgeline.Gap, 1e-8)
		assert.Greater(t, row.Ridgeline.Command, row.Ridgeline.Seconds, "the command includes the solve")
	}
	assert.Equal(t, 0.5, rep.Rows[0].Refs["highs-ds"].Seconds)
	assert.NotEmpty(t, rep.Rows[1].Refs["highs-ds"].Skipped)
	assert.Len(t, rep.Warnings, 6, "disagreement and below the bound, for three solves")
}

func TestBenchWithoutReference(t *testing.T) {
	if testing.Short() {
		t.Skip("runs subprocesses")
	}
	useTestBinary(t)
	r := runArgs(t, "bench", "--n", "200,400", "--repeat", "1", "--python", filepath.Join(t.TempDir(), "nopython"))
	require.NoError(t, r.err, r.stderr)
	assert.Contains(t, r.stdout, "HiGHS not installed: apt-get install python3-scipy")
	assert.Contains(t, r.stdout, "— (not installed)")

	r = runArgs(t, "bench", "--loss", "squared", "--n", "200,400", "--repeat", "1")
	require.NoError(t, r.err, r.stderr)
	assert.Contains(t, r.stdout, "no reference for the squared loss")
	assert.Contains(t, r.stdout, "| N | ridgeline solve s | ridgeline command s | peak memory MiB |")
	assert.Contains(t, r.stdout, "(N ×2)")

	// Order 1: its own λ, no reference, and the fits are of order 1.
	r = runArgs(t, "bench", "--order", "1", "--n", "200,400", "--repeat", "1", "--json")
	require.NoError(t, r.err, r.stderr)
	var rep struct {
		Order      int     `json:"order"`
		LambdaPerN float64 `json:"lambda_per_n"`
		Reference  string  `json:"reference_note"`
		Rows       []struct {
			Lambda    float64 `json:"lambda"`
			Ridgeline struct {
				Status string `json:"status"`
				Knots  int    `json:"knots"`
			} `json:"ridgeline"`
		} `json:"rows"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	assert.Equal(t, 1, rep.Order)
	assert.Equal(t, 1e-3, rep.LambdaPerN)
	assert.Contains(t, rep.Reference, "no reference for order 1")
	require.Len(t, rep.Rows, 2)
	assert.Equal(t, 0.2, rep.Rows[0].Lambda)
	for _, row := range rep.Rows {
		assert.Equal(t, "optimal", row.Ridgeline.Status)
		assert.Positive(t, row.Ridgeline.Knots)
	}
	r = runArgs(t, "bench", "--order", "1", "--n", "200", "--repeat", "1")
	require.NoError(t, r.err, r.stderr)
	assert.Contains(t, r.stdout, "m = 1, l1 loss")
}

// TestBenchHiGHS checks bench/highs_l1.py against ridgeline where SciPy
// is installed: the LP it builds has ridgeline's optimum.
func TestBenchHiGHS(t *testing.T) {
	if testing.Short() {
		t.Skip("runs subprocesses")
	}
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import scipy.optimize").Run(); err != nil {
		t.Skipf("no SciPy (%v): apt-get install python3-scipy", err)
	}
	useTestBinary(t)
	// Duplicated inputs share one fitted value in both formulations.
	dir := t.TempDir()
	x, y := benchData(300, 7)
	x = append(x, x[:20]...)
	y = append(y, y[20:40]...)
	data := filepath.Join(dir, "dup.csv")
	require.NoError(t, writeBenchFile(data, x, y))

	cfg := benchConfig{loss: "l1", order: 2, python: python, script: "../../bench/highs_l1.py", exe: "ridgeline",
		refs: benchReferences, timeout: 60e9, agree: 1e-7, log: &bytes.Buffer{}}
	rep := &benchReport{}
	cfg.checkReference(rep)
	require.True(t, rep.refAvailable, rep.Reference)
	for _, lambda := range []string{"0.003", "0.3"} {
		fit, err := cfg.fit(data, lambda)
		require.NoError(t, err)
		require.Equal(t, "optimal", fit.Status)
		for _, m := range benchReferences {
			rr := &refRun{}
			require.NoError(t, cfg.reference(rr, data, lambda, m))
			require.Equal(t, "optimal", rr.Status, "λ = %s %s", lambda, m)
			cfg.compare(rep, len(y), fit, m, rr)
			assert.InDelta(t, fit.Objective, *rr.Objective, 1e-7*fit.Objective, "λ = %s %s", lambda, m)
		}
	}
	assert.Empty(t, rep.Warnings)
}

// TestBenchPath runs bench --path end to end on small N: each path against
// one fit at its middle λ.
func TestBenchPath(t *testing.T) {
	if testing.Short() {
		t.Skip("runs subprocesses")
	}
	useTestBinary(t)
	args := []string{"bench", "--loss", "squared", "--path", "8", "--n", "300,600", "--repeat", "2"}
	r := runArgs(t, args...)
	require.NoError(t, r.err, r.stderr)
	assert.Contains(t, r.stdout, "λ paths of 8 values")
	assert.Contains(t, r.stdout, "| N | path command s | one fit command s | path / one fit |")
	assert.Contains(t, r.stdout, "| 8 of 8 |")

	r = runArgs(t, append(args, "--json")...)
	require.NoError(t, r.err, r.stderr)
	var rep struct {
		PathValues int `json:"path_values"`
		Rows       []struct {
			N         int     `json:"n"`
			Lambda    float64 `json:"lambda"`
			Ridgeline struct {
				Status  string  `json:"status"`
				Seconds float64 `json:"seconds"`
				Command float64 `json:"command_seconds"`
				Runs    int     `json:"runs"`
			} `json:"ridgeline"`
			Path struct {
				Values  int     `json:"values"`
				Optimal int     `json:"optimal"`
				MaxGap  float64 `json:"max_gap"`
				Command float64 `json:"command_seconds"`
				Runs    int     `json:"runs"`
			} `json:"path"`
		} `json:"rows"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	assert.Equal(t, 8, rep.PathValues)
	require.Len(t, rep.Rows, 2)
	for _, row := range rep.Rows {
		assert.Equal(t, 8, row.Path.Values)
		assert.Equal(t, 8, row.Path.Optimal)
		assert.Less(t, row.Path.MaxGap, 1e-8)
		assert.Equal(t, 2, row.Path.Runs)
		assert.Equal(t, 2, row.Ridgeline.Runs)
		assert.Equal(t, "optimal", row.Ridgeline.Status)
		assert.Greater(t, row.Ridgeline.Command, row.Ridgeline.Seconds, "the command includes the solve")
		// The single fit is at the path's middle λ: below λ_max, above
		// λ_max·1e-4.
		lmax, err := solverLambdaMax(row.N)
		require.NoError(t, err)
		assert.Less(t, row.Lambda, lmax)
		assert.Greater(t, row.Lambda, 1e-4*lmax)
	}
}

// solverLambdaMax is λ_max of the squared-loss benchmark problem of size n.
func solverLambdaMax(n int) (float64, error) {
	x, y := benchData(n, defaultBenchSeed)
	return solver.LambdaMax(&problem.Problem{Dim: 1, X: x, Y: y, Loss: problem.Squared{}, Order: 2, Skip: true})
}
