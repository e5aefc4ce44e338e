package solver

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/problem"
)

func TestCVFolds(t *testing.T) {
	const n, k = 103, 5
	fold := CVFolds(n, k, 42)
	require.Len(t, fold, n)
	sizes := make([]int, k)
	for _, f := range fold {
		require.True(t, f >= 0 && f < k, "fold %d", f)
		sizes[f]++
	}
	slices.Sort(sizes)
	assert.Equal(t, []int{20, 20, 21, 21, 21}, sizes, "round-robin: sizes differ by at most one")
	assert.Equal(t, fold, CVFolds(n, k, 42), "deterministic for a seed")
	assert.NotEqual(t, fold, CVFolds(n, k, 43), "another seed, other folds")
	assert.Panics(t, func() { CVFolds(3, 4, 1) })
}

// TestOneSERule checks the choice on a hand-made curve: the minimum is at
// λ = 1; within one standard error of it (2.0 + 0.25) are λ = 2 and 0.5,
// and the rule takes the largest. The λ are not sorted, to show that the
// rule goes by value, not by position.
func TestOneSERule(t *testing.T) {
	r := &CVResult{
		Lambdas: []float64{0.5, 10, 2, 5, 1},
		Mean:    []float64{2.1, 5, 2.2, 3, 2.0},
		StdErr:  []float64{0.2, 0.1, 0.3, 0.1, 0.25},
	}
	r.choose()
	assert.Equal(t, 4, r.Best, "smallest mean")
	assert.Equal(t, 2, r.OneSE, "largest λ within one standard error")

	tie := &CVResult{Lambdas: []float64{3, 2, 1}, Mean: []float64{1, 1, 2}, StdErr: []float64{0, 0, 0}}
	tie.choose()
	assert.Equal(t, 0, tie.Best, "ties go to the larger λ")
	assert.Equal(t, 0, tie.OneSE)
}

// kinkProblem samples a piecewise-linear function with two kinks (slope
// 1, then −2 from x = 0.3, then 0.5 from x = 0.7) with small noise.
func kinkProblem(t *testing.T, n int) *problem.Problem {
	r := testRand(t)
	p := &problem.Problem{Dim: 1, Loss: problem.Squared{}, Lambda: 1, Order: 2, Skip: true}
	for i := 0; i < n; i++ {
		x := r.Float64()
		f := x - 3*math.Max(x-0.3, 0) + 2.5*math.Max(x-0.7, 0)
		p.X = append(p.X, x)
		p.Y = append(p.Y, f+0.01*r.NormFloat64())
	}
	return p
}

// TestCrossValidateKinks checks that cross-validation finds the structure
// of data from a function with two kinks: the fit at the chosen λ, and at
// the one-standard-error λ, has 2 to 6 knots.
func TestCrossValidateKinks(t *testing.T) {
	p := kinkProblem(t, 400)
	lmax, err := LambdaMax(p)
	require.NoError(t, err)
	lambdas := LogSpaced(lmax, 30, 1e-5)
	cv, err := CrossValidate(p, lambdas, 5, 7, Options{})
	require.NoError(t, err)
	require.Len(t, cv.Mean, len(lambdas))
	assert.Zero(t, cv.NotOptimal)
	for i := range lambdas {
		assert.Greater(t, cv.StdErr[i], 0.0)
		assert.LessOrEqual(t, cv.Mean[cv.Best], cv.Mean[i])
	}
	assert.GreaterOrEqual(t, lambdas[cv.OneSE], lambdas[cv.Best])
	for _, i := range []int{cv.Best, cv.OneSE} {
		sol, err := Solve(withLambda(p, lambdas[i]), Options{})
		require.NoError(t, err)
		k := len(sol.Spline.Knots)
		t.Logf("λ = %.3g (index %d): CV %.3g ± %.2g, %d knots", lambdas[i], i, cv.Mean[i], cv.StdErr[i], k)
		assert.True(t, k >= 2 && k <= 6, "λ = %v: %d knots", lambdas[i], k)
	}

	again, err := CrossValidate(p, lambdas, 5, 7, Options{})
	require.NoError(t, err)
	assert.Equal(t, cv, again, "deterministic for a seed")
}

// TestCrossValidateHeldOut checks the held-out loss of one fold against a
// direct computation, including a held-out point beyond the training
// inputs, where the fit extends linearly.
func TestCrossValidateHeldOut(t *testing.T) {
	p := kinkProblem(t, 60)
	p.W = make([]float64, p.N())
	for i := range p.W {
		p.W[i] = 1 + float64(i%3)
	}
	lambdas := []float64{0.1, 0.01}
	const folds, seed = 3, 11
	cv, err := CrossValidate(p, lambdas, folds, seed, Options{})
	require.NoError(t, err)
	fold := CVFolds(p.N(), folds, seed)
	for k := 0; k < folds; k++ {
		train := &problem.Problem{Dim: 1, Loss: p.Loss, Order: 2, Skip: true}
		for i, f := range fold {
			if f != k {
				train.X, train.Y, train.W = append(train.X, p.X[i]), append(train.Y, p.Y[i]), append(train.W, p.W[i])
			}
		}
		for j, l := range lambdas {
			sol, err := Solve(withLambda(train, l), Options{})
			require.NoError(t, err)
			s, sw := 0.0, 0.0
			for i, f := range fold {
				if f == k {
					r := sol.Spline.Eval(p.X[i]) - p.Y[i]
					s += p.W[i] * 0.5 * r * r
					sw += p.W[i]
				}
			}
			assert.True(t, equalRel(cv.Loss[k][j], s/sw, 1e-9), "fold %d, λ %v: %v, direct %v", k, l, cv.Loss[k][j], s/sw)
		}
	}
	m := (cv.Loss[0][1] + cv.Loss[1][1] + cv.Loss[2][1]) / 3
	assert.True(t, equalRel(cv.Mean[1], m, 1e-12))
}

func TestCrossValidateErrors(t *testing.T) {
	p := kinkProblem(t, 20)
	_, err := CrossValidate(p, []float64{1}, 1, 1, Options{})
	assert.ErrorIs(t, err, ErrFolds)
	_, err = CrossValidate(p, []float64{1}, 21, 1, Options{})
	assert.ErrorIs(t, err, ErrFolds)
	_, err = CrossValidate(p, []float64{1, math.NaN()}, 2, 1, Options{})
	assert.ErrorIs(t, err, problem.ErrBadLambda)
	q := *p
	q.Loss = problem.Interp{}
	_, err = CrossValidate(&q, []float64{1}, 2, 1, Options{})
	assert.ErrorIs(t, err, ErrUnsupported)
}
