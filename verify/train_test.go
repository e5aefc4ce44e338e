package verify

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/problem"
)

// TestGradientFiniteDifference checks the gradient of the full objective
// in standardised units against central differences, for every order,
// loss, skip option and the bias penalty.
func TestGradientFiniteDifference(t *testing.T) {
	for _, tc := range []struct {
		d, m       int
		loss       problem.Loss
		skip, bias bool
	}{
		{1, 2, problem.Squared{}, true, false},
		{1, 3, problem.Squared{}, true, false},
		{1, 4, problem.Huber{Delta: 0.7}, true, false},
		{1, 2, problem.Squared{}, false, true},
		{1, 3, problem.L1{}, false, false},
		{2, 2, problem.Squared{}, true, true},
		{3, 2, problem.Huber{Delta: 2}, false, false},
	} {
		p := randomProblem(uint64(tc.m*10+tc.d), 12, tc.d, tc.m, tc.loss, tc.skip)
		tr, err := newTrainer(p, TrainOptions{Width: 5, Seed: 3, PenalizeBias: tc.bias})
		require.NoError(t, err)
		tr.gradient(tr.all)
		g := append([]float64(nil), tr.grad...)
		for i := range tr.theta {
			h := 1e-6 * math.Max(1, math.Abs(tr.theta[i]))
			old := tr.theta[i]
			tr.theta[i] = old + h
			fp := tr.objective(tr.theta)
			tr.theta[i] = old - h
			fm := tr.objective(tr.theta)
			tr.theta[i] = old
			fd := (fp - fm) / (2 * h)
			assert.InDelta(t, fd, g[i], 1e-6*math.Max(1, math.Abs(fd)),
				"d=%d m=%d %s skip=%v bias=%v parameter %d", tc.d, tc.m, tc.loss.Name(), tc.skip, tc.bias, i)
		}
	}
}

// TestTrainUnits checks that the objective Train reports during training
// (F·Σω times the standardised objective) is J(θ) of the network mapped
// back to the problem's units, evaluated directly by Certify.
func TestTrainUnits(t *testing.T) {
	for _, tc := range []struct {
		d, m       int
		loss       problem.Loss
		skip, bias bool
	}{
		{1, 2, problem.Squared{}, true, false},
		{1, 3, problem.L1{}, true, false},
		{1, 4, problem.Huber{Delta: 0.3}, true, false},
		{1, 2, problem.Squared{}, false, false},
		{1, 3, problem.Squared{}, true, true},
		{2, 2, problem.Squared{}, true, false},
		{2, 2, problem.L1{}, false, true},
	} {
		p := randomProblem(uint64(tc.m+5*tc.d), 15, tc.d, tc.m, tc.loss, tc.skip)
		res, err := Train(p, TrainOptions{Width: 6, Epochs: 50, Seed: 1, PenalizeBias: tc.bias})
		require.NoError(t, err)
		last := res.Trace[len(res.Trace)-1]
		assert.Equal(t, 50, last.Epoch)
		assert.InDelta(t, res.Objective, last.Objective, 1e-9*res.Objective, "%+v", tc)
		if tc.bias {
			continue // Certify charges the bias penalty too, but only for Skip-matching networks
		}
		rep, err := Certify(res.Network, p, CertifyOptions{})
		require.NoError(t, err)
		assert.InDelta(t, res.Objective, rep.Objective, 1e-12*res.Objective)
		if tc.d == 1 {
			assert.LessOrEqual(t, rep.LowerBound, rep.Objective)
		}
	}
}

// TestTrainAffineInvariance: training is invariant under affine changes
// of units (Train standardises exactly). With x → 1000 + 50x and
// y → −3 + 7y, ℓ scales by 49 (squared), ‖D^m f‖_M by 7/50^{m−1}, so
// λ·7·50^{m−1} poses the same problem and every J along the run is 49 times
// the original.
func TestTrainAffineInvariance(t *testing.T) {
	for _, m := range []int{2, 3} {
		p := randomProblem(11, 20, 1, m, problem.Squared{}, true)
		q := *p
		q.X, q.Y = make([]float64, len(p.X)), make([]float64, len(p.Y))
		for i := range p.X {
			q.X[i] = 1000 + 50*p.X[i]
			q.Y[i] = -3 + 7*p.Y[i]
		}
		q.Lambda = p.Lambda * 7 * math.Pow(50, float64(m-1))
		opt := TrainOptions{Width: 8, Epochs: 100, Seed: 5}
		a, err := Train(p, opt)
		require.NoError(t, err)
		b, err := Train(&q, opt)
		require.NoError(t, err)
		require.Equal(t, len(a.Trace), len(b.Trace))
		for i := range a.Trace {
			assert.InDelta(t, 49*a.Trace[i].Objective, b.Trace[i].Objective, 1e-8*b.Trace[i].Objective, "m=%d epoch %d", m, i)
		}
	}
}

func TestTrainDeterministic(t *testing.T) {
	p := randomProblem(3, 30, 1, 2, problem.Squared{}, true)
	for _, opt := range []TrainOptions{
		{Width: 10, Epochs: 30, Seed: 7},
		{Width: 10, Epochs: 30, Seed: 7, BatchSize: 8, Optimizer: SGD, LR: 0.01, Momentum: 0.5},
		{Width: 10, Epochs: 30, Seed: 7, Init: InitUniform},
	} {
		a, err := Train(p, opt)
		require.NoError(t, err)
		b, err := Train(p, opt)
		require.NoError(t, err)
		assert.Equal(t, a.Network, b.Network)
		assert.Equal(t, a.Objective, b.Objective)
		opt.Seed++
		c, err := Train(p, opt)
		require.NoError(t, err)
		assert.NotEqual(t, a.Network, c.Network)
	}
}

// TestTrainDescends: full-batch Adam and SGD reduce the objective.
func TestTrainDescends(t *testing.T) {
	p := randomProblem(4, 40, 1, 2, problem.Squared{}, true)
	for _, opt := range []TrainOptions{
		{Width: 20, Epochs: 300},
		{Width: 20, Epochs: 300, Optimizer: SGD, LR: 0.05},
		{Width: 20, Epochs: 300, Optimizer: SGD, LR: 0.01, Momentum: 0.9},
		{Width: 20, Epochs: 100, BatchSize: 10},
	} {
		res, err := Train(p, opt)
		require.NoError(t, err)
		assert.Less(t, res.Objective, 0.5*res.Trace[0].Objective, "%+v", opt)
		assert.Equal(t, 0, res.Trace[0].Epoch)
		assert.Equal(t, opt.Epochs, res.Epochs)
		assert.Equal(t, "epochs", res.Stop)
	}
}

func TestTrainBudgetAndCallback(t *testing.T) {
	p := randomProblem(4, 40, 1, 2, problem.Squared{}, true)
	calls, lastEpoch := 0, -1
	res, err := Train(p, TrainOptions{Width: 10, Budget: 50 * time.Millisecond, Callback: func(e int, el time.Duration, obj float64) {
		calls++
		assert.Equal(t, lastEpoch+1, e)
		lastEpoch = e
	}})
	require.NoError(t, err)
	assert.Equal(t, "budget", res.Stop)
	assert.GreaterOrEqual(t, res.Seconds, 0.05)
	assert.Equal(t, res.Epochs+1, calls, "epoch 0 and every epoch")
	assert.LessOrEqual(t, len(res.Trace), maxTrace+1)
	assert.Equal(t, res.Epochs, res.Trace[len(res.Trace)-1].Epoch)
	for i := 1; i < len(res.Trace); i++ {
		assert.Less(t, res.Trace[i-1].Epoch, res.Trace[i].Epoch)
	}
}

// TestTrainTraceThinning: a run longer than maxTrace epochs keeps an even,
// bounded trace with the first and last epochs.
func TestTrainTraceThinning(t *testing.T) {
	if testing.Short() {
		t.Skip("long run")
	}
	p := randomProblem(4, 5, 1, 2, problem.Squared{}, true)
	res, err := Train(p, TrainOptions{Width: 2, Epochs: 3*maxTrace + 7})
	require.NoError(t, err)
	tr := res.Trace
	assert.LessOrEqual(t, len(tr), maxTrace+1)
	assert.Greater(t, len(tr), maxTrace/2)
	assert.Equal(t, 0, tr[0].Epoch)
	assert.Equal(t, 3*maxTrace+7, tr[len(tr)-1].Epoch)
	for i := 2; i < len(tr)-1; i++ {
		assert.Equal(t, tr[1].Epoch-tr[0].Epoch, tr[i].Epoch-tr[i-1].Epoch)
	}
}

// TestTrainNoAllocs: an epoch allocates nothing.
func TestTrainNoAllocs(t *testing.T) {
	for _, opt := range []TrainOptions{
		{Width: 30},
		{Width: 30, BatchSize: 7},
		{Width: 30, Optimizer: SGD, Momentum: 0.9, LR: 0.001},
	} {
		for _, m := range []int{2, 4} {
			p := randomProblem(1, 50, 1, m, problem.Huber{Delta: 1}, true)
			tr, err := newTrainer(p, opt)
			require.NoError(t, err)
			assert.Zero(t, testing.AllocsPerRun(20, func() { tr.epoch() }), "%+v m=%d", opt, m)
		}
		p := randomProblem(1, 50, 3, 2, problem.Squared{}, true)
		tr, err := newTrainer(p, opt)
		require.NoError(t, err)
		assert.Zero(t, testing.AllocsPerRun(20, func() { tr.epoch() }), "%+v d=3", opt)
	}
}

func TestTrainRejects(t *testing.T) {
	p := randomProblem(1, 10, 1, 2, problem.Squared{}, true)
	for _, tc := range []struct {
		mod  func(p *problem.Problem, o *TrainOptions)
		want string
	}{
		{func(p *problem.Problem, o *TrainOptions) { p.Loss = problem.Interp{} }, "interpolation"},
		{func(p *problem.Problem, o *TrainOptions) { p.Order = 1 }, "order 1"},
		{func(p *problem.Problem, o *TrainOptions) { p.Order, p.Dim = 3, 2 }, "only order 2"},
		{func(p *problem.Problem, o *TrainOptions) { o.Optimizer = "lbfgs" }, "unknown optimizer"},
		{func(p *problem.Problem, o *TrainOptions) { o.Init = "xavier" }, "unknown initialisation"},
		{func(p *problem.Problem, o *TrainOptions) { o.LR = math.NaN() }, "learning rate"},
		{func(p *problem.Problem, o *TrainOptions) { o.Width = -1 }, "width"},
		{func(p *problem.Problem, o *TrainOptions) { o.Momentum = 1 }, "momentum"},
	} {
		q := *p
		q.X = append([]float64(nil), p.X...)
		if tc.want == "only order 2" {
			q.X = append(q.X, q.X...)
		}
		var o TrainOptions
		tc.mod(&q, &o)
		_, err := Train(&q, o)
		assert.ErrorContains(t, err, tc.want)
	}
	q := *p
	q.Order = 1
	_, err := Train(&q, TrainOptions{})
	assert.ErrorIs(t, err, ErrUnsupported)
}

func TestTrainDiverges(t *testing.T) {
	p := randomProblem(1, 30, 1, 2, problem.Squared{}, true)
	_, err := Train(p, TrainOptions{Width: 30, Optimizer: SGD, LR: 1e3, Epochs: 1000})
	assert.ErrorIs(t, err, ErrDiverged)
}
