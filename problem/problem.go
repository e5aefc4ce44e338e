package problem

import (
	"errors"
	"fmt"
	"math"
)

// Problem is one instance of the canonical objective of DESIGN §2:
//
//	J(f) = Σ_n ω_n ℓ(f(x_n) − y_n) + λ‖D^m f‖_M
//
// or, for the Interp loss, min ‖D^m f‖_M subject to f(x_n) = y_n.
type Problem struct {
	Dim    int       // input dimension d ≥ 1
	X      []float64 // inputs, N×Dim row-major
	Y      []float64 // targets, length N
	W      []float64 // sample weights ω_n ≥ 0; nil means all 1
	Loss   Loss      // data-fidelity term
	Lambda float64   // regularisation weight λ > 0 (ignored by Interp)
	Order  int       // m ≥ 1: the regulariser is the TV of D^{m−1} f
	Skip   bool      // polynomial part of degree < m present (skip connection)
}

// N returns the number of samples.
func (p *Problem) N() int { return len(p.Y) }

// Weight returns ω_i (1 when no weights were given; always 1 for Interp).
func (p *Problem) Weight(i int) float64 {
	if p.W == nil || IsInterp(p.Loss) {
		return 1
	}
	return p.W[i]
}

// Sentinel errors of Validate; wrapped with details.
var (
	ErrNoData     = errors.New("problem: no samples")
	ErrBadLambda  = errors.New("problem: lambda must be finite and > 0")
	ErrBadOrder   = errors.New("problem: order must be between 1 and 4")
	ErrBadWeights = errors.New("problem: invalid weights")
	ErrNotFinite  = errors.New("problem: non-finite value")
	ErrConflict   = errors.New("problem: interpolation with conflicting duplicated inputs")
	ErrBadShape   = errors.New("problem: inputs do not match the samples and dimension")
	ErrNoLoss     = errors.New("problem: no loss")
	ErrBadLoss    = errors.New("problem: invalid loss parameter")
)

// MaxOrder is the largest order m the toolkit supports.
const MaxOrder = 4

// Validate checks the problem's shape and values and returns an error
// that wraps one of the package's sentinel errors. Samples are numbered
// from 1 in its messages.
func (p *Problem) Validate() error {
	n := len(p.Y)
	if n == 0 {
		return ErrNoData
	}
	if p.Dim < 1 || len(p.X) != n*p.Dim {
		return fmt.Errorf("%w: %d inputs for %d samples of dimension %d", ErrBadShape, len(p.X), n, p.Dim)
	}
	if p.Loss == nil {
		return ErrNoLoss
	}
	if h, ok := p.Loss.(Huber); ok && (!(h.Delta > 0) || math.IsInf(h.Delta, 0)) {
		return fmt.Errorf("%w: huber delta must be finite and > 0, got %v", ErrBadLoss, h.Delta)
	}
	if p.Order < 1 || p.Order > MaxOrder {
		return fmt.Errorf("%w (got %d)", ErrBadOrder, p.Order)
	}
	if !IsInterp(p.Loss) && (!(p.Lambda > 0) || math.IsInf(p.Lambda, 0)) {
		return fmt.Errorf("%w (got %v)", ErrBadLambda, p.Lambda)
	}
	for i, v := range p.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: input of sample %d is %v", ErrNotFinite, i/p.Dim+1, v)
		}
	}
	for i, v := range p.Y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: target of sample %d is %v", ErrNotFinite, i+1, v)
		}
	}
	if p.W != nil && !IsInterp(p.Loss) {
		if len(p.W) != n {
			return fmt.Errorf("%w: %d weights for %d samples", ErrBadWeights, len(p.W), n)
		}
		pos := false
		for i, w := range p.W {
			if !(w >= 0) || math.IsInf(w, 0) {
				return fmt.Errorf("%w: weight of sample %d is %v", ErrBadWeights, i+1, w)
			}
			pos = pos || w > 0
		}
		if !pos {
			return fmt.Errorf("%w: all weights are zero", ErrBadWeights)
		}
	}
	return nil
}

// Groups is a 1-D problem's data sorted by x with exactly equal inputs
// gathered into groups that share one fitted value (DESIGN §3).
// Samples of zero weight are kept (they enter certificates with u = 0).
type Groups struct {
	X     []float64 // distinct inputs in increasing order, length G
	Start []int     // group g holds sorted samples Start[g] … Start[g+1]−1; length G+1
	Order []int     // Order[i] is the original index of sorted sample i
	Y     []float64 // targets in sorted order, length N
	W     []float64 // weights in sorted order, length N
	SumW  []float64 // Σω of each group, length G
	MeanY []float64 // ω-weighted mean target of each group (plain mean if SumW is 0)
}

// G returns the number of distinct inputs.
func (g *Groups) G() int { return len(g.X) }

// Group1D sorts a 1-D problem's samples and gathers duplicated inputs.
// For Interp, duplicated inputs with different targets are an error
// wrapping ErrConflict.
func (p *Problem) Group1D() (*Groups, error) {
	if p.Dim != 1 {
		return nil, fmt.Errorf("%w: Group1D needs dimension 1, got %d", ErrBadShape, p.Dim)
	}
	n := p.N()
	ord, xs := sortedOrder(p.X, true)
	g := &Groups{Order: ord, Y: make([]float64, n), W: make([]float64, n)}
	// One gathering pass (random reads), in halves on two goroutines for
	// large N, then sequential work only.
	parts := 1
	if n >= parallelMin {
		parts = 2
	}
	concurrently(parts, func(part int) {
		a, b := part*n/parts, (part+1)*n/parts
		if p.W == nil || IsInterp(p.Loss) {
			for i, o := range ord[a:b] {
				g.Y[a+i] = p.Y[o]
				g.W[a+i] = 1
			}
			return
		}
		for i, o := range ord[a:b] {
			g.Y[a+i] = p.Y[o]
			g.W[a+i] = p.W[o]
		}
	})
	G := 0
	for i := range xs {
		if i == 0 || xs[i] != xs[i-1] {
			G++
		}
	}
	// The distinct inputs are gathered in place: group k starts at a
	// sorted sample i ≥ k.
	g.X = xs[:G:G]
	g.Start = make([]int, G+1)
	g.SumW = make([]float64, G)
	g.MeanY = make([]float64, G)
	interp := IsInterp(p.Loss)
	k := 0
	for i := 0; i < n; k++ {
		j := i + 1
		for j < n && xs[j] == xs[i] {
			j++
		}
		if j == i+1 {
			// A single sample: the sums below without their loops (0.0 + v
			// as they form it, which turns −0 into +0).
			w, y := g.W[i], g.Y[i]
			sw, swy, mean := 0.0+w, 0.0+w*y, 0.0+y
			if sw > 0 {
				mean = swy / sw
			}
			g.X[k], g.Start[k], g.SumW[k], g.MeanY[k] = xs[i], i, sw, mean
			i = j
			continue
		}
		sw, swy, sy := 0.0, 0.0, 0.0
		for l := i; l < j; l++ {
			sw += g.W[l]
			swy += g.W[l] * g.Y[l]
			sy += g.Y[l]
			if interp && g.Y[l] != g.Y[i] {
				return nil, fmt.Errorf("%w: x = %v has targets %v (sample %d) and %v (sample %d)",
					ErrConflict, xs[i], g.Y[i], ord[i]+1, g.Y[l], ord[l]+1)
			}
		}
		mean := sy / float64(j-i)
		if sw > 0 {
			mean = swy / sw
		}
		g.X[k] = xs[i]
		g.Start[k] = i
		g.SumW[k] = sw
		g.MeanY[k] = mean
		i = j
	}
	g.Start[G] = n
	return g, nil
}

// MergeConstant returns Σ_g ½Σ_{i∈g} ω_i (y_i − ȳ_g)², the part of the
// squared loss that merging duplicated inputs removes (DESIGN §3).
func (g *Groups) MergeConstant() float64 {
	c := 0.0
	for k := range g.X {
		for i := g.Start[k]; i < g.Start[k+1]; i++ {
			d := g.Y[i] - g.MeanY[k]
			c += 0.5 * g.W[i] * d * d
		}
	}
	return c
}
