package representer

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
)

// Neuron is one hidden unit v·ρ(w·x − b) of a single-hidden-layer network.
type Neuron struct {
	W []float64 `json:"w"` // input weights, length InputDim
	B float64   `json:"b"` // bias (offset)
	V float64   `json:"v"` // output weight
}

// Network is the shallow network of DESIGN §2 and the NETWORK object of §6:
//
//	f(x) = Σ_k v_k ρ_m(w_k·x − b_k) + polynomial part.
//
// For InputDim = 1 the polynomial part is Σ_i Polynomial[i]·x^i; for
// InputDim ≥ 2 (order 2) it is Linear·x + Bias.
type Network struct {
	Order        int       `json:"order"`
	InputDim     int       `json:"input_dim"`
	Neurons      []Neuron  `json:"neurons"`
	Polynomial   []float64 `json:"polynomial,omitempty"`
	Linear       []float64 `json:"linear,omitempty"`
	Bias         float64   `json:"bias,omitempty"`
	Activation   string    `json:"activation,omitempty"`    // "" or "relu" (default ρ_m), "leaky:α", "abs"
	Skip         *bool     `json:"skip,omitempty"`          // nil means true
	PenalizeBias bool      `json:"penalize_bias,omitempty"` // R(θ) also charges ½Σb²
}

// MaxOrder is the largest order m a Network may have.
const MaxOrder = 4

// skip reports whether the polynomial (skip-connection) part is on.
func (n *Network) skip() bool { return n.Skip == nil || *n.Skip }

// mustActivation returns the parsed activation or panics.
func (n *Network) mustActivation() activation {
	a, err := parseActivation(n.Activation, n.Order)
	if err != nil {
		panic(badActivation)
	}
	return a
}

// Eval returns f(x) for an input x of length InputDim. It panics if the
// length of x is wrong or the activation is invalid; Eval does not check
// the rest of the network, so call Validate on networks read from data.
func (n *Network) Eval(x []float64) float64 {
	if len(x) != n.InputDim {
		panic(badInputDim)
	}
	if n.InputDim == 1 {
		return n.Eval1D(x[0])
	}
	act := n.mustActivation()
	f := n.Bias
	if n.skip() {
		for i, c := range n.Linear {
			f += c * x[i]
		}
	}
	for _, u := range n.Neurons {
		if len(u.W) != len(x) {
			panic(badInputDim)
		}
		var z float64
		for i, w := range u.W {
			z += w * x[i]
		}
		f += u.V * act.eval(n.Order, z-u.B)
	}
	return f
}

// Eval1D returns f(x) for a network with InputDim = 1: Σ_k v_k φ(w_k x − b_k)
// plus Σ_i Polynomial[i]·x^i, or plus only Polynomial[0] when Skip is false.
// φ is ρ_m, max(t, αt) or |t| as the Activation field says. Eval1D panics
// if InputDim ≠ 1 or the activation is invalid.
func (n *Network) Eval1D(x float64) float64 {
	if n.InputDim != 1 {
		panic(notUnivariate)
	}
	return n.eval1D(n.mustActivation(), x)
}

func (n *Network) eval1D(act activation, x float64) float64 {
	var f float64
	switch {
	case n.skip():
		f = horner(n.Polynomial, x)
	case len(n.Polynomial) > 0:
		f = n.Polynomial[0]
	}
	for _, u := range n.Neurons {
		f += u.V * act.eval(n.Order, u.W[0]*x-u.B)
	}
	return f
}

// Predict returns Eval1D(x), so that a univariate network satisfies gonum's
// interp.Predictor interface.
func (n *Network) Predict(x float64) float64 { return n.Eval1D(x) }

// EvalTo stores Eval1D(xs[i]) in dst[i] for a network with InputDim = 1. It
// panics if dst and xs differ in length and under the conditions of Eval1D.
func (n *Network) EvalTo(dst, xs []float64) {
	if len(dst) != len(xs) {
		panic(badLength)
	}
	if n.InputDim != 1 {
		panic(notUnivariate)
	}
	act := n.mustActivation()
	for i, x := range xs {
		dst[i] = n.eval1D(act, x)
	}
}

// WeightDecay returns the generalised weight decay of DESIGN §2,
//
//	R(θ) = ½ Σ_k (v_k² + ‖w_k‖^{2(m−1)}),
//
// plus ½ Σ_k b_k² when PenalizeBias is set. Skip weights and, by default,
// biases are not penalised. For m = 1 the weight-decay form is degenerate
// (‖w‖⁰ = 1) and R(θ) is the path norm Σ_k |v_k| (plus ½ Σ_k b_k² when
// PenalizeBias is set).
func (n *Network) WeightDecay() float64 {
	var r float64
	if n.Order == 1 {
		for _, u := range n.Neurons {
			r += math.Abs(u.V)
		}
	} else {
		for _, u := range n.Neurons {
			r += 0.5 * (u.V*u.V + powInt(sumSquares(u.W), n.Order-1))
		}
	}
	if n.PenalizeBias {
		for _, u := range n.Neurons {
			r += 0.5 * u.B * u.B
		}
	}
	return r
}

// PathNorm returns P(θ) = Σ_k |v_k|·‖w_k‖^{m−1}, with ‖w‖⁰ = 1 for m = 1.
// It never exceeds WeightDecay and equals it for a balanced network
// (|v_k| = ‖w_k‖^{m−1}, biases not penalised). For the default activation
// it bounds the function norm from above: Spline().TV() ≤ PathNorm().
func (n *Network) PathNorm() float64 {
	var p float64
	for _, u := range n.Neurons {
		var norm float64
		if len(u.W) == 1 {
			norm = math.Abs(u.W[0])
		} else {
			norm = floats.Norm(u.W, 2)
		}
		p += math.Abs(u.V) * powInt(norm, n.Order-1)
	}
	return p
}

// sumSquares returns Σ w_i².
func sumSquares(w []float64) float64 {
	if len(w) == 1 {
		return w[0] * w[0]
	}
	nrm := floats.Norm(w, 2)
	return nrm * nrm
}

// Validate returns a *ValidationError if n is not a valid NETWORK object
// (DESIGN §6): the order must be in 1…MaxOrder, input_dim at least 1, the
// activation known (and leaky / abs only for order 2), every neuron must
// have len(w) = input_dim, and every number must be finite. The polynomial
// part depends on the input dimension:
//
//   - input_dim = 1: "polynomial" holds exactly order coefficients, or
//     exactly one (the output bias) when "skip" is false; "linear" is empty
//     and "bias" is 0.
//   - input_dim ≥ 2: order is 1 or 2; "polynomial" is empty; "linear" holds
//     input_dim coefficients for order 2 with the skip connection on and is
//     empty otherwise; "bias" is the output bias.
func (n *Network) Validate() error {
	m, d := n.Order, n.InputDim
	if m < 1 || m > MaxOrder {
		return &ValidationError{Field: "order", Problem: fmt.Sprintf("is %d, want 1 to %d", m, MaxOrder)}
	}
	if d < 1 {
		return &ValidationError{Field: "input_dim", Problem: fmt.Sprintf("is %d, want at least 1", d)}
	}
	if d > 1 && m > 2 {
		return &ValidationError{Field: "order", Problem: fmt.Sprintf("is %d, want 1 or 2 for input_dim %d", m, d)}
	}
	if _, err := parseActivation(n.Activation, m); err != nil {
		return &ValidationError{Problem: err.Error()}
	}
	for k, u := range n.Neurons {
		if len(u.W) != d {
			return &ValidationError{Item: "neuron", Index: k, Field: "w", Problem: fmt.Sprintf("has length %d, want %d", len(u.W), d)}
		}
		for i, w := range u.W {
			if !isFinite(w) {
				return &ValidationError{Item: "neuron", Index: k, Field: fmt.Sprintf("w[%d]", i), Problem: fmt.Sprintf("is %v", w)}
			}
		}
		if !isFinite(u.B) {
			return &ValidationError{Item: "neuron", Index: k, Field: "b", Problem: fmt.Sprintf("is %v", u.B)}
		}
		if !isFinite(u.V) {
			return &ValidationError{Item: "neuron", Index: k, Field: "v", Problem: fmt.Sprintf("is %v", u.V)}
		}
	}
	for i, c := range n.Polynomial {
		if !isFinite(c) {
			return &ValidationError{Field: fmt.Sprintf("polynomial[%d]", i), Problem: fmt.Sprintf("is %v", c)}
		}
	}
	for i, c := range n.Linear {
		if !isFinite(c) {
			return &ValidationError{Field: fmt.Sprintf("linear[%d]", i), Problem: fmt.Sprintf("is %v", c)}
		}
	}
	if !isFinite(n.Bias) {
		return &ValidationError{Field: "bias", Problem: fmt.Sprintf("is %v", n.Bias)}
	}

	if d == 1 {
		want, why := m, "the order"
		if !n.skip() {
			want, why = 1, "the output bias only, as skip is false"
		}
		if len(n.Polynomial) != want {
			return &ValidationError{Field: "polynomial", Problem: fmt.Sprintf("has length %d, want %d (%s)", len(n.Polynomial), want, why)}
		}
		if len(n.Linear) != 0 {
			return &ValidationError{Field: "linear", Problem: "is set for input_dim 1, want it empty (use polynomial)"}
		}
		if n.Bias != 0 {
			return &ValidationError{Field: "bias", Problem: fmt.Sprintf("is %v for input_dim 1, want 0 (polynomial[0] is the output bias)", n.Bias)}
		}
		return nil
	}
	if len(n.Polynomial) != 0 {
		return &ValidationError{Field: "polynomial", Problem: fmt.Sprintf("is set for input_dim %d, want it empty (use linear and bias)", d)}
	}
	want := 0
	if m == 2 && n.skip() {
		want = d
	}
	if len(n.Linear) != want {
		return &ValidationError{Field: "linear", Problem: fmt.Sprintf("has length %d, want %d", len(n.Linear), want)}
	}
	return nil
}

// Clone returns a deep copy of n.
func (n *Network) Clone() *Network {
	c := *n
	if n.Neurons != nil {
		c.Neurons = make([]Neuron, len(n.Neurons))
		for k, u := range n.Neurons {
			c.Neurons[k] = Neuron{W: slices.Clone(u.W), B: u.B, V: u.V}
		}
	}
	c.Polynomial = slices.Clone(n.Polynomial)
	c.Linear = slices.Clone(n.Linear)
	if n.Skip != nil {
		s := *n.Skip
		c.Skip = &s
	}
	return &c
}
