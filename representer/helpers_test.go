package representer

import (
	"flag"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/interp"
)

var (
	seed   = flag.Uint64("seed", 1, "seed of the random tests (0 draws one from the clock)")
	update = flag.Bool("update", false, "rewrite the golden files in testdata")
)

// Both univariate types plug into gonum code that expects a predictor.
var (
	_ interp.Predictor = (*Spline)(nil)
	_ interp.Predictor = (*Network)(nil)
)

// newRand returns the seeded generator of a random test and logs its seed.
func newRand(t testing.TB) *rand.Rand {
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d", s)
	return rand.New(rand.NewPCG(s, 0x5eed))
}

// tol is the abs-or-rel tolerance of comparisons between two evaluations of
// the same function by different formulas.
const tol = 1e-12

// assertClose checks got against want with the abs-or-rel tolerance eps.
func assertClose(t *testing.T, want, got, eps float64, msgAndArgs ...any) bool {
	t.Helper()
	if scalar.EqualWithinAbsOrRel(want, got, eps, eps) {
		return true
	}
	return assert.Fail(t, "values differ", "want %v, got %v (diff %v, tolerance %v) %v", want, got, got-want, eps, msgAndArgs)
}

// randomSpline returns a spline of order m with k distinct knots in
// [−3, 3], standard normal amplitudes (some exactly 0) and polynomial.
func randomSpline(rnd *rand.Rand, m, k int) *Spline {
	s := &Spline{Order: m, Poly: make([]float64, m)}
	for i := range s.Poly {
		s.Poly[i] = rnd.NormFloat64()
	}
	for len(s.Knots) < k {
		for len(s.Knots) < k {
			s.Knots = append(s.Knots, 6*rnd.Float64()-3)
		}
		slices.Sort(s.Knots)
		s.Knots = slices.Compact(s.Knots)
	}
	s.Amps = make([]float64, k)
	for i := range s.Amps {
		if rnd.IntN(8) > 0 {
			s.Amps[i] = rnd.NormFloat64()
		}
	}
	return s
}

// grid returns n+1 equispaced points in [lo, hi] followed by extra.
func grid(lo, hi float64, n int, extra ...float64) []float64 {
	xs := make([]float64, 0, n+1+len(extra))
	for i := 0; i <= n; i++ {
		xs = append(xs, lo+(hi-lo)*float64(i)/float64(n))
	}
	return append(xs, extra...)
}

func ptr[T any](v T) *T { return &v }
