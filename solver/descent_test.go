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

// TestScreenedSweepMatchesSweep checks that screenedSweep, which jumps over
// blocks where a bound keeps |η| below the threshold, finds the runs that
// sweepRuns finds by visiting every input, at solutions on random knot sets
// and at thresholds from far below λ̃ (nearly every block visited) to far
// above (nearly every block skipped). An input may be in a run of one and
// not the other only where η is within rounding (1e-9 of its terms' size)
// of the threshold; η inside common runs must agree to the same tolerance.
func TestScreenedSweepMatchesSweep(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct {
		name  string
		n     int
		knots int
	}{
		{"few knots", 20 * sumBlock, 4},
		{"many knots", 30*sumBlock + 7, 150},
		{"knot per block", 20*sumBlock + 3, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xs, w, y := make([]float64, tc.n), make([]float64, tc.n), make([]float64, tc.n)
			for j := range xs {
				xs[j] = r.Float64()*4 - 2
				w[j] = 0.5 + r.Float64()
				if j%11 == 0 {
					w[j] = 0
				}
				y[j] = math.Sin(3*xs[j]) + 0.1*r.NormFloat64()
			}
			sort.Float64s(xs)
			s := newActiveSet(xs, nil, w, y, math.Inf(1), 0.05)
			for range tc.knots {
				s.sign[1+r.IntN(tc.n-2)] = int8(2*r.IntN(2) - 1)
			}
			d := s.sys
			d.retau()
			if !d.solve() {
				t.Fatal("solve failed")
			}
			s.tau = append(s.tau[:0], d.tau...)
			s.c = append(s.c[:0], d.c...)
			// η everywhere, and the size of its terms.
			s.sweepRuns(-1)
			eta := append([]float64(nil), s.eta...)
			peak, absU := 0.0, 0.0
			for j, e := range eta {
				if s.sign[j] == 0 && j > 0 && j < tc.n-1 {
					peak = math.Max(peak, math.Abs(e))
				}
				absU += w[j] * math.Abs(y[j])
			}
			tol := 1e-9 * absU * (xs[tc.n-1] - xs[0])
			for _, frac := range []float64{0.01, 0.3, 0.7, 0.9, 0.99, 1.01} {
				thr := frac * peak
				inRun := func(runs []violRun) []bool {
					in := make([]bool, tc.n)
					for _, r := range runs {
						for j := r.lo; j <= r.hi; j++ {
							in[j] = true
						}
					}
					return in
				}
				s.eta = make([]float64, tc.n)
				wantWorst := s.sweepRuns(thr)
				want, wantEta := inRun(s.runs), append([]float64(nil), s.eta...)
				s.eta = make([]float64, tc.n)
				gotWorst := s.screenedSweep(thr)
				got := inRun(s.runs)
				for j := range got {
					switch {
					case got[j] != want[j] && math.Abs(math.Abs(eta[j])-thr) > tol:
						t.Fatalf("threshold %.2f·peak: input %d in a run of the screened sweep %v, of the full sweep %v, |η| = %v", frac, j, got[j], want[j], math.Abs(eta[j]))
					case got[j] && want[j] && math.Abs(s.eta[j]-wantEta[j]) > tol:
						t.Fatalf("threshold %.2f·peak: η at %d is %v, full sweep %v", frac, j, s.eta[j], wantEta[j])
					}
				}
				if math.Abs(gotWorst-wantWorst) > tol {
					t.Fatalf("threshold %.2f·peak: worst %v, full sweep %v", frac, gotWorst, wantWorst)
				}
			}
		})
	}
}
