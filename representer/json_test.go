package representer

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenNetwork is the network of testdata/network.golden.json.
func goldenNetwork() *Network {
	return &Network{
		Order:      2,
		InputDim:   1,
		Neurons:    []Neuron{oneD(1.5, -0.75, 2), oneD(-1, 0.5, -0.25)},
		Polynomial: []float64{0.1, -2},
	}
}

func TestWriteJSONGolden(t *testing.T) {
	path := filepath.Join("testdata", "network.golden.json")
	var buf bytes.Buffer
	require.NoError(t, goldenNetwork().WriteJSON(&buf))
	if *update {
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), buf.String())

	n, err := ReadNetwork(bytes.NewReader(want))
	require.NoError(t, err)
	assert.Equal(t, goldenNetwork(), n)
}

func TestNetworkJSONFieldNames(t *testing.T) {
	// Every field of DESIGN §6 under its contract name.
	for _, test := range []struct {
		name string
		n    *Network
		want string
	}{
		{
			name: "optional fields",
			n:    &Network{Order: 2, InputDim: 1, Neurons: []Neuron{oneD(1, 2, 3)}, Polynomial: []float64{4}, Activation: "leaky:0.1", Skip: ptr(false), PenalizeBias: true},
			want: `{"order": 2, "input_dim": 1, "neurons": [{"w": [1], "b": 2, "v": 3}], "polynomial": [4],
				"activation": "leaky:0.1", "skip": false, "penalize_bias": true}`,
		},
		{
			name: "multivariate",
			n:    &Network{Order: 2, InputDim: 2, Neurons: []Neuron{{W: []float64{1, -1}, B: 0.5, V: 2}}, Linear: []float64{3, 4}, Bias: -1},
			want: `{"order": 2, "input_dim": 2, "neurons": [{"w": [1, -1], "b": 0.5, "v": 2}], "linear": [3, 4], "bias": -1}`,
		},
		{
			name: "no neurons",
			n:    &Network{Order: 1, InputDim: 1, Polynomial: []float64{0}},
			want: `{"order": 1, "input_dim": 1, "neurons": [], "polynomial": [0]}`,
		},
	} {
		var buf bytes.Buffer
		require.NoError(t, test.n.WriteJSON(&buf), test.name)
		assert.JSONEq(t, test.want, buf.String(), test.name)
		back, err := ReadNetwork(&buf)
		require.NoError(t, err, test.name)
		if test.n.Neurons == nil {
			assert.Empty(t, back.Neurons, test.name)
			back.Neurons = nil
		}
		assert.Equal(t, test.n, back, test.name)
	}
}

func TestNetworkJSONRoundTripExact(t *testing.T) {
	// Floats survive a write and a read bit for bit.
	rnd := newRand(t)
	s := randomSpline(rnd, 3, 10)
	n := Balanced(s)
	var buf bytes.Buffer
	require.NoError(t, n.WriteJSON(&buf))
	back, err := ReadNetwork(&buf)
	require.NoError(t, err)
	assert.Equal(t, n, back)
}

func TestReadNetwork(t *testing.T) {
	for _, test := range []struct {
		name string
		in   string
		want *Network
		err  string // substring of the error, "" for success
	}{
		{
			name: "unknown fields are ignored",
			in:   `{"order": 2, "input_dim": 1, "comment": "from pytorch", "neurons": [{"w": [1], "b": 0, "v": 1, "id": 7}], "polynomial": [0, 1]}`,
			want: &Network{Order: 2, InputDim: 1, Neurons: []Neuron{oneD(1, 0, 1)}, Polynomial: []float64{0, 1}},
		},
		{
			name: "scalar w in one dimension",
			in:   `{"order": 2, "input_dim": 1, "neurons": [{"w": -2, "b": 1, "v": 1}], "polynomial": [0, 0]}` + "\n\n",
			want: &Network{Order: 2, InputDim: 1, Neurons: []Neuron{oneD(-2, 1, 1)}, Polynomial: []float64{0, 0}},
		},
		{
			name: "wrong w length names the neuron",
			in:   `{"order": 2, "input_dim": 1, "neurons": [{"w": [1], "b": 0, "v": 1}, {"w": [1], "b": 0, "v": 1}, {"w": [1], "b": 0, "v": 1}, {"w": [1, 2], "b": 0, "v": 1}], "polynomial": [0, 0]}`,
			err:  "representer: neuron 3: w has length 2, want 1",
		},
		{
			name: "missing w",
			in:   `{"order": 2, "input_dim": 1, "neurons": [{"b": 0, "v": 1}], "polynomial": [0, 0]}`,
			err:  "representer: neuron 0: w has length 0, want 1",
		},
		{
			name: "type error names the neuron",
			in:   `{"order": 2, "input_dim": 1, "neurons": [{"w": [1], "b": 0, "v": 1}, {"w": ["x"], "b": 0, "v": 1}], "polynomial": [0, 0]}`,
			err:  "representer: decoding network: neuron 1: field w:",
		},
		{
			name: "string bias",
			in:   `{"order": 2, "input_dim": 1, "neurons": [{"w": [1], "b": "0", "v": 1}], "polynomial": [0, 0]}`,
			err:  "representer: decoding network: neuron 0:",
		},
		{
			name: "missing order",
			in:   `{"input_dim": 1, "neurons": [], "polynomial": [0, 0]}`,
			err:  "representer: order is 0, want 1 to 4",
		},
		{
			name: "missing polynomial",
			in:   `{"order": 3, "input_dim": 1, "neurons": []}`,
			err:  "representer: polynomial has length 0, want 3 (the order)",
		},
		{
			name: "unknown activation",
			in:   `{"order": 2, "input_dim": 1, "neurons": [], "polynomial": [0, 0], "activation": "gelu"}`,
			err:  `representer: activation "gelu" is unknown`,
		},
		{name: "not JSON", in: `order: 2`, err: "representer: decoding network:"},
		{name: "truncated", in: `{"order": 2, "input_dim": 1, "neurons": [`, err: "representer: decoding network:"},
		{name: "empty", in: ``, err: "representer: decoding network: EOF"},
		{name: "array", in: `[1, 2]`, err: "representer: decoding network:"},
		{
			name: "two objects",
			in:   `{"order": 1, "input_dim": 1, "polynomial": [0]} {"order": 1}`,
			err:  "representer: decoding network: after the object: more than one JSON value",
		},
		{
			name: "trailing garbage",
			in:   `{"order": 1, "input_dim": 1, "polynomial": [0]} ]`,
			err:  "representer: decoding network: after the object:",
		},
	} {
		n, err := ReadNetwork(strings.NewReader(test.in))
		if test.err == "" {
			if assert.NoError(t, err, test.name) {
				assert.Equal(t, test.want, n, test.name)
			}
			continue
		}
		if assert.Error(t, err, test.name) {
			assert.Contains(t, err.Error(), test.err, test.name)
		}
		assert.Nil(t, n, test.name)
	}
}

func TestWriteJSONInvalid(t *testing.T) {
	n := goldenNetwork()
	n.Neurons[1].V = math.NaN()
	var buf bytes.Buffer
	err := n.WriteJSON(&buf)
	assert.EqualError(t, err, "representer: neuron 1: v is NaN")
	assert.Zero(t, buf.Len())
}
