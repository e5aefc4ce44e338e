package lp

import (
	"errors"
	"fmt"
	"math"
)

// Model is the convex program
//
//	minimise   ½·Σ_j Q_j x_j² + cᵀx
//	subject to A x = b,  L ≤ x ≤ U,
//
// with a diagonal, non-negative Q (nil: a linear program) and bounds that
// may be infinite (nil L means all 0, nil U means all +Inf).
type Model struct {
	C []float64 // objective, length n
	Q []float64 // diagonal quadratic term, nil or length n, ≥ 0
	A *Sparse   // m×n constraint matrix
	B []float64 // right-hand side, length m
	L []float64 // lower bounds (−Inf allowed); nil means 0
	U []float64 // upper bounds (+Inf allowed); nil means +Inf
}

// Lower returns the lower bound of variable j.
func (m *Model) Lower(j int) float64 {
	if m.L == nil {
		return 0
	}
	return m.L[j]
}

// Upper returns the upper bound of variable j.
func (m *Model) Upper(j int) float64 {
	if m.U == nil {
		return math.Inf(1)
	}
	return m.U[j]
}

// IsLP reports whether the model has no quadratic term.
func (m *Model) IsLP() bool {
	for _, q := range m.Q {
		if q != 0 {
			return false
		}
	}
	return true
}

// ErrModel is wrapped by every error of Model.Check.
var ErrModel = errors.New("lp: invalid model")

// Check validates shapes and values; it never panics.
func (m *Model) Check() error {
	if m.A == nil {
		return fmt.Errorf("%w: no constraint matrix", ErrModel)
	}
	rows, cols := m.A.Dims()
	if len(m.C) != cols {
		return fmt.Errorf("%w: %d costs for %d columns", ErrModel, len(m.C), cols)
	}
	if len(m.B) != rows {
		return fmt.Errorf("%w: %d right-hand sides for %d rows", ErrModel, len(m.B), rows)
	}
	if m.Q != nil && len(m.Q) != cols {
		return fmt.Errorf("%w: %d quadratic terms for %d columns", ErrModel, len(m.Q), cols)
	}
	if m.L != nil && len(m.L) != cols || m.U != nil && len(m.U) != cols {
		return fmt.Errorf("%w: bounds do not match %d columns", ErrModel, cols)
	}
	for j := 0; j < cols; j++ {
		if !finite(m.C[j]) {
			return fmt.Errorf("%w: cost %d is %v", ErrModel, j, m.C[j])
		}
		if m.Q != nil && (!finite(m.Q[j]) || m.Q[j] < 0) {
			return fmt.Errorf("%w: quadratic term %d is %v", ErrModel, j, m.Q[j])
		}
		l, u := m.Lower(j), m.Upper(j)
		if math.IsNaN(l) || math.IsNaN(u) || l > u || l == math.Inf(1) || u == math.Inf(-1) {
			return fmt.Errorf("%w: bounds of variable %d are [%v, %v]", ErrModel, j, l, u)
		}
	}
	for i, v := range m.B {
		if !finite(v) {
			return fmt.Errorf("%w: right-hand side %d is %v", ErrModel, i, v)
		}
	}
	for _, v := range m.A.Val {
		if !finite(v) {
			return fmt.Errorf("%w: constraint matrix holds %v", ErrModel, v)
		}
	}
	return nil
}

// Objective returns ½Σ Q_j x_j² + cᵀx.
func (m *Model) Objective(x []float64) float64 {
	s := 0.0
	for j, c := range m.C {
		s += c * x[j]
		if m.Q != nil {
			s += 0.5 * m.Q[j] * x[j] * x[j]
		}
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Sparse is a matrix in compressed-column form.
type Sparse struct {
	rows, cols int
	ColPtr     []int     // column j holds entries ColPtr[j] … ColPtr[j+1]−1
	RowIdx     []int     // row of each entry, increasing within a column
	Val        []float64 // value of each entry
}

// Dims returns the matrix's shape.
func (s *Sparse) Dims() (r, c int) { return s.rows, s.cols }

// Triplets accumulates matrix entries column by column. Columns must be
// started in order with Col; entries of a column may come in any row order.
type Triplets struct {
	rows int
	s    Sparse
}

// NewTriplets returns a builder for a matrix with the given number of rows.
func NewTriplets(rows int) *Triplets {
	return &Triplets{rows: rows, s: Sparse{rows: rows, ColPtr: []int{0}}}
}

// Col starts a new column.
func (t *Triplets) Col() {
	t.s.ColPtr = append(t.s.ColPtr, len(t.s.RowIdx))
	t.s.cols++
}

// Add adds v at row i of the current column (zeros are skipped).
func (t *Triplets) Add(i int, v float64) {
	if i < 0 || i >= t.rows || t.s.cols == 0 {
		panic("lp: triplet out of range")
	}
	if v == 0 {
		return
	}
	t.s.RowIdx = append(t.s.RowIdx, i)
	t.s.Val = append(t.s.Val, v)
	t.s.ColPtr[t.s.cols] = len(t.s.RowIdx)
}

// Matrix returns the assembled matrix (rows within a column sorted, and
// duplicates summed).
func (t *Triplets) Matrix() *Sparse {
	s := t.s
	for j := 0; j < s.cols; j++ {
		lo, hi := s.ColPtr[j], s.ColPtr[j+1]
		for a := lo + 1; a < hi; a++ { // insertion sort: columns are short
			for b := a; b > lo && s.RowIdx[b-1] > s.RowIdx[b]; b-- {
				s.RowIdx[b-1], s.RowIdx[b] = s.RowIdx[b], s.RowIdx[b-1]
				s.Val[b-1], s.Val[b] = s.Val[b], s.Val[b-1]
			}
		}
	}
	// Sum duplicates in place.
	out := 0
	ptr := make([]int, s.cols+1)
	for j := 0; j < s.cols; j++ {
		ptr[j] = out
		for k := s.ColPtr[j]; k < s.ColPtr[j+1]; k++ {
			if out > ptr[j] && s.RowIdx[out-1] == s.RowIdx[k] {
				s.Val[out-1] += s.Val[k]
				continue
			}
			s.RowIdx[out], s.Val[out] = s.RowIdx[k], s.Val[k]
			out++
		}
	}
	ptr[s.cols] = out
	s.ColPtr, s.RowIdx, s.Val = ptr, s.RowIdx[:out], s.Val[:out]
	return &s
}

// MulVecTo sets dst = A·x.
func (s *Sparse) MulVecTo(dst, x []float64) {
	if len(dst) != s.rows || len(x) != s.cols {
		panic("lp: size mismatch")
	}
	for i := range dst {
		dst[i] = 0
	}
	for j := 0; j < s.cols; j++ {
		xj := x[j]
		if xj == 0 {
			continue
		}
		for k := s.ColPtr[j]; k < s.ColPtr[j+1]; k++ {
			dst[s.RowIdx[k]] += s.Val[k] * xj
		}
	}
}

// MulTransVecTo sets dst = Aᵀ·y.
func (s *Sparse) MulTransVecTo(dst, y []float64) {
	if len(dst) != s.cols || len(y) != s.rows {
		panic("lp: size mismatch")
	}
	for j := 0; j < s.cols; j++ {
		v := 0.0
		for k := s.ColPtr[j]; k < s.ColPtr[j+1]; k++ {
			v += s.Val[k] * y[s.RowIdx[k]]
		}
		dst[j] = v
	}
}

// At returns element (i, j) (slow; for tests and conversions).
func (s *Sparse) At(i, j int) float64 {
	for k := s.ColPtr[j]; k < s.ColPtr[j+1]; k++ {
		if s.RowIdx[k] == i {
			return s.Val[k]
		}
	}
	return 0
}
