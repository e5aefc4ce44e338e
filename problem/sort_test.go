package problem

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// sortInputs are the distributions the sort tests and benchmarks draw
// from: spread-out data (one or a few values per bucket of the
// distribution sort), clustered and heavy-tailed data (buckets that
// overflow into the radix sort), ties, and nearly sorted data.
var sortInputs = []struct {
	name string
	draw func(r *rand.Rand, i, n int) float64
}{
	{"uniform", func(r *rand.Rand, _, _ int) float64 { return r.Float64() }},
	{"normal", func(r *rand.Rand, _, _ int) float64 { return r.NormFloat64() }},
	{"exponential", func(r *rand.Rand, _, _ int) float64 { return r.ExpFloat64() }},
	{"cauchy", func(r *rand.Rand, _, _ int) float64 { return r.NormFloat64() / r.NormFloat64() }},
	{"outlier", func(r *rand.Rand, i, _ int) float64 {
		if i == 7 {
			return 1e300
		}
		return r.Float64()
	}},
	{"ties", func(r *rand.Rand, _, _ int) float64 { return float64(r.IntN(100)) / 8 }},
	// Spread out, but with equal values and values closer than 2⁻³² of
	// the range (which share keyOrder's key).
	{"close values", func(r *rand.Rand, _, n int) float64 {
		return float64(r.IntN(n))/float64(n) + 1e-12*float64(r.IntN(3))
	}},
	{"two values", func(r *rand.Rand, _, _ int) float64 { return float64(r.IntN(2)) }},
	{"nearly sorted", func(r *rand.Rand, i, n int) float64 {
		if r.IntN(100) == 0 {
			return r.Float64()
		}
		return float64(i) / float64(n)
	}},
	{"reversed", func(_ *rand.Rand, i, n int) float64 { return float64(n - i) }},
	{"mixed", func(r *rand.Rand, _, _ int) float64 {
		switch r.IntN(6) {
		case 0:
			return float64(r.IntN(5)) // ties
		case 1:
			return -r.ExpFloat64() * 1e300
		case 2:
			return math.Copysign(0, -1)
		case 3:
			return 5e-324 * float64(r.IntN(3)-1)
		}
		return r.NormFloat64()
	}},
}

// TestSortedOrderMatchesStableSort checks every sort path against the
// standard library's stable sort, with ties, negative zeros, negatives,
// infinities and subnormals, and the sorted values that Group1D takes
// from it.
func TestSortedOrderMatchesStableSort(t *testing.T) {
	for _, coarse := range []int{coarseMin, 3 * radixMin} {
		t.Run(fmt.Sprintf("coarse above %d", coarse), func(t *testing.T) {
			old := coarseMin
			coarseMin = coarse
			defer func() { coarseMin = old }()
			testSortedOrder(t)
		})
	}
}

// testSortedOrder is TestSortedOrderMatchesStableSort with the current
// sizes of the distribution sort.
func testSortedOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, in := range sortInputs {
		for _, n := range []int{0, 1, 5, 100, radixMin - 1, radixMin, 3 * radixMin, 16 * radixMin} {
			if testing.Short() && n > 3*radixMin {
				continue
			}
			for _, inf := range []bool{false, true} {
				x := make([]float64, n)
				for i := range x {
					x[i] = in.draw(r, i, n)
				}
				if inf && n > 3 {
					x[0], x[1] = math.Inf(1), math.Inf(-1)
				}
				name := fmt.Sprintf("%s n=%d inf=%t", in.name, n, inf)
				want := make([]int, n)
				for i := range want {
					want[i] = i
				}
				sort.SliceStable(want, func(a, b int) bool { return x[want[a]] < x[want[b]] })
				got, xs := sortedOrder(x, true)
				require.Equal(t, got, SortedOrder(x), name)
				require.Len(t, xs, n, name)
				// −0 and +0 compare equal but the radix sort orders −0
				// first; both are valid sorted orders, so compare the
				// sorted values and check that equal values keep their
				// original order.
				seen := make([]bool, n)
				for k := range got {
					i := got[k]
					if seen[i] {
						t.Fatalf("%s: index %d twice", name, i)
					}
					seen[i] = true
					if x[i] != x[want[k]] || math.Float64bits(xs[k]) != math.Float64bits(x[i]) {
						t.Fatalf("%s position %d: value %v (returned %v), want %v", name, k, x[i], xs[k], x[want[k]])
					}
					if k > 0 && x[i] == x[got[k-1]] && math.Signbit(x[i]) == math.Signbit(x[got[k-1]]) && got[k-1] > i {
						t.Fatalf("%s: ties out of order at %d", name, k)
					}
				}
			}
		}
	}
}

func benchmarkSortedOrder(b *testing.B, n int, draw func(r *rand.Rand, i, n int) float64) {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	x := make([]float64, n)
	for i := range x {
		x[i] = draw(r, i, n)
	}
	for b.Loop() {
		SortedOrder(x)
	}
}

// BenchmarkSortedOrder sorts every input family at N = 10^4 and 10^6, and
// uniform values also at 10^7, where the outer distribution is coarse
// (coarseMin).
func BenchmarkSortedOrder(b *testing.B) {
	for _, in := range sortInputs {
		sizes := []int{1e4, 1e6}
		if in.name == "uniform" {
			sizes = append(sizes, 1e7)
		}
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/N=%d", in.name, n), func(b *testing.B) { benchmarkSortedOrder(b, n, in.draw) })
		}
	}
}
