package parallel

import "sync"

// Min is the number of elements from which Parts splits a pass in two.
const Min = 1 << 16

// Parts returns the number of parts a pass over n elements is split into:
// 2 from Min elements on, 1 below.
func Parts(n int) int {
	if n >= Min {
		return 2
	}
	return 1
}

// Span returns the elements [a, b) of part part of a pass over n elements
// split into parts parts.
func Span(n, parts, part int) (a, b int) {
	return part * n / parts, (part + 1) * n / parts
}

// Run calls f(0), …, f(parts−1), each but the first on a new goroutine,
// and returns when all have returned.
func Run(parts int, f func(part int)) {
	var wg sync.WaitGroup
	for part := 1; part < parts; part++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(part)
		}()
	}
	f(0)
	wg.Wait()
}

// For runs f over the spans of a pass over n elements, split into
// Parts(n) parts, concurrently.
func For(n int, f func(a, b int)) {
	parts := Parts(n)
	Run(parts, func(part int) { f(Span(n, parts, part)) })
}
