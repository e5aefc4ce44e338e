package representer

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRho(t *testing.T) {
	for _, test := range []struct {
		m    int
		t    float64
		want float64
	}{
		// The step includes its jump: ρ_1(0) = 1, not 0⁰ by accident.
		{m: 1, t: -1, want: 0},
		{m: 1, t: -1e-300, want: 0},
		{m: 1, t: 0, want: 1},
		{m: 1, t: math.Copysign(0, -1), want: 1},
		{m: 1, t: 5, want: 1},
		{m: 2, t: -2, want: 0},
		{m: 2, t: 0, want: 0},
		{m: 2, t: 2.5, want: 2.5},
		{m: 3, t: -1, want: 0},
		{m: 3, t: 3, want: 4.5},     // 3²/2
		{m: 4, t: 2, want: 8.0 / 6}, // 2³/3!
		{m: 4, t: -2, want: 0},
		{m: 5, t: 2, want: 16.0 / 24}, // 2⁴/4!
		{m: 2, t: math.Inf(1), want: math.Inf(1)},
		{m: 3, t: math.Inf(-1), want: 0},
	} {
		got := Rho(test.m, test.t)
		assert.Equal(t, test.want, got, "ρ_%d(%v)", test.m, test.t)
	}
	for m := 1; m <= 4; m++ {
		assert.True(t, math.IsNaN(Rho(m, math.NaN())), "ρ_%d(NaN)", m)
	}
	assert.PanicsWithValue(t, badOrder, func() { Rho(0, 1) })
}

func TestActivationSplit(t *testing.T) {
	// φ(t) = lin·t + hinge·ReLU(t) must reproduce every order-2 unit.
	for _, name := range []string{"", "relu", "abs", "leaky:0.1", "leaky:0", "leaky:1", "leaky:-0.5", "leaky:3"} {
		act, err := parseActivation(name, 2)
		assert.NoError(t, err, name)
		lin, hinge := act.split()
		for _, x := range []float64{-3, -1, -0.25, 0, 0.5, 2} {
			assertClose(t, act.eval(2, x), lin*x+hinge*Rho(2, x), tol, name, x)
		}
	}
	for _, test := range []struct {
		name string
		m    int
		ok   bool
	}{
		{name: "relu", m: 3, ok: true},
		{name: "", m: 1, ok: true},
		{name: "abs", m: 3},
		{name: "leaky:0.1", m: 1},
		{name: "leaky:", m: 2},
		{name: "leaky:NaN", m: 2},
		{name: "leaky:inf", m: 2},
		{name: "tanh", m: 2},
		{name: "ReLU", m: 2},
	} {
		_, err := parseActivation(test.name, test.m)
		assert.Equal(t, test.ok, err == nil, "%q order %d: %v", test.name, test.m, err)
	}
}
