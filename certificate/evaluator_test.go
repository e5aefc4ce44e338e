package certificate

import (
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// TestEvaluatorAcrossLambda certifies random splines and duals at several
// λ with one Evaluator, from several goroutines at once, and checks every
// certificate against EvaluateOrdered for the problem at that λ: reusing
// the prepared data (and the scratch vectors) must not change a bit.
func TestEvaluatorAcrossLambda(t *testing.T) {
	rnd := newRand(t)
	for _, loss := range []problem.Loss{problem.Squared{}, problem.L1{}, problem.Huber{Delta: 0.3}, problem.Interp{}} {
		for _, m := range []int{1, 2, 3} {
			p := shuffled(rnd, randomProblem(rnd, 40+rnd.IntN(40), m, loss))
			ev, err := NewEvaluator(p, problem.SortedOrder(p.X))
			require.NoError(t, err)
			lo, hi := p.X[0], p.X[0]
			for _, x := range p.X {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
			type job struct {
				lambda float64
				s      *representer.Spline
				u      []float64
				want   *Certificate
			}
			var jobs []job
			for k := 0; k < 12; k++ {
				q := *p
				q.Lambda = math.Pow(10, -3+5*rnd.Float64())
				s := randomSpline(rnd, m, rnd.IntN(6), lo, hi, 1)
				var u []float64
				if k%2 == 1 {
					u = make([]float64, p.N())
					for i := range u {
						u[i] = rnd.NormFloat64()
					}
				}
				want, err := EvaluateOrdered(&q, problem.SortedOrder(q.X), s, u)
				require.NoError(t, err)
				jobs = append(jobs, job{q.Lambda, s, u, want})
			}
			var wg sync.WaitGroup
			got := make([]*Certificate, len(jobs))
			gotSorted := make([]*Certificate, len(jobs))
			ord := problem.SortedOrder(p.X)
			for k := range jobs {
				wg.Add(1)
				go func(k int) {
					defer wg.Done()
					c, err := ev.Evaluate(jobs[k].lambda, jobs[k].s, jobs[k].u)
					if err == nil {
						got[k] = c
					}
					var us []float64
					if u := jobs[k].u; u != nil {
						us = make([]float64, len(u))
						for j, i := range ord {
							us[j] = u[i]
						}
					}
					if c, err := ev.EvaluateSorted(jobs[k].lambda, jobs[k].s, us); err == nil {
						gotSorted[k] = c
					}
				}(k)
			}
			wg.Wait()
			for k := range jobs {
				require.NotNil(t, got[k], "%s m=%d job %d", loss.Name(), m, k)
				require.Equal(t, certBits(jobs[k].want), certBits(got[k]), "%s m=%d job %d", loss.Name(), m, k)
				require.NotNil(t, gotSorted[k], "%s m=%d job %d sorted", loss.Name(), m, k)
				require.Equal(t, certBits(jobs[k].want), certBits(gotSorted[k]), "%s m=%d job %d sorted", loss.Name(), m, k)
			}
		}
	}
}

// TestEvaluatorOrder1Large checks an order-1 Evaluator on a problem large
// enough for its concurrent gathering: its certificates, with the dual in
// either order, are EvaluateOrdered's bit for bit; and an order that is not
// a sorting permutation is refused when the Evaluator is made.
func TestEvaluatorOrder1Large(t *testing.T) {
	rnd := newRand(t)
	n := parallelMin + 5
	p := shuffled(rnd, randomProblem(rnd, n, 1, problem.Squared{}))
	ord := problem.SortedOrder(p.X)
	ev, err := NewEvaluator(p, ord)
	require.NoError(t, err)
	s := candidateFunctions(rnd, p, 1)[0]
	u := candidateDuals(rnd, p)[0]
	us := make([]float64, n)
	for k, i := range ord {
		us[k] = u[i]
	}
	want, err := EvaluateOrdered(p, ord, s, u)
	require.NoError(t, err)
	got, err := ev.Evaluate(p.Lambda, s, u)
	require.NoError(t, err)
	require.Equal(t, certBits(want), certBits(got))
	got, err = ev.EvaluateSorted(p.Lambda, s, us)
	require.NoError(t, err)
	require.Equal(t, certBits(want), certBits(got))

	swapped := append([]int(nil), ord...)
	k := n / 3
	for p.X[swapped[k]] == p.X[swapped[k+1]] {
		k++
	}
	swapped[k], swapped[k+1] = swapped[k+1], swapped[k]
	_, err = NewEvaluator(p, swapped)
	require.ErrorContains(t, err, "does not sort")
	// An index twice across the two halves of the concurrent check, twice
	// within one half, and out of range.
	for _, bad := range []func(o []int){
		func(o []int) { o[n-1] = o[0] },
		func(o []int) { o[n-1] = o[n-2] },
		func(o []int) { o[1] = o[0] },
		func(o []int) { o[n-1] = n },
		func(o []int) { o[0] = -1 },
	} {
		o := append([]int(nil), ord...)
		bad(o)
		_, err = NewEvaluator(p, o)
		require.ErrorContains(t, err, "not a permutation")
	}
}

// certBits lists a certificate's fields bit for bit (so that NaN equals
// NaN).
func certBits(c *Certificate) [9]uint64 {
	b := math.Float64bits
	return [9]uint64{b(c.Objective), b(c.LossValue), b(c.Regularizer), b(c.MaxResidual), b(c.LowerBound),
		b(c.Gap), b(c.GapAbs), b(c.Sup), b(c.Alpha)}
}

// TestProjectOrthogonal projects vectors with a large polynomial part (1e8
// times the noise) and checks that what is left is orthogonal to every
// power of the centred inputs to working precision, relative to the sizes
// of the terms in each sum.
func TestProjectOrthogonal(t *testing.T) {
	rnd := newRand(t)
	for _, m := range []int{1, 2, 3, 4} {
		for trial := 0; trial < 20; trial++ {
			n := 5 + rnd.IntN(300)
			x := randomX(rnd, n, -3, 7, trial%2 == 0)
			active := make([]bool, n)
			for i := range active {
				active[i] = rnd.IntN(6) > 0
			}
			v := make([]float64, n)
			for i := range v {
				if !active[i] {
					continue
				}
				v[i] = rnd.NormFloat64()
				for k, c := 0, 1e12*rnd.NormFloat64(); k < m; k++ {
					v[i] += c * math.Pow(x[i]-2, float64(k))
				}
			}
			polyBasis(x, active, m).project(v)
			for k := 0; k < m; k++ {
				s, abs := 0.0, 0.0
				for i := range v {
					if active[i] {
						tk := math.Pow((x[i]-2)/5, float64(k))
						s += v[i] * tk
						abs += math.Abs(v[i] * tk)
					}
				}
				require.LessOrEqual(t, math.Abs(s), 1e-12*math.Max(abs, 1e-300)+1e-300, "m=%d trial %d power %d", m, trial, k)
			}
		}
	}
}

// TestCertifiedMonotoneInScale checks what finish in the solver relies on:
// a certificate accepted for one scale is accepted for every larger one.
func TestCertifiedMonotoneInScale(t *testing.T) {
	rnd := newRand(t)
	for trial := 0; trial < 2000; trial++ {
		j := math.Pow(10, -12+14*rnd.Float64()) * float64(1-2*rnd.IntN(2))
		if rnd.IntN(10) == 0 {
			j = 0
		}
		l := j - math.Pow(10, -20+20*rnd.Float64())*float64(1-2*rnd.IntN(3))
		c := &Certificate{Objective: j, LowerBound: l, GapAbs: j - l}
		switch {
		case j == l:
		case j == 0:
			c.Gap = math.Inf(1)
		default:
			c.Gap = c.GapAbs / math.Abs(j)
		}
		tol := math.Pow(10, -12+6*rnd.Float64())
		scales := []float64{0, 1e-6, 1, 1e3, 1e9}
		for k := 1; k < len(scales); k++ {
			if c.Certified(tol, scales[k-1]) {
				require.True(t, c.Certified(tol, scales[k]), "%+v tol %v: accepted at scale %v, not at %v", c, tol, scales[k-1], scales[k])
			}
		}
	}
}

// TestNewEvaluatorSorted checks that an Evaluator given the sorted data
// certifies bit for bit as one that gathers them (orders 1 and 2, with and
// without weights, below and above the size of the concurrent checks), and
// that data that are not p's in the order given are refused.
func TestNewEvaluatorSorted(t *testing.T) {
	rnd := newRand(t)
	for _, m := range []int{1, 2} {
		for _, n := range []int{1, 60, parallelMin + 9} {
			if m == 2 && n > 1000 {
				continue // the order-2 evaluation is the same code at any size
			}
			p := shuffled(rnd, randomProblem(rnd, n, m, problem.Squared{}))
			ord := problem.SortedOrder(p.X)
			xs, ys := make([]float64, n), make([]float64, n)
			for k, i := range ord {
				xs[k], ys[k] = p.X[i], p.Y[i]
			}
			want, err := NewEvaluator(p, ord)
			require.NoError(t, err)
			got, err := NewEvaluatorSorted(p, ord, xs, ys)
			require.NoError(t, err)
			gathered, err := NewEvaluatorSorted(p, ord, xs, nil) // gathers the targets
			require.NoError(t, err)
			_, gys, gws := gathered.Sorted()
			require.Equal(t, ys, gys)
			if p.W != nil {
				for k, i := range ord {
					require.Equal(t, p.W[i], gws[k])
				}
			}
			s := candidateFunctions(rnd, p, 1)[0]
			for _, u := range [][]float64{nil, candidateDuals(rnd, p)[0]} {
				a, err := want.Evaluate(p.Lambda, s, u)
				require.NoError(t, err)
				for _, ev := range []*Evaluator{got, gathered} {
					b, err := ev.Evaluate(p.Lambda, s, u)
					require.NoError(t, err)
					require.Equal(t, certBits(a), certBits(b), "m=%d n=%d weighted=%t", m, n, p.W != nil)
				}
			}
			if n < 3 {
				continue
			}
			k := n - 2
			bad := func(name string, f func(ord []int, xs, ys []float64), msg string) {
				o, x, y := slices.Clone(ord), slices.Clone(xs), slices.Clone(ys)
				f(o, x, y)
				_, err := NewEvaluatorSorted(p, o, x, y)
				require.ErrorContains(t, err, msg, "m=%d n=%d %s", m, n, name)
			}
			bad("target", func(_ []int, _, y []float64) { y[k] = math.Nextafter(y[k], math.Inf(1)) }, "is not sample")
			bad("input", func(_ []int, x, _ []float64) { x[1] = math.Nextafter(x[1], math.Inf(-1)) }, "is not sample")
			bad("twice", func(o []int, _, _ []float64) { o[k] = o[0] }, "not a permutation")
			bad("range", func(o []int, _, _ []float64) { o[k] = n }, "not a permutation")
			_, err = NewEvaluatorSorted(p, ord, xs[1:], ys)
			require.Error(t, err)
			// Swapped entries (consistently in all three) that unsort xs.
			j := n / 2
			for j+1 < n && xs[j] == xs[j+1] {
				j++
			}
			if j+1 < n {
				bad("unsorted", func(o []int, x, y []float64) {
					o[j], o[j+1] = o[j+1], o[j]
					x[j], x[j+1] = x[j+1], x[j]
					y[j], y[j+1] = y[j+1], y[j]
				}, "does not sort")
			}
		}
	}
}
