package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
	"github.com/ridgeline-nn/ridgeline/verify"
)

func init() {
	commands["certify"] = runCertify
	synopses["certify"] = "check a trained network (JSON or .npz) against the certified optimum"
}

const certifyDoc = `Certify evaluates a given network on the problem of a data file: its
training objective J(θ) = Σω ℓ + λR(θ) with the weight decay R(θ), its path
norm, the norm ‖D^m f‖_M of the function it computes (after merging neurons
that share a knot and folding backward neurons into the polynomial), and a
lower bound L on the optimum certified from the dual vector built from its
own residuals. The relative gap (J(θ) − L)/|J(θ)| bounds how far the network
is from optimal; with --solve the convex problem is also solved and the
exact gap to the optimum J* is printed. The network's order is the problem's
order unless --order is given (they must agree); a network without skip
connection needs --no-skip.

The network file is a NETWORK JSON object (what 'fit --out' writes) or a
NumPy .npz archive with arrays w (K×d or K), b (K), v (K) and either poly (m)
or linear (d) and bias (scalar), and optionally order (scalar, default 2).
The unit is ρ_m(w·x − b): a PyTorch Linear layer's bias is −b.
Exit status 2 for a malformed network file or bad input; 1 if --solve stops
short of --tol.
`

// runCertify implements `ridgeline certify`.
func runCertify(stdout, stderr io.Writer, args []string) error {
	fs := newFlagSet("certify", "ridgeline certify --net NET.json|NET.npz --data FILE [problem flags] [--solve] [--json]", certifyDoc)
	pf := &problemFlags{stderr: stderr}
	pf.register(fs.FlagSet)
	netPath := fs.String("net", "", "network `FILE` (required): NETWORK JSON or NumPy .npz")
	solve := fs.Bool("solve", false, "also solve the convex problem and report the gap to the optimum J*")
	asJSON := fs.Bool("json", false, "print one JSON object (DESIGN §6) instead of the summary")
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if *netPath == "" {
		return usagef("certify: --net is required")
	}
	net, err := verify.ReadNetworkFile(*netPath)
	if err != nil {
		return badInput(err)
	}
	if !pf.given("order") {
		pf.order = net.Order
	}
	if err := networkMatches(*netPath, net, pf); err != nil {
		return err
	}
	p, d, err := pf.load()
	if err != nil {
		return err
	}
	rep, err := verify.Certify(net, p, verify.CertifyOptions{Solve: *solve, Solver: pf.options()})
	switch {
	case errors.Is(err, verify.ErrMismatch), errors.Is(err, verify.ErrUnsupported):
		return badInput(fmt.Errorf("%s: %w", *netPath, &trimmed{err: err, prefix: "verify: "}))
	case err != nil:
		return solveError(d, err)
	}
	o := newCertifyObject(p, net, rep)
	if *asJSON {
		err = writeJSON(stdout, o)
	} else {
		err = writeCertifySummary(stdout, *netPath, d, p, net, rep)
	}
	if err != nil {
		return err
	}
	if rep.Optimum != nil {
		return shortfall(rep.Optimum, pf.tol)
	}
	return nil
}

// networkMatches returns a usage error, naming the file, if the network
// cannot belong to the problem the flags pose: another order, or a skip
// connection that --no-skip contradicts. (The input dimension is checked
// once the data are read.)
func networkMatches(path string, net *representer.Network, pf *problemFlags) error {
	if net.Order != pf.order {
		return usagef("%s: order mismatch: the network has order %d, but --order is %d", path, net.Order, pf.order)
	}
	skip := net.Skip == nil || *net.Skip
	switch {
	case skip && pf.noSkip:
		return usagef("%s: the network has a skip connection (polynomial part), but --no-skip was given", path)
	case !skip && !pf.noSkip:
		return usagef("%s: the network has no skip connection (\"skip\": false or only an output bias); pass --no-skip", path)
	}
	return nil
}

// certifyObject is the `certify --json` object of DESIGN §6, in the
// canonical scaling of DESIGN §2.
type certifyObject struct {
	Objective         number     `json:"objective"`          // J(θ) = loss_value + λ·weight_decay
	LossValue         number     `json:"loss_value"`         // Σ ω_n ℓ(f_θ(x_n) − y_n)
	WeightDecay       number     `json:"weight_decay"`       // R(θ)
	PathNorm          number     `json:"path_norm"`          // P(θ) ≤ R(θ)
	FunctionNorm      number     `json:"function_norm"`      // ‖D^m f_θ‖_M ≤ P(θ)
	FunctionObjective number     `json:"function_objective"` // loss_value + λ·function_norm
	LowerBound        number     `json:"lower_bound"`        // certified L ≤ optimum
	BoundFrom         string     `json:"bound_from"`         // "residuals" or "solver"
	Gap               number     `json:"gap"`                // (J(θ) − L)/|J(θ)|
	GapAbs            number     `json:"gap_abs"`            // J(θ) − L
	MaxResidual       number     `json:"max_residual"`       // max |f_θ(x_n) − y_n|
	Optimum           *fitObject `json:"optimum,omitempty"`  // with --solve
	GapToOptimum      *number    `json:"gap_to_optimum,omitempty"`
	Verdict           string     `json:"verdict"`
	Dim               int        `json:"dim"`
	Order             int        `json:"order"`
	Loss              string     `json:"loss"`
	HuberDelta        *float64   `json:"huber_delta,omitempty"`
	Lambda            *float64   `json:"lambda"` // null for interp
	Skip              bool       `json:"skip"`
	Samples           int        `json:"samples"`
	Neurons           int        `json:"neurons"`
}

// newCertifyObject returns the `certify --json` object of rep.
func newCertifyObject(p *problem.Problem, net *representer.Network, rep *verify.Report) certifyObject {
	o := certifyObject{
		Objective:         number(rep.Objective),
		LossValue:         number(rep.LossValue),
		WeightDecay:       number(rep.WeightDecay),
		PathNorm:          number(rep.PathNorm),
		FunctionNorm:      number(rep.FunctionNorm),
		FunctionObjective: number(rep.FunctionObjective),
		LowerBound:        number(rep.LowerBound),
		BoundFrom:         rep.BoundFrom,
		Gap:               number(rep.Gap),
		GapAbs:            number(rep.GapAbs),
		MaxResidual:       number(rep.MaxResidual),
		Verdict:           rep.Verdict,
		Dim:               p.Dim,
		Order:             p.Order,
		Loss:              p.Loss.Name(),
		Skip:              p.Skip,
		Samples:           p.N(),
		Neurons:           len(net.Neurons),
	}
	if rep.Optimum != nil {
		f := newFitObject(p, rep.Optimum)
		o.Optimum = &f
		g := number(rep.GapToOptimum)
		o.GapToOptimum = &g
	}
	if h, ok := p.Loss.(problem.Huber); ok {
		o.HuberDelta = &h.Delta
	}
	if !problem.IsInterp(p.Loss) {
		lambda := p.Lambda
		o.Lambda = &lambda
	}
	return o
}

// writeCertifySummary writes the human summary of a certificate to w.
func writeCertifySummary(w io.Writer, netPath string, d *problem.Data, p *problem.Problem, net *representer.Network, rep *verify.Report) error {
	var b bytes.Buffer
	skip := "skip connection"
	if !p.Skip {
		skip = "no skip connection"
	}
	fmt.Fprintf(&b, "network:        %s (%d neurons, order %d (%s), %s)\n", netPath, len(net.Neurons), net.Order, orderName(net.Order), skip)
	fmt.Fprintf(&b, "data:           %s (%d samples)\n", d.File, p.N())
	fmt.Fprintf(&b, "problem:        %s", p.Loss.Name())
	if h, ok := p.Loss.(problem.Huber); ok {
		fmt.Fprintf(&b, " (δ = %g)", h.Delta)
	}
	if !problem.IsInterp(p.Loss) {
		fmt.Fprintf(&b, ", λ = %g", p.Lambda)
	}
	fmt.Fprintf(&b, "\n")
	if problem.IsInterp(p.Loss) {
		fmt.Fprintf(&b, "objective:      J(θ) = weight decay R(θ) = %.8g (max |f − y| %.2g)\n", rep.Objective, rep.MaxResidual)
	} else {
		fmt.Fprintf(&b, "objective:      J(θ) = %.8g = loss %.8g + λ × weight decay R(θ) %.8g\n", rep.Objective, rep.LossValue, rep.WeightDecay)
	}
	fmt.Fprintf(&b, "path norm:      P(θ) = %.8g\n", rep.PathNorm)
	if !math.IsNaN(rep.FunctionNorm) {
		fmt.Fprintf(&b, "function norm:  ‖D^%d f‖ = %.8g (function objective %.8g)\n", p.Order, rep.FunctionNorm, rep.FunctionObjective)
	}
	if !math.IsNaN(rep.LowerBound) {
		fmt.Fprintf(&b, "lower bound:    L = %.8g (from the %s)\n", rep.LowerBound, rep.BoundFrom)
		fmt.Fprintf(&b, "gap:            %.2g (absolute %.2g)\n", rep.Gap, rep.GapAbs)
	}
	if s := rep.Optimum; s != nil {
		fmt.Fprintf(&b, "optimum:        J* = %.8g (%s, certified gap %.2g, %d knots)\n",
			s.Certificate.Objective, s.Status, s.Certificate.Gap, len(representer.Balanced(s.Spline).Neurons))
		fmt.Fprintf(&b, "gap to optimum: %.2g\n", rep.GapToOptimum)
	}
	fmt.Fprintf(&b, "verdict:        %s\n", rep.Verdict)
	_, err := w.Write(b.Bytes())
	return err
}

// trimmed is err with a package prefix removed from its message, for
// diagnostics that already say where they come from.
type trimmed struct {
	err    error
	prefix string
}

func (e *trimmed) Error() string { return strings.TrimPrefix(e.err.Error(), e.prefix) }
func (e *trimmed) Unwrap() error { return e.err }
