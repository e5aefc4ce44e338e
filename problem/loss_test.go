package problem

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats/scalar"
)

// lossTol is the tolerance of the loss identities, which hold exactly up
// to rounding on the grids below.
const lossTol = 1e-12

// testLosses are the losses whose identities every test checks.
var testLosses = []struct {
	name string
	loss Loss
}{
	{"squared", Squared{}},
	{"l1", L1{}},
	{"huber/1", Huber{Delta: 1}},
	{"huber/0.3", Huber{Delta: 0.3}},
	{"huber/2.5", Huber{Delta: 2.5}},
	{"interp", Interp{}},
}

// grid returns n+1 equally spaced points from lo to hi.
func grid(lo, hi float64, n int) []float64 {
	g := make([]float64, n+1)
	for i := range g {
		g[i] = lo + (hi-lo)*float64(i)/float64(n)
	}
	return g
}

// residualGrid holds residuals with the kinks of all test losses on it.
var residualGrid = append(grid(-4, 4, 160), 0.3, -0.3, 2.5, -2.5, 1e-9, -1e-9)

func TestLossBasics(t *testing.T) {
	for _, tc := range testLosses {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.loss
			assert.Equal(t, 0.0, l.Value(0), "ℓ(0)")
			assert.Equal(t, 0.0, l.Deriv(0), "ℓ'(0)")
			assert.Equal(t, 0.0, l.Conjugate(0), "ℓ*(0)")
			for _, r := range residualGrid {
				assert.GreaterOrEqual(t, l.Value(r), 0.0, "ℓ(%v)", r)
				assert.Equal(t, l.Value(r), l.Value(-r), "ℓ is even at %v", r)
				assert.Equal(t, l.Deriv(r), -l.Deriv(-r), "ℓ' is odd at %v", r)
				assert.Equal(t, l.Conjugate(r), l.Conjugate(-r), "ℓ* is even at %v", r)
			}
		})
	}
}

// TestLossConjugateForm checks the structure the solvers rely on:
// ℓ*(s) = c·s²/2 on |s| ≤ DualBound and +Inf outside.
func TestLossConjugateForm(t *testing.T) {
	for _, tc := range testLosses {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.loss
			b, c := l.DualBound(), l.DualCurvature()
			require.True(t, b > 0, "DualBound must be positive")
			require.True(t, c >= 0 && !math.IsInf(c, 0), "DualCurvature must be finite and ≥ 0")
			ss := grid(-5, 5, 200)
			if !math.IsInf(b, 0) {
				ss = append(ss, b, -b, math.Nextafter(b, math.Inf(1)))
			}
			for _, s := range ss {
				got := l.Conjugate(s)
				if math.Abs(s) <= b {
					assert.InDelta(t, c*s*s/2, got, lossTol, "ℓ*(%v)", s)
				} else {
					assert.True(t, math.IsInf(got, 1), "ℓ*(%v) = %v, want +Inf", s, got)
				}
			}
		})
	}
}

// TestLossFenchelYoung checks ℓ(r) + ℓ*(s) ≥ s·r for all r, s, with
// equality exactly when s is a subgradient of ℓ at r, in particular at
// s = Deriv(r).
func TestLossFenchelYoung(t *testing.T) {
	duals := grid(-3, 3, 120)
	for _, tc := range testLosses {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.loss
			for _, r := range residualGrid {
				v := l.Value(r)
				for _, s := range duals {
					lhs := v + l.Conjugate(s)
					assert.GreaterOrEqual(t, lhs, s*r-lossTol, "r = %v, s = %v", r, s)
				}
				if math.IsInf(v, 1) {
					continue // Interp away from 0: no subgradient.
				}
				s := l.Deriv(r)
				assert.InDelta(t, s*r, v+l.Conjugate(s), lossTol, "equality at r = %v, s = ℓ'(r) = %v", r, s)
			}
		})
	}
}

// TestLossConjugateIsSup checks ℓ*(s) = sup_r (s·r − ℓ(r)) by maximising
// over a fine grid of residuals that contains the maximiser ℓ*'(s).
func TestLossConjugateIsSup(t *testing.T) {
	rs := grid(-8, 8, 1600)
	for _, tc := range testLosses {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.loss
			b := math.Min(l.DualBound(), 3)
			for _, s := range grid(-b, b, 30) {
				sup := math.Inf(-1)
				for _, r := range rs {
					sup = math.Max(sup, s*r-l.Value(r))
				}
				// The maximiser c·s lies within 5e-3 of a grid point and
				// the objective is flat to second order there.
				assert.InDelta(t, l.Conjugate(s), sup, 1e-4, "ℓ*(%v)", s)
			}
		})
	}
}

// TestLossDerivIsSubgradient checks ℓ(q) ≥ ℓ(r) + ℓ'(r)(q − r).
func TestLossDerivIsSubgradient(t *testing.T) {
	for _, tc := range testLosses {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.loss
			for _, r := range residualGrid {
				v := l.Value(r)
				if math.IsInf(v, 1) {
					continue
				}
				d := l.Deriv(r)
				for _, q := range residualGrid {
					assert.GreaterOrEqual(t, l.Value(q), v+d*(q-r)-lossTol, "r = %v, q = %v", r, q)
				}
			}
		})
	}
}

func TestLossValues(t *testing.T) {
	for _, tc := range []struct {
		loss  Loss
		r     float64
		value float64
		deriv float64
	}{
		{Squared{}, 3, 4.5, 3},
		{Squared{}, -0.5, 0.125, -0.5},
		{L1{}, -2, 2, -1},
		{L1{}, 0.25, 0.25, 1},
		{Huber{Delta: 1}, 0.5, 0.125, 0.5},
		{Huber{Delta: 1}, 1, 0.5, 1},
		{Huber{Delta: 1}, 3, 2.5, 1},
		{Huber{Delta: 1}, -3, 2.5, -1},
		{Huber{Delta: 0.5}, 2, 0.875, 0.5},
		{Interp{}, 1e-300, math.Inf(1), 0},
	} {
		assert.Equal(t, tc.value, tc.loss.Value(tc.r), "%s: ℓ(%v)", tc.loss.Name(), tc.r)
		assert.Equal(t, tc.deriv, tc.loss.Deriv(tc.r), "%s: ℓ'(%v)", tc.loss.Name(), tc.r)
	}
}

// TestHuberLimits checks that Huber tends to the squared loss as δ → ∞
// and to δ·|r| as δ → 0 (it is their infimal convolution).
func TestHuberLimits(t *testing.T) {
	for _, r := range residualGrid {
		assert.Equal(t, Squared{}.Value(r), Huber{Delta: 1e6}.Value(r), "δ → ∞ at %v", r)
		const delta = 1e-8
		got := Huber{Delta: delta}.Value(r)
		assert.True(t, scalar.EqualWithinAbsOrRel(delta*math.Abs(r), got, 1e-15, 1e-7),
			"δ → 0 at %v: got %v", r, got)
	}
}

func TestParseLoss(t *testing.T) {
	for _, tc := range []struct {
		name    string
		delta   float64
		want    Loss
		wantErr string
	}{
		{name: "squared", want: Squared{}},
		{name: "SQ", want: Squared{}},
		{name: "l2", want: Squared{}},
		{name: "l1", want: L1{}},
		{name: "abs", want: L1{}},
		{name: "huber", delta: 0.5, want: Huber{Delta: 0.5}},
		{name: "Huber", delta: 2, want: Huber{Delta: 2}},
		{name: "interp", delta: -1, want: Interp{}},
		{name: "interpolation", want: Interp{}},
		{name: "huber", delta: 0, wantErr: "huber delta must be finite and > 0, got 0"},
		{name: "huber", delta: -1, wantErr: "huber delta must be finite and > 0, got -1"},
		{name: "huber", delta: math.NaN(), wantErr: "huber delta must be finite and > 0, got NaN"},
		{name: "huber", delta: math.Inf(1), wantErr: "huber delta must be finite and > 0, got +Inf"},
		{name: "hinge", wantErr: `unknown loss "hinge" (want interp, squared, l1 or huber)`},
		{name: "", wantErr: `unknown loss "" (want interp, squared, l1 or huber)`},
	} {
		got, err := ParseLoss(tc.name, tc.delta)
		if tc.wantErr != "" {
			assert.EqualError(t, err, tc.wantErr, "ParseLoss(%q, %v)", tc.name, tc.delta)
			assert.Nil(t, got)
			continue
		}
		require.NoError(t, err, "ParseLoss(%q, %v)", tc.name, tc.delta)
		assert.Equal(t, tc.want, got)
		assert.Equal(t, got.Name(), mustParse(t, got.Name(), tc.delta).Name(), "Name round-trips")
	}
}

func mustParse(t *testing.T, name string, delta float64) Loss {
	t.Helper()
	l, err := ParseLoss(name, delta)
	require.NoError(t, err)
	return l
}

func TestIsInterp(t *testing.T) {
	for _, tc := range testLosses {
		assert.Equal(t, tc.name == "interp", IsInterp(tc.loss), tc.name)
	}
}
