package problem

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats/scalar"
)

// validProblem returns a small valid 1-D problem for tests to modify.
func validProblem() *Problem {
	return &Problem{
		Dim:    1,
		X:      []float64{0, 1, 2, 3},
		Y:      []float64{1, 0, 2, 1},
		W:      []float64{1, 2, 0, 1},
		Loss:   Squared{},
		Lambda: 0.1,
		Order:  2,
		Skip:   true,
	}
}

func TestValidate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name    string
		modify  func(p *Problem)
		wantIs  error  // nil: valid
		wantMsg string // full message if not ""
	}{
		{name: "valid", modify: func(*Problem) {}},
		{name: "no weights", modify: func(p *Problem) { p.W = nil }},
		{name: "order 1", modify: func(p *Problem) { p.Order = 1 }},
		{name: "order 4", modify: func(p *Problem) { p.Order = MaxOrder }},
		{name: "l1", modify: func(p *Problem) { p.Loss = L1{} }},
		{name: "huber", modify: func(p *Problem) { p.Loss = Huber{Delta: 0.5} }},
		{name: "interp ignores lambda", modify: func(p *Problem) { p.Loss, p.Lambda = Interp{}, 0 }},
		{name: "interp ignores weights", modify: func(p *Problem) { p.Loss, p.W = Interp{}, []float64{-1, nan} }},
		{name: "2-D", modify: func(p *Problem) { p.Dim, p.X = 2, []float64{0, 0, 1, 0, 0, 1, 1, 1} }},

		{name: "no samples", modify: func(p *Problem) { p.X, p.Y, p.W = nil, nil, nil },
			wantIs: ErrNoData, wantMsg: "problem: no samples"},
		{name: "dim 0", modify: func(p *Problem) { p.Dim = 0 }, wantIs: ErrBadShape},
		{name: "short X", modify: func(p *Problem) { p.X = p.X[:3] }, wantIs: ErrBadShape,
			wantMsg: "problem: inputs do not match the samples and dimension: 3 inputs for 4 samples of dimension 1"},
		{name: "no loss", modify: func(p *Problem) { p.Loss = nil }, wantIs: ErrNoLoss},
		{name: "huber delta 0", modify: func(p *Problem) { p.Loss = Huber{} }, wantIs: ErrBadLoss,
			wantMsg: "problem: invalid loss parameter: huber delta must be finite and > 0, got 0"},
		{name: "huber delta NaN", modify: func(p *Problem) { p.Loss = Huber{Delta: nan} }, wantIs: ErrBadLoss},
		{name: "order 0", modify: func(p *Problem) { p.Order = 0 }, wantIs: ErrBadOrder,
			wantMsg: "problem: order must be between 1 and 4 (got 0)"},
		{name: "order 5", modify: func(p *Problem) { p.Order = MaxOrder + 1 }, wantIs: ErrBadOrder},
		{name: "order -2", modify: func(p *Problem) { p.Order = -2 }, wantIs: ErrBadOrder},
		{name: "lambda 0", modify: func(p *Problem) { p.Lambda = 0 }, wantIs: ErrBadLambda,
			wantMsg: "problem: lambda must be finite and > 0 (got 0)"},
		{name: "lambda negative", modify: func(p *Problem) { p.Lambda = -1 }, wantIs: ErrBadLambda},
		{name: "lambda NaN", modify: func(p *Problem) { p.Lambda = nan }, wantIs: ErrBadLambda},
		{name: "lambda Inf", modify: func(p *Problem) { p.Lambda = inf }, wantIs: ErrBadLambda},
		{name: "lambda 0 l1", modify: func(p *Problem) { p.Loss, p.Lambda = L1{}, 0 }, wantIs: ErrBadLambda},
		{name: "x NaN", modify: func(p *Problem) { p.X[2] = nan }, wantIs: ErrNotFinite,
			wantMsg: "problem: non-finite value: input of sample 3 is NaN"},
		{name: "x Inf 2-D", modify: func(p *Problem) { p.Dim, p.X = 2, []float64{0, 0, 1, 0, 0, -inf, 1, 1} },
			wantIs: ErrNotFinite, wantMsg: "problem: non-finite value: input of sample 3 is -Inf"},
		{name: "y Inf", modify: func(p *Problem) { p.Y[0] = inf }, wantIs: ErrNotFinite,
			wantMsg: "problem: non-finite value: target of sample 1 is +Inf"},
		{name: "y NaN interp", modify: func(p *Problem) { p.Loss, p.Y[3] = Interp{}, nan }, wantIs: ErrNotFinite},
		{name: "negative weight", modify: func(p *Problem) { p.W[1] = -0.5 }, wantIs: ErrBadWeights,
			wantMsg: "problem: invalid weights: weight of sample 2 is -0.5"},
		{name: "NaN weight", modify: func(p *Problem) { p.W[3] = nan }, wantIs: ErrBadWeights},
		{name: "Inf weight", modify: func(p *Problem) { p.W[3] = inf }, wantIs: ErrBadWeights},
		{name: "short weights", modify: func(p *Problem) { p.W = p.W[:2] }, wantIs: ErrBadWeights,
			wantMsg: "problem: invalid weights: 2 weights for 4 samples"},
		{name: "zero weights", modify: func(p *Problem) { p.W = make([]float64, 4) }, wantIs: ErrBadWeights,
			wantMsg: "problem: invalid weights: all weights are zero"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := validProblem()
			tc.modify(p)
			err := p.Validate()
			if tc.wantIs == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.wantIs)
			if tc.wantMsg != "" {
				assert.EqualError(t, err, tc.wantMsg)
			}
		})
	}
}

func TestWeight(t *testing.T) {
	p := validProblem()
	assert.Equal(t, 2.0, p.Weight(1))
	assert.Equal(t, 0.0, p.Weight(2))
	p.Loss = Interp{}
	assert.Equal(t, 1.0, p.Weight(2), "Interp ignores weights")
	p.Loss, p.W = Squared{}, nil
	assert.Equal(t, 1.0, p.Weight(3), "nil weights are 1")
	assert.Equal(t, 4, p.N())
}

func TestGroup1D(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Problem
		want Groups
		// mergeConst is ½Σω(y − ȳ)² over the groups, by hand.
		mergeConst float64
	}{
		{
			name: "sorted distinct",
			p:    Problem{Dim: 1, X: []float64{1, 2, 3}, Y: []float64{5, 6, 7}, Loss: Squared{}},
			want: Groups{
				X: []float64{1, 2, 3}, Start: []int{0, 1, 2, 3}, Order: []int{0, 1, 2},
				Y: []float64{5, 6, 7}, W: []float64{1, 1, 1},
				SumW: []float64{1, 1, 1}, MeanY: []float64{5, 6, 7},
			},
		},
		{
			name: "unsorted",
			p:    Problem{Dim: 1, X: []float64{3, -1, 2}, Y: []float64{30, -10, 20}, W: []float64{1, 2, 3}, Loss: L1{}},
			want: Groups{
				X: []float64{-1, 2, 3}, Start: []int{0, 1, 2, 3}, Order: []int{1, 2, 0},
				Y: []float64{-10, 20, 30}, W: []float64{2, 3, 1},
				SumW: []float64{2, 3, 1}, MeanY: []float64{-10, 20, 30},
			},
		},
		{
			// Group x = 1: ω = (1, 3), y = (0, 4): ȳ = 3, ½(1·9 + 3·1) = 6.
			// Group x = 2: ω = (2, 2, 0), y = (1, 2, 100): ȳ = 1.5, ½(2·¼ + 2·¼) = ½.
			name: "weighted duplicates",
			p: Problem{Dim: 1,
				X:    []float64{2, 1, 2, 0, 1, 2},
				Y:    []float64{1, 0, 2, 7, 4, 100},
				W:    []float64{2, 1, 2, 5, 3, 0},
				Loss: Squared{}},
			want: Groups{
				X: []float64{0, 1, 2}, Start: []int{0, 1, 3, 6}, Order: []int{3, 1, 4, 0, 2, 5},
				Y: []float64{7, 0, 4, 1, 2, 100}, W: []float64{5, 1, 3, 2, 2, 0},
				SumW: []float64{5, 4, 4}, MeanY: []float64{7, 3, 1.5},
			},
			mergeConst: 6.5,
		},
		{
			// All weights of the group zero: the plain mean, no constant.
			name: "zero-weight group",
			p:    Problem{Dim: 1, X: []float64{1, 1, 0}, Y: []float64{2, 4, 0}, W: []float64{0, 0, 1}, Loss: Squared{}},
			want: Groups{
				X: []float64{0, 1}, Start: []int{0, 1, 3}, Order: []int{2, 0, 1},
				Y: []float64{0, 2, 4}, W: []float64{1, 0, 0},
				SumW: []float64{1, 0}, MeanY: []float64{0, 3},
			},
		},
		{
			// Interp ignores weights and accepts duplicates that agree.
			name: "interp agreeing duplicates",
			p:    Problem{Dim: 1, X: []float64{1, 0, 1}, Y: []float64{2, 0, 2}, W: []float64{5, 5, 0}, Loss: Interp{}},
			want: Groups{
				X: []float64{0, 1}, Start: []int{0, 1, 3}, Order: []int{1, 0, 2},
				Y: []float64{0, 2, 2}, W: []float64{1, 1, 1},
				SumW: []float64{1, 2}, MeanY: []float64{0, 2},
			},
		},
		{
			name: "signed zeros are one input",
			p:    Problem{Dim: 1, X: []float64{0, math.Copysign(0, -1)}, Y: []float64{1, 3}, Loss: Squared{}},
			want: Groups{
				X: []float64{0}, Start: []int{0, 2}, Order: []int{0, 1},
				Y: []float64{1, 3}, W: []float64{1, 1},
				SumW: []float64{2}, MeanY: []float64{2},
			},
			mergeConst: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := tc.p.Group1D()
			require.NoError(t, err)
			assert.Equal(t, tc.want.X, g.X, "X")
			assert.Equal(t, tc.want.Start, g.Start, "Start")
			assert.Equal(t, tc.want.Order, g.Order, "Order")
			assert.Equal(t, tc.want.Y, g.Y, "Y")
			assert.Equal(t, tc.want.W, g.W, "W")
			assert.Equal(t, tc.want.SumW, g.SumW, "SumW")
			assert.InDeltaSlice(t, tc.want.MeanY, g.MeanY, 1e-14, "MeanY")
			assert.Equal(t, len(tc.want.X), g.G())
			assert.InDelta(t, tc.mergeConst, g.MergeConstant(), 1e-14, "MergeConstant")
		})
	}
}

// TestMergeConstantIdentity checks the identity behind merging duplicated
// inputs (DESIGN §3): for any fitted value z_g of each group,
//
//	Σ_n ω_n ½(z − y_n)² = Σ_g (Σω)_g ½(z_g − ȳ_g)² + MergeConstant.
func TestMergeConstantIdentity(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	const n = 60
	p := &Problem{Dim: 1, Loss: Squared{}, Lambda: 1, Order: 2}
	for range n {
		p.X = append(p.X, float64(rnd.IntN(12))) // many duplicates
		p.Y = append(p.Y, rnd.NormFloat64())
		p.W = append(p.W, rnd.Float64()*float64(rnd.IntN(2)))
	}
	p.W[0] = 1
	require.NoError(t, p.Validate())
	g, err := p.Group1D()
	require.NoError(t, err)
	for range 5 {
		z := make([]float64, g.G())
		for k := range z {
			z[k] = 3 * rnd.NormFloat64()
		}
		full := 0.0
		for k := range g.X {
			for i := g.Start[k]; i < g.Start[k+1]; i++ {
				// Evaluate through Order so the permutation is checked too.
				o := g.Order[i]
				require.Equal(t, g.X[k], p.X[o])
				full += p.Weight(o) * Squared{}.Value(z[k]-p.Y[o])
			}
		}
		merged := g.MergeConstant()
		for k := range g.X {
			merged += g.SumW[k] * Squared{}.Value(z[k]-g.MeanY[k])
		}
		assert.True(t, scalar.EqualWithinAbsOrRel(full, merged, 1e-12, 1e-12), "full %v, merged %v", full, merged)
	}
}

// TestGroup1DMatchesReference checks Group1D on random data large enough
// for the distribution sort, with many duplicates, weights (some zero) and
// unit weights, against a grouping computed directly from the definition:
// a stable sort of the indices by x, then runs of equal x.
func TestGroup1DMatchesReference(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name     string
		n        int
		distinct int // values of x drawn from; 0: continuous
		weights  bool
	}{
		{"continuous unit weights", 3 * radixMin, 0, false},
		{"continuous weighted", 3 * radixMin, 0, true},
		{"many duplicates weighted", 3 * radixMin, 500, true},
		{"few values unit weights", 3 * radixMin, 7, false},
		{"small weighted", 300, 40, true},
		{"halves weighted", parallelMin + 5, 3 * radixMin, true},
		{"halves unit weights", parallelMin + 5, 0, false},
		{"halves few values", parallelMin + 5, 3, false},
		{"halves one value", parallelMin + 5, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Problem{Dim: 1, X: make([]float64, tc.n), Y: make([]float64, tc.n), Loss: Squared{}, Lambda: 1, Order: 1}
			if tc.weights {
				p.W = make([]float64, tc.n)
			}
			for i := range p.X {
				if tc.distinct > 0 {
					p.X[i] = float64(rnd.IntN(tc.distinct)) - 0.5*float64(tc.distinct)
				} else {
					p.X[i] = rnd.NormFloat64()
				}
				p.Y[i] = rnd.NormFloat64()
				if p.W != nil {
					p.W[i] = rnd.Float64() * float64(rnd.IntN(3))
				}
			}
			if p.W != nil {
				p.W[0] = 1
			}
			require.NoError(t, p.Validate())
			g, err := p.Group1D()
			require.NoError(t, err)

			want := make([]int, tc.n)
			for i := range want {
				want[i] = i
			}
			sort.SliceStable(want, func(a, b int) bool { return p.X[want[a]] < p.X[want[b]] })
			require.Equal(t, want, g.Order)
			k := -1
			for i, o := range want {
				require.Equal(t, p.Y[o], g.Y[i])
				require.Equal(t, p.Weight(o), g.W[i])
				if i == 0 || p.X[o] != p.X[want[i-1]] {
					k++
					require.Less(t, k, g.G())
					require.Equal(t, p.X[o], g.X[k])
					require.Equal(t, i, g.Start[k])
				}
			}
			require.Equal(t, k+1, g.G())
			require.Equal(t, tc.n, g.Start[g.G()])

			// GroupSorted on the same data sorted by the caller, with the
			// weights given and taken from p, groups alike and leaves the
			// sorted arrays as they were.
			ord, xs := SortedValues(p.X)
			require.Equal(t, g.Order, ord)
			ys, ws := make([]float64, tc.n), make([]float64, tc.n)
			for k, i := range ord {
				ys[k], ws[k] = p.Y[i], p.Weight(i)
			}
			for _, given := range [][]float64{nil, ws} {
				xs0, ys0, ws0 := slices.Clone(xs), slices.Clone(ys), slices.Clone(ws)
				h, err := p.GroupSorted(ord, xs, ys, given)
				require.NoError(t, err)
				require.Equal(t, g.X, h.X)
				require.Equal(t, g.Start, h.Start)
				require.Equal(t, g.Y, h.Y)
				require.Equal(t, g.W, h.W)
				require.Equal(t, g.SumW, h.SumW)
				require.Equal(t, g.MeanY, h.MeanY)
				require.Equal(t, xs0, xs)
				require.Equal(t, ys0, ys)
				require.Equal(t, ws0, ws)
			}
			for k := range g.X {
				sw, swy := 0.0, 0.0
				for i := g.Start[k]; i < g.Start[k+1]; i++ {
					sw += g.W[i]
					swy += g.W[i] * g.Y[i]
				}
				require.Equal(t, sw, g.SumW[k])
				if sw > 0 {
					require.Equal(t, swy/sw, g.MeanY[k])
				}
			}
		})
	}
}

func TestGroup1DErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		p       Problem
		wantIs  error
		wantMsg string
	}{
		{
			name:    "interp conflict",
			p:       Problem{Dim: 1, X: []float64{0, 1, 1, 2}, Y: []float64{0, 1, 2, 0}, Loss: Interp{}},
			wantIs:  ErrConflict,
			wantMsg: "problem: interpolation with conflicting duplicated inputs: x = 1 has targets 1 (sample 2) and 2 (sample 3)",
		},
		{
			name:    "interp conflict unsorted",
			p:       Problem{Dim: 1, X: []float64{5, 2, 5}, Y: []float64{1, 0, 1.5}, Loss: Interp{}},
			wantIs:  ErrConflict,
			wantMsg: "problem: interpolation with conflicting duplicated inputs: x = 5 has targets 1 (sample 1) and 1.5 (sample 3)",
		},
		{
			name:   "2-D",
			p:      Problem{Dim: 2, X: []float64{0, 1}, Y: []float64{0}, Loss: Squared{}},
			wantIs: ErrBadShape,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := tc.p.Group1D()
			assert.Nil(t, g)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.wantIs)
			if tc.wantMsg != "" {
				assert.EqualError(t, err, tc.wantMsg)
			}
		})
	}
	// Large enough to be grouped in two parts, with conflicts in both:
	// the first in sorted order is reported.
	n := parallelMin + 10
	big := Problem{Dim: 1, X: make([]float64, n), Y: make([]float64, n), Loss: Interp{}}
	for i := range big.X {
		big.X[i] = float64(n - i)
	}
	big.X[0], big.Y[0] = 1, 7                // conflicts with x = 1 at the end
	big.X[n-3], big.Y[n-3] = float64(n-5), 9 // conflicts with x = n−5 at sample 6
	_, err := big.Group1D()
	require.ErrorIs(t, err, ErrConflict)
	assert.Contains(t, err.Error(), "x = 1 has targets")

	// GroupSorted: sorted data of the wrong length, and the conflict.
	small := Problem{Dim: 1, X: []float64{0, 1, 1, 2}, Y: []float64{0, 1, 2, 0}, Loss: Interp{}}
	ord, xs := SortedValues(small.X)
	_, err = small.GroupSorted(ord, xs, []float64{0, 1, 2}, nil)
	require.ErrorIs(t, err, ErrBadShape)
	_, err = small.GroupSorted(ord, xs, []float64{0, 1, 2, 0}, nil)
	require.ErrorIs(t, err, ErrConflict)

	// The same data with a loss that merges duplicates is fine.
	p := Problem{Dim: 1, X: []float64{0, 1, 1, 2}, Y: []float64{0, 1, 2, 0}, Loss: Squared{}}
	g, err := p.Group1D()
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 1.5, 0}, g.MeanY)
	assert.False(t, errors.Is(err, ErrConflict))
}

func TestDataProblem(t *testing.T) {
	d := &Data{Dim: 1, X: []float64{0, 1}, Y: []float64{2, 3}, W: []float64{1, 0.5}}
	p := d.Problem(L1{}, 0.25, 3, false)
	require.NoError(t, p.Validate())
	assert.Equal(t, &Problem{Dim: 1, X: []float64{0, 1}, Y: []float64{2, 3}, W: []float64{1, 0.5},
		Loss: L1{}, Lambda: 0.25, Order: 3, Skip: false}, p)
	// The problem owns its slices.
	p.X[0], p.Y[0], p.W[0] = 9, 9, 9
	assert.Equal(t, []float64{0, 1}, d.X)
	assert.Equal(t, []float64{2, 3}, d.Y)
	assert.Equal(t, []float64{1, 0.5}, d.W)

	d.W = nil
	p = d.Problem(Squared{}, 1, 2, true)
	assert.Nil(t, p.W, "no weight column gives nil weights")
	assert.True(t, p.Skip)
}

// TestFirstNonFinite places NaN and ±Inf at block edges and in odd-length
// tails, next to extreme finite values, against a plain scan.
func TestFirstNonFinite(t *testing.T) {
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1)}
	for _, n := range []int{0, 1, 2, 3, finiteBlock - 1, finiteBlock, finiteBlock + 1, 3*finiteBlock + 7} {
		v := make([]float64, n)
		for i := range v {
			v[i] = []float64{math.MaxFloat64, -math.MaxFloat64, 5e-324, -0.0, 1}[i%5]
		}
		require.Equal(t, -1, firstNonFinite(v), "n=%d all finite", n)
		for _, at := range []int{0, 1, finiteBlock - 1, finiteBlock, n - 2, n - 1} {
			if at < 0 || at >= n {
				continue
			}
			for _, b := range bad {
				w := slices.Clone(v)
				w[at] = b
				if at+3 < n {
					w[at+3] = math.NaN() // a later one is not reported
				}
				require.Equal(t, at, firstNonFinite(w), "n=%d %v at %d", n, b, at)
			}
		}
	}
}
