package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
	"github.com/ridgeline-nn/ridgeline/solver"
)

// commands holds the subcommands by name. Each file that implements one
// registers it from an init function, with a one-line description in
// synopses; run dispatches on the first argument.
var commands = map[string]func(stdout, stderr io.Writer, args []string) error{}

// synopses holds the one-line description of each command for the usage
// message. A command without one is listed by name only.
var synopses = map[string]string{}

func init() {
	commands["help"] = runHelp
	synopses["help"] = "show this message, or a command's flags (help COMMAND)"
	commands["version"] = runVersion
	synopses["version"] = "print the version of ridgeline and Go"
}

func main() {
	os.Exit(report(os.Stderr, run(os.Stdout, os.Stderr, os.Args[1:])))
}

// Exit statuses (DESIGN §6).
const (
	exitOK    = 0 // success
	exitShort = 1 // the solver stopped short of the requested gap, or an internal failure
	exitUsage = 2 // bad input or usage
)

// report writes the one-line diagnostic of err, if any, to stderr and
// returns the exit status for it.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) && ue.quiet {
		return exitUsage
	}
	fmt.Fprintf(stderr, "ridgeline: %s\n", oneLine(err.Error()))
	return exitCode(err)
}

// exitCode classifies err: 0 for nil; 1 when the solver fell short
// (*shortError) and for internal failures (a recovered panic, an I/O error
// writing an output file, an unexpected solver error); 2 for usage errors
// and for everything that is wrong with the input: data files, flag values
// and problems the solver does not support.
func exitCode(err error) int {
	var (
		short *shortError
		intl  *internalError
		ue    *usageError
		ie    *problem.InputError
		ve    *representer.ValidationError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &short), errors.As(err, &intl):
		return exitShort
	case errors.As(err, &ue), errors.As(err, &ie), errors.As(err, &ve):
		return exitUsage
	}
	for _, s := range badInputSentinels {
		if errors.Is(err, s) {
			return exitUsage
		}
	}
	return exitShort
}

// badInputSentinels are the errors of other packages that mean the input
// is at fault rather than the program.
var badInputSentinels = []error{
	problem.ErrNoData, problem.ErrBadLambda, problem.ErrBadOrder, problem.ErrBadWeights,
	problem.ErrNotFinite, problem.ErrConflict, problem.ErrBadShape, problem.ErrNoLoss,
	problem.ErrBadLoss, solver.ErrUnsupported, solver.ErrIllConditioned, representer.ErrUnsupported,
}

// usageError is a usage mistake or bad input: exit status 2.
type usageError struct {
	err   error
	quiet bool // the message (a usage text) was already written
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usage error with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// badInput marks err, which must not be nil, as bad input (exit status 2)
// while keeping it for errors.Is and errors.As.
func badInput(err error) error { return &usageError{err: err} }

// shortError reports that the solver stopped short of the requested gap.
// The command has already printed its output; the message says how far it got.
type shortError struct{ msg string }

func (e *shortError) Error() string { return e.msg }

// internalError is a failure of ridgeline itself, such as a recovered
// panic: exit status 1, like any failure that is not the input's fault.
type internalError struct{ msg string }

func (e *internalError) Error() string { return "internal error: " + e.msg }

// errHelp is returned by parseFlags when -h or -help was given and the
// usage has been printed; run turns it into success.
var errHelp = errors.New("help requested")

// run executes the command line args (without the program name). It never
// panics: a panic in a command becomes an *internalError.
func run(stdout, stderr io.Writer, args []string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			// Keep the message to one line; the stack says where.
			err = &internalError{msg: fmt.Sprintf("panic: %v [%s] (please report this)", r, panicSite())}
		}
	}()
	if len(args) == 0 {
		usage(stderr)
		return &usageError{err: errors.New("no command"), quiet: true}
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	}
	cmd, ok := commands[name]
	if !ok {
		return usagef("unknown command %q (commands: %s; see 'ridgeline help')", name, strings.Join(commandNames(), ", "))
	}
	err = cmd(stdout, stderr, rest)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// panicSite returns the function and line of the panicking frame, found by
// skipping the runtime's own frames in the stack.
func panicSite() string {
	pc := make([]uintptr, 32)
	n := runtime.Callers(3, pc)
	frames := runtime.CallersFrames(pc[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") {
			return fmt.Sprintf("%s:%d", f.Function, f.Line)
		}
		if !more {
			return "unknown"
		}
	}
}

// commandNames returns the registered command names in sorted order.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// usage writes the top-level usage message to w.
func usage(w io.Writer) {
	fmt.Fprint(w, `ridgeline fits shallow ReLU networks exactly: it solves the convex
total-variation spline problem of a network with weight decay to a
certified global optimum.

Usage:

	ridgeline <command> [flags]

Commands:

`)
	for _, name := range commandNames() {
		if s := synopses[name]; s != "" {
			fmt.Fprintf(w, "\t%-8s %s\n", name, s)
		} else {
			fmt.Fprintf(w, "\t%s\n", name)
		}
	}
	fmt.Fprint(w, `
Run 'ridgeline help <command>' or 'ridgeline <command> -h' for its flags.
Exit status: 0 success, 1 the solver stopped short of the requested gap,
2 bad input or usage.
`)
}

// runHelp prints the usage, or with a command name that command's flags,
// to stdout.
func runHelp(stdout, stderr io.Writer, args []string) error {
	switch len(args) {
	case 0:
		usage(stdout)
		return nil
	case 1:
		if args[0] == "help" || args[0] == "version" {
			usage(stdout)
			return nil
		}
		cmd, ok := commands[args[0]]
		if !ok {
			return usagef("help: unknown command %q", args[0])
		}
		// Every command prints its usage for -h to its stderr.
		return cmd(stdout, stdout, []string{"-h"})
	}
	return usagef("help: too many arguments (want at most a command name)")
}

// runVersion prints the module version and the Go version.
func runVersion(stdout, stderr io.Writer, args []string) error {
	if len(args) > 0 {
		return usagef("version: unexpected argument %q", args[0])
	}
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	_, err := fmt.Fprintf(stdout, "ridgeline %s %s %s/%s\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}

// oneLine joins the lines of a message so that every diagnostic is one line.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(strings.TrimSpace(s))
}
