package parallel

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestForCoversOnce checks that For visits every element exactly once, in
// one span below Min and in two from Min on, for lengths around the
// threshold and odd lengths.
func TestForCoversOnce(t *testing.T) {
	for _, tc := range []struct{ n, spans int }{
		{0, 1}, {1, 1}, {Min - 1, 1}, {Min, 2}, {Min + 1, 2}, {3*Min + 7, 2},
	} {
		seen := make([]int32, tc.n)
		var spans atomic.Int32
		For(tc.n, func(a, b int) {
			spans.Add(1)
			for i := a; i < b; i++ {
				atomic.AddInt32(&seen[i], 1)
			}
		})
		require.Equal(t, int32(tc.spans), spans.Load(), "n=%d", tc.n)
		for i, c := range seen {
			require.Equal(t, int32(1), c, "n=%d element %d", tc.n, i)
		}
	}
}

// TestRunWaits checks that Run returns only after every part has run, each
// with its own index.
func TestRunWaits(t *testing.T) {
	for _, parts := range []int{1, 2, 5} {
		done := make([]bool, parts)
		Run(parts, func(part int) { done[part] = true })
		for p, d := range done {
			require.True(t, d, "parts=%d part %d", parts, p)
		}
	}
}
