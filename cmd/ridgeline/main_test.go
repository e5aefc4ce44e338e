package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/solver"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// result is what one command line produced.
type result struct {
	stdout, stderr string
	err            error
	code           int    // exit status main would use
	diag           string // what main would print on stderr for err
}

// runArgs runs the command line args through run, as main would.
func runArgs(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr, diag bytes.Buffer
	err := run(&stdout, &stderr, args)
	code := report(&diag, err)
	var ie *internalError
	require.False(t, errors.As(err, &ie), "internal error for %q: %v", args, err)
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err, code: code, diag: diag.String()}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r := runArgs(t, args...)
		assert.Equal(t, 0, r.code, "%q", args)
		assert.Contains(t, r.stdout, "Usage:", "%q", args)
		for name := range commands {
			assert.Contains(t, r.stdout, "\t"+name, "%q lists %s", args, name)
		}
	}

	r := runArgs(t)
	assert.Equal(t, 2, r.code, "no command")
	assert.Contains(t, r.stderr, "Usage:")
	assert.Empty(t, r.diag, "the usage is the message")
	assert.Empty(t, r.stdout)
}

func TestHelpCommand(t *testing.T) {
	r := runArgs(t, "help", "fit")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "usage: ridgeline fit")
	assert.Contains(t, r.stdout, "-lambda")

	r = runArgs(t, "fit", "-h")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stderr, "-huber-delta")
	assert.Empty(t, r.stdout)

	r = runArgs(t, "help", "nosuch")
	assert.Equal(t, 2, r.code)
}

func TestVersion(t *testing.T) {
	r := runArgs(t, "version")
	require.NoError(t, r.err)
	assert.Regexp(t, `^ridgeline \S+ go\S+ \S+/\S+\n$`, r.stdout)
	assert.Equal(t, 2, runArgs(t, "version", "x").code)
}

// TestPanicIsInternalError checks run's last resort: a panic in a command
// becomes one line and exit status 1, not a crash and not status 2.
func TestPanicIsInternalError(t *testing.T) {
	commands["test-panic"] = func(io.Writer, io.Writer, []string) error {
		var m map[string]int
		m["x"]++ // nil map: a runtime panic
		return nil
	}
	defer delete(commands, "test-panic")
	var stdout, stderr, diag bytes.Buffer
	err := run(&stdout, &stderr, []string{"test-panic"})
	var ie *internalError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 1, report(&diag, err))
	assert.Regexp(t, `^ridgeline: internal error: panic: .*nil map.*\n$`, diag.String())
	assert.Equal(t, 1, strings.Count(diag.String(), "\n"))
}

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{&shortError{msg: "gap"}, 1},
		{fmt.Errorf("wrapped: %w", &shortError{msg: "gap"}), 1},
		{&internalError{msg: "bug"}, 1},
		{errors.New("disk full"), 1},
		{usagef("bad flag"), 2},
		{&problem.InputError{File: "f.csv", Row: 2, Msg: "bad"}, 2},
		{fmt.Errorf("f.csv: %w", problem.ErrConflict), 2},
		{fmt.Errorf("f.csv: %w", solver.ErrUnsupported), 2},
	} {
		assert.Equal(t, tc.want, exitCode(tc.err), "%v", tc.err)
	}
}

// TestMain lets the test binary act as the ridgeline command for
// TestMainExitStatus.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("RIDGELINE_TEST_MAIN"); ok {
		os.Args = append([]string{"ridgeline"}, strings.Fields(args)...)
		main()
		os.Exit(0) // not reached: main exits
	}
	os.Exit(m.Run())
}

// TestMainExitStatus runs main in a subprocess to check the exit statuses
// and the one-line diagnostic that only main produces.
func TestMainExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs subprocesses")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	for _, tc := range []struct {
		args   string
		code   int
		stderr string // regexp for the whole of stderr
	}{
		{"version", 0, `^$`},
		{"fit --data testdata/small.csv --loss interp", 0, `^$`},
		{"fit --data testdata/small.csv --lambda 0.1 --tol 1e-300", 1, `^ridgeline: solver stopped short: status \w+, certified gap \S+ > --tol 1e-300\n$`},
		{"fit --data ../../testdata/bad/nan.csv", 2, `^ridgeline: \S*nan.csv: row 3, column 2 \("y"\): not a finite number: "NaN"\n$`},
		{"frobnicate", 2, `^ridgeline: unknown command "frobnicate"[^\n]*\n$`},
	} {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "RIDGELINE_TEST_MAIN="+tc.args)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else {
			require.NoError(t, err, tc.args)
		}
		assert.Equal(t, tc.code, code, "exit status of %q", tc.args)
		assert.Regexp(t, tc.stderr, stderr.String(), "stderr of %q", tc.args)
	}
}
