package problem

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSortedOrderMatchesStableSort checks both sort paths against the
// standard library's stable sort, with ties, negative zeros, negatives,
// infinities and subnormals.
func TestSortedOrderMatchesStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 5, 100, radixMin - 1, radixMin, 3 * radixMin} {
		x := make([]float64, n)
		for i := range x {
			switch r.IntN(6) {
			case 0:
				x[i] = float64(r.IntN(5)) // ties
			case 1:
				x[i] = -r.ExpFloat64() * 1e300
			case 2:
				x[i] = math.Copysign(0, -1)
			case 3:
				x[i] = 5e-324 * float64(r.IntN(3)-1)
			default:
				x[i] = r.NormFloat64()
			}
		}
		if n > 3 {
			x[0], x[1] = math.Inf(1), math.Inf(-1)
		}
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		sort.SliceStable(want, func(a, b int) bool { return x[want[a]] < x[want[b]] })
		got := SortedOrder(x)
		// −0 and +0 compare equal but the radix path orders −0 first; both
		// are valid sorted orders, so compare the sorted values and check
		// that equal values keep their original order.
		for k := range got {
			require.Equal(t, x[want[k]], x[got[k]], "n=%d position %d", n, k)
			if k > 0 && x[got[k]] == x[got[k-1]] && math.Signbit(x[got[k]]) == math.Signbit(x[got[k-1]]) {
				require.Less(t, got[k-1], got[k], "n=%d: ties out of order", n)
			}
		}
	}
}
