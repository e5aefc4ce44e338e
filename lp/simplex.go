package lp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	gonumlp "gonum.org/v1/gonum/optimize/convex/lp"
)

// Simplex is the reference backend for small dense linear programs: it
// converts Model to the standard form of gonum's simplex
// (gonum.org/v1/gonum/optimize/convex/lp),
//
//	minimise   ĉᵀx̂
//	subject to Â x̂ = b̂,  x̂ ≥ 0,
//
// solves it, and, since gonum returns no duals, obtains the multipliers
// from a second simplex solve of the dual LP
//
//	maximise   b̂ᵀŷ
//	subject to Âᵀŷ ≤ ĉ.
//
// Everything is dense and gonum's cost grows like n^3.3 (DESIGN §3: 320
// variables take seconds), so Simplex is meant for small problems and as
// the cross-check of the other backends in tests.
//
// # Conversion
//
// Presolve removes what gonum rejects (all-zero rows and columns and
// duplicated rows, DESIGN §3):
//   - an all-zero row is dropped (infeasible if its b ≠ 0);
//   - an all-zero column takes its best bound (the lower one for c_j > 0,
//     the upper one for c_j < 0, a finite one or 0 for c_j = 0); the
//     problem is unbounded if that bound is infinite and the rest is
//     feasible;
//   - of rows equal up to sign, coefficients and b alike, only the first is
//     kept; equal coefficients with a different b make the problem
//     infeasible.
//
// The remaining variables are shifted by a finite lower bound, mirrored
// (x = u − x̂) if only the upper bound is finite, and split (x = x̂⁺ − x̂⁻) if
// free; a variable with both bounds finite gets a slack row x̂ + s = u − l.
// The rows and columns of Â are equilibrated by powers of two (geometric
// mean passes, then a max-norm pass; exact in floating point) and b̂ and ĉ
// are normalised to a largest entry of about one, because gonum's
// tolerances are absolute. Since gonum also needs Â to have full row rank,
// a row within relative distance 1e-10 of the span of the rows before it
// is dropped too, after checking that its b̂ agrees with the same
// combination; if it does not, the problem is infeasible when the row is
// dependent up to rounding (1e-12) and a NumericalError otherwise. Dropped
// rows get the multiplier 0, which loses nothing: the kept rows carry the
// dual.
//
// The dual LP is solved in a compact standard form with one row per
// structural column (the box rows' multipliers are −zU ≤ 0 by
// construction), and the answers are mapped back to the original variables
// and rows, where they are verified: the primal residual ‖Ax − b‖, and for
// the dual the signs of the reduced costs c − Aᵀy and the duality gap.
//
// # Results
//
//   - Status is Optimal (relative primal residual ≤ 1e-9), AlmostOptimal
//     (≤ 1e-6), Infeasible, Unbounded or NumericalError (a larger residual,
//     any other gonum error, or a panic inside gonum, which is recovered).
//     Solve never panics.
//   - X is set for Optimal and AlmostOptimal only, clamped into the bounds.
//     Objective is cᵀx then, −Inf for Unbounded and NaN otherwise.
//   - Y holds the multipliers of the original rows, and ZL and ZU the
//     positive and negative parts of the reduced costs c − Aᵀy on the
//     finite lower and upper bounds. If the dual solve fails, or its answer
//     does not verify (dual infeasibility or duality gap above 1e-7,
//     relative), Y, ZL and ZU are nil while Status stays Optimal: the
//     primal answer stands on its own.
//   - Iterations is 0: gonum does not report it.
//   - Settings.Tol is the tolerance on the reduced costs of the normalised
//     problem (default 1e-10); Settings.MaxIterations is ignored, gonum has
//     no limit.
//
// Known limits: rows that are nearly but not quite dependent (and any
// data that still trips gonum's absolute tolerances after scaling) end in
// NumericalError; box constraints double the rows gonum sees, and the
// time, dominated by gonum's dense solves, is seconds at a few hundred
// variables.
type Simplex struct{}

var _ Solver = Simplex{}

const (
	// spxDefaultTol is the default reduced-cost tolerance handed to gonum;
	// after normalisation the costs are at most about one, so it is relative.
	spxDefaultTol = 1e-10
	// spxFeasTol is the relative primal residual of an Optimal answer.
	spxFeasTol = 1e-9
	// spxAlmostTol is the relative primal residual of an AlmostOptimal
	// answer; above it the answer is a NumericalError.
	spxAlmostTol = 1e-6
	// spxSquareTol is how negative, relative to max(1, ‖x̂‖∞), a component
	// of the unique solution of a square standard form may be and still be
	// taken as 0 (gonum itself declares infeasibility at any x̂_j < 0).
	spxSquareTol = 1e-10
	// spxDualTol is the relative duality gap and dual infeasibility above
	// which the multipliers of the dual solve are discarded.
	spxDualTol = 1e-7
	// spxRankTol is the relative distance to the span of the rows before it
	// below which a row of the equilibrated standard form counts as
	// linearly dependent, and the relative tolerance on b of such a row.
	spxRankTol = 1e-10
	// spxRoundTol is the relative distance below which a row is dependent
	// up to rounding, so that a disagreeing b proves infeasibility.
	spxRoundTol = 1e-12
	// spxEps is the unit roundoff of float64.
	spxEps = 0x1p-53
	// spxRetries is the number of column orders spxRun tries after the
	// first when gonum breaks down.
	spxRetries = 3
	// spxScalePasses is the number of geometric-mean equilibration passes
	// before the final max-norm pass.
	spxScalePasses = 4
)

// Solve implements Solver. It returns an error wrapping ErrModel for an
// invalid model or one with a nonzero Q.
func (Simplex) Solve(m *Model, s Settings) (res *Result, err error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil model", ErrModel)
	}
	if err := m.Check(); err != nil {
		return nil, err
	}
	if err := spxCheckSparse(m.A); err != nil {
		return nil, err
	}
	if !m.IsLP() {
		return nil, fmt.Errorf("%w: the simplex backend solves LPs only, Q must be zero", ErrModel)
	}
	tol := s.Tol
	if !(tol > 0) || math.IsInf(tol, 1) {
		tol = spxDefaultTol
	}
	defer func() {
		if r := recover(); r != nil {
			res, err = spxStatus(NumericalError), nil
		}
	}()
	return spxSolve(m, tol), nil
}

// spxCheckSparse checks the compressed-column structure that Model.Check
// takes for granted, so that the conversion cannot index out of range.
func spxCheckSparse(a *Sparse) error {
	rows, cols := a.Dims()
	if rows < 0 || cols < 0 {
		return fmt.Errorf("%w: matrix dimensions %d×%d", ErrModel, rows, cols)
	}
	if len(a.RowIdx) != len(a.Val) {
		return fmt.Errorf("%w: %d row indices for %d values", ErrModel, len(a.RowIdx), len(a.Val))
	}
	if len(a.ColPtr) == 0 && cols == 0 && len(a.Val) == 0 {
		return nil
	}
	if len(a.ColPtr) != cols+1 || a.ColPtr[0] != 0 || a.ColPtr[cols] != len(a.Val) {
		return fmt.Errorf("%w: column pointers do not match %d columns and %d entries", ErrModel, cols, len(a.Val))
	}
	for j := 0; j < cols; j++ {
		if a.ColPtr[j] > a.ColPtr[j+1] {
			return fmt.Errorf("%w: column pointers decrease at column %d", ErrModel, j)
		}
	}
	for k, i := range a.RowIdx {
		if i < 0 || i >= rows {
			return fmt.Errorf("%w: entry %d has row %d outside [0, %d)", ErrModel, k, i, rows)
		}
	}
	return nil
}

// spxStatus returns the answer-less result of a solve that ended in st.
func spxStatus(st Status) *Result {
	res := &Result{Status: st, Objective: math.NaN()}
	if st == Unbounded {
		res.Objective = math.Inf(-1)
	}
	return res
}

// spxColumn is a column of the standard form: x̂_k enters original variable
// j with the given sign (j = −1 for the slack of a box), and its box, if
// any, is the standard-form row box (−1 for none).
type spxColumn struct {
	j    int
	sign float64
	box  int
}

// spxSolve solves a valid LP model; see Simplex for what it returns.
func spxSolve(m *Model, tol float64) *Result {
	rows, cols := m.A.Dims()

	// 1. Dense copy of A (duplicate entries summed, as in MulVecTo), and
	// the nonzero counts of its rows and columns.
	a := make([]float64, rows*cols)
	for j := 0; j < cols; j++ {
		for k := m.A.ColPtr[j]; k < m.A.ColPtr[j+1]; k++ {
			a[m.A.RowIdx[k]*cols+j] += m.A.Val[k]
		}
	}
	rowNZ := make([]int, rows)
	colNZ := make([]int, cols)
	for i := 0; i < rows; i++ {
		for j, v := range a[i*cols : (i+1)*cols] {
			if v != 0 {
				rowNZ[i]++
				colNZ[j]++
			}
		}
	}

	// 2. Presolve the rows: drop empty rows (checking b_i = 0) and all but
	// the first of rows that are equal up to sign (checking b).
	keep := make([]bool, rows)
	seen := make(map[string]float64)
	key := make([]byte, 8*cols)
	for i := 0; i < rows; i++ {
		if rowNZ[i] == 0 {
			if m.B[i] != 0 {
				return spxStatus(Infeasible)
			}
			continue
		}
		row := a[i*cols : (i+1)*cols]
		flip := 1.0
		for _, v := range row {
			if v != 0 {
				if v < 0 {
					flip = -1
				}
				break
			}
		}
		for j, v := range row {
			v *= flip
			if v == 0 {
				v = 0 // one key for −0 and +0
			}
			binary.LittleEndian.PutUint64(key[8*j:], math.Float64bits(v))
		}
		if bk, ok := seen[string(key)]; ok {
			if flip*m.B[i] != bk {
				return spxStatus(Infeasible)
			}
			continue
		}
		seen[string(key)] = flip * m.B[i]
		keep[i] = true
	}

	// 3. Presolve the columns: an empty column takes its best bound.
	x := make([]float64, cols)
	unbounded := false
	for j := 0; j < cols; j++ {
		if colNZ[j] != 0 {
			continue
		}
		l, u := m.Lower(j), m.Upper(j)
		switch c := m.C[j]; {
		case c > 0 && math.IsInf(l, -1), c < 0 && math.IsInf(u, 1):
			unbounded = true
		case c > 0:
			x[j] = l
		case c < 0:
			x[j] = u
		case !math.IsInf(l, -1):
			x[j] = l
		case !math.IsInf(u, 1):
			x[j] = u
		}
	}

	// 4. Standard form: the kept rows first, then one slack row per box.
	// x_j = x[j] + Σ sign·x̂_k over the columns k of variable j, where x[j]
	// is the shift (l, or u when mirrored, or 0 when free).
	var stdRow []int // original row of each kept row
	for i, k := range keep {
		if k {
			stdRow = append(stdRow, i)
		}
	}
	mr := len(stdRow)
	var scol []spxColumn
	var boxRHS, boxMag []float64 // u − l and |u| + |l| of each box
	for j := 0; j < cols; j++ {
		if colNZ[j] == 0 {
			continue
		}
		l, u := m.Lower(j), m.Upper(j)
		switch {
		case !math.IsInf(l, -1) && !math.IsInf(u, 1):
			x[j] = l
			scol = append(scol, spxColumn{j: j, sign: 1, box: mr + len(boxRHS)})
			boxRHS = append(boxRHS, u-l)
			boxMag = append(boxMag, math.Abs(u)+math.Abs(l))
		case !math.IsInf(l, -1):
			x[j] = l
			scol = append(scol, spxColumn{j: j, sign: 1, box: -1})
		case !math.IsInf(u, 1):
			x[j] = u
			scol = append(scol, spxColumn{j: j, sign: -1, box: -1})
		default:
			scol = append(scol,
				spxColumn{j: j, sign: 1, box: -1},
				spxColumn{j: j, sign: -1, box: -1})
		}
	}
	for b := range boxRHS {
		scol = append(scol, spxColumn{j: -1, sign: 1, box: mr + b})
	}
	sm, sn := mr+len(boxRHS), len(scol)
	if sm == 0 && sn > 0 {
		return spxStatus(NumericalError) // a nonzero column always has a kept row
	}
	sa := make([]float64, sm*sn)
	sb := make([]float64, sm)
	sc := make([]float64, sn)
	for k, col := range scol {
		if col.j >= 0 {
			sc[k] = col.sign * m.C[col.j]
			for r, i := range stdRow {
				sa[r*sn+k] = col.sign * a[i*cols+col.j]
			}
		}
		if col.box >= 0 {
			sa[col.box*sn+k] = 1
		}
	}
	// The shifted b is a sum of the size bmag; what is left of it within
	// rounding of that size is cancellation noise, which is zeroed so that
	// the normalisation of step 5 cannot blow it up.
	bmag := make([]float64, sm)
	for r, i := range stdRow {
		v, mag := m.B[i], math.Abs(m.B[i])
		for j, aij := range a[i*cols : (i+1)*cols] {
			if aij != 0 {
				v -= aij * x[j]
				mag += math.Abs(aij * x[j])
			}
		}
		if math.Abs(v) <= float64(rowNZ[i]+1)*spxEps*mag {
			v = 0
		}
		sb[r], bmag[r] = v, mag
	}
	copy(sb[mr:], boxRHS)
	copy(bmag[mr:], boxMag)
	for _, v := range sb {
		if !finite(v) {
			return spxStatus(NumericalError) // bounds too far apart to shift
		}
	}

	// 5. Equilibrate by powers of two: Â = R A S, b̂ = R b / β, ĉ = S c / γ,
	// so that x̂ = S⁻¹ x / β and y = γ R ŷ.
	rs, cs := spxEquilibrate(sa, sm, sn)
	for r := 0; r < sm; r++ {
		for k := 0; k < sn; k++ {
			sa[r*sn+k] *= rs[r] * cs[k]
		}
		sb[r] *= rs[r]
	}
	for k := range sc {
		sc[k] *= cs[k]
	}
	for r := range bmag {
		bmag[r] *= rs[r]
	}
	beta, gamma := spxNormalise(sb, bmag), spxNormalise(sc, nil)

	// 6. gonum needs full row rank: drop the rows that are linearly
	// dependent on earlier ones, checking that b̂ agrees.
	live, st := spxIndependentRows(sa, sb, sm, sn)
	if st != Optimal {
		return spxStatus(st)
	}
	if len(live) < sm {
		for r2, r := range live {
			copy(sa[r2*sn:(r2+1)*sn], sa[r*sn:(r+1)*sn])
			sb[r2] = sb[r]
		}
		sa, sb = sa[:len(live)*sn], sb[:len(live)]
	}

	// 7. Primal solve.
	xh := []float64{}
	var am *mat.Dense
	if sn > 0 {
		am = mat.NewDense(len(live), sn, sa)
		xh, st = spxRun(sc, am, sb, tol)
	}
	if unbounded && (st == Optimal || st == Unbounded) {
		st = Unbounded
	}
	if unbounded || st != Optimal {
		return spxStatus(st)
	}

	// 8. Back to the original variables, clamped into their bounds, and the
	// primal residual recomputed from the original data.
	for k, col := range scol {
		if col.j >= 0 {
			x[col.j] += col.sign * xh[k] * cs[k] * beta
		}
	}
	for j := range x {
		x[j] = math.Min(math.Max(x[j], m.Lower(j)), m.Upper(j))
	}
	res := &Result{Status: spxCheckPrimal(m, x), X: x, Objective: m.Objective(x)}
	if res.Status == NumericalError {
		return spxStatus(NumericalError)
	}

	// 9. Dual solve and multipliers of the original rows (0 for every
	// dropped row) and bounds.
	yh := []float64{}
	if sn > 0 {
		var ok bool
		if yh, ok = spxDual(am, sb, sc, live, mr, scol, tol); !ok {
			return res
		}
	}
	y := make([]float64, rows)
	for r2, r := range live {
		if r < mr {
			y[stdRow[r]] = yh[r2] * rs[r] * gamma
		}
	}
	if zl, zu, ok := spxBoundDuals(m, x, y); ok {
		res.Y, res.ZL, res.ZU = y, zl, zu
	}
	return res
}

// spxEquilibrate returns power-of-two row and column scales r and s such
// that the entries r_i·|a_ik|·s_k of the rows×cols row-major matrix a are
// close to one: geometric-mean passes, then max-norm rows and columns.
func spxEquilibrate(a []float64, rows, cols int) (r, s []float64) {
	r = make([]float64, rows)
	s = make([]float64, cols)
	for i := range r {
		r[i] = 1
	}
	for k := range s {
		s[k] = 1
	}
	// pass divides each row (or column) scale by the geometric mean of the
	// smallest and largest scaled nonzero of its row (column), or by the
	// largest; stride and step walk a row or a column of a.
	pass := func(scale []float64, n, stride, step int, other []float64, geometric bool) {
		for i := range scale {
			lo, hi := math.Inf(1), 0.0
			for k := 0; k < n; k++ {
				v := math.Abs(a[i*stride+k*step]) * scale[i] * other[k]
				if v == 0 {
					continue
				}
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			switch {
			case hi == 0 || math.IsInf(hi, 1):
			case geometric:
				scale[i] /= math.Sqrt(lo) * math.Sqrt(hi)
			default:
				scale[i] /= hi
			}
		}
	}
	for p := 0; p <= spxScalePasses; p++ {
		geometric := p < spxScalePasses
		pass(r, cols, cols, 1, s, geometric)
		pass(s, rows, 1, cols, r, geometric)
	}
	for i := range r {
		r[i] = spxPow2(r[i])
	}
	for k := range s {
		s[k] = spxPow2(s[k])
	}
	return r, s
}

// spxPow2 rounds v > 0 to the nearest power of two in log scale.
func spxPow2(v float64) float64 {
	if !(v > 0) || math.IsInf(v, 1) {
		return 1
	}
	return math.Ldexp(1, int(math.Round(math.Log2(v))))
}

// spxNormalise divides v by the power of two nearest the largest of its
// absolute entries and the entries of mag (the size of the data each entry
// was computed from, or nil), and returns that divisor (1 if all are zero).
func spxNormalise(v, mag []float64) float64 {
	hi := 0.0
	for i, e := range v {
		hi = math.Max(hi, math.Abs(e))
		if mag != nil {
			hi = math.Max(hi, mag[i])
		}
	}
	p := spxPow2(hi)
	for i := range v {
		v[i] /= p
	}
	return p
}

// spxIndependentRows returns the rows of the rows×cols row-major matrix a
// that are linearly independent of the rows before them: by Gram–Schmidt,
// twice, a row is dropped if its distance to the span of the kept rows is
// at most spxRankTol times its norm, and its b agrees with the same
// combination of the kept rows' b within spxRankTol, relative. If b
// disagrees, A x = b has no solution (Infeasible) when the row is
// dependent up to rounding (spxRoundTol); otherwise the row is only nearly
// dependent, and the verdict is left open (NumericalError).
func spxIndependentRows(a, b []float64, rows, cols int) (live []int, st Status) {
	var q []float64  // orthonormal basis of the kept rows, row-major
	var qb []float64 // the same combinations of b
	r := make([]float64, cols)
	for i := 0; i < rows; i++ {
		copy(r, a[i*cols:(i+1)*cols])
		rb := b[i]
		norm := floats.Norm(r, 2)
		scale := math.Max(1, math.Abs(rb))
		for pass := 0; pass < 2; pass++ {
			for k, bk := range qb {
				qk := q[k*cols : (k+1)*cols]
				t := floats.Dot(qk, r)
				floats.AddScaled(r, -t, qk)
				rb -= t * bk
				scale = math.Max(scale, math.Abs(t*bk))
			}
		}
		rn := floats.Norm(r, 2)
		switch {
		case rn > spxRankTol*norm:
			floats.Scale(1/rn, r)
			q = append(q, r...)
			qb = append(qb, rb/rn)
			live = append(live, i)
		case math.Abs(rb) <= spxRankTol*scale:
			// dependent and consistent: drop
		case rn <= spxRoundTol*norm:
			return nil, Infeasible
		default:
			return nil, NumericalError
		}
	}
	return live, Optimal
}

// spxRun calls gonum's simplex on a standard-form LP and maps its errors,
// and its panics, to a Status. A square system has a single feasible point,
// which spxRun computes itself with a tolerance on its sign. When gonum
// breaks down (a singular basis on a degenerate problem, mostly), spxRun
// tries again with the columns in another order, which changes gonum's
// starting basis and pivots: reversed, then shuffled with fixed seeds.
func spxRun(c []float64, a *mat.Dense, b []float64, tol float64) (x []float64, st Status) {
	x, st = spxRunOnce(c, a, b, tol)
	rows, cols := a.Dims()
	if st != NumericalError || rows >= cols {
		return x, st
	}
	perm := make([]int, cols)
	pa := mat.NewDense(rows, cols, nil)
	pc := make([]float64, cols)
	for attempt := 1; attempt <= spxRetries; attempt++ {
		for k := range perm {
			perm[k] = cols - 1 - k
		}
		if attempt > 1 {
			rnd := rand.New(rand.NewPCG(uint64(attempt), 0))
			rnd.Shuffle(cols, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		}
		for k, p := range perm {
			pc[k] = c[p]
			for i := 0; i < rows; i++ {
				pa.Set(i, k, a.At(i, p))
			}
		}
		px, pst := spxRunOnce(pc, pa, b, tol)
		if pst == NumericalError {
			continue
		}
		if px != nil {
			x = make([]float64, cols)
			for k, p := range perm {
				x[p] = px[k]
			}
		}
		return x, pst
	}
	return nil, NumericalError
}

// spxRunOnce is one attempt of spxRun.
func spxRunOnce(c []float64, a *mat.Dense, b []float64, tol float64) (x []float64, st Status) {
	defer func() {
		if r := recover(); r != nil {
			x, st = nil, NumericalError
		}
	}()
	rows, cols := a.Dims()
	switch {
	case rows > cols:
		// gonum needs full row rank, which more rows than columns exclude.
		return nil, NumericalError
	case rows == cols:
		var xv mat.VecDense
		if err := xv.SolveVec(a, mat.NewVecDense(rows, b)); err != nil {
			return nil, NumericalError
		}
		x = xv.RawVector().Data
		floor := -spxSquareTol * math.Max(1, mat.Norm(&xv, math.Inf(1)))
		for _, v := range x {
			if v < floor {
				return nil, Infeasible
			}
		}
	default:
		var err error
		_, x, err = gonumlp.Simplex(c, a, b, tol, nil)
		switch {
		case errors.Is(err, gonumlp.ErrInfeasible):
			return nil, Infeasible
		case errors.Is(err, gonumlp.ErrUnbounded):
			return nil, Unbounded
		case err != nil: // ErrSingular, ErrBland, ErrLinSolve, mat.Condition, …
			return nil, NumericalError
		}
	}
	for k, v := range x {
		switch {
		case !finite(v):
			return nil, NumericalError
		case v < 0:
			x[k] = 0
		}
	}
	return x, Optimal
}

// spxCheckPrimal grades x by its relative residual ‖Ax − b‖∞ / max(1, ‖b‖∞,
// max_i Σ_j |a_ij x_j|).
func spxCheckPrimal(m *Model, x []float64) Status {
	rows, _ := m.A.Dims()
	r := make([]float64, rows)
	m.A.MulVecTo(r, x)
	size := make([]float64, rows)
	for j, xj := range x {
		for k := m.A.ColPtr[j]; k < m.A.ColPtr[j+1]; k++ {
			size[m.A.RowIdx[k]] += math.Abs(m.A.Val[k] * xj)
		}
	}
	res, scale := 0.0, 1.0
	for i, bi := range m.B {
		res = math.Max(res, math.Abs(r[i]-bi))
		scale = math.Max(scale, math.Max(math.Abs(bi), size[i]))
	}
	switch rel := res / scale; {
	case rel <= spxFeasTol:
		return Optimal
	case rel <= spxAlmostTol:
		return AlmostOptimal
	}
	return NumericalError
}

// spxDual solves the dual of the standard form min cᵀx, Ax = b, x ≥ 0,
//
//	max bᵀy  s.t.  Aᵀy ≤ c,
//
// where row r of A is live[r] of the full standard form, whose rows from mr
// on are the box rows, with the slack columns marked in scol. The dual
// constraint of a slack column only says y_r ≤ 0 for its box row r, so
// those constraints are dropped and y_r = −w_r with w_r ≥ 0; the other rows
// get free multipliers y_r = y⁺_r − y⁻_r. In gonum's standard form this is
//
//	minimise   −Σ b_r (y⁺_r − y⁻_r) + Σ b_r w_r
//	subject to A_kᵀ y + s_k = c_k  for every non-slack column k,
//	           y⁺, y⁻, w, s ≥ 0,
//
// whose matrix has full row rank (the surpluses s form an identity) and no
// zero column; it has one row per non-slack column instead of one per
// column and box row, which more than halves the work of a boxed problem.
func spxDual(a *mat.Dense, b, c []float64, live []int, mr int, scol []spxColumn, tol float64) (y []float64, ok bool) {
	rows, _ := a.Dims()
	var drow []int // the columns of A with a dual row
	for k, col := range scol {
		if col.j >= 0 {
			drow = append(drow, k)
		}
	}
	pos := make([]int, rows) // first dual variable of each row of A
	nv := 0
	for r, full := range live {
		pos[r] = nv
		if full < mr {
			nv += 2
		} else {
			nv++
		}
	}
	nd := len(drow)
	d := mat.NewDense(nd, nv+nd, nil)
	dc := make([]float64, nv+nd)
	db := make([]float64, nd)
	for q, k := range drow {
		db[q] = c[k]
		for r, full := range live {
			v := a.At(r, k)
			switch {
			case v == 0:
			case full < mr:
				d.Set(q, pos[r], v)
				d.Set(q, pos[r]+1, -v)
			default:
				d.Set(q, pos[r], -v)
			}
		}
		d.Set(q, nv+q, 1)
	}
	for r, full := range live {
		if full < mr {
			dc[pos[r]], dc[pos[r]+1] = -b[r], b[r]
		} else {
			dc[pos[r]] = b[r]
		}
	}
	v, st := spxRun(dc, d, db, tol)
	if st != Optimal {
		return nil, false
	}
	y = make([]float64, rows)
	for r, full := range live {
		if full < mr {
			y[r] = v[pos[r]] - v[pos[r]+1]
		} else {
			y[r] = -v[pos[r]]
		}
	}
	return y, true
}

// spxBoundDuals returns the bound multipliers of y: the positive part of
// the reduced cost d = c − Aᵀy on a finite lower bound and its negative part
// on a finite upper bound. It reports false if y fails verification in the
// original data: d of the wrong sign on an infinite bound, or a gap between
// cᵀx and bᵀy + Σ l·zL − Σ u·zU, relative above spxDualTol.
func spxBoundDuals(m *Model, x, y []float64) (zl, zu []float64, ok bool) {
	_, cols := m.A.Dims()
	d := make([]float64, cols)
	m.A.MulTransVecTo(d, y)
	zl, zu = make([]float64, cols), make([]float64, cols)
	viol, dscale := 0.0, 1.0
	pobj, dobj, gscale := 0.0, 0.0, 1.0
	for j, c := range m.C {
		dscale = math.Max(dscale, math.Max(math.Abs(c), math.Abs(d[j])))
		d[j] = c - d[j]
		l, u := m.Lower(j), m.Upper(j)
		switch {
		case d[j] > 0 && math.IsInf(l, -1):
			viol = math.Max(viol, d[j])
		case d[j] > 0:
			zl[j] = d[j]
			dobj += l * zl[j]
			gscale += math.Abs(l * zl[j])
		case d[j] < 0 && math.IsInf(u, 1):
			viol = math.Max(viol, -d[j])
		case d[j] < 0:
			zu[j] = -d[j]
			dobj -= u * zu[j]
			gscale += math.Abs(u * zu[j])
		}
		pobj += c * x[j]
		gscale += math.Abs(c * x[j])
	}
	for i, bi := range m.B {
		dobj += bi * y[i]
		gscale += math.Abs(bi * y[i])
	}
	if !(viol <= spxDualTol*dscale) || !(math.Abs(pobj-dobj) <= spxDualTol*gscale) {
		return nil, nil, false
	}
	return zl, zu, true
}
