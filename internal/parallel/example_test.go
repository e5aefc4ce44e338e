package parallel_test

import (
	"fmt"

	"github.com/ridgeline-nn/ridgeline/internal/parallel"
)

// Sums over the two halves of a long vector are formed concurrently and
// added in a fixed order, so the result does not depend on scheduling.
func ExampleRun() {
	v := make([]float64, 1<<17)
	for i := range v {
		v[i] = 1
	}
	parts := parallel.Parts(len(v))
	sums := make([]float64, parts)
	parallel.Run(parts, func(part int) {
		a, b := parallel.Span(len(v), parts, part)
		for _, x := range v[a:b] {
			sums[part] += x
		}
	})
	total := 0.0
	for _, s := range sums {
		total += s
	}
	fmt.Println(parts, total)
	// Output: 2 131072
}
