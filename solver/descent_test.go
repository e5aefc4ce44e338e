package solver

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// TestHatSumsMatchDirect checks the block-assembled moments of hatSums
// against the moments summed in plain loops here, over intervals of every
// length around the block size (ragged ends, whole blocks, an interval
// ending at the last input), with zero weights among the inputs. The
// non-negative moments must agree to 1e-12 relative (about 4500 terms
// summed in a different order); the signed ỹ moments to 1e-12 of the sum of
// their terms' magnitudes.
func TestHatSumsMatchDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 40*sumBlock + 17
	xs, w, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for j := range xs {
		xs[j] = r.Float64()
		w[j] = r.Float64()
		if j%7 == 0 {
			w[j] = 0
		}
		y[j] = r.NormFloat64() + 3
	}
	sort.Float64s(xs)
	s := newActiveSet(xs, nil, w, y, math.Inf(1), 1)
	type moment struct {
		name     string
		got      func(h hatSums) float64
		term     func(l, r, w, y float64) float64
		positive bool
	}
	moments := []moment{
		{"m0", func(h hatSums) float64 { return h.m0 }, func(l, r, w, y float64) float64 { return w }, true},
		{"l1", func(h hatSums) float64 { return h.l1 }, func(l, r, w, y float64) float64 { return w * l }, true},
		{"l2", func(h hatSums) float64 { return h.l2 }, func(l, r, w, y float64) float64 { return w * l * l }, true},
		{"r1", func(h hatSums) float64 { return h.r1 }, func(l, r, w, y float64) float64 { return w * r }, true},
		{"r2", func(h hatSums) float64 { return h.r2 }, func(l, r, w, y float64) float64 { return w * r * r }, true},
		{"c", func(h hatSums) float64 { return h.c }, func(l, r, w, y float64) float64 { return w * l * r }, true},
		{"y0", func(h hatSums) float64 { return h.y0 }, func(l, r, w, y float64) float64 { return w * y }, false},
		{"yl", func(h hatSums) float64 { return h.yl }, func(l, r, w, y float64) float64 { return w * y * l }, false},
		{"yr", func(h hatSums) float64 { return h.yr }, func(l, r, w, y float64) float64 { return w * y * r }, false},
	}
	check := func(a, b int) {
		t.Helper()
		h := s.hatSums(a, b)
		for _, m := range moments {
			want, mag := 0.0, 0.0
			for j := a; j < b; j++ {
				v := m.term(xs[j]-xs[a], xs[b]-xs[j], w[j], y[j])
				want += v
				mag += math.Abs(v)
			}
			if got := m.got(h); math.Abs(got-want) > 1e-12*mag || m.positive && got < 0 {
				t.Fatalf("[%d, %d) %s = %v, want %v", a, b, m.name, got, want)
			}
		}
	}
	for _, a := range []int{0, 1, sumBlock - 1, sumBlock, 3*sumBlock + 5} {
		for _, length := range []int{1, 2, 3*sumBlock - 1, 3 * sumBlock, 3*sumBlock + 1, 10*sumBlock + 33} {
			check(a, a+length)
		}
		check(a, n-1)
	}
	for range 200 {
		a := r.IntN(n - 1)
		check(a, a+1+r.IntN(n-1-a))
	}
}
