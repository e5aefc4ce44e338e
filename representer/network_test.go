package representer

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oneD returns the univariate neuron (w, b, v).
func oneD(w, b, v float64) Neuron { return Neuron{W: []float64{w}, B: b, V: v} }

func TestNetworkEval1D(t *testing.T) {
	// f(x) = 2φ(x) + φ(−x − 1) + polynomial.
	neurons := []Neuron{oneD(1, 0, 2), oneD(-1, 1, 1)}
	for _, test := range []struct {
		name       string
		activation string
		skip       *bool
		poly       []float64
		x, want    []float64
	}{
		// 2ReLU(2) + ReLU(−3) + 1 + 2·0.5 = 6;  2ReLU(−2) + ReLU(1) + 1 − 1 = 1.
		{name: "relu", poly: []float64{1, 0.5}, x: []float64{2, -2}, want: []float64{6, 1}},
		{name: "relu by name", activation: "relu", poly: []float64{1, 0.5}, x: []float64{2, -2}, want: []float64{6, 1}},
		// 2·2 − 0.3 + 2 = 5.7;  2(−0.2) + 1 + 0 = 0.6.
		{name: "leaky", activation: "leaky:0.1", poly: []float64{1, 0.5}, x: []float64{2, -2}, want: []float64{5.7, 0.6}},
		// 2·2 + 3 + 2 = 9;  2·2 + 1 + 0 = 5.
		{name: "abs", activation: "abs", poly: []float64{1, 0.5}, x: []float64{2, -2}, want: []float64{9, 5}},
		// Only the output bias: 4 + 0 + 1 = 5;  0 + 1 + 1 = 2.
		{name: "no skip", skip: ptr(false), poly: []float64{1}, x: []float64{2, -2}, want: []float64{5, 2}},
		{name: "skip true", skip: ptr(true), poly: []float64{1, 0.5}, x: []float64{2, -2}, want: []float64{6, 1}},
	} {
		t.Run(test.name, func(t *testing.T) {
			n := &Network{Order: 2, InputDim: 1, Neurons: neurons, Polynomial: test.poly, Activation: test.activation, Skip: test.skip}
			require.NoError(t, n.Validate())
			got := make([]float64, len(test.x))
			n.EvalTo(got, test.x)
			for i, x := range test.x {
				assertClose(t, test.want[i], n.Eval1D(x), tol, "Eval1D", x)
				assertClose(t, test.want[i], n.Eval([]float64{x}), tol, "Eval", x)
				assertClose(t, test.want[i], n.Predict(x), tol, "Predict", x)
				assertClose(t, test.want[i], got[i], tol, "EvalTo", x)
			}
		})
	}
}

func TestNetworkEvalOrders(t *testing.T) {
	for _, test := range []struct {
		name    string
		n       Network
		x, want float64
	}{
		// The step neuron is on at its knot: 3ρ_1(2·0.5 − 1) = 3.
		{name: "step at knot", n: Network{Order: 1, InputDim: 1, Neurons: []Neuron{oneD(2, 1, 3)}, Polynomial: []float64{0.25}}, x: 0.5, want: 3.25},
		{name: "step below knot", n: Network{Order: 1, InputDim: 1, Neurons: []Neuron{oneD(2, 1, 3)}, Polynomial: []float64{0.25}}, x: 0.4, want: 0.25},
		// 2ρ_3(2·2 − 1) = 2·9/2, plus 1 + 2 + 4.
		{name: "order 3", n: Network{Order: 3, InputDim: 1, Neurons: []Neuron{oneD(2, 1, 2)}, Polynomial: []float64{1, 1, 1}}, x: 2, want: 16},
		// −ρ_4(−1·(−1) + 1) = −2³/6.
		{name: "order 4", n: Network{Order: 4, InputDim: 1, Neurons: []Neuron{oneD(-1, -1, -1)}, Polynomial: []float64{0, 0, 0, 0}}, x: -1, want: -8.0 / 6},
	} {
		require.NoError(t, test.n.Validate(), test.name)
		assertClose(t, test.want, test.n.Eval1D(test.x), tol, test.name)
	}
}

func TestNetworkEvalMultivariate(t *testing.T) {
	n := &Network{
		Order:    2,
		InputDim: 2,
		Neurons:  []Neuron{{W: []float64{1, 2}, B: 1, V: 2}, {W: []float64{-1, 0}, B: 0, V: -1}},
		Linear:   []float64{0.5, -1},
		Bias:     3,
	}
	require.NoError(t, n.Validate())
	// 2ReLU(1 + 2 − 1) − ReLU(−1) + 0.5 − 1 + 3 = 6.5.
	assert.Equal(t, 6.5, n.Eval([]float64{1, 1}))
	// 2ReLU(−1 − 1) − ReLU(1) − 0.5 + 3 = 1.5.
	assert.Equal(t, 1.5, n.Eval([]float64{-1, 0}))

	noSkip := n.Clone()
	noSkip.Skip = ptr(false)
	noSkip.Linear = nil
	require.NoError(t, noSkip.Validate())
	assert.Equal(t, 7.0, noSkip.Eval([]float64{1, 1}))

	// ‖(1, 2)‖² = 5, ‖(−1, 0)‖² = 1: R = ½(4 + 5 + 1 + 1), P = 2√5 + 1.
	assertClose(t, 5.5, n.WeightDecay(), tol)
	assertClose(t, 2*math.Sqrt(5)+1, n.PathNorm(), tol)

	assert.PanicsWithValue(t, badInputDim, func() { n.Eval([]float64{1}) })
	assert.PanicsWithValue(t, notUnivariate, func() { n.Eval1D(1) })
	assert.PanicsWithValue(t, notUnivariate, func() { n.EvalTo(make([]float64, 1), []float64{1}) })
	_, err := n.Spline()
	assert.ErrorIs(t, err, ErrUnsupported)
}

func TestNetworkEvalPanics(t *testing.T) {
	n := &Network{Order: 2, InputDim: 1, Neurons: []Neuron{oneD(1, 0, 1)}, Polynomial: []float64{0, 0}, Activation: "tanh"}
	assert.PanicsWithValue(t, badActivation, func() { n.Eval1D(0) })
	n.Activation = ""
	assert.PanicsWithValue(t, badLength, func() { n.EvalTo(make([]float64, 2), []float64{1}) })
}

func TestWeightDecayAndPathNorm(t *testing.T) {
	for _, test := range []struct {
		name     string
		n        Network
		wd, path float64
	}{
		// ½((9 + 4) + (1 + 1)) = 7.5; 3·2 + 1·1 = 7.
		{name: "relu", n: Network{Order: 2, InputDim: 1, Neurons: []Neuron{oneD(2, 2, 3), oneD(-1, -1, 1)}}, wd: 7.5, path: 7},
		// Biases 2 and −1 add ½(4 + 1).
		{name: "penalize bias", n: Network{Order: 2, InputDim: 1, PenalizeBias: true, Neurons: []Neuron{oneD(2, 2, 3), oneD(-1, -1, 1)}}, wd: 10, path: 7},
		// m = 3: ½(v² + w⁴) = ½(1 + 16); |v|w² = 4.
		{name: "order 3", n: Network{Order: 3, InputDim: 1, Neurons: []Neuron{oneD(-2, 2, 1)}}, wd: 8.5, path: 4},
		// m = 4: ½(0.25 + 2⁶) = 32.125; 0.5·8 = 4.
		{name: "order 4", n: Network{Order: 4, InputDim: 1, Neurons: []Neuron{oneD(2, 0, -0.5)}}, wd: 32.125, path: 4},
		// m = 1: both are Σ|v| = 3 + 2, whatever w is (even 0).
		{name: "step", n: Network{Order: 1, InputDim: 1, Neurons: []Neuron{oneD(7, 0, 3), oneD(0, 1, -2)}}, wd: 5, path: 5},
		{name: "empty", n: Network{Order: 2, InputDim: 1}, wd: 0, path: 0},
	} {
		assertClose(t, test.wd, test.n.WeightDecay(), tol, test.name, "weight decay")
		assertClose(t, test.path, test.n.PathNorm(), tol, test.name, "path norm")
	}
}

func TestNetworkValidate(t *testing.T) {
	valid1D := func() *Network {
		return &Network{Order: 2, InputDim: 1, Neurons: []Neuron{oneD(1, 0, 1), oneD(-1, 2, 0.5)}, Polynomial: []float64{0, 1}}
	}
	valid2D := func() *Network {
		return &Network{Order: 2, InputDim: 2, Neurons: []Neuron{{W: []float64{1, 0}, V: 1}}, Linear: []float64{1, 2}, Bias: 1}
	}
	for _, test := range []struct {
		name   string
		base   func() *Network
		modify func(n *Network)
		want   string // "" if valid
	}{
		{name: "valid 1-D", base: valid1D, modify: func(*Network) {}},
		{name: "valid 2-D", base: valid2D, modify: func(*Network) {}},
		{name: "no neurons", base: valid1D, modify: func(n *Network) { n.Neurons = nil }},
		{name: "order 1 1-D", base: valid1D, modify: func(n *Network) { n.Order, n.Polynomial = 1, []float64{3} }},
		{name: "order 4", base: valid1D, modify: func(n *Network) { n.Order, n.Polynomial = 4, make([]float64, 4) }},
		{name: "no skip", base: valid1D, modify: func(n *Network) { n.Skip, n.Polynomial = ptr(false), []float64{2} }},
		{name: "leaky", base: valid1D, modify: func(n *Network) { n.Activation = "leaky:0.01" }},
		{name: "order 1 2-D", base: valid2D, modify: func(n *Network) { n.Order, n.Linear = 1, nil }},
		{name: "no skip 2-D", base: valid2D, modify: func(n *Network) { n.Skip, n.Linear = ptr(false), nil }},

		{name: "order 0", base: valid1D, modify: func(n *Network) { n.Order = 0 }, want: "representer: order is 0, want 1 to 4"},
		{name: "order 5", base: valid1D, modify: func(n *Network) { n.Order = 5 }, want: "representer: order is 5, want 1 to 4"},
		{name: "input_dim 0", base: valid1D, modify: func(n *Network) { n.InputDim = 0 }, want: "representer: input_dim is 0, want at least 1"},
		{name: "order 3 in 2-D", base: valid2D, modify: func(n *Network) { n.Order = 3 }, want: "representer: order is 3, want 1 or 2 for input_dim 2"},
		{name: "unknown activation", base: valid1D, modify: func(n *Network) { n.Activation = "tanh" }, want: `representer: activation "tanh" is unknown, want "relu", "leaky:α" or "abs"`},
		{name: "abs order 3", base: valid1D, modify: func(n *Network) { n.Order, n.Polynomial, n.Activation = 3, make([]float64, 3), "abs" }, want: `representer: activation "abs" needs order 2, have order 3`},
		{name: "bad leaky", base: valid1D, modify: func(n *Network) { n.Activation = "leaky:x" }, want: `representer: activation "leaky:x" has no finite slope α after "leaky:"`},
		{name: "w length", base: valid1D, modify: func(n *Network) { n.Neurons[1].W = []float64{1, 2} }, want: "representer: neuron 1: w has length 2, want 1"},
		{name: "w missing", base: valid2D, modify: func(n *Network) { n.Neurons[0].W = nil }, want: "representer: neuron 0: w has length 0, want 2"},
		{name: "NaN w", base: valid2D, modify: func(n *Network) { n.Neurons[0].W[1] = math.NaN() }, want: "representer: neuron 0: w[1] is NaN"},
		{name: "Inf b", base: valid1D, modify: func(n *Network) { n.Neurons[1].B = math.Inf(-1) }, want: "representer: neuron 1: b is -Inf"},
		{name: "NaN v", base: valid1D, modify: func(n *Network) { n.Neurons[0].V = math.NaN() }, want: "representer: neuron 0: v is NaN"},
		{name: "NaN polynomial", base: valid1D, modify: func(n *Network) { n.Polynomial[1] = math.NaN() }, want: "representer: polynomial[1] is NaN"},
		{name: "Inf linear", base: valid2D, modify: func(n *Network) { n.Linear[0] = math.Inf(1) }, want: "representer: linear[0] is +Inf"},
		{name: "NaN bias", base: valid2D, modify: func(n *Network) { n.Bias = math.NaN() }, want: "representer: bias is NaN"},
		{name: "short polynomial", base: valid1D, modify: func(n *Network) { n.Polynomial = []float64{1} }, want: "representer: polynomial has length 1, want 2 (the order)"},
		{name: "missing polynomial", base: valid1D, modify: func(n *Network) { n.Polynomial = nil }, want: "representer: polynomial has length 0, want 2 (the order)"},
		{name: "no skip long polynomial", base: valid1D, modify: func(n *Network) { n.Skip = ptr(false) }, want: "representer: polynomial has length 2, want 1 (the output bias only, as skip is false)"},
		{name: "linear in 1-D", base: valid1D, modify: func(n *Network) { n.Linear = []float64{1} }, want: "representer: linear is set for input_dim 1, want it empty (use polynomial)"},
		{name: "bias in 1-D", base: valid1D, modify: func(n *Network) { n.Bias = 2 }, want: "representer: bias is 2 for input_dim 1, want 0 (polynomial[0] is the output bias)"},
		{name: "polynomial in 2-D", base: valid2D, modify: func(n *Network) { n.Polynomial = []float64{1} }, want: "representer: polynomial is set for input_dim 2, want it empty (use linear and bias)"},
		{name: "short linear", base: valid2D, modify: func(n *Network) { n.Linear = n.Linear[:1] }, want: "representer: linear has length 1, want 2"},
		{name: "linear without skip", base: valid2D, modify: func(n *Network) { n.Skip = ptr(false) }, want: "representer: linear has length 2, want 0"},
	} {
		n := test.base()
		test.modify(n)
		err := n.Validate()
		if test.want == "" {
			assert.NoError(t, err, test.name)
			continue
		}
		var verr *ValidationError
		if assert.ErrorAs(t, err, &verr, test.name) {
			assert.EqualError(t, err, test.want, test.name)
		}
	}
}

func TestNetworkClone(t *testing.T) {
	n := &Network{Order: 2, InputDim: 1, Neurons: []Neuron{oneD(1, 2, 3)}, Polynomial: []float64{4, 5}, Skip: ptr(true)}
	c := n.Clone()
	assert.Equal(t, n, c)
	c.Neurons[0].W[0], c.Neurons[0].B, c.Polynomial[0], *c.Skip = 9, 9, 9, false
	assert.Equal(t, Network{Order: 2, InputDim: 1, Neurons: []Neuron{oneD(1, 2, 3)}, Polynomial: []float64{4, 5}, Skip: ptr(true)}, *n)
}
