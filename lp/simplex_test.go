package lp

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats/scalar"
)

// simplexSeed seeds TestSimplexRandom, which logs it; 0 draws a seed from
// the clock (go test ./lp -run SimplexRandom -args -simplex.seed=0).
var simplexSeed = flag.Uint64("simplex.seed", 1, "seed of TestSimplexRandom (0: from the clock)")

// simplexTol is the tolerance of the optimality checks: the test problems
// are small and well scaled, so the solutions are exact up to rounding.
const simplexTol = 1e-9

// simplexMatrix assembles a dense row-major matrix.
func simplexMatrix(a [][]float64, cols int) *Sparse {
	t := NewTriplets(len(a))
	for j := 0; j < cols; j++ {
		t.Col()
		for i, row := range a {
			t.Add(i, row[j])
		}
	}
	return t.Matrix()
}

var (
	spxInf  = math.Inf(1)
	spxNInf = math.Inf(-1)
)

// simplexCases are LPs with hand-computed optima. For the optimal ones the
// comment gives x, the objective and a dual y with the reduced costs
// d = c − Aᵀy, which the tests do not compare directly (duals need not be
// unique) but check through the KKT conditions and strong duality.
var simplexCases = []struct {
	name   string
	c      []float64
	a      [][]float64
	b      []float64
	l, u   []float64
	status Status
	x      []float64
	obj    float64
}{
	{
		// max 3x₁ + 5x₂ s.t. x₁ ≤ 4, 2x₂ ≤ 12, 3x₁ + 2x₂ ≤ 18 (Hillier &
		// Lieberman), with slacks s₁, s₂, s₃. Both of the last two rows bind:
		// x = (2, 6), s = (2, 0, 0), objective −36. Basic x₁, x₂, s₁ give
		// y₁ = 0, y₃ = −1, y₂ = −1.5; d(s₂) = 1.5, d(s₃) = 1; bᵀy = −36.
		name:   "two variables",
		c:      []float64{-3, -5, 0, 0, 0},
		a:      [][]float64{{1, 0, 1, 0, 0}, {0, 2, 0, 1, 0}, {3, 2, 0, 0, 1}},
		b:      []float64{4, 12, 18},
		status: Optimal,
		x:      []float64{2, 6, 2, 0, 0},
		obj:    -36,
	},
	{
		// The same with x₂ = 10⁻¹²·x₂': the optimum is x₂' = 6·10¹²,
		// objective −36. Unscaled, gonum stops at x = (4, 0) with objective
		// −12 and no error, its absolute tolerances taking the reduced cost
		// −5·10⁻¹² of x₂' for zero.
		name:   "badly scaled column",
		c:      []float64{-3, -5e-12, 0, 0, 0},
		a:      [][]float64{{1, 0, 1, 0, 0}, {0, 2e-12, 0, 1, 0}, {3, 2e-12, 0, 0, 1}},
		b:      []float64{4, 12, 18},
		status: Optimal,
		x:      []float64{2, 6e12, 2, 0, 0},
		obj:    -36,
	},
	{
		// The same with the last row multiplied by 10¹⁴: unscaled, gonum
		// finds no well-conditioned basis (ErrSingular).
		name:   "badly scaled row",
		c:      []float64{-3, -5, 0, 0, 0},
		a:      [][]float64{{1, 0, 1, 0, 0}, {0, 2, 0, 1, 0}, {3e14, 2e14, 0, 0, 1e14}},
		b:      []float64{4, 12, 18e14},
		status: Optimal,
		x:      []float64{2, 6, 2, 0, 0},
		obj:    -36,
	},
	{
		// x₁ + x₂ = 3, x₁ − x₂ = 1 has the single point x = (2, 1):
		// objective 3; y = (1, 0) from 1 − y₁ ∓ y₂ = 0.
		name:   "square",
		c:      []float64{1, 1},
		a:      [][]float64{{1, 1}, {1, -1}},
		b:      []float64{3, 1},
		status: Optimal,
		x:      []float64{2, 1},
		obj:    3,
	},
	{
		// min 3x₁ + x₂ = 2(x₁ + x₂) + (x₁ − x₂) with x₁, x₂ free,
		// x₁ + x₂ ≥ 1 and x₁ − x₂ ≥ −3 (surpluses s₁, s₂): both bind,
		// x = (−1, 2), objective −1; y = (2, 1) from 3 − y₁ − y₂ = 0,
		// 1 − y₁ + y₂ = 0; d(s) = (2, 1); bᵀy = 2 − 3 = −1.
		name:   "free variables",
		c:      []float64{3, 1, 0, 0},
		a:      [][]float64{{1, 1, -1, 0}, {1, -1, 0, -1}},
		b:      []float64{1, -3},
		l:      []float64{spxNInf, spxNInf, 0, 0},
		u:      []float64{spxInf, spxInf, spxInf, spxInf},
		status: Optimal,
		x:      []float64{-1, 2, 0, 0},
		obj:    -1,
	},
	{
		// min −x₁ − x₂ s.t. x₁ + 2x₂ + s = 4, 0 ≤ x₁ ≤ 1, −1 ≤ x₂ ≤ 3: x₁
		// gains more per unit of the row, so it sits at its upper bound 1
		// and x₂ = 1.5, objective −2.5. x₂ basic: −1 − 2y = 0, y = −0.5;
		// d(x₁) = −0.5 = −zU₁, d(s) = 0.5 = zL_s;
		// bᵀy − U₁·zU₁ = −2 − 0.5 = −2.5.
		name:   "finite upper bounds",
		c:      []float64{-1, -1, 0},
		a:      [][]float64{{1, 2, 1}},
		b:      []float64{4},
		l:      []float64{0, -1, 0},
		u:      []float64{1, 3, spxInf},
		status: Optimal,
		x:      []float64{1, 1.5, 0},
		obj:    -2.5,
	},
	{
		// min −x₁ − x₂ s.t. x₁ − x₂ = 1, x₁ ≤ 3, x₂ ≤ 5 (no lower bounds):
		// x = (3, 2), objective −5. x₂ basic: −1 + y = 0, y = 1;
		// d(x₁) = −2 = −zU₁; bᵀy − U₁·zU₁ = 1 − 6 = −5.
		name:   "upper bounds only",
		c:      []float64{-1, -1},
		a:      [][]float64{{1, -1}},
		b:      []float64{1},
		l:      []float64{spxNInf, spxNInf},
		u:      []float64{3, 5},
		status: Optimal,
		x:      []float64{3, 2},
		obj:    -5,
	},
	{
		// min x₁ + 2x₂ s.t. x₁ + x₂ + x₃ = 5, x₁ ∈ [0, 10], x₂ ≥ 0 and x₃
		// fixed at 2: x = (3, 0, 2), objective 3. y = 1 from x₁;
		// d(x₂) = 1 = zL₂, d(x₃) = −1 = −zU₃; bᵀy − 2·zU₃ = 5 − 2 = 3.
		name:   "fixed variable",
		c:      []float64{1, 2, 0},
		a:      [][]float64{{1, 1, 1}},
		b:      []float64{5},
		l:      []float64{0, 0, 2},
		u:      []float64{10, spxInf, 2},
		status: Optimal,
		x:      []float64{3, 0, 2},
		obj:    3,
	},
	{
		// min x₁ + 2x₂ + 3x₃ − x₄ with the row x₁ + x₂ = 2 three times (once
		// negated), an empty row 0 = 0, and empty columns x₃ ≥ 1 (cost 3:
		// lower bound) and x₄ ≤ 4 (cost −1: upper bound). x = (2, 0, 1, 4),
		// objective 2 + 3 − 4 = 1. The copies of the row share y = 1;
		// d = (0, 1, 3, −1): zL₂ = 1, zL₃ = 3, zU₄ = 1;
		// bᵀy + 1·3 − 4·1 = 2 + 3 − 4 = 1.
		name: "duplicated row and zero column",
		c:    []float64{1, 2, 3, -1},
		a: [][]float64{
			{1, 1, 0, 0},
			{1, 1, 0, 0},
			{0, 0, 0, 0},
			{-1, -1, 0, 0},
		},
		b:      []float64{2, 2, 0, -2},
		l:      []float64{0, 0, 1, spxNInf},
		u:      []float64{spxInf, spxInf, spxInf, 4},
		status: Optimal,
		x:      []float64{2, 0, 1, 4},
		obj:    1,
	},
	{
		// min x₁ + 2x₂ + 3x₃, x ≥ 0, with row 3 = row 1 + row 2 (and b
		// likewise): x₁ = 1 + x₂, x₃ = 2 − 2x₂, objective 7 − 3x₂, so
		// x₂ = 1: x = (2, 1, 0), objective 4. With y₃ = 0, x₁ and x₂ basic:
		// y = (1.5, −0.5, 0); d(x₃) = 1.5; bᵀy = 4.5 − 0.5 = 4.
		name:   "linearly dependent rows",
		c:      []float64{1, 2, 3},
		a:      [][]float64{{1, 1, 1}, {1, -1, 0}, {2, 0, 1}},
		b:      []float64{3, 1, 4},
		status: Optimal,
		x:      []float64{2, 1, 0},
		obj:    4,
	},
	{
		// The same with b₃ = 5 ≠ b₁ + b₂.
		name:   "inconsistent dependent rows",
		c:      []float64{1, 2, 3},
		a:      [][]float64{{1, 1, 1}, {1, -1, 0}, {2, 0, 1}},
		b:      []float64{3, 1, 5},
		status: Infeasible,
	},
	{
		// x₁ = 1, x₂ = 2 and their sum: more rows than columns, one point
		// x = (1, 2), objective 3; y = (1, 1, 0).
		name:   "more rows than columns",
		c:      []float64{1, 1},
		a:      [][]float64{{1, 0}, {0, 1}, {1, 1}},
		b:      []float64{1, 2, 3},
		status: Optimal,
		x:      []float64{1, 2},
		obj:    3,
	},
	{
		// Nothing but empty columns: each takes its best bound (x₂ = 0 with
		// cost 0 takes its finite lower bound). x = (−1, 0), objective −2.
		name:   "only zero columns",
		c:      []float64{2, 0},
		a:      [][]float64{{0, 0}},
		b:      []float64{0},
		l:      []float64{-1, 0},
		status: Optimal,
		x:      []float64{-1, 0},
		obj:    -2,
	},
	{
		// x₁ + x₂ = −1 with x ≥ 0.
		name:   "infeasible",
		c:      []float64{1, 1},
		a:      [][]float64{{1, 1}},
		b:      []float64{-1},
		status: Infeasible,
	},
	{
		// x₁ + x₂ = 5 with 0 ≤ x ≤ 2.
		name:   "infeasible box",
		c:      []float64{1, 1, 0},
		a:      [][]float64{{1, 1, 0}, {0, 1, 1}},
		b:      []float64{5, 1},
		u:      []float64{2, 2, 2},
		status: Infeasible,
	},
	{
		// The same row with b = 1 and b = 2.
		name:   "conflicting duplicated rows",
		c:      []float64{1, 1},
		a:      [][]float64{{1, 1}, {1, 1}},
		b:      []float64{1, 2},
		status: Infeasible,
	},
	{
		// 0 = 1.
		name:   "empty row with nonzero b",
		c:      []float64{1, 1},
		a:      [][]float64{{1, 1}, {0, 0}},
		b:      []float64{1, 1},
		status: Infeasible,
	},
	{
		// The empty column x₃ (cost −1, no upper bound) would make the
		// objective unbounded, but x₁ + x₂ = −1 has no point: infeasible.
		name:   "infeasible with unbounded zero column",
		c:      []float64{1, 1, -1},
		a:      [][]float64{{1, 1, 0}},
		b:      []float64{-1},
		status: Infeasible,
	},
	{
		// min −x₁ on the ray x₁ = x₂ ≥ 0.
		name:   "unbounded",
		c:      []float64{-1, 0},
		a:      [][]float64{{1, -1}},
		b:      []float64{0},
		status: Unbounded,
	},
	{
		// x₁ = 1 is feasible and the empty column x₂ (cost −1) grows freely.
		name:   "unbounded zero column",
		c:      []float64{1, -1},
		a:      [][]float64{{1, 0}},
		b:      []float64{1},
		status: Unbounded,
	},
	{
		// min x₁ with x₁ − x₂ = 0, both free.
		name:   "unbounded free",
		c:      []float64{1, 0},
		a:      [][]float64{{1, -1}},
		b:      []float64{0},
		l:      []float64{spxNInf, spxNInf},
		u:      []float64{spxInf, spxInf},
		status: Unbounded,
	},
}

func TestSimplexCases(t *testing.T) {
	t.Parallel()
	for _, tc := range simplexCases {
		t.Run(tc.name, func(t *testing.T) {
			m := &Model{C: tc.c, A: simplexMatrix(tc.a, len(tc.c)), B: tc.b, L: tc.l, U: tc.u}
			res, err := Simplex{}.Solve(m, Settings{})
			require.NoError(t, err)
			require.Equal(t, tc.status, res.Status, "status")
			assert.Zero(t, res.Iterations)
			if tc.status != Optimal {
				assert.Nil(t, res.X)
				return
			}
			for j, want := range tc.x {
				assert.True(t, scalar.EqualWithinAbsOrRel(res.X[j], want, simplexTol, simplexTol),
					"x[%d] = %v, want %v", j, res.X[j], want)
			}
			assert.True(t, scalar.EqualWithinAbsOrRel(res.Objective, tc.obj, simplexTol, simplexTol),
				"objective %v, want %v", res.Objective, tc.obj)
			simplexCheckOptimal(t, m, res, simplexTol)
		})
	}
}

// simplexCheckOptimal checks an optimal result against the theory of
// linear programming: primal feasibility, dual feasibility of the
// multipliers (Aᵀy + zL − zU = c, zL, zU ≥ 0 and zero on infinite bounds),
// complementarity and strong duality cᵀx = bᵀy + Σ L·zL − Σ U·zU, all
// relative to the size of the terms involved.
func simplexCheckOptimal(t *testing.T, m *Model, res *Result, tol float64) {
	t.Helper()
	rows, cols := m.A.Dims()
	require.Len(t, res.X, cols)
	require.Len(t, res.Y, rows, "duals")
	require.Len(t, res.ZL, cols)
	require.Len(t, res.ZU, cols)
	x, y := res.X, res.Y

	ax := make([]float64, rows)
	m.A.MulVecTo(ax, x)
	for i := range ax {
		assert.True(t, scalar.EqualWithinAbsOrRel(ax[i], m.B[i], tol, tol), "row %d: Ax = %v, b = %v", i, ax[i], m.B[i])
	}
	aty := make([]float64, cols)
	m.A.MulTransVecTo(aty, y)
	pobj, dobj, scale := 0.0, 0.0, 1.0
	for i, bi := range m.B {
		dobj += bi * y[i]
		scale = math.Max(scale, math.Abs(bi*y[i]))
	}
	for j, c := range m.C {
		l, u := m.Lower(j), m.Upper(j)
		assert.True(t, x[j] >= l && x[j] <= u, "x[%d] = %v outside [%v, %v]", j, x[j], l, u)
		pobj += c * x[j]
		scale = math.Max(scale, math.Abs(c*x[j]))
		zl, zu := res.ZL[j], res.ZU[j]
		assert.True(t, zl >= 0 && zu >= 0, "z[%d] = (%v, %v)", j, zl, zu)
		r := c - aty[j] - zl + zu
		assert.True(t, math.Abs(r) <= tol*math.Max(1, math.Abs(c)), "stationarity of x[%d]: %v", j, r)
		if math.IsInf(l, -1) {
			assert.Zero(t, zl, "zL[%d] on an infinite bound", j)
		} else {
			dobj += l * zl
			scale = math.Max(scale, math.Abs(l*zl))
		}
		if math.IsInf(u, 1) {
			assert.Zero(t, zu, "zU[%d] on an infinite bound", j)
		} else {
			dobj -= u * zu
			scale = math.Max(scale, math.Abs(u*zu))
		}
	}
	for j := range x {
		if zl := res.ZL[j]; zl > 0 {
			assert.True(t, zl*(x[j]-m.Lower(j)) <= tol*scale, "complementarity of zL[%d]", j)
		}
		if zu := res.ZU[j]; zu > 0 {
			assert.True(t, zu*(m.Upper(j)-x[j]) <= tol*scale, "complementarity of zU[%d]", j)
		}
	}
	assert.True(t, math.Abs(pobj-dobj) <= tol*scale, "strong duality: cᵀx = %v, dual objective %v", pobj, dobj)
	assert.True(t, scalar.EqualWithinAbsOrRel(res.Objective, pobj, tol, tol), "Objective %v, cᵀx = %v", res.Objective, pobj)
}

func TestSimplexInvalidModel(t *testing.T) {
	t.Parallel()
	a := simplexMatrix([][]float64{{1, 1}}, 2)
	for _, tc := range []struct {
		name string
		m    *Model
	}{
		{"nil model", nil},
		{"nil matrix", &Model{C: []float64{1}, B: []float64{1}}},
		{"short cost", &Model{C: []float64{1}, A: a, B: []float64{1}}},
		{"quadratic term", &Model{C: []float64{1, 1}, Q: []float64{0, 1}, A: a, B: []float64{1}}},
		{"crossed bounds", &Model{C: []float64{1, 1}, A: a, B: []float64{1}, L: []float64{1, 0}, U: []float64{0, 1}}},
		{"row index out of range", &Model{C: []float64{1}, B: []float64{1},
			A: &Sparse{rows: 1, cols: 1, ColPtr: []int{0, 1}, RowIdx: []int{3}, Val: []float64{1}}}},
		{"short column pointers", &Model{C: []float64{1, 1}, B: []float64{1},
			A: &Sparse{rows: 1, cols: 2, ColPtr: []int{0, 1}, RowIdx: []int{0}, Val: []float64{1}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var res *Result
			var err error
			require.NotPanics(t, func() { res, err = Simplex{}.Solve(tc.m, Settings{}) })
			assert.ErrorIs(t, err, ErrModel)
			assert.Nil(t, res)
		})
	}
	// A zero Q is a linear program.
	res, err := Simplex{}.Solve(&Model{C: []float64{1, 2}, Q: []float64{0, 0}, A: a, B: []float64{1}}, Settings{})
	require.NoError(t, err)
	assert.Equal(t, Optimal, res.Status)
}

// TestSimplexRandom solves random LPs that are feasible by construction
// (b = A x₀ with x₀ within the bounds) and bounded (every variable is boxed,
// or has only a lower bound and a positive cost, or only an upper bound and
// a negative cost), and checks the primal against the dual solve.
func TestSimplexRandom(t *testing.T) {
	t.Parallel()
	seed := *simplexSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, seed))
	trials := 300
	if testing.Short() {
		trials = 50
	}
	for trial := 0; trial < trials; trial++ {
		m := simplexRandomModel(rnd)
		res, err := Simplex{}.Solve(m, Settings{})
		require.NoError(t, err, "trial %d", trial)
		require.Equal(t, Optimal, res.Status, "trial %d", trial)
		simplexCheckOptimal(t, m, res, simplexTol)
		if t.Failed() {
			t.Fatalf("trial %d failed: %+v", trial, m)
		}
	}
}

// simplexRandomModel returns a feasible, bounded random LP, sometimes with
// an empty column, an empty row or a duplicated row.
func simplexRandomModel(rnd *rand.Rand) *Model {
	n := 2 + rnd.IntN(9)
	rows := 1 + rnd.IntN(n-1)
	c := make([]float64, n)
	l := make([]float64, n)
	u := make([]float64, n)
	x0 := make([]float64, n)
	for j := range c {
		c[j] = math.Round(8*rnd.Float64()-4) / 2
		l[j] = math.Round(4*rnd.Float64()-2) / 2
		switch p := rnd.Float64(); {
		case p < 0.6: // box
			u[j] = l[j] + 0.5 + math.Round(4*rnd.Float64())/2
			x0[j] = l[j] + rnd.Float64()*(u[j]-l[j])
		case p < 0.7: // fixed
			u[j] = l[j]
			x0[j] = l[j]
		case p < 0.85: // lower bound only, positive cost
			u[j] = spxInf
			c[j] = math.Abs(c[j]) + 0.5
			x0[j] = l[j] + 2*rnd.Float64()
		default: // upper bound only, negative cost
			u[j], l[j] = l[j], spxNInf
			c[j] = -math.Abs(c[j]) - 0.5
			x0[j] = u[j] - 2*rnd.Float64()
		}
	}
	a := make([][]float64, rows)
	for i := range a {
		a[i] = make([]float64, n)
		for j := range a[i] {
			if rnd.Float64() < 0.8 {
				a[i][j] = 2*rnd.Float64() - 1
			}
		}
	}
	if rnd.Float64() < 0.2 { // empty column
		j := rnd.IntN(n)
		for i := range a {
			a[i][j] = 0
		}
	}
	if rnd.Float64() < 0.2 { // empty row
		a = append(a, make([]float64, n))
	}
	if rnd.Float64() < 0.2 { // duplicated row
		a = append(a, append([]float64(nil), a[rnd.IntN(len(a))]...))
	}
	b := make([]float64, len(a))
	for i, row := range a {
		for j, v := range row {
			b[i] += v * x0[j]
		}
	}
	return &Model{C: c, A: simplexMatrix(a, n), B: b, L: l, U: u}
}

func ExampleSimplex() {
	// maximise 3x₁ + 5x₂ subject to x₁ ≤ 4, 2x₂ ≤ 12, 3x₁ + 2x₂ ≤ 18 and
	// x ≥ 0: x₁ ≤ 4 is a bound, the other rows get slacks s₂ and s₃.
	t := NewTriplets(2)
	t.Col() // x₁
	t.Add(1, 3)
	t.Col() // x₂
	t.Add(0, 2)
	t.Add(1, 2)
	t.Col() // s₂
	t.Add(0, 1)
	t.Col() // s₃
	t.Add(1, 1)
	m := &Model{
		C: []float64{-3, -5, 0, 0},
		A: t.Matrix(),
		B: []float64{12, 18},
		L: []float64{0, 0, 0, 0},
		U: []float64{4, math.Inf(1), math.Inf(1), math.Inf(1)},
	}
	res, err := Simplex{}.Solve(m, Settings{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("status:", res.Status)
	fmt.Printf("x = %.4g, objective %.4g\n", res.X, res.Objective)
	fmt.Printf("y = %.4g\n", res.Y)
	// Output:
	// status: optimal
	// x = [2 6 0 0], objective -36
	// y = [-1.5 -1]
}
