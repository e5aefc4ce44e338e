package verify

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/representer"
)

// npzDir holds the fixtures written by testdata/npz/make_fixture.py; the
// expected values below are those of the script.
const npzDir = "../testdata/npz/"

func TestReadNPZRelu2(t *testing.T) {
	net, err := ReadNPZ(npzDir + "relu2.npz")
	require.NoError(t, err)
	assert.Equal(t, 2, net.Order)
	assert.Equal(t, 1, net.InputDim)
	assert.Nil(t, net.Skip)
	assert.Equal(t, []representer.Neuron{
		{W: []float64{1}, B: 0.5, V: 1.5},
		{W: []float64{-2}, B: 1, V: -0.25},
		{W: []float64{0}, B: -3, V: 4},
		{W: []float64{2}, B: 1, V: -0.5},
	}, net.Neurons)
	assert.Equal(t, []float64{0.125, -1}, net.Polynomial)

	// f(1) = 1.5·ReLU(0.5) − 0.25·ReLU(−3) + 4·ReLU(3) − 0.5·ReLU(1) + 0.125 − 1 = 11.375.
	assert.InDelta(t, 11.375, net.Eval1D(1), 1e-15)
	// Knot 0.5 with a = 1.5 − 0.5·2 = 0.5 and knot −0.5 with a = −0.25·2 = −0.5:
	// function norm 1, path norm 1.5 + 0.5 + 0 + 1 = 3.
	s, err := net.Spline()
	require.NoError(t, err)
	assert.InDelta(t, 1.0, s.TV(), 1e-15)
	assert.InDelta(t, 3.0, net.PathNorm(), 1e-15)
}

func TestReadNPZFloat32Fortran2D(t *testing.T) {
	net, err := ReadNPZ(npzDir + "linear2d_f32.npz")
	require.NoError(t, err)
	assert.Equal(t, 2, net.Order, "order defaults to 2")
	assert.Equal(t, 2, net.InputDim)
	require.Len(t, net.Neurons, 3)
	// w was stored in Fortran order; the rows are the neurons.
	assert.Equal(t, []float64{1, 2}, net.Neurons[0].W)
	assert.Equal(t, []float64{-0.5, 0.25}, net.Neurons[1].W)
	assert.Equal(t, []float64{3, -1}, net.Neurons[2].W)
	assert.Equal(t, []float64{0.75, -0.125}, net.Linear)
	assert.Equal(t, 1.5, net.Bias)
	// f(1, 1) = 1·ReLU(2.5) − 2·ReLU(0.75) + 0.5·ReLU(0) + 0.75 − 0.125 + 1.5 = 3.125
	// (every value is exact in float32).
	assert.Equal(t, 3.125, net.Eval([]float64{1, 1}))
}

func TestReadNPZOrder3(t *testing.T) {
	net, err := ReadNPZ(npzDir + "cubic3.npz")
	require.NoError(t, err)
	assert.Equal(t, 3, net.Order)
	assert.Equal(t, []float64{1, 0, 0.5}, net.Polynomial)
	// f(x) = 2ρ₃(x) + 3ρ₃(−x − 1) + 1 + x²/2, ρ₃(t) = max(t, 0)²/2.
	assert.InDelta(t, 2.5, net.Eval1D(1), 1e-15)
	assert.InDelta(t, 4.5, net.Eval1D(-2), 1e-15)
}

func TestReadNPZLinearBias1D(t *testing.T) {
	net, err := ReadNPZ(npzDir + "linear1d.npz")
	require.NoError(t, err)
	assert.Equal(t, []float64{2, 0.25}, net.Polynomial, "linear and bias become the polynomial")
	// f(x) = 0.5·ReLU(2x − 1) − ReLU(x + 1) + 2 + x/4.
	assert.InDelta(t, 1.0, net.Eval1D(0), 1e-15)
	assert.InDelta(t, 0.75, net.Eval1D(1), 1e-15)
}

func TestReadNPZMalformed(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string
	}{
		{"bad_missing_v.npz", `bad_missing_v.npz: missing array "v"`},
		{"bad_shape.npz", `bad_shape.npz: array "b" has shape (3,), want (2,)`},
		{"bad_nan.npz", `bad_nan.npz: neuron 1: w[0] is NaN`},
		{"bad_order.npz", `bad_order.npz: order 3 does not match poly of length 2`},
		{"bad_nopoly.npz", `bad_nopoly.npz: missing the polynomial part`},
		{"missing.npz", `missing.npz: open: no such file`},
	} {
		net, err := ReadNPZ(npzDir + tc.file)
		require.Error(t, err, tc.file)
		assert.Nil(t, net)
		assert.Contains(t, err.Error(), tc.want)
		assert.True(t, errors.Is(err, ErrBadNetwork), tc.file)
		assert.NotContains(t, err.Error(), "\n")
	}
	// The NaN is a validation error of the representer, kept for errors.As.
	_, err := ReadNPZ(npzDir + "bad_nan.npz")
	var ve *representer.ValidationError
	assert.True(t, errors.As(err, &ve))

	// Not a zip archive at all.
	path := filepath.Join(t.TempDir(), "text.npz")
	require.NoError(t, os.WriteFile(path, []byte("w,b,v\n"), 0o666))
	_, err = ReadNPZ(path)
	assert.ErrorContains(t, err, "text.npz: not a NumPy .npz archive")
}

func TestReadNetworkFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "net.json")
	require.NoError(t, os.WriteFile(good, []byte(`{"order": 2, "input_dim": 1,
		"neurons": [{"w": [1], "b": 0, "v": 1}], "polynomial": [0, 0]}`), 0o666))
	net, err := ReadNetworkFile(good)
	require.NoError(t, err)
	assert.Len(t, net.Neurons, 1)

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"order": 2, "input_dim": 1,
		"neurons": [{"w": [1, 2], "b": 0, "v": 1}], "polynomial": [0, 0]}`), 0o666))
	_, err = ReadNetworkFile(bad)
	assert.ErrorContains(t, err, "bad.json: neuron 0: w has length 2, want 1")
	assert.ErrorIs(t, err, ErrBadNetwork)

	net, err = ReadNetworkFile(npzDir + "relu2.npz")
	require.NoError(t, err)
	assert.Len(t, net.Neurons, 4)
}
