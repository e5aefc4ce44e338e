package problem

import (
	"errors"
	"fmt"
	"math"

	"github.com/ridgeline-nn/ridgeline/internal/parallel"
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
	// The inputs and the targets are checked concurrently for large N.
	var badX, badY int
	parallel.Run(parallel.Parts(n), func(part int) {
		if part == 0 {
			badX = firstNonFinite(p.X)
		}
		if part == 1 || n < parallel.Min {
			badY = firstNonFinite(p.Y)
		}
	})
	if badX >= 0 {
		return fmt.Errorf("%w: input of sample %d is %v", ErrNotFinite, badX/p.Dim+1, p.X[badX])
	}
	if badY >= 0 {
		return fmt.Errorf("%w: target of sample %d is %v", ErrNotFinite, badY+1, p.Y[badY])
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

// firstNonFinite returns the index of the first NaN or infinity in v, or
// −1. It tests blocks of finiteBlock values at a time by the sums of
// v − v (0 for a finite v, NaN otherwise) in two independent accumulators,
// which costs a subtraction and an addition per value and no branch, and
// looks for the index only in a block whose sum is not 0.
func firstNonFinite(v []float64) int {
	for k := 0; k < len(v); k += finiteBlock {
		b := v[k:min(k+finiteBlock, len(v))]
		s0, s1 := 0.0, 0.0
		i := 0
		for ; i+1 < len(b); i += 2 {
			s0 += b[i] - b[i]
			s1 += b[i+1] - b[i+1]
		}
		if i < len(b) {
			s0 += b[i] - b[i]
		}
		if s0+s1 == 0 {
			continue
		}
		for i, x := range b {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return k + i
			}
		}
	}
	return -1
}

// finiteBlock is the number of values firstNonFinite tests at a time.
const finiteBlock = 256

// Groups is a 1-D problem's data sorted by x with exactly equal inputs
// gathered into groups that share one fitted value (DESIGN §3).
// Samples of zero weight are kept (they enter certificates with u = 0).
// Its slices are read-only: when every group holds a single sample of
// weight 1, SumW is W and MeanY is Y (the same memory).
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
	ord, xs := sortedOrder(p.X, true)
	return p.grouped(ord, xs, nil, nil, true)
}

// GroupSorted is Group1D for a caller that holds the samples in sorted
// order already: ord is SortedOrder(p.X), xs[k] = p.X[ord[k]],
// ys[k] = p.Y[ord[k]] and, if not nil, ws[k] = p.Weight(ord[k]). The
// sorted arrays are taken as they are, not checked (a certificate checks
// whatever it relies on), and not modified: the Groups share their memory
// (X with xs when no input repeats, Y with ys, W with ws).
func (p *Problem) GroupSorted(ord []int, xs, ys, ws []float64) (*Groups, error) {
	if p.Dim != 1 {
		return nil, fmt.Errorf("%w: GroupSorted needs dimension 1, got %d", ErrBadShape, p.Dim)
	}
	n := p.N()
	if len(ord) != n || len(xs) != n || len(ys) != n || ws != nil && len(ws) != n {
		return nil, fmt.Errorf("%w: sorted data of lengths %d, %d, %d and %d for %d samples", ErrBadShape, len(ord), len(xs), len(ys), len(ws), n)
	}
	return p.grouped(ord, xs, ys, ws, false)
}

// SortedValues returns SortedOrder(x) and x in that order.
func SortedValues(x []float64) (ord []int, xs []float64) {
	return sortedOrder(x, true)
}

// grouped forms the groups of p's samples in the sorted order ord, whose
// inputs are xs; ys and ws are the sorted targets and weights, or nil to
// gather them (for weights: to take them from p). With own set, xs
// belongs to the Groups and the distinct inputs may be gathered in place.
func (p *Problem) grouped(ord []int, xs, ys, ws []float64, own bool) (*Groups, error) {
	n := p.N()
	interp := IsInterp(p.Loss)
	weighted := p.W != nil && !interp
	g := &Groups{Order: ord, Y: ys, W: ws}
	gatherY, fillW := ys == nil, ws == nil
	if gatherY {
		g.Y = make([]float64, n)
	}
	if fillW {
		g.W = make([]float64, n)
	}
	// For large N the sorted samples are cut into two parts at a group
	// boundary and each part is gathered (random reads) and grouped on
	// its own goroutine; the counts of the first pass place the second
	// part's groups.
	parts := parallel.Parts(n)
	cut := make([]int, parts+1)
	cut[parts] = n
	for q := 1; q < parts; q++ {
		c := max(q*n/parts, cut[q-1])
		for c < n && c > 0 && xs[c] == xs[c-1] {
			c++
		}
		cut[q] = c
	}
	first := make([]int, parts+1) // the first group of each part, then G
	parallel.Run(parts, func(q int) {
		a, b := cut[q], cut[q+1]
		if gatherY {
			for i, o := range ord[a:b] {
				g.Y[a+i] = p.Y[o]
			}
		}
		switch {
		case !fillW:
		case weighted:
			for i, o := range ord[a:b] {
				g.W[a+i] = p.W[o]
			}
		default:
			w := g.W[a:b]
			for i := range w {
				w[i] = 1
			}
		}
		groups := 0
		for i := a; i < b; i++ {
			if i == a || xs[i] != xs[i-1] {
				groups++
			}
		}
		first[q+1] = groups
	})
	for q := 1; q <= parts; q++ {
		first[q] += first[q-1]
	}
	G := first[parts]
	if G == n && !weighted {
		// Every group is one sample of weight 1: its Σω is that weight
		// and its mean that target, so SumW and MeanY share the memory of
		// W and Y; the groups start at their samples.
		g.X = xs
		g.Start = make([]int, n+1)
		parallel.Run(parts, func(q int) {
			a, b := q*(n+1)/parts, (q+1)*(n+1)/parts
			for i := a; i < b; i++ {
				g.Start[i] = i
			}
		})
		g.SumW, g.MeanY = g.W, g.Y
		return g, nil
	}
	// The distinct inputs are gathered in place (group k starts at a
	// sorted sample i ≥ k) unless xs is not the Groups' own or a part
	// would write where an earlier part still reads: when a part but the
	// last has duplicated inputs.
	switch {
	case G == n:
		g.X = xs
	case own:
		g.X = xs[:G:G]
		for q := 1; q < parts; q++ {
			if first[q] != cut[q] {
				g.X = make([]float64, G)
			}
		}
	default:
		g.X = make([]float64, G)
	}
	g.Start = make([]int, G+1)
	g.SumW = make([]float64, G)
	g.MeanY = make([]float64, G)
	errs := make([]error, parts)
	parallel.Run(parts, func(q int) {
		errs[q] = g.group(xs, cut[q], cut[q+1], first[q], interp, G < n)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err // the first in sorted order
		}
	}
	g.Start[G] = n
	return g, nil
}

// group forms the groups of the sorted samples a … b−1 (a and b at group
// boundaries), numbering them from k: their starts, Σω, mean targets and,
// with setX, inputs (X is xs otherwise). For Interp a
// duplicated input with different targets is an error wrapping
// ErrConflict.
func (g *Groups) group(xs []float64, a, b, k int, interp, setX bool) error {
	for i := a; i < b; k++ {
		j := i + 1
		for j < b && xs[j] == xs[i] {
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
			if setX {
				g.X[k] = xs[i]
			}
			g.Start[k], g.SumW[k], g.MeanY[k] = i, sw, mean
			i = j
			continue
		}
		sw, swy, sy := 0.0, 0.0, 0.0
		for l := i; l < j; l++ {
			sw += g.W[l]
			swy += g.W[l] * g.Y[l]
			sy += g.Y[l]
			if interp && g.Y[l] != g.Y[i] {
				return fmt.Errorf("%w: x = %v has targets %v (sample %d) and %v (sample %d)",
					ErrConflict, xs[i], g.Y[i], g.Order[i]+1, g.Y[l], g.Order[l]+1)
			}
		}
		mean := sy / float64(j-i)
		if sw > 0 {
			mean = swy / sw
		}
		if setX {
			g.X[k] = xs[i]
		}
		g.Start[k] = i
		g.SumW[k] = sw
		g.MeanY[k] = mean
		i = j
	}
	return nil
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
