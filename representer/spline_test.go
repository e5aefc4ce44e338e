package representer

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplineEval(t *testing.T) {
	for _, test := range []struct {
		name string
		s    Spline
		x    []float64
		want []float64
	}{
		{
			// f(x) = 0.5 + 2ρ_1(x) − ρ_1(x − 1): the step includes its knot.
			name: "step",
			s:    Spline{Order: 1, Knots: []float64{0, 1}, Amps: []float64{2, -1}, Poly: []float64{0.5}},
			x:    []float64{-1, 0, 0.5, 1, 7},
			want: []float64{0.5, 2.5, 2.5, 1.5, 1.5},
		},
		{
			// f(x) = 1 + x/2 + ReLU(x) − 2ReLU(x − 1); f(3) = 1 + 1.5 + 3 − 4.
			name: "relu",
			s:    Spline{Order: 2, Knots: []float64{0, 1}, Amps: []float64{1, -2}, Poly: []float64{1, 0.5}},
			x:    []float64{-2, 0, 0.5, 1, 3},
			want: []float64{0, 1, 1.75, 2.5, 1.5},
		},
		{
			// f(x) = x² + 2·x²/2 for x > 0, x² otherwise.
			name: "quadratic",
			s:    Spline{Order: 3, Knots: []float64{0}, Amps: []float64{2}, Poly: []float64{0, 0, 1}},
			x:    []float64{-1, 0, 3},
			want: []float64{1, 0, 18},
		},
		{
			// f(x) = 1 + 6·(x − 1)³/6; f(3) = 1 + 8.
			name: "cubic",
			s:    Spline{Order: 4, Knots: []float64{1}, Amps: []float64{6}, Poly: []float64{1, 0, 0, 0}},
			x:    []float64{0, 1, 3},
			want: []float64{1, 1, 9},
		},
		{
			name: "polynomial only",
			s:    Spline{Order: 2, Poly: []float64{-1, 2}},
			x:    []float64{-1, 0, 2},
			want: []float64{-3, -1, 3},
		},
	} {
		t.Run(test.name, func(t *testing.T) {
			require.NoError(t, test.s.Validate())
			got := make([]float64, len(test.x))
			test.s.EvalTo(got, test.x)
			for i, x := range test.x {
				assertClose(t, test.want[i], test.s.Eval(x), tol, "Eval", x)
				assertClose(t, test.want[i], test.s.Predict(x), tol, "Predict", x)
				assertClose(t, test.want[i], got[i], tol, "EvalTo", x)
			}
		})
	}
}

func TestSplineEvalTo(t *testing.T) {
	rnd := newRand(t)
	for m := 1; m <= 4; m++ {
		for _, k := range []int{0, 1, 2, 7, 25} {
			t.Run(fmt.Sprintf("m=%d/k=%d", m, k), func(t *testing.T) {
				s := randomSpline(rnd, m, k)
				// A grid, the knots themselves, repeats and points outside.
				sorted := grid(-4, 4, 97, s.Knots...)
				sorted = append(sorted, sorted[:10]...)
				sorted = append(sorted, -1e3, 1e3)
				slices.Sort(sorted)
				shuffled := slices.Clone(sorted)
				rnd.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				withNaN := append(slices.Clone(shuffled), math.NaN())
				withNaN[0], withNaN[len(withNaN)-1] = withNaN[len(withNaN)-1], withNaN[0]
				// A NaN between two decreasing values must not hide the disorder.
				nanInside := []float64{2, math.NaN(), -1, 0.5}

				for name, xs := range map[string][]float64{"sorted": sorted, "shuffled": shuffled, "nan": withNaN, "nan inside": nanInside} {
					got := make([]float64, len(xs))
					s.EvalTo(got, xs)
					for i, x := range xs {
						want := s.Eval(x)
						if math.IsNaN(x) {
							assert.True(t, math.IsNaN(got[i]), "%s: EvalTo(NaN)", name)
							continue
						}
						assertClose(t, want, got[i], tol, name, x)
					}
				}
			})
		}
	}
}

func TestSplineEvalToUnsortedKnots(t *testing.T) {
	// Invalid (unsorted) knots still evaluate correctly, point by point.
	s := &Spline{Order: 2, Knots: []float64{1, 0}, Amps: []float64{-2, 1}, Poly: []float64{1, 0.5}}
	require.Error(t, s.Validate())
	xs := []float64{3, -2, 0.5}
	got := make([]float64, len(xs))
	s.EvalTo(got, xs)
	assert.Equal(t, []float64{1.5, 0, 1.75}, got)
}

func TestSplineEvalToFarFromOrigin(t *testing.T) {
	// A spline shifted by 2³⁰ must evaluate exactly as the unshifted one:
	// every shifted abscissa below is exact, and the sweep only uses
	// differences of abscissae. The prefix sums x·Σa − Σa·t would lose about
	// 2³⁰·ε·Σ|a| ≈ 1e-6 here.
	const shift = 1 << 30
	for m := 1; m <= 4; m++ {
		g := &Spline{Order: m, Poly: make([]float64, m)}
		for i := -20; i <= 20; i += 3 {
			g.Knots = append(g.Knots, float64(i)/8)
			a := 1 + float64(i+20)/16
			if i%2 == 0 {
				a = -a
			}
			g.Amps = append(g.Amps, a)
		}
		h := g.Clone()
		for k := range h.Knots {
			h.Knots[k] += shift
		}
		var xs, hx []float64
		for i := -256; i <= 256; i++ {
			xs = append(xs, float64(i)/64)
			hx = append(hx, float64(i)/64+shift)
		}
		want := make([]float64, len(xs))
		got := make([]float64, len(xs))
		g.EvalTo(want, xs)
		h.EvalTo(got, hx)
		for i := range xs {
			assertClose(t, want[i], got[i], tol, "m", m, "x", xs[i])
		}
	}
}

func TestEvalToFarKnot(t *testing.T) {
	// A trained network had a unit with w ≈ 1e-44, hence a knot at −1e44
	// far left of the data. The sweep started at that knot and shifted the
	// Taylor coefficients across the 1e44 gap, where they cancel
	// catastrophically: EvalTo returned 124.5 where Eval returned 0.10.
	// Knots far right of the data contribute nothing, whatever their
	// amplitude. The far amplitudes are a = v·w^{m−1} with w = 1/|t|, as a
	// network conversion makes them (v·1e-600 underflows to exactly 0).
	far := []float64{-1e300, -1e44, 1e44, 1e300}
	farV := []float64{0.8, -1.3, 2, -3}
	near := []float64{-2.5, -0.5, 0.25, 1.75}
	nearA := []float64{1.5, -2, 0.75, 1}
	poly := []float64{0.1, -0.2, 0.3, -0.05}
	xs := grid(-3, 3, 60, -1e4, 1e4)
	for m := 1; m <= 4; m++ {
		for _, test := range []struct {
			name  string
			knots []float64 // far knots first, then near ones
			nfar  int
		}{
			{name: "far and near", knots: slices.Concat(far, near), nfar: len(far)},
			{name: "far left", knots: []float64{-1e300, -1e44}, nfar: 2},
			{name: "far right", knots: []float64{1e44, 1e300}, nfar: 2},
			{name: "far left 1e44 only", knots: []float64{-1e44}, nfar: 1},
		} {
			s := &Spline{Order: m, Poly: slices.Clone(poly[:m])}
			for k, tk := range test.knots {
				a := nearA[k%len(nearA)]
				if k < test.nfar {
					a = farV[k] * powInt(1/math.Abs(tk), m-1)
				}
				s.Knots = append(s.Knots, tk)
				s.Amps = append(s.Amps, a)
			}
			// Sort the knots with their amplitudes.
			idx := make([]int, len(s.Knots))
			for i := range idx {
				idx[i] = i
			}
			slices.SortFunc(idx, func(a, b int) int { return cmpFloat(s.Knots[a], s.Knots[b]) })
			sk, sa := make([]float64, len(idx)), make([]float64, len(idx))
			for j, i := range idx {
				sk[j], sa[j] = s.Knots[i], s.Amps[i]
			}
			s.Knots, s.Amps = sk, sa
			require.NoError(t, s.Validate(), "m=%d %s", m, test.name)

			sorted := slices.Clone(xs)
			slices.Sort(sorted)
			reversed := slices.Clone(sorted)
			slices.Reverse(reversed)
			for _, in := range [][]float64{sorted, reversed} {
				got := make([]float64, len(in))
				s.EvalTo(got, in)
				for i, x := range in {
					want := s.Eval(x)
					require.False(t, math.IsNaN(want) || math.IsInf(want, 0), "Eval(%v) = %v (m=%d %s)", x, want, m, test.name)
					assertClose(t, want, got[i], tol, "m", m, test.name, "x", x)
				}
			}
		}
	}

	// The reported shape: a ReLU network whose far unit contributes a
	// near-constant v·(w·x − b) ≈ 0.3 on the data.
	s := &Spline{Order: 2, Knots: []float64{-1e44, 0.5}, Amps: []float64{0.3e-44, -0.2}, Poly: []float64{-0.2, 0}}
	got := make([]float64, 3)
	s.EvalTo(got, []float64{0, 0.5, 1})
	for i, want := range []float64{0.1, 0.1, 0} {
		assertClose(t, want, got[i], tol, "x", i)
	}
}

func TestEvalFarKnotNoOverflow(t *testing.T) {
	// a·ρ_m(x − t) with t = −1e300 and a tiny: ρ_3 alone overflows to +Inf,
	// and a zero amplitude used to give 0·Inf = NaN.
	s := &Spline{Order: 3, Knots: []float64{-1e300}, Amps: []float64{1e-300}, Poly: []float64{0, 0, 0}}
	assertClose(t, 5e299, s.Eval(0), tol)
	s.Amps[0] = 0
	assert.Equal(t, 0.0, s.Eval(0))
	got := make([]float64, 1)
	s.EvalTo(got, []float64{0})
	assert.Equal(t, 0.0, got[0])
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestSplineEvalPanics(t *testing.T) {
	s := &Spline{Order: 2, Knots: []float64{0}, Amps: []float64{1}, Poly: []float64{0, 0}}
	assert.PanicsWithValue(t, badLength, func() { s.EvalTo(make([]float64, 1), make([]float64, 2)) })
	bad := &Spline{Order: 2, Knots: []float64{0, 1}, Amps: []float64{1}, Poly: []float64{0, 0}}
	assert.PanicsWithValue(t, badKnotLength, func() { bad.Eval(0) })
	zero := &Spline{Poly: []float64{0}}
	assert.PanicsWithValue(t, badOrder, func() { zero.Eval(0) })
	var null *Spline
	assert.PanicsWithValue(t, nilSplinePanic, func() { Balanced(null) })
}

func TestSplineTV(t *testing.T) {
	s := &Spline{Order: 3, Knots: []float64{-1, 0, 2}, Amps: []float64{1.5, -2, 0}, Poly: []float64{1, 2, 3}}
	assert.Equal(t, 3.5, s.TV())
	assert.Equal(t, 0.0, (&Spline{Order: 2, Poly: []float64{1, 1}}).TV())
}

func TestSplineValidate(t *testing.T) {
	ok := func() *Spline {
		return &Spline{Order: 2, Knots: []float64{-1, 0, 2}, Amps: []float64{1, -2, 0.5}, Poly: []float64{1, 0}}
	}
	for _, test := range []struct {
		name   string
		modify func(s *Spline)
		want   string // "" for valid
	}{
		{name: "valid", modify: func(*Spline) {}},
		{name: "no knots", modify: func(s *Spline) { s.Knots, s.Amps = nil, nil }},
		{name: "order 0", modify: func(s *Spline) { s.Order = 0 }, want: "representer: Order is 0, want at least 1"},
		{name: "short poly", modify: func(s *Spline) { s.Poly = s.Poly[:1] }, want: "representer: Poly has length 1, want 2 (the order)"},
		{name: "NaN poly", modify: func(s *Spline) { s.Poly[1] = math.NaN() }, want: "representer: Poly[1] is NaN"},
		{name: "amps length", modify: func(s *Spline) { s.Amps = s.Amps[:2] }, want: "representer: Amps has length 2, want 3 (the number of knots)"},
		{name: "repeated knot", modify: func(s *Spline) { s.Knots[1] = -1 }, want: "representer: knot 1: location -1 does not exceed the previous knot -1"},
		{name: "decreasing knots", modify: func(s *Spline) { s.Knots[2] = -0.5 }, want: "representer: knot 2: location -0.5 does not exceed the previous knot 0"},
		{name: "infinite knot", modify: func(s *Spline) { s.Knots[2] = math.Inf(1) }, want: "representer: knot 2: location is +Inf"},
		{name: "NaN amplitude", modify: func(s *Spline) { s.Amps[0] = math.NaN() }, want: "representer: knot 0: amplitude is NaN"},
	} {
		s := ok()
		test.modify(s)
		err := s.Validate()
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

func TestSplineClone(t *testing.T) {
	s := &Spline{Order: 2, Knots: []float64{0, 1}, Amps: []float64{1, -1}, Poly: []float64{3, 4}}
	c := s.Clone()
	assert.Equal(t, s, c)
	c.Knots[0], c.Amps[0], c.Poly[0] = 9, 9, 9
	assert.Equal(t, 0.0, s.Knots[0])
	assert.Equal(t, 1.0, s.Amps[0])
	assert.Equal(t, 3.0, s.Poly[0])
}

func benchmarkSplineEvalTo(b *testing.B, m, k, n int, sorted bool) {
	rnd := newRand(b)
	s := randomSpline(rnd, m, k)
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = 8*rnd.Float64() - 4
	}
	if sorted {
		slices.Sort(xs)
	}
	dst := make([]float64, n)
	for b.Loop() {
		s.EvalTo(dst, xs)
	}
}

func BenchmarkSplineEvalToSorted1e3(b *testing.B)   { benchmarkSplineEvalTo(b, 2, 1000, 1000, true) }
func BenchmarkSplineEvalToSorted1e5(b *testing.B)   { benchmarkSplineEvalTo(b, 2, 1e5, 1e5, true) }
func BenchmarkSplineEvalToUnsorted1e5(b *testing.B) { benchmarkSplineEvalTo(b, 2, 1e5, 1e5, false) }
func BenchmarkSplineEvalToCubic1e5(b *testing.B)    { benchmarkSplineEvalTo(b, 4, 1e5, 1e5, true) }

// TestEvalToLinearPath checks the unrolled evaluation of order-2 splines
// with a linear polynomial part against the general one (the same
// function with a zero quadratic coefficient, which goes through horner's
// loops): the same operations, so the same bits, at sorted and unsorted
// inputs, with knots left of, among and right of them.
func TestEvalToLinearPath(t *testing.T) {
	rnd := newRand(t)
	for trial := 0; trial < 50; trial++ {
		n := 1 + rnd.IntN(300)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = 4*rnd.Float64() - 2
		}
		if trial%2 == 0 {
			slices.Sort(xs)
		}
		s := &Spline{Order: 2, Poly: []float64{rnd.NormFloat64(), rnd.NormFloat64()}}
		for k := 0; k < rnd.IntN(12); k++ {
			s.Knots = append(s.Knots, 6*rnd.Float64()-3)
		}
		slices.Sort(s.Knots)
		s.Knots = slices.Compact(s.Knots)
		for range s.Knots {
			s.Amps = append(s.Amps, rnd.NormFloat64())
		}
		general := &Spline{Order: 2, Knots: s.Knots, Amps: s.Amps, Poly: append(slices.Clone(s.Poly), 0)}
		got, want := make([]float64, n), make([]float64, n)
		s.EvalTo(got, xs)
		general.EvalTo(want, xs)
		for i := range got {
			require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[i]), "trial %d x = %v", trial, xs[i])
		}
	}
}
