package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
	"github.com/ridgeline-nn/ridgeline/solver"
)

// number is a float64 that JSON-encodes NaN and ±Inf, which JSON cannot
// represent, as null: an infeasible interpolant has J = +Inf, and a gap
// relative to J = 0 is +Inf.
type number float64

// MarshalJSON implements json.Marshaler.
func (x number) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// fitObject is the `fit --json` object of DESIGN §6, in the canonical
// scaling of DESIGN §2. compare embeds it as its "optimum".
type fitObject struct {
	Status      string               `json:"status"`
	Objective   number               `json:"objective"`   // J = loss_value + λ·regularizer (interp: regularizer)
	LowerBound  number               `json:"lower_bound"` // certified L ≤ optimum
	Gap         number               `json:"gap"`         // (J − L)/|J|, 0 when J = L = 0
	GapAbs      number               `json:"gap_abs"`     // J − L
	LossValue   number               `json:"loss_value"`  // Σ ω_n ℓ(f(x_n) − y_n) (0 for interp)
	Regularizer number               `json:"regularizer"` // ‖D^m f‖_M = R(θ) of the balanced network
	Dim         int                  `json:"dim"`
	Order       int                  `json:"order"`
	Loss        string               `json:"loss"`
	HuberDelta  *float64             `json:"huber_delta,omitempty"` // huber only
	Lambda      *float64             `json:"lambda"`                // null for interp
	Skip        bool                 `json:"skip"`
	Samples     int                  `json:"samples"`
	Knots       int                  `json:"knots"`   // = len(network.neurons)
	Seconds     number               `json:"seconds"` // wall time of the solve
	Backend     string               `json:"backend"`
	Iterations  int                  `json:"iterations"`
	Network     *representer.Network `json:"network"` // balanced: R(θ) = regularizer
}

// newFitObject returns the `fit --json` object of the solution sol of p.
// Its network is the balanced network of the optimal spline, one neuron
// per knot of nonzero amplitude.
func newFitObject(p *problem.Problem, sol *solver.Solution) fitObject {
	c := sol.Certificate
	net := representer.Balanced(sol.Spline)
	if net.Neurons == nil {
		net.Neurons = []representer.Neuron{} // "neurons": [] rather than null
	}
	o := fitObject{
		Status:      sol.Status.String(),
		Objective:   number(c.Objective),
		LowerBound:  number(c.LowerBound),
		Gap:         number(c.Gap),
		GapAbs:      number(c.GapAbs),
		LossValue:   number(c.LossValue),
		Regularizer: number(c.Regularizer),
		Dim:         p.Dim,
		Order:       p.Order,
		Loss:        p.Loss.Name(),
		Skip:        p.Skip,
		Samples:     p.N(),
		Knots:       len(net.Neurons),
		Seconds:     number(sol.Seconds),
		Backend:     sol.Backend,
		Iterations:  sol.Iterations,
		Network:     net,
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

// writeJSON writes v to w as one indented JSON object and a newline.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only a non-finite weight in the network gets here.
		return &internalError{msg: fmt.Sprintf("encoding JSON: %v", err)}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// writeNetworkFile writes net as a NETWORK object (DESIGN §6) to the file
// path. Nothing is written if the network is invalid.
func writeNetworkFile(path string, net *representer.Network) error {
	var buf bytes.Buffer
	if err := net.WriteJSON(&buf); err != nil {
		return &internalError{msg: fmt.Sprintf("writing %s: %v", path, err)}
	}
	return os.WriteFile(path, buf.Bytes(), 0o666)
}

// orderName describes the activation of order m.
func orderName(m int) string {
	switch m {
	case 1:
		return "step"
	case 2:
		return "ReLU"
	case 3:
		return "ReLU²/2"
	case 4:
		return "ReLU³/6"
	}
	return "order " + strconv.Itoa(m)
}

// maxListedKnots is the largest number of knots the human summary lists.
const maxListedKnots = 20

// writeFitSummary writes the human summary of a fit of the data d to w:
// the problem, the status, J, L, the gap, the knots and the solve time,
// and the knots themselves when there are at most maxListedKnots.
func writeFitSummary(w io.Writer, d *problem.Data, p *problem.Problem, sol *solver.Solution, tol float64) error {
	o := newFitObject(p, sol)
	var b bytes.Buffer
	fmt.Fprintf(&b, "data:        %s (%d samples", d.File, p.N())
	if d.Header && p.Dim == 1 {
		fmt.Fprintf(&b, ", x = %s, y = %s", d.Names[0], d.Target)
	}
	if d.Weights != "" && !problem.IsInterp(p.Loss) {
		fmt.Fprintf(&b, ", weights %s", d.Weights)
	}
	fmt.Fprintf(&b, ")\n")
	fmt.Fprintf(&b, "problem:     %s", p.Loss.Name())
	if h, ok := p.Loss.(problem.Huber); ok {
		fmt.Fprintf(&b, " (δ = %g)", h.Delta)
	}
	if o.Lambda != nil {
		fmt.Fprintf(&b, ", λ = %g", *o.Lambda)
	}
	fmt.Fprintf(&b, ", order %d (%s)", p.Order, orderName(p.Order))
	if p.Skip {
		fmt.Fprintf(&b, ", skip connection\n")
	} else {
		fmt.Fprintf(&b, ", no skip connection\n")
	}
	fmt.Fprintf(&b, "status:      %s (requested gap %g)\n", o.Status, tol)
	if o.Lambda != nil {
		fmt.Fprintf(&b, "objective:   J = %.8g = loss %.8g + λ × regularizer %.8g\n",
			float64(o.Objective), float64(o.LossValue), float64(o.Regularizer))
	} else {
		fmt.Fprintf(&b, "objective:   J = regularizer %.8g\n", float64(o.Objective))
	}
	fmt.Fprintf(&b, "lower bound: L = %.8g\n", float64(o.LowerBound))
	fmt.Fprintf(&b, "gap:         %.2g (absolute %.2g", float64(o.Gap), float64(o.GapAbs))
	if o.Lambda == nil {
		// The interpolation constraint holds up to rounding: say how well.
		fmt.Fprintf(&b, "; max |f − y| %.2g", sol.Certificate.MaxResidual)
	}
	fmt.Fprintf(&b, ")\n")
	fmt.Fprintf(&b, "knots:       %d\n", o.Knots)
	fmt.Fprintf(&b, "seconds:     %.3g\n", float64(o.Seconds))
	if o.Knots > 0 && o.Knots <= maxListedKnots {
		fmt.Fprintf(&b, "\n%14s  %14s\n", "knot t_k", "amplitude a_k")
		s := sol.Spline
		for k, t := range s.Knots {
			if s.Amps[k] != 0 {
				fmt.Fprintf(&b, "%14.8g  %14.8g\n", t, s.Amps[k])
			}
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}
