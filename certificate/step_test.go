package certificate

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// shuffled returns p with its samples in a random order, so that the
// certificate's sort permutation is not the identity.
func shuffled(rnd interface{ Perm(int) []int }, p *problem.Problem) *problem.Problem {
	q := *p
	perm := rnd.Perm(p.N())
	q.X, q.Y = make([]float64, p.N()), make([]float64, p.N())
	if p.W != nil {
		q.W = make([]float64, p.N())
	}
	for i, j := range perm {
		q.X[i], q.Y[i] = p.X[j], p.Y[j]
		if p.W != nil {
			q.W[i] = p.W[j]
		}
	}
	return &q
}

// TestEvaluateStepMatchesGeneral checks the order-1 certificate against the
// general one on random problems of every loss (unsorted inputs, runs of
// duplicates, weights with zeros, targets and λ over decades) for random
// step functions and dual vectors of every kind: the two differ only in
// the order of their sums.
func TestEvaluateStepMatchesGeneral(t *testing.T) {
	rnd := newRand(t)
	trials := 40
	if testing.Short() {
		trials = 10
	}
	losses := []problem.Loss{problem.Squared{}, problem.L1{}, problem.Huber{Delta: 0.5}, problem.Interp{}}
	var compared, bounds, split int
	for _, loss := range losses {
		for trial := 0; trial < trials; trial++ {
			n := 1 + rnd.IntN(40)
			if trial%4 == 0 && !problem.IsInterp(loss) {
				// Long runs of sums (interpolants cost an SVD each: small).
				n = 500 + rnd.IntN(500)
			}
			p := shuffled(rnd, randomProblem(rnd, n, 1, loss))
			require.NoError(t, p.Validate())
			ord := problem.SortedOrder(p.X)
			scale := DataScale(p)
			for _, f := range candidateFunctions(rnd, p, 3) {
				for _, u := range candidateDuals(rnd, p) {
					name := fmt.Sprintf("%s trial %d n=%d", loss.Name(), trial, n)
					want, werr := evaluateGeneral(p, ord, f, u)
					got, err := EvaluateOrdered(p, ord, f, u)
					if werr != nil {
						require.Error(t, err, name)
						continue
					}
					require.NoError(t, err, name)
					compared++
					assert.Equal(t, want.Regularizer, got.Regularizer, name)
					assert.Equal(t, want.MaxResidual, got.MaxResidual, name)
					assertClose(t, want.LossValue, got.LossValue, 1e-12, name+" loss")
					if math.IsInf(want.Objective, 1) {
						assert.True(t, math.IsInf(got.Objective, 1), name)
					} else {
						assertClose(t, want.Objective, got.Objective, 1e-12, name+" J")
					}
					if math.IsInf(want.Sup, 1) || math.IsInf(got.Sup, 1) {
						// A dual that is a constant up to rounding (the
						// residual dual of a one-sided l1 fit) leaves noise
						// that fails the tail test in both; at the threshold
						// of the test, the two may decide differently.
						if math.IsInf(want.Sup, 1) != math.IsInf(got.Sup, 1) {
							split++
							t.Logf("%s: S = %v, general %v", name, got.Sup, want.Sup)
						}
						continue
					}
					// S and L move with the rounding of the projection: Σ|u|
					// times a few hundred eps, against the bound's scale.
					absU := 0.0
					for _, v := range u {
						absU += math.Abs(v)
					}
					if u == nil {
						absU = math.NaN() // not known here; relative check only
					}
					if compareSupAndBound(t, name, "general", want, got, scale, absU) {
						bounds++
					}
				}
			}
		}
	}
	t.Logf("%d certificates compared, %d with a nonzero bound, %d with S = +Inf in one only", compared, bounds, split)
	assert.LessOrEqual(t, 100*split, compared, "S = +Inf in one only too often")
}

// scalarClose reports whether a and b agree within the relative tolerance
// rel or the absolute tolerance abs (ignored when NaN).
// compareSupAndBound checks the supremum S and the lower bound L of got
// against those of want, a reference's (named ref in messages): S to 1e-9
// relative or 1e-12·absU (absU = Σ|u|; NaN: relative only), L to 1e-9 of
// max(|J|, scale) plus 1e-9·|L|, the size of the rounding the projection
// leaves in them. It reports whether either bound is nonzero.
func compareSupAndBound(t *testing.T, name, ref string, want, got *Certificate, scale, absU float64) bool {
	t.Helper()
	if !scalarClose(want.Sup, got.Sup, 1e-9, 1e-12*absU) {
		t.Errorf("%s: S = %v, %s %v (Σ|u| = %v)", name, got.Sup, ref, want.Sup, absU)
	}
	lscale := math.Max(math.Abs(want.Objective), scale)
	if math.IsInf(lscale, 1) {
		lscale = scale
	}
	if math.Abs(want.LowerBound-got.LowerBound) > 1e-9*lscale+1e-9*math.Abs(want.LowerBound) {
		t.Errorf("%s: L = %v, %s %v (J = %v)", name, got.LowerBound, ref, want.LowerBound, want.Objective)
	}
	return want.LowerBound != 0 || got.LowerBound != 0
}

func scalarClose(a, b, rel, abs float64) bool {
	d := math.Abs(a - b)
	return d <= rel*math.Max(math.Abs(a), math.Abs(b)) || d <= abs
}

// TestEvaluateOrderedBadOrder checks that a permutation that does not sort
// the inputs, or is no permutation, is an error for every order rather
// than a certificate computed on the wrong data.
func TestEvaluateOrderedBadOrder(t *testing.T) {
	for m := 1; m <= 2; m++ {
		p := &problem.Problem{Dim: 1, X: []float64{2, 0, 1}, Y: []float64{1, 0, 2}, Loss: problem.Squared{}, Lambda: 1, Order: m, Skip: true}
		s := &representer.Spline{Order: m, Poly: make([]float64, m)}
		for _, ord := range [][]int{{0, 1, 2}, {1, 2, 2}, {1, 2, 3}, {1, 2, -1}} {
			_, err := EvaluateOrdered(p, ord, s, nil)
			assert.Error(t, err, "m=%d ord=%v", m, ord)
		}
		_, err := EvaluateOrdered(p, []int{1, 2, 0}, s, nil)
		assert.NoError(t, err, "m=%d", m)
	}
}

// TestEvaluateStepLarge checks the order-1 certificate on a problem large
// enough for its concurrent gathering against the general path, and that
// a bad order is still an error there.
func TestEvaluateStepLarge(t *testing.T) {
	rnd := newRand(t)
	n := parallelMin + 7
	for k, loss := range []problem.Loss{problem.Squared{}, problem.Huber{Delta: 0.3}, problem.L1{}, problem.Squared{}} {
		p := shuffled(rnd, randomProblem(rnd, n, 1, loss))
		// Without weights, and with weights of which some are zero.
		p.W = nil
		if k%2 == 1 {
			p.W = make([]float64, n)
			for i := range p.W {
				p.W[i] = float64(rnd.IntN(3)) * rnd.Float64()
			}
			p.W[0] = 1
		}
		require.NoError(t, p.Validate())
		ord := problem.SortedOrder(p.X)
		f := candidateFunctions(rnd, p, 1)[0]
		// The residual dual, a candidate, and one far from the
		// complement of the constants, which the projection must centre.
		offset := make([]float64, n)
		for i := range offset {
			offset[i] = p.Weight(i)*(p.Y[i]-f.Eval(p.X[i])) + 3 + float64(i%5)
		}
		for j, u := range [][]float64{nil, candidateDuals(rnd, p)[0], offset} {
			want, err := evaluateGeneral(p, ord, f, u)
			require.NoError(t, err)
			if j == 2 {
				require.False(t, math.IsInf(want.Sup, 0), "the projection centres the offset")
			}
			got, err := EvaluateOrdered(p, ord, f, u)
			require.NoError(t, err)
			assert.Equal(t, want.MaxResidual, got.MaxResidual)
			assertClose(t, want.Objective, got.Objective, 1e-12, "J")
			assertClose(t, want.Sup, got.Sup, 1e-9, "S")
			assertClose(t, want.LowerBound, got.LowerBound, 1e-9, "L")
		}
		// Swaps, an index out of range, and an index twice (with the
		// inputs still sorted).
		for _, k := range []int{n/2 + 5, n/2 - 1} {
			bad := append([]int(nil), ord...)
			bad[k], bad[k+1] = bad[k+1], bad[k]
			if p.X[bad[k]] != p.X[bad[k+1]] {
				_, err := EvaluateOrdered(p, bad, f, nil)
				assert.Error(t, err, "unsorted at %d", k)
			}
		}
		bad := append([]int(nil), ord...)
		bad[n/2] = n + 3
		_, err := EvaluateOrdered(p, bad, f, nil)
		assert.Error(t, err, "out of range")
		bad = append([]int(nil), ord...)
		bad[n/2] = bad[n/2-1]
		_, err = EvaluateOrdered(p, bad, f, nil)
		assert.ErrorContains(t, err, "not a permutation", "index twice")
	}
}

// TestEvaluateStepEmpty checks that a problem without samples gives the
// trivial certificate on both paths rather than a panic.
func TestEvaluateStepEmpty(t *testing.T) {
	for m := 1; m <= 2; m++ {
		p := &problem.Problem{Dim: 1, Loss: problem.Squared{}, Lambda: 1, Order: m, Skip: true}
		c, err := EvaluateOrdered(p, nil, &representer.Spline{Order: m, Poly: make([]float64, m)}, nil)
		require.NoError(t, err, "m=%d", m)
		assert.Equal(t, 0.0, c.LowerBound, "m=%d", m)
	}
}

// TestEvaluateSortedMatchesOrdered checks the entry point for a dual in
// sorted order against EvaluateOrdered with the same dual in the problem's
// order: the same certificate bit for bit (or the same error), for orders
// 1 and 2, every loss, shuffled inputs with runs of duplicates, weights
// with zeros, and above parallelMin, where the order-1 projection sums run
// concurrently with the evaluation of f. The caller's dual is not changed.
func TestEvaluateSortedMatchesOrdered(t *testing.T) {
	rnd := newRand(t)
	trials := 12
	if testing.Short() {
		trials = 4
	}
	losses := []problem.Loss{problem.Squared{}, problem.L1{}, problem.Huber{Delta: 0.5}, problem.Interp{}}
	compared := 0
	for m := 1; m <= 2; m++ {
		for _, loss := range losses {
			for trial := 0; trial < trials; trial++ {
				n := 1 + rnd.IntN(60)
				if m == 1 && trial == 0 && !problem.IsInterp(loss) {
					n = parallelMin + rnd.IntN(1000)
				}
				p := shuffled(rnd, randomProblem(rnd, n, m, loss))
				require.NoError(t, p.Validate())
				ord := problem.SortedOrder(p.X)
				duals := candidateDuals(rnd, p)
				// A dual that is not finite at one sample, and one with
				// entries at samples of zero weight.
				bad := append([]float64(nil), duals[0]...)
				bad[rnd.IntN(n)] = math.NaN()
				duals = append(duals, bad)
				for _, f := range candidateFunctions(rnd, p, 2) {
					for _, u := range duals {
						name := fmt.Sprintf("m=%d %s trial %d n=%d", m, loss.Name(), trial, n)
						var us []float64
						if u != nil {
							us = make([]float64, n)
							for k, i := range ord {
								us[k] = u[i]
							}
						}
						kept := append([]float64(nil), us...)
						want, werr := EvaluateOrdered(p, ord, f, u)
						got, err := EvaluateSorted(p, ord, f, us)
						if werr != nil {
							require.Error(t, err, name)
							continue
						}
						require.NoError(t, err, name)
						requireSameCertificate(t, want, got, name)
						assert.True(t, sameBits(kept, us), "%s: the dual was changed", name)
						compared++
					}
				}
			}
		}
	}
	t.Logf("%d certificates compared", compared)
}

// requireSameCertificate requires two certificates to agree bit for bit.
func requireSameCertificate(t *testing.T, want, got *Certificate, name string) {
	t.Helper()
	fields := func(c *Certificate) []float64 {
		return []float64{c.Objective, c.LossValue, c.Regularizer, c.MaxResidual, c.LowerBound, c.Gap, c.GapAbs, c.Sup, c.Alpha}
	}
	w, g := fields(want), fields(got)
	for i := range w {
		require.Equal(t, math.Float64bits(w[i]), math.Float64bits(g[i]), "%s: field %d is %v, want %v", name, i, g[i], w[i])
	}
}

// sameBits reports whether a and b hold the same floats bit for bit.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// TestEvaluateSortedBadArguments checks that EvaluateSorted rejects what
// EvaluateOrdered rejects: an order that is no permutation or does not sort
// the inputs, and a dual of the wrong length.
func TestEvaluateSortedBadArguments(t *testing.T) {
	for m := 1; m <= 2; m++ {
		p := &problem.Problem{Dim: 1, X: []float64{2, 0, 1}, Y: []float64{1, 0, 2}, Loss: problem.Squared{}, Lambda: 1, Order: m, Skip: true}
		s := &representer.Spline{Order: m, Poly: make([]float64, m)}
		us := []float64{-1, 0.5, 0.5}
		for _, ord := range [][]int{{0, 1, 2}, {1, 2, 2}, {1, 2, 3}, {1, 2, -1}, {1, 2}} {
			_, err := EvaluateSorted(p, ord, s, us)
			assert.Error(t, err, "m=%d ord=%v", m, ord)
		}
		_, err := EvaluateSorted(p, []int{1, 2, 0}, s, us[:2])
		assert.ErrorIs(t, err, ErrDual, "m=%d short dual", m)
		_, err = EvaluateSorted(p, []int{1, 2, 0}, s, us)
		assert.NoError(t, err, "m=%d", m)
	}
}

// TestEvaluateStepLevels checks that f taken from its levels between the
// knots (sorted knots) and f evaluated point by point (the same function
// with its knots listed in reverse, which has no levels) give the same
// certificate, with knots on inputs (ρ₁(0) = 1), left of and right of all
// inputs; and that a NaN input is an error, not a certificate.
func TestEvaluateStepLevels(t *testing.T) {
	rnd := newRand(t)
	for _, n := range []int{1, 7, 300, parallelMin + 3} {
		p := shuffled(rnd, randomProblem(rnd, n, 1, problem.Squared{}))
		require.NoError(t, p.Validate())
		ord := problem.SortedOrder(p.X)
		lo, hi := slices.Min(p.X), slices.Max(p.X)
		knots := []float64{lo - 1, lo, p.X[n/2], hi, hi + 1}
		slices.Sort(knots)
		knots = slices.Compact(knots)
		amps := make([]float64, len(knots))
		for k := range amps {
			amps[k] = rnd.NormFloat64()
		}
		sorted := &representer.Spline{Order: 1, Knots: knots, Amps: amps, Poly: []float64{0.3}}
		require.NotNil(t, stepLevels(sorted))
		reversed := &representer.Spline{Order: 1, Knots: slices.Clone(knots), Amps: slices.Clone(amps), Poly: []float64{0.3}}
		slices.Reverse(reversed.Knots)
		slices.Reverse(reversed.Amps)
		if len(knots) > 1 {
			require.Nil(t, stepLevels(reversed))
		}
		for _, u := range [][]float64{nil, candidateDuals(rnd, p)[0]} {
			want, err := EvaluateOrdered(p, ord, reversed, u)
			require.NoError(t, err)
			got, err := EvaluateOrdered(p, ord, sorted, u)
			require.NoError(t, err)
			assert.Equal(t, want.MaxResidual, got.MaxResidual, "n=%d", n)
			assertClose(t, want.LossValue, got.LossValue, 1e-13, "n=%d loss", n)
			assertClose(t, want.LowerBound, got.LowerBound, 1e-13, "n=%d L", n)
		}
		p.X[n-1] = math.NaN()
		_, err := EvaluateOrdered(p, ord, sorted, nil)
		assert.Error(t, err, "n=%d NaN input", n)
	}
}
