package verify

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
	"github.com/ridgeline-nn/ridgeline/solver"
)

// awkwardNetwork has a backward neuron (w < 0), a dead one (w = 0), two
// neurons that share a knot and unbalanced weights.
func awkwardNetwork() *representer.Network {
	return &representer.Network{
		Order: 2, InputDim: 1,
		Neurons: []representer.Neuron{
			{W: []float64{2}, B: 2, V: 1.5},   // knot 1, a = 3; unbalanced: ½(1.5² + 2²) = 3.125 > 3
			{W: []float64{1}, B: 1, V: -1},    // knot 1 again, a = −1: ½(1 + 1) = 1
			{W: []float64{-1}, B: -2, V: 0.5}, // 0.5·ReLU(2 − x) = 0.5·ReLU(x − 2) − 0.5x + 1: ½(0.25 + 1) = 0.625
			{W: []float64{0}, B: -1, V: 2},    // the constant 2·ReLU(1) = 2: ½(4 + 0) = 2
		},
		Polynomial: []float64{-1, 0.5},
	}
}

// TestCertifyByHand checks J(θ), R(θ), P(θ) and the function norm of
// awkwardNetwork on four points against a hand computation:
//
//	f(x) = 1.5·ReLU(2x − 2) − ReLU(x − 1) + 0.5·ReLU(2 − x) + 2 − 1 + 0.5x
//	     = 2·ReLU(x − 1) + 0.5·ReLU(x − 2) + 2                 (as a spline)
//	f(0, 1, 2, 3) = 2, 2, 4, 6.5;  y = 0, 1, 0, 2;  residuals 2, 1, 4, 4.5
//	loss = ½(4 + 1 + 16 + 20.25) = 20.625
//	R(θ) = 3.125 + 1 + 0.625 + 2 = 6.75,   J(θ) = 20.625 + 0.5·6.75 = 24
//	P(θ) = 1.5·2 + 1·1 + 0.5·1 + 2·0 = 4.5
//	‖f″‖_M = |3 − 1| + |0.5| = 2.5,        function objective = 20.625 + 0.5·2.5 = 21.875
func TestCertifyByHand(t *testing.T) {
	p := &problem.Problem{Dim: 1, X: []float64{0, 1, 2, 3}, Y: []float64{0, 1, 0, 2},
		Loss: problem.Squared{}, Lambda: 0.5, Order: 2, Skip: true}
	rep, err := Certify(awkwardNetwork(), p, CertifyOptions{Solve: true})
	require.NoError(t, err)
	const tol = 1e-14
	assert.InDelta(t, 20.625, rep.LossValue, tol)
	assert.InDelta(t, 6.75, rep.WeightDecay, tol)
	assert.InDelta(t, 24.0, rep.Objective, tol)
	assert.InDelta(t, 4.5, rep.PathNorm, tol)
	assert.InDelta(t, 2.5, rep.FunctionNorm, tol)
	assert.InDelta(t, 21.875, rep.FunctionObjective, tol)
	assert.InDelta(t, 4.5, rep.MaxResidual, tol)

	// The bounds: L ≤ J* ≤ J(θ), and the gaps say so.
	jstar := rep.Optimum.Certificate.Objective
	assert.LessOrEqual(t, rep.LowerBound, jstar*(1+1e-9))
	assert.Less(t, jstar, rep.FunctionObjective)
	assert.InDelta(t, (24-rep.LowerBound)/24, rep.Gap, tol)
	assert.InDelta(t, 24-rep.LowerBound, rep.GapAbs, tol)
	assert.InDelta(t, (24-jstar)/jstar, rep.GapToOptimum, 1e-12)
	assert.Contains(t, rep.Verdict, "not optimal: J(θ) is 3100% above the certified optimum")

	// Without the solve the bound comes from the residuals alone.
	rep2, err := Certify(awkwardNetwork(), p, CertifyOptions{})
	require.NoError(t, err)
	assert.Equal(t, "residuals", rep2.BoundFrom)
	assert.Nil(t, rep2.Optimum)
	assert.True(t, math.IsNaN(rep2.GapToOptimum))
	assert.LessOrEqual(t, rep2.LowerBound, jstar*(1+1e-9))
	assert.Contains(t, rep2.Verdict, "not certified: gap")
}

// TestCertifyOptimalNetwork checks that the balanced network of the
// optimal spline (what `fit` writes) certifies at a gap ≤ 1e-8 with the
// solver's bound. From its own residuals alone it certifies at ≤ 1e-8 for
// the squared loss and ≤ residualTol for Huber, whose residual dual
// magnifies the primal's rounding (DESIGN §4); for l1 the residual dual is
// undetermined where the residuals vanish, so only the solver's counts.
func TestCertifyOptimalNetwork(t *testing.T) {
	const residualTol = 1e-6
	for _, tc := range []struct {
		loss     problem.Loss
		residual float64 // gap reached from the residuals alone, 0 for no check
	}{
		{problem.Squared{}, 1e-8},
		{problem.Huber{Delta: 0.5}, residualTol},
		{problem.L1{}, 0},
	} {
		for seed := uint64(1); seed <= 5; seed++ {
			p := randomProblem(seed, 25, 1, 2, tc.loss, true)
			sol, err := solver.Solve(p, solver.Options{})
			require.NoError(t, err)
			if sol.Status != solver.Optimal {
				t.Errorf("solver: %s seed %d ended %v with J = %g", tc.loss.Name(), seed, sol.Status, sol.Certificate.Objective)
				continue
			}
			net := representer.Balanced(sol.Spline)
			rep, err := Certify(net, p, CertifyOptions{Solve: true})
			require.NoError(t, err)
			assert.LessOrEqual(t, rep.Gap, 1e-8, "%s seed %d: %s", tc.loss.Name(), seed, rep.Verdict)
			assert.InDelta(t, rep.WeightDecay, rep.FunctionNorm, 1e-9*rep.WeightDecay, "balanced: R(θ) = ‖f″‖")
			assert.Contains(t, rep.Verdict, "optimal")
			if tc.residual > 0 {
				rep, err := Certify(net, p, CertifyOptions{})
				require.NoError(t, err)
				assert.LessOrEqual(t, rep.Gap, tc.residual, "%s seed %d from the residuals: %s", tc.loss.Name(), seed, rep.Verdict)
			}
		}
	}
}

func TestCertifyMismatch(t *testing.T) {
	p := &problem.Problem{Dim: 1, X: []float64{0, 1, 2}, Y: []float64{0, 1, 0},
		Loss: problem.Squared{}, Lambda: 1, Order: 3, Skip: true}
	_, err := Certify(awkwardNetwork(), p, CertifyOptions{})
	assert.ErrorIs(t, err, ErrMismatch)
	assert.ErrorContains(t, err, "the network has order 2, the problem order 3")

	p.Order, p.Skip = 2, false
	_, err = Certify(awkwardNetwork(), p, CertifyOptions{})
	assert.ErrorIs(t, err, ErrMismatch)
	assert.ErrorContains(t, err, "skip")

	p.Skip = true
	p2 := *p
	p2.Dim, p2.X = 2, []float64{0, 0, 1, 0, 0, 1}
	_, err = Certify(awkwardNetwork(), &p2, CertifyOptions{})
	assert.ErrorIs(t, err, ErrMismatch)

	leaky := awkwardNetwork()
	leaky.Activation = "leaky:0.1"
	_, err = Certify(leaky, p, CertifyOptions{})
	assert.ErrorIs(t, err, ErrUnsupported)

	// Unsupported solves are the solver's error, wrapped.
	p3 := &problem.Problem{Dim: 1, X: []float64{0, 1, 2, 3}, Y: []float64{0, 1, 0, 1},
		Loss: problem.Squared{}, Lambda: 1, Order: 3, Skip: true}
	cubic := &representer.Network{Order: 3, InputDim: 1, Neurons: []representer.Neuron{{W: []float64{1}, B: 1, V: 1}}, Polynomial: []float64{0, 0, 0}}
	rep, err := Certify(cubic, p3, CertifyOptions{})
	require.NoError(t, err, "certificates exist for order 3")
	assert.LessOrEqual(t, rep.LowerBound, rep.Objective)
	_, err = Certify(cubic, p3, CertifyOptions{Solve: true})
	assert.ErrorIs(t, err, solver.ErrUnsupported)
}

// TestCertifyInterp: a network that does not interpolate has J = +Inf; the
// optimal one certifies.
func TestCertifyInterp(t *testing.T) {
	p := &problem.Problem{Dim: 1, X: []float64{0, 1, 2, 3}, Y: []float64{0, 1, 0, 2},
		Loss: problem.Interp{}, Order: 2, Skip: true}
	rep, err := Certify(awkwardNetwork(), p, CertifyOptions{})
	require.NoError(t, err)
	assert.True(t, math.IsInf(rep.Objective, 1))
	assert.Contains(t, rep.Verdict, "does not interpolate")

	rep, err = Certify(awkwardNetwork(), p, CertifyOptions{Solve: true})
	require.NoError(t, err)
	assert.Contains(t, rep.Verdict, "does not interpolate")

	sol, err := solver.Solve(p, solver.Options{})
	require.NoError(t, err)
	rep, err = Certify(representer.Balanced(sol.Spline), p, CertifyOptions{Solve: true})
	require.NoError(t, err)
	// The linear interpolant is optimal: slopes 1, −1, 2 change by 2 and 3.
	assert.InDelta(t, 5.0, rep.Objective, 1e-12)
	assert.LessOrEqual(t, rep.Gap, 1e-8)
	assert.Equal(t, "solver", rep.BoundFrom)
}

// TestCertifyMultivariate: d ≥ 2 reports J(θ), R(θ) and P(θ) with NaN bounds.
func TestCertifyMultivariate(t *testing.T) {
	net, err := ReadNPZ(npzDir + "linear2d_f32.npz")
	require.NoError(t, err)
	p := &problem.Problem{Dim: 2, X: []float64{1, 1, 0, 0}, Y: []float64{3, 0},
		Loss: problem.Squared{}, Lambda: 2, Order: 2, Skip: true}
	rep, err := Certify(net, p, CertifyOptions{})
	require.NoError(t, err)
	// f(1,1) = 3.125 (see the npz test); f(0,0) = 1·ReLU(−0.5) − 2·ReLU(1) + 0.5·ReLU(−2) + 1.5 = −0.5.
	// loss = ½(0.125² + 0.5²) = 0.1328125; R = ½(1 + 5 + 4 + 0.3125 + 0.25 + 10) = 10.28125.
	assert.InDelta(t, 0.1328125, rep.LossValue, 1e-15)
	assert.InDelta(t, 10.28125, rep.WeightDecay, 1e-15)
	assert.InDelta(t, 0.1328125+2*10.28125, rep.Objective, 1e-14)
	assert.True(t, math.IsNaN(rep.LowerBound))
	assert.True(t, math.IsNaN(rep.FunctionNorm))
	assert.Contains(t, rep.Verdict, "not certified")
}
