package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const badDir = "../../testdata/bad/"

// writeTemp writes content to a file name in a fresh temporary directory
// and returns its path.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o666))
	return path
}

// TestBadInput checks that every kind of bad input is exit status 2 with
// one line on stderr that names what is wrong: for data, the file and,
// where they apply, the row and the column.
func TestBadInput(t *testing.T) {
	twoD := writeTemp(t, "twod.csv", "x1,x2,y\n0,0,1\n1,0,2\n0,1,3\n1,1,5\n")
	headerOnly := writeTemp(t, "header.csv", "x,y\n")
	oneCol := writeTemp(t, "onecol.csv", "y\n1\n2\n")
	zeroW := writeTemp(t, "zerow.csv", "x,y,w\n0,1,0\n1,2,0\n")
	noHeaderDup := writeTemp(t, "nohdr.csv", "0,0\n1,1\n2,5\n1,3\n")
	missing := filepath.Join(t.TempDir(), "missing.csv")
	good := "testdata/small.csv"

	for _, tc := range []struct {
		name string
		args []string
		want []string // substrings of the message, in order
	}{
		{"empty file", []string{"fit", "--data", badDir + "empty.csv"},
			[]string{"empty.csv: ", "empty file"}},
		{"ragged row", []string{"fit", "--data", badDir + "ragged.csv"},
			[]string{"ragged.csv: ", "row 3", "3 cells, want 2"}},
		{"non-numeric cell", []string{"fit", "--data", badDir + "nonnumeric.csv"},
			[]string{"nonnumeric.csv: ", "row 3, column 2 (\"y\")", "not a number: \"abc\""}},
		{"NaN", []string{"fit", "--data", badDir + "nan.csv"},
			[]string{"nan.csv: ", "row 3, column 2 (\"y\")", "NaN"}},
		{"Inf", []string{"fit", "--data", badDir + "inf.csv"},
			[]string{"inf.csv: ", "row 4, column 1 (\"x\")", "Inf"}},
		{"negative weight", []string{"fit", "--data", badDir + "negweight.csv", "--weights", "w"},
			[]string{"negweight.csv: ", "row 3, column 3 (\"w\")", "negative weight"}},
		{"all weights zero", []string{"fit", "--data", zeroW, "--weights", "w"},
			[]string{"zerow.csv: ", "column 3 (\"w\")", "all weights are zero"}},
		{"unknown weight column", []string{"fit", "--data", good, "--weights", "omega"},
			[]string{"small.csv: ", "unknown weights column \"omega\""}},
		{"unknown target column", []string{"fit", "--data", good, "--target", "z"},
			[]string{"small.csv: ", "unknown target column \"z\""}},
		{"header only", []string{"fit", "--data", headerOnly},
			[]string{"header.csv: ", "no data rows"}},
		{"one column", []string{"fit", "--data", oneCol},
			[]string{"onecol.csv: ", "row 1", "1 column"}},
		{"interp with conflicting duplicates", []string{"fit", "--data", badDir + "dupinterp.csv", "--loss", "interp"},
			[]string{"dupinterp.csv: ", "row 4, column 2 (\"y\")", "conflicting duplicated inputs", "x = 1", "row 3"}},
		{"interp conflict without header", []string{"fit", "--data", noHeaderDup, "--loss", "interp"},
			[]string{"nohdr.csv: ", "row 4, column 2", "x = 1 has target 3 here and 1 on row 2"}},
		{"nonexistent file", []string{"fit", "--data", missing},
			[]string{"missing.csv: ", "no such file"}},
		{"2-D data", []string{"fit", "--data", twoD},
			[]string{"twod.csv: ", "unsupported", "dimension 2"}},

		{"lambda < 0", []string{"fit", "--data", good, "--lambda", "-1"},
			[]string{"--lambda", "> 0", "-1"}},
		{"lambda = 0 with squared", []string{"fit", "--data", good, "--lambda", "0"},
			[]string{"--lambda", "> 0", "squared", "--loss interp"}},
		{"lambda NaN", []string{"fit", "--data", good, "--lambda", "NaN"},
			[]string{"--lambda", "NaN"}},
		{"lambda not a number", []string{"fit", "--data", good, "--lambda", "lots"},
			[]string{"fit: ", "invalid value \"lots\" for flag -lambda"}},
		{"huber delta", []string{"fit", "--data", good, "--loss", "huber", "--huber-delta", "0"},
			[]string{"--huber-delta", "> 0"}},
		{"unknown loss", []string{"fit", "--data", good, "--loss", "hinge"},
			[]string{"--loss", "unknown loss \"hinge\""}},
		{"order out of range", []string{"fit", "--data", good, "--order", "7"},
			[]string{"--order", "between 1 and 4", "7"}},
		{"order not implemented", []string{"fit", "--data", good, "--order", "3"},
			[]string{"small.csv: ", "unsupported", "order 3"}},
		{"no skip not implemented", []string{"fit", "--data", good, "--no-skip"},
			[]string{"small.csv: ", "unsupported", "skip"}},
		{"tol", []string{"fit", "--data", good, "--tol", "0"},
			[]string{"--tol", "(0, 1)"}},
		{"backend", []string{"fit", "--data", good, "--backend", "cplex"},
			[]string{"--backend", "banded", "\"cplex\""}},
		{"plot format", []string{"fit", "--data", good, "--plot", filepath.Join(t.TempDir(), "fit.bmp")},
			[]string{"--plot", "fit.bmp", ".bmp", ".png"}},
		{"unknown flag", []string{"fit", "--data", good, "--lamda", "3"},
			[]string{"fit: ", "flag provided but not defined: -lamda"}},
		{"flag without value", []string{"fit", "--data"},
			[]string{"fit: ", "flag needs an argument: -data"}},
		{"positional argument", []string{"fit", good},
			[]string{"fit: ", "unexpected argument", "small.csv"}},
		{"missing --data", []string{"fit", "--lambda", "2"},
			[]string{"--data is required"}},
		{"unknown command", []string{"fitt", "--data", good},
			[]string{"unknown command \"fitt\"", "fit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runArgs(t, tc.args...)
			require.Error(t, r.err)
			assert.Equal(t, 2, r.code, "exit status for %v", r.err)
			assert.Empty(t, r.stdout)
			assert.Empty(t, r.stderr, "nothing but the diagnostic on stderr")
			require.True(t, strings.HasPrefix(r.diag, "ridgeline: "), "diagnostic %q", r.diag)
			assert.Equal(t, 1, strings.Count(r.diag, "\n"), "one line: %q", r.diag)
			msg := r.diag
			for _, w := range tc.want {
				i := strings.Index(msg, w)
				if !assert.GreaterOrEqual(t, i, 0, "%q does not contain %q (in order)", r.diag, w) {
					break
				}
				msg = msg[i+len(w):]
			}
		})
	}
}

// TestLambdaIgnoredByInterp checks the warning for --lambda with
// --loss interp: one line on stderr, and the fit goes on.
func TestLambdaIgnoredByInterp(t *testing.T) {
	r := runArgs(t, "fit", "--data", "testdata/small.csv", "--loss", "interp", "--lambda", "-3")
	require.NoError(t, r.err)
	assert.Equal(t, "ridgeline: warning: --lambda is ignored with --loss interp\n", r.stderr)
	assert.Contains(t, r.stdout, "status:      optimal")

	r = runArgs(t, "fit", "--data", "testdata/small.csv", "--loss", "interp")
	require.NoError(t, r.err)
	assert.Empty(t, r.stderr, "no warning for the default λ")
}

// TestOddDataNoPanic runs fit on awkward but valid data: whatever the
// solver makes of it, the command ends with status 0, 1 or 2 (runArgs
// fails on an internal error) and, unless the input was rejected, prints
// one valid JSON object, with null for values JSON cannot hold.
func TestOddDataNoPanic(t *testing.T) {
	for name, content := range map[string]string{
		"one sample":      "x,y\n0,1\n",
		"same x":          "x,y\n1,1\n1,2\n1,3\n",
		"huge y":          "x,y\n0,1e300\n1,-1e300\n2,1e300\n",
		"tiny x":          "x,y\n0,1e-300\n1e-300,0\n2e-300,1e-300\n",
		"near-duplicates": "x,y\n0,1\n1e-12,5\n2,3\n3,1\n",
		"far from zero":   "x,y\n1e15,1\n1e15,2\n1.0000000000000002e15,3\n",
		"zero weights":    "x,y,w\n0,1,0\n1,2,1\n2,5,0\n3,1,1\n",
	} {
		path := writeTemp(t, "odd.csv", content)
		for _, extra := range [][]string{{}, {"--loss", "interp"}, {"--loss", "l1"}, {"--loss", "huber"}, {"--lambda", "1e300"}} {
			args := append([]string{"fit", "--data", path, "--json", "--weights", "3"}, extra...)
			if name != "zero weights" {
				args = append([]string{"fit", "--data", path, "--json"}, extra...)
			}
			r := runArgs(t, args...)
			assert.Contains(t, []int{0, 1, 2}, r.code, "%s %v: %v", name, extra, r.err)
			if r.code != 2 {
				decodeFit(t, r.stdout)
			}
		}
	}
}
