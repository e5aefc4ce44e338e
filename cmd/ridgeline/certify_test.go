package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// npzDir holds the .npz fixtures written by testdata/npz/make_fixture.py.
const npzDir = "../../testdata/npz/"

// certifyJSON mirrors the `certify --json` object of DESIGN §6; decoding
// with DisallowUnknownFields checks that nothing else is written.
type certifyJSON struct {
	Objective         float64         `json:"objective"`
	LossValue         float64         `json:"loss_value"`
	WeightDecay       float64         `json:"weight_decay"`
	PathNorm          float64         `json:"path_norm"`
	FunctionNorm      float64         `json:"function_norm"`
	FunctionObjective float64         `json:"function_objective"`
	LowerBound        float64         `json:"lower_bound"`
	BoundFrom         string          `json:"bound_from"`
	Gap               float64         `json:"gap"`
	GapAbs            float64         `json:"gap_abs"`
	MaxResidual       float64         `json:"max_residual"`
	Optimum           json.RawMessage `json:"optimum"`
	GapToOptimum      *float64        `json:"gap_to_optimum"`
	Verdict           string          `json:"verdict"`
	Dim               int             `json:"dim"`
	Order             int             `json:"order"`
	Loss              string          `json:"loss"`
	HuberDelta        *float64        `json:"huber_delta"`
	Lambda            *float64        `json:"lambda"`
	Skip              bool            `json:"skip"`
	Samples           int             `json:"samples"`
	Neurons           int             `json:"neurons"`
}

func decodeCertify(t *testing.T, stdout string) certifyJSON {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var o certifyJSON
	require.NoError(t, dec.Decode(&o))
	_, err := dec.Token()
	require.Error(t, err, "trailing data after the object")
	return o
}

// TestCertifyFitOutput: the network `fit --out` writes certifies at a gap
// ≤ 1e-8 from its own residuals, with the objective fit reported.
func TestCertifyFitOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "opt.json")
	r := runArgs(t, "fit", "--data", sunspots, "--lambda", sunspotsLambda, "--out", out, "--json")
	require.NoError(t, r.err)
	fit := decodeFit(t, r.stdout)

	r = runArgs(t, "certify", "--net", out, "--data", sunspots, "--lambda", sunspotsLambda, "--json")
	require.NoError(t, r.err, r.diag)
	assert.Empty(t, r.stderr)
	o := decodeCertify(t, r.stdout)
	assert.InDelta(t, fit.Objective, o.Objective, 1e-9*fit.Objective)
	assert.InDelta(t, o.WeightDecay, o.PathNorm, 1e-9*o.WeightDecay, "balanced")
	assert.InDelta(t, o.WeightDecay, o.FunctionNorm, 1e-9*o.WeightDecay)
	assert.LessOrEqual(t, o.Gap, 1e-8)
	assert.Equal(t, "residuals", o.BoundFrom)
	assert.Nil(t, o.Optimum)
	assert.Nil(t, o.GapToOptimum)
	assert.Equal(t, 309, o.Samples)
	assert.Equal(t, fit.Knots, o.Neurons)
	assert.Contains(t, o.Verdict, "certified optimal")

	r = runArgs(t, "certify", "--net", out, "--data", sunspots, "--lambda", sunspotsLambda, "--json", "--solve")
	require.NoError(t, r.err, r.diag)
	o = decodeCertify(t, r.stdout)
	opt := decodeFit(t, string(o.Optimum))
	assert.Equal(t, "optimal", opt.Status)
	require.NotNil(t, o.GapToOptimum)
	assert.InDelta(t, 0, *o.GapToOptimum, 1e-8)
	assert.Contains(t, o.Verdict, "optimal")
}

// TestCertifyNPZ: an awkward network from numpy (backward, dead and
// opposite-sign shared-knot neurons): the function norm is below the path
// norm, and the summary ends with the verdict.
func TestCertifyNPZ(t *testing.T) {
	r := runArgs(t, "certify", "--net", npzDir+"relu2.npz", "--data", "testdata/small.csv", "--lambda", "0.1", "--json")
	require.NoError(t, r.err, r.diag)
	o := decodeCertify(t, r.stdout)
	assert.InDelta(t, 1.0, o.FunctionNorm, 1e-15)
	assert.InDelta(t, 3.0, o.PathNorm, 1e-15)
	assert.Greater(t, o.WeightDecay, o.PathNorm)
	assert.InDelta(t, o.LossValue+0.1*o.WeightDecay, o.Objective, 1e-12*o.Objective)
	assert.LessOrEqual(t, o.LowerBound, o.Objective)

	r = runArgs(t, "certify", "--net", npzDir+"relu2.npz", "--data", "testdata/small.csv", "--lambda", "0.1", "--solve")
	require.NoError(t, r.err, r.diag)
	for _, s := range []string{"objective:      J(θ) = ", "path norm:      P(θ) = 3\n", "function norm:  ‖D^2 f‖ = 1 ",
		"lower bound:    L = ", "optimum:        J* = ", "verdict:        not optimal"} {
		assert.Contains(t, r.stdout, s)
	}

	// An order-3 network sets the order when --order is not given.
	r = runArgs(t, "certify", "--net", npzDir+"cubic3.npz", "--data", "testdata/small.csv")
	require.NoError(t, r.err, r.diag)
	assert.Contains(t, r.stdout, "order 3")
}

// TestCertifyBadNetwork: malformed network files and networks that do not
// fit the problem exit 2 with one line naming the file and the problem.
func TestCertifyBadNetwork(t *testing.T) {
	noSkip := writeTemp(t, "noskip.json", `{"order": 2, "input_dim": 1, "skip": false,
		"neurons": [{"w": [1], "b": 0, "v": 1}], "polynomial": [0]}`)
	garbage := writeTemp(t, "garbage.json", `{"order": 2, "neurons": [`)
	nan := writeTemp(t, "nan.json", `{"order": 2, "input_dim": 1, "neurons": [{"w": [1], "b": 0, "v": 1}], "polynomial": [0, 1e999]}`)
	small := "testdata/small.csv"
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"missing arrays", []string{"--net", npzDir + "bad_missing_v.npz"}, []string{"bad_missing_v.npz: ", `missing array "v"`}},
		{"wrong shape", []string{"--net", npzDir + "bad_shape.npz"}, []string{"bad_shape.npz: ", `array "b" has shape (3,), want (2,)`}},
		{"NaN weight", []string{"--net", npzDir + "bad_nan.npz"}, []string{"bad_nan.npz: ", "neuron 1: w[0] is NaN"}},
		{"order mismatch in the file", []string{"--net", npzDir + "bad_order.npz"}, []string{"bad_order.npz: ", "order 3 does not match poly of length 2"}},
		{"no polynomial", []string{"--net", npzDir + "bad_nopoly.npz"}, []string{"bad_nopoly.npz: ", "missing the polynomial part"}},
		{"order mismatch with --order", []string{"--net", npzDir + "relu2.npz", "--order", "3"}, []string{"relu2.npz: ", "order mismatch", "--order is 3"}},
		{"input dimension", []string{"--net", npzDir + "linear2d_f32.npz"}, []string{"linear2d_f32.npz: ", "input_dim 2", "1 input column"}},
		{"skip mismatch", []string{"--net", noSkip}, []string{"noskip.json: ", "pass --no-skip"}},
		{"skip mismatch the other way", []string{"--net", npzDir + "relu2.npz", "--no-skip"}, []string{"relu2.npz: ", "--no-skip was given"}},
		{"bad JSON", []string{"--net", garbage}, []string{"garbage.json: ", "decoding network"}},
		{"non-finite JSON", []string{"--net", nan}, []string{"nan.json: "}},
		{"missing file", []string{"--net", npzDir + "nosuch.npz"}, []string{"nosuch.npz: ", "no such file"}},
		{"no --net", nil, []string{"--net is required"}},
		{"order 3 cannot be solved", []string{"--net", npzDir + "cubic3.npz", "--solve"}, []string{"small.csv: ", "order 3"}},
	} {
		args := append([]string{"certify", "--data", small}, tc.args...)
		r := runArgs(t, args...)
		assert.Equal(t, 2, r.code, "%s: %v", tc.name, r.err)
		assert.Empty(t, r.stdout, tc.name)
		assert.Equal(t, 1, strings.Count(r.diag, "\n"), "%s: one line: %q", tc.name, r.diag)
		assert.True(t, strings.HasPrefix(r.diag, "ridgeline: "), tc.name)
		rest := r.diag
		for _, w := range tc.want {
			i := strings.Index(rest, w)
			if !assert.GreaterOrEqual(t, i, 0, "%s: %q lacks %q", tc.name, r.diag, w) {
				break
			}
			rest = rest[i+len(w):]
		}
	}
}

func TestCertifyHelp(t *testing.T) {
	r := runArgs(t, "help", "certify")
	require.NoError(t, r.err)
	for _, s := range []string{"usage: ridgeline certify", "-net", "-solve", "-json", "-lambda", ".npz"} {
		assert.Contains(t, r.stdout, s)
	}
	var b bytes.Buffer
	usage(&b)
	assert.Contains(t, b.String(), "certify")
}
