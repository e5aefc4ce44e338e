package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

func init() {
	commands["bench"] = runBench
	synopses["bench"] = "time fits of generated data against HiGHS (bench gen: write the data)"
}

const benchDoc = `Bench times ridgeline on the benchmark problems of the project and, for the
l1 loss, HiGHS on the same linear program, and prints a markdown table with
the ratio per N. For each N it writes the data once (as 'bench gen' does),
runs 'ridgeline fit --data FILE --loss LOSS --order M --lambda λ --json'
--repeat times as a separate process (λ = --lambda-per-n × N; by default
1e-5·N for M = 2 and 1e-3·N for M = 1, the λ of the solver package's Go
benchmarks) and keeps the fastest solve
(the JSON "seconds"), the fastest whole command and the smallest peak
resident memory; then it runs bench/highs_l1.py (HiGHS through SciPy's
linprog) with each --reference method up to its --max-ref-n, and checks
that the optimal objectives agree. Ratios are HiGHS's solve time over
ridgeline's solve time; model building is timed apart and not included.
SciPy's HiGHS interface solves LPs only, so the squared loss has no
reference, and the reference script builds the order-2 LP, so order 1 has
none either. Without SciPy the reference columns are empty and the table
says how to install it. bench/run.sh runs the README's benchmarks.

With --path K it times instead, for each N, 'ridgeline fit --lambda-path K
--json' (K values of λ from λ_max down, each warm-started from the one
before) against one 'ridgeline fit --lambda λ --json' at the path's middle
λ, and prints the ratio of the two commands' wall times, with the path's
certified gaps.

   ridgeline bench gen --n N [--seed S] [--out FILE]

writes the data of one N as CSV x,y: x uniform on [0, 1), y = sin(8x) +
0.3|x − 0.5| + 0.1·noise, from the PCG generator seeded (N, S), the same
samples as the Go benchmarks of package solver.
`

// Defaults of the bench command.
const (
	// defaultBenchSeed is the second PCG seed of the benchmark data; with
	// it 'bench gen' reproduces the data of the solver package's Go
	// benchmarks, which seed the generator with (N, 7).
	defaultBenchSeed = 7
	// defaultLambdaPerN is c in λ = c·N: 0.01 at N = 1000, as in the
	// solver benchmarks, so that the fit and its knots stay comparable
	// across N.
	defaultLambdaPerN = 1e-5
	// defaultLambdaPerNOrder1 is c for order 1, as in the solver's
	// order-1 benchmarks: the number of jumps grows with N.
	defaultLambdaPerNOrder1 = 1e-3
	// defaultAgree is the largest relative difference of the objectives of
	// ridgeline and a reference that counts as agreement: ridgeline's is
	// certified to --tol, HiGHS's to its default tolerances of about 1e-7.
	defaultAgree = 1e-6
)

// benchReferences are the reference methods bench knows, as spelled for
// scipy.optimize.linprog.
var benchReferences = []string{"highs-ds", "highs-ipm"}

// runBench implements `ridgeline bench` and `ridgeline bench gen`.
func runBench(stdout, stderr io.Writer, args []string) error {
	if len(args) > 0 && args[0] == "gen" {
		return runBenchGen(stdout, stderr, args[1:])
	}
	fs := newFlagSet("bench", "ridgeline bench [--n LIST] [--loss l1|squared] [--order 1|2] [--reference LIST] [flags] | ridgeline bench gen --n N [--seed S] [--out FILE]", benchDoc)
	sizes := fs.String("n", "1e3,1e4,1e5", "comma-separated sample `sizes` N")
	loss := fs.String("loss", "l1", "data `loss`: l1 or squared")
	order := fs.Int("order", 2, "spline `order` m: 2 (ReLU) or 1 (steps)")
	perN := fs.Float64("lambda-per-n", 0, "λ = `c`·N (default 1e-5, and 1e-3 for order 1)")
	seed := fs.Uint64("seed", defaultBenchSeed, "second `seed` of the data generator")
	repeat := fs.Int("repeat", 3, "`runs` of ridgeline per N; the fastest is reported")
	refs := fs.String("reference", strings.Join(benchReferences, ","), "reference `methods`: highs-ds, highs-ipm, or none")
	maxRef := fs.String("max-ref-n", "highs-ds=1e5,highs-ipm=1e4", "largest N per reference, `METHOD=N,…` (or one N for all)")
	timeout := fs.Duration("timeout", 10*time.Minute, "time limit of one reference solve (`duration`)")
	python := fs.String("python", "/usr/bin/python3", "`python` interpreter with SciPy")
	script := fs.String("script", "", "reference `script` (default: bench/highs_l1.py next to the binary's folder or in the working directory)")
	exe := fs.String("ridgeline", "", "ridgeline `binary` to time (default: this one)")
	dir := fs.String("dir", "", "keep the data and outputs in `DIR` (default: a temporary folder, removed)")
	agree := fs.Float64("agree", defaultAgree, "largest relative difference `R` of the objectives that counts as agreement")
	asJSON := fs.Bool("json", false, "print the measurements as one JSON object instead of the table")
	save := fs.String("save", "", "also write the measurements as JSON to `FILE`")
	pathK := fs.Int("path", 0, "with `K` > 0, time λ paths of K values (fit --lambda-path K) against one fit at the path's middle λ instead")
	if err := fs.parse(args, stderr); err != nil {
		return err
	}

	cfg := benchConfig{order: *order, perN: *perN, seed: *seed, repeat: *repeat, timeout: *timeout,
		python: *python, agree: *agree, pathK: *pathK, log: stderr}
	var err error
	if cfg.sizes, err = parseSizes(*sizes); err != nil {
		return usagef("--n: %v", err)
	}
	switch *loss {
	case "l1", "squared":
		cfg.loss = *loss
	default:
		return usagef("--loss must be l1 or squared, got %q", *loss)
	}
	switch {
	case cfg.order != 1 && cfg.order != 2:
		return usagef("--order must be 1 or 2, got %d", cfg.order)
	case !flagGiven(fs.FlagSet, "lambda-per-n") && cfg.order == 1:
		cfg.perN = defaultLambdaPerNOrder1
	case !flagGiven(fs.FlagSet, "lambda-per-n"):
		cfg.perN = defaultLambdaPerN
	}
	if !(cfg.perN > 0) || math.IsInf(cfg.perN, 0) {
		return usagef("--lambda-per-n must be finite and > 0, got %v", cfg.perN)
	}
	if cfg.repeat < 1 {
		return usagef("--repeat must be ≥ 1, got %d", cfg.repeat)
	}
	if cfg.timeout <= 0 {
		return usagef("--timeout must be > 0, got %v", cfg.timeout)
	}
	if !(cfg.agree > 0) {
		return usagef("--agree must be > 0, got %v", cfg.agree)
	}
	if cfg.refs, err = parseReferences(*refs); err != nil {
		return usagef("--reference: %v", err)
	}
	if cfg.order == 1 {
		if flagGiven(fs.FlagSet, "reference") && len(cfg.refs) > 0 {
			return usagef("--reference: the reference script solves the order-2 LP; order 1 has none")
		}
		cfg.refs = nil
	}
	switch {
	case cfg.pathK < 0 || cfg.pathK == 1:
		return usagef("--path must be 0 (off) or ≥ 2, got %d", cfg.pathK)
	case cfg.pathK > 0 && flagGiven(fs.FlagSet, "reference") && len(cfg.refs) > 0:
		return usagef("--reference: a path is timed against ridgeline's own single fit, not a reference")
	case cfg.pathK > 0 && flagGiven(fs.FlagSet, "lambda-per-n"):
		return usagef("--lambda-per-n: a path runs from λ_max down (fit --lambda-path)")
	case cfg.pathK > 0:
		cfg.refs = nil
	}
	if cfg.maxRef, err = parseMaxRef(*maxRef); err != nil {
		return usagef("--max-ref-n: %v", err)
	}
	if cfg.exe = *exe; cfg.exe == "" {
		if cfg.exe, err = os.Executable(); err != nil {
			return fmt.Errorf("bench: cannot find the ridgeline binary (use --ridgeline): %w", err)
		}
	}
	cfg.script = *script
	if cfg.script == "" && len(cfg.refs) > 0 && cfg.loss == "l1" {
		cfg.script = findScript(cfg.exe)
	}

	cfg.dir = *dir
	if cfg.dir == "" {
		if cfg.dir, err = os.MkdirTemp("", "ridgeline-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(cfg.dir)
	} else if err := os.MkdirAll(cfg.dir, 0o777); err != nil {
		return err
	}

	rep, err := cfg.run()
	if err != nil {
		return err
	}
	if *save != "" {
		var b bytes.Buffer
		if err := writeJSON(&b, rep); err != nil {
			return err
		}
		if err := os.WriteFile(*save, b.Bytes(), 0o666); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(stdout, rep)
	}
	var b bytes.Buffer
	rep.writeMarkdown(&b)
	_, err = stdout.Write(b.Bytes())
	return err
}

// runBenchGen implements `ridgeline bench gen`.
func runBenchGen(stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("bench gen", "ridgeline bench gen --n N [--seed S] [--out FILE]", benchDoc)
	n := fs.String("n", "", "number of samples `N` (required; 1e5 is accepted)")
	seed := fs.Uint64("seed", defaultBenchSeed, "second `seed` of the generator (the first is N)")
	out := fs.String("out", "", "write to `FILE` instead of stdout")
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if *n == "" {
		return usagef("bench gen: --n is required")
	}
	sizes, err := parseSizes(*n)
	if err != nil || len(sizes) != 1 {
		return usagef("bench gen: --n must be one size, got %q", *n)
	}
	x, y := benchData(sizes[0], *seed)
	if *out == "" {
		return writeBenchCSV(stdout, x, y)
	}
	return writeBenchFile(*out, x, y)
}

// benchData returns the benchmark problem of size n: x uniform on [0, 1)
// and y = sin(8x) + 0.3|x − 0.5| + 0.1·N(0, 1), drawn from PCG seeded
// (n, seed) in the order x_1, noise_1, x_2, …, as the solver package's
// randomProblem draws them.
func benchData(n int, seed uint64) (x, y []float64) {
	r := rand.New(rand.NewPCG(uint64(n), seed))
	x = make([]float64, n)
	y = make([]float64, n)
	for i := range x {
		x[i] = r.Float64()
		y[i] = math.Sin(8*x[i]) + 0.3*math.Abs(x[i]-0.5) + 0.1*r.NormFloat64()
	}
	return x, y
}

// writeBenchCSV writes the header x,y and one row per sample, every
// number in the shortest form that reads back exactly.
func writeBenchCSV(w io.Writer, x, y []float64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("x,y\n")
	var buf []byte
	for i := range x {
		buf = strconv.AppendFloat(buf[:0], x[i], 'g', -1, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, y[i], 'g', -1, 64)
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	return bw.Flush()
}

// writeBenchFile writes the data to the file path.
func writeBenchFile(path string, x, y []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeBenchCSV(f, x, y); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// parseSizes parses a comma-separated list of sample sizes, each an
// integer ≥ 3 written as 1000 or 1e3.
func parseSizes(s string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v != math.Trunc(v) || v < 3 || v > 1e9 {
			return nil, fmt.Errorf("want integers from 3 to 1e9, got %q", f)
		}
		sizes = append(sizes, int(v))
	}
	return sizes, nil
}

// parseReferences parses the --reference list: names from benchReferences,
// or "none" for no reference.
func parseReferences(s string) ([]string, error) {
	if strings.TrimSpace(s) == "none" || strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var refs []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(benchReferences, f) {
			return nil, fmt.Errorf("unknown method %q (want %s or none)", f, strings.Join(benchReferences, ", "))
		}
		if !slices.Contains(refs, f) {
			refs = append(refs, f)
		}
	}
	return refs, nil
}

// parseMaxRef parses --max-ref-n: METHOD=N pairs, or one N for every
// method.
func parseMaxRef(s string) (map[string]int, error) {
	m := map[string]int{}
	if !strings.Contains(s, "=") {
		n, err := parseSizes(s)
		if err != nil || len(n) != 1 {
			return nil, fmt.Errorf("want METHOD=N,… or one N, got %q", s)
		}
		for _, r := range benchReferences {
			m[r] = n[0]
		}
		return m, nil
	}
	for _, f := range strings.Split(s, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(f), "=")
		if !slices.Contains(benchReferences, name) {
			return nil, fmt.Errorf("unknown method %q in %q", name, f)
		}
		n, err := parseSizes(val)
		if err != nil || len(n) != 1 {
			return nil, fmt.Errorf("want METHOD=N, got %q", f)
		}
		m[name] = n[0]
	}
	return m, nil
}

// findScript returns the reference script: bench/highs_l1.py beside the
// folder of the binary exe (bench/out/ridgeline as bench/run.sh builds
// it), else in the working directory.
func findScript(exe string) string {
	for _, p := range []string{
		filepath.Join(filepath.Dir(exe), "..", "highs_l1.py"),
		filepath.Join("bench", "highs_l1.py"),
	} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return filepath.Join("bench", "highs_l1.py")
}

// benchConfig is a parsed bench command line.
type benchConfig struct {
	sizes   []int
	loss    string
	order   int
	perN    float64
	seed    uint64
	repeat  int
	refs    []string
	maxRef  map[string]int
	timeout time.Duration
	python  string
	script  string
	exe     string
	dir     string
	agree   float64
	pathK   int       // > 0: time paths of this many λ (measurePath)
	log     io.Writer // progress and warnings
}

// benchReport is what bench measured; --json prints it.
type benchReport struct {
	Loss         string         `json:"loss"`
	Order        int            `json:"order"`
	LambdaPerN   float64        `json:"lambda_per_n"`
	Seed         uint64         `json:"seed"`
	Repeat       int            `json:"repeat"`
	References   []string       `json:"references"`
	Reference    string         `json:"reference_note"` // why there is no reference, or its versions
	Scipy        string         `json:"scipy_version,omitempty"`
	Highs        string         `json:"highs_version,omitempty"`
	MaxRefN      map[string]int `json:"max_ref_n"`
	TimeoutS     float64        `json:"timeout_seconds"`
	Agree        float64        `json:"agree"`
	PathValues   int            `json:"path_values,omitempty"` // --path K
	Rows         []benchRow     `json:"rows"`
	Warnings     []string       `json:"warnings"`
	refAvailable bool
}

// benchRow holds the measurements of one N.
type benchRow struct {
	N         int                `json:"n"`
	Lambda    float64            `json:"lambda"`
	Ridgeline ridgelineRun       `json:"ridgeline"` // with --path: the single fit at Lambda
	Refs      map[string]*refRun `json:"references"`
	Path      *pathRun           `json:"path,omitempty"`
}

// pathRun is the best of --repeat runs of ridgeline fit --lambda-path K.
type pathRun struct {
	Values  int     `json:"values"`          // λ values solved
	Optimal int     `json:"optimal"`         // of which certified optimal
	MaxGap  number  `json:"max_gap"`         // the largest certified gap
	Command float64 `json:"command_seconds"` // fastest whole command, wall time
	PeakMiB float64 `json:"peak_mib"`        // smallest peak resident set, 0 if unknown
	Runs    int     `json:"runs"`
}

// ridgelineRun is the best of --repeat runs of ridgeline fit.
type ridgelineRun struct {
	Status     string  `json:"status"`
	Objective  float64 `json:"objective"`
	LowerBound number  `json:"lower_bound"`
	Gap        number  `json:"gap"`
	Knots      int     `json:"knots"`
	Iterations int     `json:"iterations"`
	Seconds    float64 `json:"seconds"`         // fastest solve (JSON "seconds")
	Command    float64 `json:"command_seconds"` // fastest whole command, wall time
	PeakMiB    float64 `json:"peak_mib"`        // smallest peak resident set, 0 if unknown
	Runs       int     `json:"runs"`
}

// refRun is one reference solve, as bench/highs_l1.py reports it.
type refRun struct {
	Status     string   `json:"status"`
	Objective  *float64 `json:"objective"`
	Recomputed *float64 `json:"objective_recomputed"`
	Seconds    float64  `json:"seconds"`
	Build      float64  `json:"build_seconds"`
	Iterations int      `json:"iterations"`
	// From HiGHS's log: simplex and interior point iterations, and how the
	// interior point ended ("optimal", "no progress", …; nil for simplex).
	SimplexIter *int    `json:"simplex_iterations"`
	IPMIter     *int    `json:"ipm_iterations"`
	IPMStatus   *string `json:"ipm_status"`
	Rows        int     `json:"rows"`
	Cols        int     `json:"cols"`
	Nonzeros    int     `json:"nonzeros"`
	Scipy       string  `json:"scipy_version"`
	Highs       string  `json:"highs_version"`
	Skipped     string  `json:"skipped,omitempty"`   // why it was not run
	TimedOut    bool    `json:"timed_out,omitempty"` // did not finish within --timeout
	RelDiff     *number `json:"rel_diff,omitempty"`  // |J_ref − J| / |J|
}

// benchExec returns the command that runs the ridgeline binary path with
// args; tests replace it to run the test binary as ridgeline.
var benchExec = func(path string, args ...string) *exec.Cmd {
	return exec.Command(path, args...)
}

// run measures every size.
func (c *benchConfig) run() (*benchReport, error) {
	rep := &benchReport{Loss: c.loss, Order: c.order, LambdaPerN: c.perN, Seed: c.seed, Repeat: c.repeat,
		References: c.refs, MaxRefN: c.maxRef, TimeoutS: c.timeout.Seconds(), Agree: c.agree,
		PathValues: c.pathK, Warnings: []string{}}
	if rep.References == nil {
		rep.References = []string{}
	}
	c.checkReference(rep)
	for _, n := range c.sizes {
		measure := c.measure
		if c.pathK > 0 {
			measure = c.measurePath
		}
		row, err := measure(rep, n)
		if err != nil {
			return nil, err
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// checkReference decides whether the references can run and notes why
// not, or their versions.
func (c *benchConfig) checkReference(rep *benchReport) {
	switch {
	case c.pathK > 0:
		rep.Reference = "none: the path is timed against one fit at its middle λ"
		return
	case c.order == 1:
		rep.Reference = "no reference for order 1: the reference script builds the order-2 LP"
		return
	case len(c.refs) == 0:
		rep.Reference = "no reference (--reference none)"
		return
	case c.loss != "l1":
		rep.Reference = "no reference for the " + c.loss + " loss: SciPy's HiGHS interface (linprog) solves LPs only"
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.python, c.script, "--version")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var v struct {
		Scipy string `json:"scipy_version"`
		Highs string `json:"highs_version"`
	}
	if err != nil || json.Unmarshal(out, &v) != nil {
		why := strings.TrimSpace(stderr.String())
		if why == "" && err != nil {
			why = err.Error()
		}
		rep.Reference = "HiGHS not installed: apt-get install python3-scipy (" + oneLine(why) + ")"
		fmt.Fprintf(c.log, "ridgeline: bench: %s\n", rep.Reference)
		return
	}
	rep.refAvailable = true
	rep.Scipy, rep.Highs = v.Scipy, v.Highs
	rep.Reference = fmt.Sprintf("HiGHS %s through SciPy %s (%s)", v.Highs, v.Scipy, c.python)
}

// measure generates the data of size n and runs ridgeline and the
// references on it.
func (c *benchConfig) measure(rep *benchReport, n int) (benchRow, error) {
	lambda := c.perN * float64(n)
	row := benchRow{N: n, Lambda: lambda, Refs: map[string]*refRun{}}
	data := filepath.Join(c.dir, fmt.Sprintf("bench-n%d-s%d.csv", n, c.seed))
	x, y := benchData(n, c.seed)
	if err := writeBenchFile(data, x, y); err != nil {
		return row, err
	}
	lam := strconv.FormatFloat(lambda, 'g', -1, 64)

	var err error
	if row.Ridgeline, err = c.bestFit(n, data, lam); err != nil {
		return row, err
	}

	for _, m := range c.refs {
		rr := &refRun{}
		row.Refs[m] = rr
		switch {
		case c.loss != "l1":
			rr.Skipped = "no LP"
		case !rep.refAvailable:
			rr.Skipped = "not installed"
		case n > c.maxRef[m] && c.maxRef[m] > 0:
			rr.Skipped = fmt.Sprintf("N > --max-ref-n %d", c.maxRef[m])
		default:
			fmt.Fprintf(c.log, "bench: N=%d %s\n", n, m)
			if err := c.reference(rr, data, lam, m); err != nil {
				return row, fmt.Errorf("bench: N=%d: %s: %w", n, m, err)
			}
			c.compare(rep, row.N, row.Ridgeline, m, rr)
		}
	}
	return row, nil
}

// measurePath generates the data of size n and times ridgeline fit
// --lambda-path K on it and then ridgeline fit at the path's middle λ
// (the row's Lambda), each the fastest of --repeat runs.
func (c *benchConfig) measurePath(_ *benchReport, n int) (benchRow, error) {
	row := benchRow{N: n, Refs: map[string]*refRun{}}
	data := filepath.Join(c.dir, fmt.Sprintf("bench-n%d-s%d.csv", n, c.seed))
	x, y := benchData(n, c.seed)
	if err := writeBenchFile(data, x, y); err != nil {
		return row, err
	}
	var lambdas []float64
	for i := range c.repeat {
		fmt.Fprintf(c.log, "bench: N=%d ridgeline fit --lambda-path %d, %d/%d\n", n, c.pathK, i+1, c.repeat)
		r, ls, err := c.path(data)
		if err != nil {
			return row, fmt.Errorf("bench: N=%d: %w", n, err)
		}
		if i == 0 {
			row.Path, lambdas = &r, ls
			continue
		}
		row.Path.Command = min(row.Path.Command, r.Command)
		if r.PeakMiB > 0 {
			row.Path.PeakMiB = min(row.Path.PeakMiB, r.PeakMiB)
		}
		row.Path.Runs++
	}
	row.Lambda = lambdas[len(lambdas)/2]
	var err error
	row.Ridgeline, err = c.bestFit(n, data, strconv.FormatFloat(row.Lambda, 'g', -1, 64))
	return row, err
}

// bestFit runs ridgeline fit --repeat times on the data file of size n at
// λ = lambda and keeps the fastest solve, the fastest command and the
// smallest peak memory.
func (c *benchConfig) bestFit(n int, data, lambda string) (ridgelineRun, error) {
	var best ridgelineRun
	for i := range c.repeat {
		fmt.Fprintf(c.log, "bench: N=%d ridgeline fit --lambda %s, %d/%d\n", n, lambda, i+1, c.repeat)
		r, err := c.fit(data, lambda)
		if err != nil {
			return best, fmt.Errorf("bench: N=%d: %w", n, err)
		}
		if i == 0 {
			best = r
			continue
		}
		best.Seconds = min(best.Seconds, r.Seconds)
		best.Command = min(best.Command, r.Command)
		if r.PeakMiB > 0 {
			best.PeakMiB = min(best.PeakMiB, r.PeakMiB)
		}
		best.Runs++
	}
	return best, nil
}

// path runs ridgeline fit --lambda-path K once on the data file and
// returns its summary, wall time and peak memory, and its λ values.
func (c *benchConfig) path(data string) (pathRun, []float64, error) {
	args := []string{"fit", "--data", data, "--loss", c.loss, "--order", strconv.Itoa(c.order),
		"--lambda-path", strconv.Itoa(c.pathK), "--json"}
	cmd := benchExec(c.exe, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start).Seconds()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == exitShort) {
		return pathRun{}, nil, fmt.Errorf("%s %s: %v: %s", c.exe, strings.Join(args, " "), err, oneLine(stderr.String()))
	}
	var objs []struct {
		Status string   `json:"status"`
		Lambda float64  `json:"lambda"`
		Gap    *float64 `json:"gap"`
	}
	if jerr := json.Unmarshal(stdout.Bytes(), &objs); jerr != nil || len(objs) == 0 {
		return pathRun{}, nil, fmt.Errorf("%s %s: no array of fit objects on stdout (%v): %s", c.exe, strings.Join(args, " "), err, oneLine(stderr.String()))
	}
	r := pathRun{Values: len(objs), Command: wall, PeakMiB: peakMiB(cmd.ProcessState), Runs: 1}
	lambdas := make([]float64, len(objs))
	maxGap := 0.0
	for k, o := range objs {
		lambdas[k] = o.Lambda
		if o.Status == "optimal" {
			r.Optimal++
		}
		switch {
		case o.Gap == nil || math.IsNaN(*o.Gap):
			maxGap = math.NaN() // and stays NaN
		case *o.Gap > maxGap:
			maxGap = *o.Gap
		}
	}
	r.MaxGap = number(maxGap)
	return r, lambdas, nil
}

// fit runs ridgeline fit once on the data file and returns what it printed
// with its wall time and peak memory. A fit that stops short of its gap
// (exit status 1 with a JSON object) is a result; anything else an error.
func (c *benchConfig) fit(data, lambda string) (ridgelineRun, error) {
	args := []string{"fit", "--data", data, "--loss", c.loss, "--order", strconv.Itoa(c.order), "--lambda", lambda, "--json"}
	cmd := benchExec(c.exe, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start).Seconds()
	var o struct {
		Status     string   `json:"status"`
		Objective  *float64 `json:"objective"`
		LowerBound *float64 `json:"lower_bound"`
		Gap        *float64 `json:"gap"`
		Knots      int      `json:"knots"`
		Iterations int      `json:"iterations"`
		Seconds    float64  `json:"seconds"`
	}
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == exitShort) {
		return ridgelineRun{}, fmt.Errorf("%s %s: %v: %s", c.exe, strings.Join(args, " "), err, oneLine(stderr.String()))
	}
	if jerr := json.Unmarshal(stdout.Bytes(), &o); jerr != nil || o.Objective == nil {
		return ridgelineRun{}, fmt.Errorf("%s %s: no fit object on stdout (%v): %s", c.exe, strings.Join(args, " "), err, oneLine(stderr.String()))
	}
	r := ridgelineRun{Status: o.Status, Objective: *o.Objective, Knots: o.Knots, Iterations: o.Iterations,
		Seconds: o.Seconds, Command: wall, PeakMiB: peakMiB(cmd.ProcessState), Runs: 1,
		LowerBound: number(math.NaN()), Gap: number(math.NaN())}
	if o.LowerBound != nil {
		r.LowerBound = number(*o.LowerBound)
	}
	if o.Gap != nil {
		r.Gap = number(*o.Gap)
	}
	return r, nil
}

// reference runs the reference script with the method m on the data file.
func (c *benchConfig) reference(rr *refRun, data, lambda, m string) error {
	// HiGHS stops itself at the time limit; the context only ends a
	// script that hangs past it (loading a large file, say).
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout+time.Minute)
	defer cancel()
	limit := strconv.FormatFloat(c.timeout.Seconds(), 'g', -1, 64)
	cmd := exec.CommandContext(ctx, c.python, c.script, "--data", data, "--lambda", lambda, "--method", m, "--time-limit", limit)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		rr.TimedOut, rr.Status, rr.Seconds = true, "killed after --timeout", c.timeout.Seconds()
		return nil
	}
	if err != nil {
		return fmt.Errorf("%v: %s", err, oneLine(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), rr); err != nil {
		return fmt.Errorf("bad output of %s: %v", c.script, err)
	}
	if rr.Status != "optimal" {
		rr.TimedOut = rr.Seconds >= 0.99*c.timeout.Seconds()
	}
	return nil
}

// compare records how far the reference's objective is from ridgeline's,
// with a warning when they disagree by more than --agree, or when the
// objective recomputed from the reference's z, which is J of an actual
// spline, is below ridgeline's certified lower bound: then the certificate
// is wrong. HiGHS's own objective may be below the bound by its
// feasibility tolerance times the large coefficients 1/h of the LP.
func (c *benchConfig) compare(rep *benchReport, n int, r ridgelineRun, m string, rr *refRun) {
	if rr.Objective == nil {
		rep.warn(c.log, "N=%d %s: no optimum (%s)", n, m, rr.Status)
		return
	}
	j := *rr.Objective
	d := math.Abs(j-r.Objective) / math.Max(math.Abs(r.Objective), math.SmallestNonzeroFloat64)
	rr.RelDiff = (*number)(&d)
	recomputed := ""
	if rr.Recomputed != nil {
		recomputed = fmt.Sprintf(", recomputed from its z %.12g", *rr.Recomputed)
	}
	if !(d <= c.agree) {
		rep.warn(c.log, "N=%d: objectives disagree: ridgeline J = %.12g (certified L = %.12g, gap %.2g, %s), %s %.12g%s: relative difference %.2g > %g",
			n, r.Objective, float64(r.LowerBound), float64(r.Gap), r.Status, m, j, recomputed, d, c.agree)
	}
	if l := float64(r.LowerBound); rr.Recomputed != nil && *rr.Recomputed < l-recomputeTol*math.Abs(l) {
		rep.warn(c.log, "N=%d: J = %.12g of the %s solution (recomputed from its z) is below ridgeline's certified lower bound %.12g (ridgeline J = %.12g)",
			n, *rr.Recomputed, m, l, r.Objective)
	}
}

// recomputeTol is the relative rounding error allowed in J recomputed
// from fitted values: slopes (z_{k+1} − z_k)/h_k amplify the rounding of z
// by 1/h, up to ~1e10 for sorted uniform x at N = 1e5.
const recomputeTol = 1e-9

// warn records a warning and writes it to log.
func (rep *benchReport) warn(log io.Writer, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	rep.Warnings = append(rep.Warnings, msg)
	fmt.Fprintf(log, "ridgeline: bench: warning: %s\n", msg)
}

// peakMiB returns the peak resident set of the finished process in MiB,
// from its rusage (the number /usr/bin/time -v prints as "Maximum resident
// set size"), or 0 where the system does not report it. The field is read
// by reflection because syscall.Rusage has it only on Unix.
func peakMiB(ps *os.ProcessState) float64 {
	if ps == nil {
		return 0
	}
	v := reflect.ValueOf(ps.SysUsage())
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return 0
	}
	f := v.Elem().FieldByName("Maxrss")
	if !f.IsValid() || !f.CanInt() {
		return 0
	}
	kib := float64(f.Int())
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		kib /= 1024 // bytes there
	}
	return kib / 1024
}

// writeMarkdown writes the report as a markdown table with notes.
func (rep *benchReport) writeMarkdown(w io.Writer) {
	if rep.PathValues > 0 {
		rep.writePathTable(w)
		return
	}
	fmt.Fprintf(w, "m = %d, %s loss, λ = %g·N, x uniform on [0, 1), y = sin(8x) + 0.3|x − 0.5| + 0.1·N(0, 1), seed (N, %d)\n",
		rep.Order, rep.Loss, rep.LambdaPerN, rep.Seed)
	fmt.Fprintf(w, "ridgeline: %s of `ridgeline fit --json` per N; reference: %s\n\n", rep.runs(), rep.Reference)
	withRefs := len(rep.References) > 0 && rep.Loss == "l1"
	if withRefs {
		rep.writeRefTable(w)
	} else {
		rep.writeAloneTable(w)
	}
	if len(rep.Warnings) > 0 {
		fmt.Fprintf(w, "\nWarnings:\n")
		for _, s := range rep.Warnings {
			fmt.Fprintf(w, "- %s\n", s)
		}
	}
}

// writeRefTable writes the table of ridgeline against the references.
func (rep *benchReport) writeRefTable(w io.Writer) {
	fmt.Fprintf(w, "| N | ridgeline solve s | ridgeline command s | certified gap |")
	for _, m := range rep.References {
		fmt.Fprintf(w, " HiGHS %s s |", strings.TrimPrefix(m, "highs-"))
	}
	for _, m := range rep.References {
		fmt.Fprintf(w, " ratio %s/ridgeline |", strings.TrimPrefix(m, "highs-"))
	}
	fmt.Fprintf(w, " objective agreement |\n|---:|---:|---:|---:|")
	for range 2 * len(rep.References) {
		fmt.Fprintf(w, "---:|")
	}
	fmt.Fprintf(w, "---|\n")
	for _, row := range rep.Rows {
		r := row.Ridgeline
		fmt.Fprintf(w, "| %s | %s | %s | %s |", sizeName(row.N), seconds(r.Seconds), seconds(r.Command), gapCell(r))
		for _, m := range rep.References {
			fmt.Fprintf(w, " %s |", refCell(row.Refs[m]))
		}
		for _, m := range rep.References {
			fmt.Fprintf(w, " %s |", ratioCell(row.Refs[m], r.Seconds))
		}
		fmt.Fprintf(w, " %s |\n", rep.agreeCell(row))
	}
	fmt.Fprintf(w, "\nRatios: HiGHS solve time (the linprog call) over ridgeline's solve time (its JSON \"seconds\");")
	fmt.Fprintf(w, " the command time adds process start, reading the CSV and writing the JSON.")
	fmt.Fprintf(w, " Agreement: the largest |J_HiGHS − J| / J over the references that ran (✓ ≤ %g).\n", rep.Agree)
	var builds []string
	for _, row := range rep.Rows {
		for _, m := range rep.References {
			if rr := row.Refs[m]; rr != nil && rr.Skipped == "" && !rr.TimedOut {
				builds = append(builds, fmt.Sprintf("N = %s %s %s s", sizeName(row.N), strings.TrimPrefix(m, "highs-"), seconds(rr.Build)))
			}
		}
	}
	if len(builds) > 0 {
		fmt.Fprintf(w, "HiGHS model build with scipy.sparse (not in the ratios): %s.\n", strings.Join(builds, ", "))
	}
	for _, row := range rep.Rows {
		for _, m := range rep.References {
			if rr := row.Refs[m]; rr != nil && rr.fellBack() {
				simplex := "?"
				if rr.SimplexIter != nil {
					simplex = strconv.Itoa(*rr.SimplexIter)
				}
				ipm := "?"
				if rr.IPMIter != nil {
					ipm = strconv.Itoa(*rr.IPMIter)
				}
				fmt.Fprintf(w, "† N = %s %s: HiGHS's interior point stopped (%s) after %s iterations, and HiGHS solved the LP again with dual simplex (%s iterations).\n",
					sizeName(row.N), m, *rr.IPMStatus, ipm, simplex)
			}
		}
	}
}

// runs says which of the repeated runs the tables report.
func (rep *benchReport) runs() string {
	if rep.Repeat == 1 {
		return "one run"
	}
	return fmt.Sprintf("fastest of %d runs", rep.Repeat)
}

// writePathTable writes the table of --path: each path against one fit.
func (rep *benchReport) writePathTable(w io.Writer) {
	fmt.Fprintf(w, "m = %d, %s loss, λ paths of %d values log-spaced from λ_max down to λ_max·1e-4, x uniform on [0, 1), y = sin(8x) + 0.3|x − 0.5| + 0.1·N(0, 1), seed (N, %d)\n",
		rep.Order, rep.Loss, rep.PathValues, rep.Seed)
	fmt.Fprintf(w, "ridgeline: %s of `ridgeline fit --lambda-path %d --json` and of `ridgeline fit --lambda λ --json` at the path's middle λ, per N\n\n", rep.runs(), rep.PathValues)
	fmt.Fprintf(w, "| N | path command s | one fit command s | path / one fit | one fit solve s | middle λ | optimal | largest certified gap | path peak MiB |\n")
	fmt.Fprintf(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, row := range rep.Rows {
		p, r := row.Path, row.Ridgeline
		mem := "—"
		if p.PeakMiB > 0 {
			mem = fmt.Sprintf("%.0f", p.PeakMiB)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %.4g | %d of %d | %.1e | %s |\n", sizeName(row.N), seconds(p.Command), seconds(r.Command),
			ratio(p.Command/r.Command), seconds(r.Seconds), row.Lambda, p.Optimal, p.Values, float64(p.MaxGap), mem)
	}
	fmt.Fprintf(w, "\nCommands: wall time of the process. The path reads the CSV once, solves and certifies every λ (each warm-started from the one before) and writes one JSON object per λ; the one fit reads, solves, certifies and writes once. One fit solve: its JSON \"seconds\".\n")
}

// writeAloneTable writes the table of ridgeline without a reference.
func (rep *benchReport) writeAloneTable(w io.Writer) {
	fmt.Fprintf(w, "| N | ridgeline solve s | ridgeline command s | peak memory MiB | certified gap | knots | iterations | solve growth | command growth |\n")
	fmt.Fprintf(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for i, row := range rep.Rows {
		r := row.Ridgeline
		growS, growC := "", ""
		if i > 0 {
			p := rep.Rows[i-1]
			k := float64(row.N) / float64(p.N)
			growS = fmt.Sprintf("×%.3g (N ×%.3g)", r.Seconds/p.Ridgeline.Seconds, k)
			growC = fmt.Sprintf("×%.3g", r.Command/p.Ridgeline.Command)
		}
		mem := "—"
		if r.PeakMiB > 0 {
			mem = fmt.Sprintf("%.0f", r.PeakMiB)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d | %d | %s | %s |\n", sizeName(row.N), seconds(r.Seconds), seconds(r.Command),
			mem, gapCell(r), r.Knots, r.Iterations, growS, growC)
	}
	fmt.Fprintf(w, "\nSolve: the JSON \"seconds\"; command: wall time of the process (start, read the CSV, solve, write the JSON);")
	fmt.Fprintf(w, " peak memory: the process's maximum resident set (rusage, as /usr/bin/time -v reports it).\n")
}

// sizeName writes a power of ten as 1e5 and other sizes in full.
func sizeName(n int) string {
	if n >= 1000 {
		if e := math.Log10(float64(n)); e == math.Trunc(e) {
			return fmt.Sprintf("1e%d", int(e))
		}
	}
	return strconv.Itoa(n)
}

// seconds formats a time in seconds with three significant digits.
func seconds(s float64) string {
	return strconv.FormatFloat(s, 'g', 3, 64)
}

// gapCell is the certified gap, with the status when it is not optimal.
func gapCell(r ridgelineRun) string {
	s := fmt.Sprintf("%.1e", float64(r.Gap))
	if r.Status != "optimal" {
		s += " (" + r.Status + ")"
	}
	return s
}

// refCell is a reference's solve time, or why there is none.
func refCell(rr *refRun) string {
	switch {
	case rr == nil:
		return "—"
	case rr.Skipped != "":
		return "— (" + rr.Skipped + ")"
	case rr.TimedOut:
		return "> " + seconds(rr.Seconds) + " (time limit)"
	case rr.Objective == nil:
		return seconds(rr.Seconds) + " (" + rr.Status + ")"
	case rr.fellBack():
		return seconds(rr.Seconds) + " †"
	}
	return seconds(rr.Seconds)
}

// fellBack reports whether HiGHS's interior point stopped short and HiGHS
// solved the LP again with simplex, which HiGHS 1.2 does silently.
func (rr *refRun) fellBack() bool {
	return rr.IPMStatus != nil && *rr.IPMStatus != "optimal"
}

// ratioCell is the reference's solve time over ridgeline's.
func ratioCell(rr *refRun, t float64) string {
	switch {
	case rr == nil || rr.Skipped != "" || !(t > 0):
		return "—"
	case rr.TimedOut:
		return "> " + ratio(rr.Seconds/t)
	case rr.Objective == nil:
		return "—"
	}
	return ratio(rr.Seconds / t)
}

// ratio formats a speed ratio: 3 significant digits, no exponent.
func ratio(x float64) string {
	if x >= 100 {
		return strconv.FormatFloat(math.Round(x), 'f', 0, 64) + "×"
	}
	return strconv.FormatFloat(x, 'g', 3, 64) + "×"
}

// agreeCell is the largest relative difference of the objectives.
func (rep *benchReport) agreeCell(row benchRow) string {
	worst, ran := 0.0, false
	for _, m := range rep.References {
		if rr := row.Refs[m]; rr != nil && rr.RelDiff != nil {
			worst, ran = math.Max(worst, float64(*rr.RelDiff)), true
		}
	}
	if !ran {
		return "—"
	}
	if worst <= rep.Agree {
		return fmt.Sprintf("%.1e ✓", worst)
	}
	return fmt.Sprintf("%.1e ✗ (see warnings)", worst)
}
