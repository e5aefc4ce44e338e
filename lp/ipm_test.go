package lp

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats/scalar"
)

// ipmTol is the tolerance of the interior point's checks: it stops at a
// relative residual and gap of 1e-10 by default; the comparisons allow a
// hundred times that on these well-scaled problems.
const ipmTol = 1e-8

// TestInteriorPointAgreesWithSimplex solves random feasible, bounded LPs with
// both backends — the simplex is the independent reference — and checks the
// interior point's optimum, its duals (KKT and strong duality, with the same
// checker as the simplex tests) and its objective against the simplex's.
func TestInteriorPointAgreesWithSimplex(t *testing.T) {
	rnd := rand.New(rand.NewPCG(*simplexSeed, 17))
	trials := 200
	if testing.Short() {
		trials = 40
	}
	for trial := 0; trial < trials; trial++ {
		m := simplexRandomModel(rnd)
		for j := range m.C { // the interior point needs L < U
			if m.L[j] == m.U[j] {
				m.U[j] = m.L[j] + 1
			}
		}
		ref, err := Simplex{}.Solve(m, Settings{})
		require.NoError(t, err)
		require.Equal(t, Optimal, ref.Status, "trial %d: simplex", trial)
		got, err := InteriorPoint{}.Solve(m, Settings{})
		require.NoError(t, err)
		require.Contains(t, []Status{Optimal, AlmostOptimal}, got.Status, "trial %d", trial)
		simplexCheckOptimal(t, m, got, 1e-6)
		assert.True(t, scalar.EqualWithinAbsOrRel(got.Objective, ref.Objective, ipmTol, ipmTol),
			"trial %d: interior point %v, simplex %v", trial, got.Objective, ref.Objective)
		if t.Failed() {
			t.Fatalf("trial %d: %+v", trial, m)
		}
	}
}

// TestInteriorPointQP checks a diagonal QP with a closed-form solution:
// minimise ½Σ q_j x_j² + Σ c_j x_j subject to Σ x_j = 1 and 0 ≤ x ≤ 1, whose
// solution is x_j = clip((ν − c_j)/q_j, 0, 1) for the ν that makes Σx = 1,
// found here by bisection.
func TestInteriorPointQP(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 20; trial++ {
		n := 2 + rnd.IntN(8)
		q := make([]float64, n)
		c := make([]float64, n)
		l := make([]float64, n)
		u := make([]float64, n)
		for j := range q {
			q[j] = 0.5 + rnd.Float64()
			c[j] = 2*rnd.Float64() - 1
			u[j] = 1
		}
		t3 := NewTriplets(1)
		for j := 0; j < n; j++ {
			t3.Col()
			t3.Add(0, 1)
		}
		m := &Model{C: c, Q: q, A: t3.Matrix(), B: []float64{1}, L: l, U: u}
		x := func(nu float64) []float64 {
			v := make([]float64, n)
			for j := range v {
				v[j] = math.Max(0, math.Min(1, (nu-c[j])/q[j]))
			}
			return v
		}
		lo, hi := -10.0, 10.0
		for k := 0; k < 200; k++ {
			mid := 0.5 * (lo + hi)
			s := 0.0
			for _, v := range x(mid) {
				s += v
			}
			if s > 1 {
				hi = mid
			} else {
				lo = mid
			}
		}
		want := x(0.5 * (lo + hi))
		res, err := InteriorPoint{}.Solve(m, Settings{})
		require.NoError(t, err)
		require.Equal(t, Optimal, res.Status)
		for j := range want {
			assert.InDelta(t, want[j], res.X[j], 1e-7, "trial %d x[%d]", trial, j)
		}
	}
}

// TestInteriorPointBadModels: errors for invalid and fixed-variable models,
// never a panic.
func TestInteriorPointBadModels(t *testing.T) {
	good := func() *Model {
		tr := NewTriplets(1)
		tr.Col()
		tr.Add(0, 1)
		return &Model{C: []float64{1}, A: tr.Matrix(), B: []float64{1}, L: []float64{0}, U: []float64{2}}
	}
	cases := map[string]func(*Model){
		"nan cost":   func(m *Model) { m.C[0] = math.NaN() },
		"fixed":      func(m *Model) { m.U[0] = 0 },
		"bad bounds": func(m *Model) { m.L[0] = 3 },
		"short b":    func(m *Model) { m.B = nil },
	}
	for name, mutate := range cases {
		m := good()
		mutate(m)
		_, err := InteriorPoint{}.Solve(m, Settings{})
		assert.True(t, errors.Is(err, ErrModel), "%s: %v", name, err)
	}
}

// TestInteriorPointStart starts the interior point from the solution of a
// perturbed model (a changed cost vector) and checks that it reaches the
// simplex's optimum of the model itself; and that a start that does not fit
// the model is an error.
func TestInteriorPointStart(t *testing.T) {
	rnd := rand.New(rand.NewPCG(*simplexSeed, 23))
	for trial := 0; trial < 60; trial++ {
		m := simplexRandomModel(rnd)
		for j := range m.C {
			if m.L[j] == m.U[j] {
				m.U[j] = m.L[j] + 1
			}
		}
		near := *m
		near.C = append([]float64(nil), m.C...)
		for j := range near.C {
			near.C[j] += 0.05 * rnd.NormFloat64()
		}
		prev, err := InteriorPoint{}.Solve(&near, Settings{})
		require.NoError(t, err)
		if prev.Status != Optimal && prev.Status != AlmostOptimal {
			continue // the perturbed model may be unbounded
		}
		ref, err := Simplex{}.Solve(m, Settings{})
		require.NoError(t, err)
		require.Equal(t, Optimal, ref.Status, "trial %d: simplex", trial)
		for _, mu := range []float64{1e-6, 1e-2, 1} {
			got, err := InteriorPoint{Start: &Point{X: prev.X, Y: prev.Y, Mu: mu}}.Solve(m, Settings{})
			require.NoError(t, err)
			require.Contains(t, []Status{Optimal, AlmostOptimal}, got.Status, "trial %d mu %v", trial, mu)
			simplexCheckOptimal(t, m, got, 1e-6)
			assert.True(t, scalar.EqualWithinAbsOrRel(got.Objective, ref.Objective, ipmTol, ipmTol),
				"trial %d mu %v: warm interior point %v, simplex %v", trial, mu, got.Objective, ref.Objective)
		}
	}
	m := simplexRandomModel(rnd)
	for j := range m.C {
		if m.L[j] == m.U[j] {
			m.U[j] = m.L[j] + 1
		}
	}
	_, err := InteriorPoint{}.Solve(m, Settings{})
	require.NoError(t, err, "the model itself is fine")
	cols := len(m.C)
	rows, _ := m.A.Dims()
	for _, pt := range []*Point{
		{X: make([]float64, cols+1), Y: make([]float64, rows), Mu: 1},
		{X: make([]float64, cols), Y: make([]float64, rows+1), Mu: 1},
		{X: make([]float64, cols), Y: make([]float64, rows), Mu: 0},
		{X: make([]float64, cols), Y: make([]float64, rows), Mu: math.NaN()},
	} {
		_, err := InteriorPoint{Start: pt}.Solve(m, Settings{})
		assert.True(t, errors.Is(err, ErrModel), "%v", err)
	}
}
