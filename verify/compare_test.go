package verify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

func TestCompare(t *testing.T) {
	p := randomProblem(5, 30, 1, 2, problem.Squared{}, true)
	progress := map[int]int{}
	cmp, err := Compare(p, CompareOptions{
		Train:    TrainOptions{Width: 30, Epochs: 500, Seed: 10},
		Seeds:    3,
		Progress: func(run, epoch int, _ time.Duration, _ float64) { progress[run] = epoch },
	})
	require.NoError(t, err)
	jstar := cmp.Optimum.Certificate.Objective
	assert.Equal(t, Kinks(cmp.Optimum.Spline, cmp.Lo, cmp.Hi), cmp.OptimumKinks)
	assert.Greater(t, cmp.OptimumKinks, 0)
	require.Len(t, cmp.Runs, 3)
	for i, r := range cmp.Runs {
		assert.Equal(t, uint64(10+i), r.Seed)
		assert.Equal(t, Adam, r.Optimizer)
		assert.Equal(t, 500, r.Epochs)
		assert.Equal(t, 500, progress[i])
		assert.GreaterOrEqual(t, r.GapToOptimum, -1e-9)
		assert.InDelta(t, (r.Objective-jstar)/jstar, r.GapToOptimum, 1e-15)
		assert.LessOrEqual(t, r.Kinks, 30)
		assert.Greater(t, r.SupDistance, 0.0)
		assert.LessOrEqual(t, r.Report.LowerBound, jstar*(1+1e-9))
		// The thresholds are consistent with the trace.
		for _, th := range []struct {
			sec *float64
			tol float64
		}{{r.SecondsTo1Pct, Within1Pct}, {r.SecondsTo01Pct, Within01Pct}} {
			reached := false
			for _, q := range r.Trace {
				reached = reached || (q.Objective-jstar)/jstar <= th.tol
			}
			if th.sec == nil {
				assert.False(t, reached, "run %d never reached %g", i, th.tol)
			} else {
				assert.LessOrEqual(t, *th.sec, r.Seconds)
			}
		}
		if r.SecondsTo01Pct != nil {
			require.NotNil(t, r.SecondsTo1Pct)
			assert.LessOrEqual(t, *r.SecondsTo1Pct, *r.SecondsTo01Pct)
		}
	}

	// The balanced network of the optimum has the optimum's kinks.
	s, err := representer.Balanced(cmp.Optimum.Spline).Spline()
	require.NoError(t, err)
	assert.Equal(t, cmp.OptimumKinks, Kinks(s, cmp.Lo, cmp.Hi))
}

func TestCompareErrors(t *testing.T) {
	p := randomProblem(5, 10, 2, 2, problem.Squared{}, true)
	_, err := Compare(p, CompareOptions{})
	assert.ErrorIs(t, err, ErrUnsupported)

	p = randomProblem(5, 10, 1, 3, problem.Squared{}, true)
	_, err = Compare(p, CompareOptions{})
	assert.ErrorContains(t, err, "unsupported")
}

// TestKinks checks the counting rule on a hand-made spline.
func TestKinks(t *testing.T) {
	s := &representer.Spline{Order: 2,
		Knots: []float64{-1, 0, 0.5, 1, 2, 3, 4},
		Amps:  []float64{5, 2, 1e-7, -3, 1e-6 * 3 * 0.5, 1, 7},
		Poly:  []float64{0, 0}}
	// Inside (0, 4): 0.5 (1e-7 ≤ 1e-6·3, dropped), 1, 2 (1.5e-6 ≤ 3e-6, dropped), 3.
	// The knots at the ends 0 and 4 and outside (−1) do not count.
	assert.Equal(t, 2, Kinks(s, 0, 4))
	assert.Equal(t, 0, Kinks(&representer.Spline{Order: 2, Poly: []float64{0, 0}}, 0, 1))
	assert.Equal(t, 0, Kinks(s, 5, 6))
}
